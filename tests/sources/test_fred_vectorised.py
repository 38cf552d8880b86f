"""The vectorised FRED CSV reader gives exactly the line reader's frame.

The oracle is the line-by-line reader, the parser's whole loop before the vectorised path
and still its reader of irregular bodies (one Python iteration per line, every field
through ``iso_date`` and ``to_float``). Each real
recorded FRED file, under ``tests/payloads/fred`` and, when present beside the
repository, in the snapshot's source files (``../shared/data/fred``), must give the same
rows, values bit for bit, and the same metadata, and must take the vectorised path.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.base import decode_text, require_final_newline
from carrywatch.sources.fred import FredGraph, _regular_rows
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, utc_now

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "fred"
SNAPSHOT_FRED = Path(__file__).resolve().parents[3] / "shared" / "data" / "fred"
SOURCE = FredGraph()


def _oracle(payload: RawPayload) -> ParsedFrame:
    """The line reader (parse version 1's loop, unchanged), called on every body."""
    text = decode_text(payload.body, encoding="utf-8", source=SOURCE.name)
    require_final_newline(payload.body, source=SOURCE.name)
    return SOURCE._parse_lines(text, payload.request.remote_codes)


def _series_code(path: Path) -> str:
    """The FRED id a recorded file holds, from its name
    (``jonsflow__risk-model__WALCL_first30lines.csv`` -> ``WALCL``)."""
    stem = path.name.removesuffix(".gz").removesuffix(".csv").split("__")[-1]
    return stem.removesuffix("_first30lines").removesuffix("_first40lines")


def _recorded() -> list[tuple[str, bytes, tuple[str, ...]]]:
    found: list[tuple[str, bytes, tuple[str, ...]]] = []
    for path in sorted(PAYLOADS.glob("*.csv*")):
        body = path.read_bytes()
        body = gzip.decompress(body) if path.suffix == ".gz" else body
        # The two-series graph CSV answers a request for both; the others for one id.
        codes = () if path.name.startswith("fredgraph_") else (_series_code(path),)
        found.append((path.name, body, codes))
    for path in sorted(SNAPSHOT_FRED.glob("*/*.csv")):
        found.append((f"{path.parent.name}/{path.name}", path.read_bytes(), (path.stem,)))
    return found


RECORDED = _recorded()


def _payload(body: bytes, codes: tuple[str, ...]) -> RawPayload:
    request = FetchRequest(
        source="fred", url="https://fred.stlouisfed.org/graph/fredgraph.csv", remote_codes=codes
    )
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _assert_same(new: ParsedFrame, old: ParsedFrame) -> None:
    pd.testing.assert_frame_equal(new.rows, old.rows, check_exact=True)
    # Bit for bit: assert_frame_equal treats 0.0 and -0.0 alike.
    assert new.rows["value"].to_numpy().tobytes() == old.rows["value"].to_numpy().tobytes()
    assert new.meta == old.meta
    assert (new.source, new.parse_version) == (old.source, old.parse_version)


def test_every_recorded_file_is_found() -> None:
    # The 9 CSV files under tests/payloads/fred (see its README), whatever the snapshot
    # beside the repository holds.
    assert sum(1 for name, _, _ in RECORDED if "/" not in name) == 9


@pytest.mark.parametrize(("name", "body", "codes"), RECORDED, ids=[r[0] for r in RECORDED])
def test_vectorised_reader_matches_the_line_reader(
    name: str, body: bytes, codes: tuple[str, ...]
) -> None:
    payload = _payload(body, codes)
    _assert_same(SOURCE.parse(payload), _oracle(payload))
    # The real file takes the vectorised path (no Python per line).
    data = decode_text(body, encoding="utf-8", source="fred").partition("\n")[2]
    n_values = body.split(b"\n", 1)[0].count(b",")
    assert _regular_rows(data, n_values) is not None, name


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b + b"\n\n", id="trailing-blank-lines"),
        pytest.param(lambda b: b.replace(b",", b", ", 3), id="spaces-after-commas"),
        pytest.param(lambda b: b.replace(b"\n", b"\n\n", 2), id="blank-line-inside"),
    ],
)
def test_variants_read_alike_on_both_readers(edit: object) -> None:
    assert callable(edit)
    for _, body, codes in RECORDED[:9]:
        payload = _payload(edit(body), codes)
        _assert_same(SOURCE.parse(payload), _oracle(payload))


def test_irregular_line_is_refused_by_line_number() -> None:
    body = b"observation_date,DGS10\n2024-01-02,3.95\n2024-02-30,4.01\n"
    with pytest.raises(ParseError, match=r"line 3: '2024-02-30' is not a YYYY-MM-DD date"):
        SOURCE.parse(_payload(body, ("DGS10",)))


def test_regular_rows_reads_markers_and_signs() -> None:
    # Hand-checked: '.' and '' are missing, '-0.5' and '.25' are plain decimals.
    found = _regular_rows("2024-01-02,.,-0.5\n2024-01-03,,.25\n", 2)
    assert found is not None
    dates, table = found
    np.testing.assert_array_equal(dates, np.array(["2024-01-02", "2024-01-03"], "datetime64[ns]"))
    np.testing.assert_array_equal(table, [[np.nan, -0.5], [np.nan, 0.25]])
    assert _regular_rows("2024-01-02,1e5\n", 1) is None  # exponents: the line reader
    assert _regular_rows("2024-01-02,-\n", 1) is None  # the '-' marker: the line reader
