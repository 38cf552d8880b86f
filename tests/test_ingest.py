"""``carrywatch import``: a user's CSV into a catalog series, all or nothing, with errors
that name the problem and the line; and ``parse_table_csv`` under Hypothesis.

The good CSVs here hold real values copied from
``tests/payloads/fred/brouprats__TFG__IRSTCI01JPM156N.csv`` (OECD immediate rates, call
money, Japan, monthly average; data/PROVENANCE.md section 1 quotes 2024-01 = -0.014):
2023-10-01 -0.02, 2023-11-01 -0.015, 2023-12-01 -0.012, 2024-01-01 -0.014. They go into
``jp.boj.call_rate`` (the BOJ call rate), which has no data in the embedded snapshot, so
every imported value is new.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrywatch.cli import main
from carrywatch.errors import ParseError
from carrywatch.sources.table import PARSE_VERSION, parse_table_csv
from carrywatch.store.sqlite import Store
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, utc_now
from tests.helpers.mutations import check_parse_contract, mutated

FRED = Path(__file__).resolve().parent / "payloads" / "fred"
CALL_RATE_FILE = FRED / "brouprats__TFG__IRSTCI01JPM156N.csv"
DGS10_FILE = FRED / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
CBBTC_FILE = FRED / "Bongsujung__ixic_linear__CBBTCUSD_first40lines.csv"

SERIES = "jp.boj.call_rate"
#: Copied from brouprats__TFG__IRSTCI01JPM156N.csv (last four rows).
CALL_RATES: dict[str, float] = {
    "2023-10-01": -0.02,
    "2023-11-01": -0.015,
    "2023-12-01": -0.012,
    "2024-01-01": -0.014,
}
GOOD_CSV = "date,call_rate\n" + "".join(f"{d},{v}\n" for d, v in CALL_RATES.items())


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


@pytest.fixture
def store_of(cw_home: Path) -> Iterator[Store]:
    """The test's store, read directly (no seeding) after the CLI has run."""
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        yield store


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def _imported(store: Store) -> dict[str, float]:
    frame = store.read([SERIES])
    assert set(frame["origin"]) <= {"import"}
    return {
        d.strftime("%Y-%m-%d"): float(v)
        for d, v in zip(frame["obs_date"], frame["value"], strict=True)
    }


# -- a good file -----------------------------------------------------------------------


def test_a_good_csv_is_imported_with_origin_import_and_its_file_name(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "boj_call_rate.csv", GOOD_CSV)

    assert main(["import", str(path), "--series", SERIES]) == 0

    out = capsys.readouterr().out
    assert "imported boj_call_rate.csv into jp.boj.call_rate: 4 new or revised value(s) of 4" in (
        " ".join(out.split())
    )
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        assert _imported(store) == CALL_RATES
        (fetch,) = store.fetches(origin="import")
        assert fetch.source == "import"
        assert fetch.url == "file:boj_call_rate.csv"
        assert fetch.provenance["file_name"] == "boj_call_rate.csv"
        assert fetch.provenance["series_id"] == SERIES
        assert fetch.provenance["column"] == "call_rate"
        assert fetch.parse_version == PARSE_VERSION
        assert fetch.n_bytes == len(GOOD_CSV.encode())
        status = store.series_status().set_index("series_id").loc[SERIES]
        assert (status["first_obs"], status["last_obs"], status["n_obs"]) == (
            "2023-10-01",
            "2024-01-01",
            4,
        )
    # The raw bytes are archived, so the import can be re-parsed later.
    assert (cw_home / "raw" / fetch.sha256[:2] / fetch.sha256).read_bytes() == GOOD_CSV.encode()


def test_reimporting_the_same_file_adds_nothing(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "boj_call_rate.csv", GOOD_CSV)
    assert main(["import", str(path), "--series", SERIES]) == 0
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        before = store.counts()
    capsys.readouterr()

    assert main(["import", str(path), "--series", SERIES]) == 0

    assert "0 new or revised value(s) of 4" in " ".join(capsys.readouterr().out.split())
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        assert store.counts() == before
        assert len(store.fetches(origin="import")) == 1


