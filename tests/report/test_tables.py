"""The brief's tables as CSV: written from the cells, byte for byte what pandas writes for
the same table (``exports.frame_bytes(table_frame(table), "csv")``, the oracle)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.exports import frame_bytes
from carrywatch.report.model import Cell, Report, Table
from carrywatch.report.render import build_report
from carrywatch.report.tables import table_csv, table_frame, write_table_csvs


def _oracle(table: Table) -> bytes:
    return frame_bytes(table_frame(table), "csv")


@pytest.fixture(scope="module")
def reports(seeded: Path) -> dict[date, Report]:
    with carrywatch.open_store(seeded) as store:
        return {
            day: build_report(store, load_catalog(), day)
            # A day of the carry unwind, one with both venues' odds, one with CME's tables.
            for day in (date(2024, 8, 5), date(2025, 12, 5), date(2026, 7, 20))
        }


def test_every_table_of_the_brief_is_what_pandas_writes(reports: dict[date, Report]) -> None:
    checked = 0
    for report in reports.values():
        for section in report.sections:
            for table in section.tables:
                assert table_csv(table) == _oracle(table), (report.asof, table.key)
                checked += 1
    assert checked >= 3 * 8  # the brief has tables in most sections, on every date


def test_the_files_are_the_tables(reports: dict[date, Report], tmp_path: Path) -> None:
    report = reports[date(2024, 8, 5)]
    written = write_table_csvs(report, tmp_path / "tables")
    tables = [t for s in report.sections for t in s.tables]
    assert len(written) == len(tables)
    for path, table in zip(written, tables, strict=True):
        assert path.read_bytes() == _oracle(table)


_CELLS: st.SearchStrategy[Cell] = st.one_of(
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6),
    st.sampled_from(["", ",", '"', "a\nb", " x ", "—", "2024-08-05"]),
)


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    width = draw(st.integers(min_value=1, max_value=4))
    # Each column drawn from one kind of cell or a mix, as the sections build them.
    kinds = [draw(st.sampled_from(["int", "float", "text", "mixed"])) for _ in range(width)]
    by_kind: dict[str, st.SearchStrategy[Cell]] = {
        "int": st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
        "float": st.one_of(st.none(), st.floats(), st.integers(-5, 5)),
        "text": st.one_of(st.none(), st.text(max_size=5)),
        "mixed": _CELLS,
    }
    n_rows = draw(st.integers(min_value=0, max_value=6))
    rows = tuple(tuple(draw(by_kind[k]) for k in kinds) for _ in range(n_rows))
    columns = tuple(draw(st.sampled_from(["metric", "value", "a,b", 'say "x"', ""])) for _ in kinds)
    return Table(key="t", title="t", columns=columns, rows=rows)


@settings(max_examples=300, deadline=None)
@given(_tables())
def test_any_table_of_cells_is_what_pandas_writes(table: Table) -> None:
    assert table_csv(table) == _oracle(table)


@pytest.mark.parametrize(
    ("rows", "text"),
    [
        # Whole numbers stay whole; one missing cell makes pandas' column float64 (and a
        # row of one empty field is quoted, as the csv module writes it).
        (((1,), (2,)), "n\n1\n2\n"),
        (((1,), (None,)), 'n\n1.0\n""\n'),
        # Shortest round-trip text, as numpy's str of a float64 and Python's repr write it.
        (((0.1,), (1e16,), (-0.0,)), "n\n0.1\n1e+16\n-0.0\n"),
        # Text makes the column object: each cell's str, missing as empty.
        ((("a,b",), (3,), (None,)), 'n\n"a,b"\n3\n""\n'),
    ],
)
def test_cells_are_written_as_pandas_types_their_column(
    rows: tuple[tuple[Cell, ...], ...], text: str
) -> None:
    table = Table(key="t", title="t", columns=("n",), rows=rows)
    assert table_csv(table).decode("utf-8") == text
    assert _oracle(table).decode("utf-8") == text