def test_value_and_date_columns_can_be_named(cw_home: Path, tmp_path: Path) -> None:
    # The date is not the first column, and there are two value columns.
    content = "note,observation_date,IRSTCI01JPM156N,rank\n" + "".join(
        f"oecd,{d},{v},{i}\n" for i, (d, v) in enumerate(CALL_RATES.items())
    )
    path = _write(tmp_path, "export.csv", content)

    code = main(
        [
            "import",
            str(path),
            "--series",
            SERIES,
            "--date-column",
            "observation_date",
            "--value-column",
            "irstci01jpm156n",  # matched case-insensitively
        ]
    )

    assert code == 0
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        assert _imported(store) == CALL_RATES
        (fetch,) = store.fetches(origin="import")
        assert fetch.provenance["column"] == "IRSTCI01JPM156N"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("semicolon", GOOD_CSV.replace(",", ";").encode()),
        ("tab", GOOD_CSV.replace(",", "\t").encode()),
        ("bom", b"\xef\xbb\xbf" + GOOD_CSV.encode()),
        ("crlf", GOOD_CSV.replace("\n", "\r\n").encode()),
        (
            "bom_semicolon_crlf",
            b"\xef\xbb\xbf" + GOOD_CSV.replace(",", ";").replace("\n", "\r\n").encode(),
        ),
    ],
)
def test_delimiters_bom_and_line_endings(
    cw_home: Path, tmp_path: Path, name: str, body: bytes
) -> None:
    path = _write(tmp_path, f"{name}.csv", body)

    assert main(["import", str(path), "--series", SERIES]) == 0

    with Store.open(cw_home / "carrywatch.sqlite") as store:
        assert _imported(store) == CALL_RATES
        (fetch,) = store.fetches(origin="import")
        assert fetch.provenance["column"] == "call_rate"  # no BOM left in the header


def test_a_real_fred_download_imports_as_is(
    cw_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole real file (CRLF line endings), not a copy: 376 monthly rows."""
    assert main(["import", str(CALL_RATE_FILE), "--series", SERIES]) == 0

    assert "376 new or revised value(s) of 376" in " ".join(capsys.readouterr().out.split())
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        values = _imported(store)
    assert len(values) == 376
    # data/PROVENANCE.md section 1: 2016-03 = -0.003; 2024-01 = -0.014.
    assert values["2016-03-01"] == -0.003
    assert values["2024-01-01"] == -0.014


# -- errors ----------------------------------------------------------------------------

HEADER = "date,call_rate\n"
ERROR_CASES: list[tuple[str, str | bytes | None, list[str], list[str]]] = [
    # (case id, file content (None: no file), extra arguments, fragments of the message)
    (
        "unknown_series",
        GOOD_CSV,
        ["--series", "us.ust.10"],
        [
            "unknown series id 'us.ust.10'",
            "did you mean us.ust.10y",
        ],
    ),
    (
        "bad_date",
        HEADER + "2023-10-01,-0.02\n2023-13-01,-0.015\n",
        [],
        [
            "line 3",
            "'2023-13-01' is not a date",
        ],
    ),
    (
        "bad_number",
        HEADER + "2023-10-01,-0.02\n2023-11-01,-0.015\n2023-12-01,-0.0l2\n",
        [],
        [
            "line 4",
            "not a number",
            "'-0.0l2'",
        ],
    ),
    (
        "duplicate_date",
        HEADER + "2023-10-01,-0.02\n2023-11-01,-0.015\n2023-11-01,-0.012\n",
        [],
        [
            "line 4",
            "2023-11-01 already appears on line 3",
        ],
    ),
    (
        "two_value_columns",
        "date,call_rate,rank\n2023-10-01,-0.02,1\n",
        [],
        [
            "several value columns",
            "call_rate",
            "rank",
            "--value-column",
        ],
    ),
    (
        "unknown_value_column",
        GOOD_CSV,
        ["--value-column", "rate"],
        [
            "no value column named 'rate'",
            "call_rate",
        ],
    ),
    ("empty_file", b"", [], ["empty"]),
    ("header_only", HEADER, [], ["holds no values"]),
    ("missing_file", None, [], ["cannot read missing.csv", "No such file"]),
    ("short_row", HEADER + "2023-10-01,-0.02\n2023-11-01\n", [], ["line 3", "expected 2 fields"]),
    (
        # A sentinel of the largest double: a call rate's bounds are [-5, 50] percent.
        "huge_value",
        HEADER + "2023-10-01,-0.02\n2023-11-01,1e308\n",
        [],
        ["jp.boj.call_rate on 2023-11-01", "1e+308 percent", "[-5, 50]", "--allow-outliers"],
    ),
    (
        # A rate typed in basis points (-500 bp for -5 %... or a typo): below -5 %.
        "yield_of_minus_500",
        HEADER + "2023-10-01,-500\n2023-11-01,-0.015\n",
        [],
        ["jp.boj.call_rate on 2023-10-01", "-500 percent", "outside the plausible range"],
    ),
    (
        "duplicate_date_is_shown_as_a_date",
        "date,call_rate\n2023-11-01,-0.015\n2023-11-01T00:00:00,-0.012\n",
        [],
        ["2023-11-01 already appears on line 2"],
    ),
]


def _run_error_case(
    tmp_path: Path, content: str | bytes | None, extra: list[str]
) -> tuple[int, str]:
    path = tmp_path / "missing.csv"
    if content is not None:
        path = _write(tmp_path, "rates.csv", content)
    args = ["import", str(path)]
    if "--series" not in extra:
        args += ["--series", SERIES]
    return main([*args, *extra]), path.name


@pytest.mark.parametrize(
    ("content", "extra", "fragments"),
    [pytest.param(c, e, f, id=i) for i, c, e, f in ERROR_CASES],
)
def test_bad_input_exits_1_naming_the_problem_and_writes_nothing(
    cw_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    content: str | bytes | None,
    extra: list[str],
    fragments: list[str],
) -> None:
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        before = store.counts()

    code, _ = _run_error_case(tmp_path, content, extra)

    captured = capsys.readouterr()
    message = " ".join(captured.err.split())  # unwrapped: the content, not the layout
    assert code == 1
    assert message.startswith("error: ")
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in captured.err
    assert "imported" not in captured.out
    with Store.open(cw_home / "carrywatch.sqlite") as store:
        assert store.counts() == before
        assert store.fetches(origin="import") == []
    assert not (cw_home / "raw").exists() or not any((cw_home / "raw").rglob("*"))


def test_allow_outliers_imports_a_value_the_user_vouches_for(
    cw_home: Path, tmp_path: Path, store_of: Store
) -> None:
    # -6 % is outside the call rate's bounds [-5, 50]; the user says it is right.
    path = _write(tmp_path, "rates.csv", HEADER + "2023-10-01,-6\n")
    assert main(["import", str(path), "--series", SERIES]) == 1
    assert main(["import", str(path), "--series", SERIES, "--allow-outliers"]) == 0
    assert _imported(store_of) == {"2023-10-01": -6.0}


@pytest.mark.parametrize(
    ("content", "extra"),
    [pytest.param(c, e, id=i) for i, c, e, _ in ERROR_CASES],
)
def test_an_import_error_is_one_line_even_when_piped(
    cw_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    content: str | bytes | None,
    extra: list[str],
) -> None:
    """ARCHITECTURE.md: "The CLI prints one clear line per error". With stderr going to a
    pipe or a log (rich then assumes 80 columns, set explicitly here so the test does not
    depend on the developer's terminal) the line must not be broken in two."""
    monkeypatch.setenv("COLUMNS", "80")

    code, _ = _run_error_case(tmp_path, content, extra)

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("error: ")


def test_a_file_name_with_brackets_is_shown_verbatim(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Error text is not console markup: ``rates[old].csv`` must not lose ``[old]``."""
    path = tmp_path / "rates[old].csv"

    assert main(["import", str(path), "--series", SERIES]) == 1

    assert "rates[old].csv" in " ".join(capsys.readouterr().err.split())


def _values_or_error(body: bytes) -> list[float] | str:
    try:
        return [float(v) for v in parse_table_csv(body).rows["value"]]
    except ParseError as exc:
        return str(exc)


def test_a_decimal_comma_is_never_read_as_a_thousands_separator() -> None:
    """A semicolon-delimited export with decimal commas (the usual European spreadsheet
    export of "3,78") must give 3.78 or a ParseError naming the line, never 378: a
    hundredfold value stored silently. "1,234.5" (real thousands grouping) stays valid."""
    body = b"date;DGS10\n2024-08-05;3,78\n2024-08-06;3,90\n"  # DGS10 values of those days

    outcome = _values_or_error(body)

    assert outcome == [3.78, 3.90] or (isinstance(outcome, str) and "line 2" in outcome), outcome
    grouped = parse_table_csv(b'date,WALCL\n2024-08-07,"7,175,256.0"\n').rows
    assert list(grouped["value"]) == [7175256.0]  # WALCL 2024-08-07, fred/README.md


# -- parse_table_csv directly ----------------------------------------------------------


def _payload(body: bytes) -> RawPayload:
    request = FetchRequest(source="import", url="file:rates.csv")
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _parse(payload: RawPayload) -> ParsedFrame:
    return parse_table_csv(payload.body)


def test_golden_real_fred_downloads() -> None:
    call = parse_table_csv(CALL_RATE_FILE.read_bytes()).rows
    assert len(call) == 376  # data/PROVENANCE.md: monthly 1992-10-01 -> 2024-01-01, 376 rows
    assert set(call["remote_code"]) == {"IRSTCI01JPM156N"}
    assert call["obs_date"].iloc[0] == pd.Timestamp("1992-10-01")
    assert call["value"].iloc[-1] == -0.014

    dgs10 = parse_table_csv(DGS10_FILE.read_bytes()).rows
    # 1305 rows, 55 of them empty (holidays): fred/README.md.
    assert len(dgs10) == 1305 - 55
    by_day = dict(zip(dgs10["obs_date"], dgs10["value"], strict=True))
    assert by_day[pd.Timestamp("2024-08-05")] == 3.78
    assert by_day[pd.Timestamp("2024-09-16")] == 3.63
    assert pd.Timestamp("2024-12-25") not in by_day


@pytest.mark.parametrize(
    "body",
    [
        b"date\tWALCL\n2024-07-31\t7,178,391\n2024-08-07\t7,175,256\n",
        b"date;WALCL\n2024-07-31;7,178,391\n2024-08-07;7,175,256\n",
        b'date,WALCL\n2024-07-31,"7,178,391"\n2024-08-07,"7,175,256"\n',
    ],
    ids=["tab", "semicolon", "quoted"],
)
def test_thousands_separators_in_every_dialect(body: bytes) -> None:
    # WALCL (USD mn): 2024-08-07 = 7175256.0 (tests/payloads/fred/README.md, Thecoderstef
    # copy); 2024-07-31 = 7178391 (the embedded snapshot's WALCL, miguel-merlin copy).
    rows = parse_table_csv(body).rows
    assert list(rows["value"]) == [7178391.0, 7175256.0]
    assert set(rows["remote_code"]) == {"WALCL"}


def test_other_date_formats_and_missing_markers() -> None:
    body = (
        b"Date,Value\n"
        b"2024/08/01,3.99\n"
        b"08/02/2024,3.80\n"
        b"20240805,3.78\n"
        b"2024-08-06T00:00:00Z,3.90\n"
        b"2024-08-07 16:00,3.96\n"
        b"2024-08-08,.\n"
        b"2024-08-09,NA\n"
        b"2024-08-12,\n"
    )
    rows = parse_table_csv(body).rows
    assert [d.date() for d in rows["obs_date"]] == [
        date(2024, 8, 1),
        date(2024, 8, 2),
        date(2024, 8, 5),
        date(2024, 8, 6),
        date(2024, 8, 7),
    ]
    assert list(rows["value"]) == [3.99, 3.80, 3.78, 3.90, 3.96]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=mutated(CALL_RATE_FILE.read_bytes()))
def test_mutated_real_file_gives_parse_error_or_valid_frame(body: bytes) -> None:
    check_parse_contract(_parse, _payload(body), "import")


@settings(max_examples=100, deadline=None)
@given(body=mutated(CBBTC_FILE.read_bytes()))
def test_mutated_file_with_empty_values_gives_parse_error_or_valid_frame(body: bytes) -> None:
    check_parse_contract(_parse, _payload(body), "import")


@settings(max_examples=100, deadline=None)
@given(
    rows=st.dictionaries(
        st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31)),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
        min_size=1,
        max_size=30,
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    crlf=st.booleans(),
)
def test_written_rows_read_back_exactly(
    rows: dict[date, float], delimiter: str, bom: bool, crlf: bool
) -> None:
    newline = "\r\n" if crlf else "\n"
    text = f"date{delimiter}value{newline}" + "".join(
        f"{d.isoformat()}{delimiter}{v!r}{newline}" for d, v in rows.items()
    )
    body = (b"\xef\xbb\xbf" if bom else b"") + text.encode()

    frame = parse_table_csv(body).rows

    expected = sorted(rows.items())
    assert [d.date() for d in frame["obs_date"]] == [d for d, _ in expected]
    assert list(frame["value"]) == [v for _, v in expected]
    assert set(frame["remote_code"]) == {"value"}
