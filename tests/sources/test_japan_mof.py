"""Tests of the MOF JGB yield source (``japan_mof``) on real CP932 files.

Expected numbers are quoted from /work/shared/samples/PROVENANCE.md ("samples") and
/work/shared/data/PROVENANCE.md §2 ("data"), each stated next to its assertion.
Payload origins: tests/payloads/japan_mof/README.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.sources import japan_mof
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient
from carrywatch.sources.japan_mof import PARSE_VERSION, REMOTE_CODES, JapanMof, era_date
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import has_obs as _has
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "japan_mof"
SAMPLE = (PAYLOADS / "jgbcm_all_1974-09_to_2022-05_cp932.csv").read_bytes()
RECENT = (PAYLOADS / "jgbcm_all_2024-07_to_2026-06_lines_1-2_12764-13250.csv").read_bytes()
CURRENT = (PAYLOADS / "constructed_jgbcm_R8-06.csv").read_bytes()
SOURCE = JapanMof()
HISTORY_URL = "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv"
CURRENT_URL = "https://www.mof.go.jp/jgbs/reference/interest_rate/jgbcm.csv"


def _payload(body: bytes, codes: tuple[str, ...] = ()) -> RawPayload:
    request = FetchRequest(source="japan_mof", url=HISTORY_URL, remote_codes=codes)
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _parse(body: bytes, *codes: str) -> ParsedFrame:
    return SOURCE.parse(_payload(body, codes))


def _with_row(body: bytes, first_cell: str) -> bytes:
    """``body`` plus a copy of its R8.6.30 row under another date cell (after the footer)."""
    last = next(line for line in body.split(b"\r\n") if line.startswith(b"R8.6.30,"))
    row = first_cell.encode("cp932") + last[last.index(b",") :]
    return body + row + b"\r\n"


# --- golden tests on real files ---------------------------------------------------------


def test_full_history_sample_1974_to_2022() -> None:
    frame = _parse(SAMPLE)
    assert frame.source == "japan_mof"
    assert frame.parse_version == PARSE_VERSION
    assert frame.meta["title"] == "国債金利情報"
    # samples PROVENANCE: S49.9.24 (1974-09-24) ... R4.5.31 (2022-05-31).
    assert frame.meta["first_date"] == "1974-09-24"
    assert frame.meta["last_date"] == "2022-05-31"
    # samples PROVENANCE: 10Y 0.246 on 2022-05-31 (YCC cap 0.25 %).
    assert _value(frame, "10Y", "2022-05-31") == 0.246
    # Line 3 of the sample: S49.9.24,10.327,9.362,... (1Y 10.327, 2Y 9.362), 10Y '-'.
    assert _value(frame, "1Y", "1974-09-24") == 10.327
    assert _value(frame, "2Y", "1974-09-24") == 9.362
    assert not _has(frame, "10Y", "1974-09-24")
    # data PROVENANCE §2: 10Y starts S61.7.5 (1986-07-05); earlier cells are '-'.
    first = frame.rows.groupby("remote_code")["obs_date"].min()
    assert first["10Y"] == pd.Timestamp("1986-07-05")
    assert set(frame.rows["remote_code"]) == set(REMOTE_CODES)
    assert (frame.rows["value"] < 0).any()  # negative yields 2016-2022


def test_era_transitions_in_sample() -> None:
    frame = _parse(SAMPLE, "1Y")
    days = set(frame.rows["obs_date"].dt.date)
    # samples PROVENANCE: "era switches S64->H1, H31->R1 present"; sources.md §3:
    # S64.1.6 -> H1.1.9 and H31.4.26 -> R1.5.7.
    assert {date(1989, 1, 6), date(1989, 1, 9), date(2019, 4, 26), date(2019, 5, 7)} <= days
    assert not {date(1989, 1, 7), date(1989, 1, 8), date(2019, 5, 1)} & days


def test_recent_history_block() -> None:
    frame = _parse(RECENT, "1Y", "2Y", "10Y", "30Y")
    # data PROVENANCE §2: R6.7.31 = 2024-07-31: 1y 0.275, 2y 0.45, 10y 1.070.
    assert _value(frame, "1Y", "2024-07-31") == 0.275
    assert _value(frame, "2Y", "2024-07-31") == 0.45
    assert _value(frame, "10Y", "2024-07-31") == 1.070
    # data PROVENANCE §2: R6.8.5 = 2024-08-05: 2y 0.265, 10y 0.781.
    assert _value(frame, "2Y", "2024-08-05") == 0.265
    assert _value(frame, "10Y", "2024-08-05") == 0.781
    # data PROVENANCE §2: R7.1.24: 1y 0.556, 2y 0.718, 10y 1.238; R8.1.5: 10y 2.111.
    assert _value(frame, "1Y", "2025-01-24") == 0.556
    assert _value(frame, "10Y", "2025-01-24") == 1.238
    assert _value(frame, "10Y", "2026-01-05") == 2.111
    # data PROVENANCE §2: R8.6.30: 2y 1.382, 10y 2.690, 30y 3.873.
    assert _value(frame, "2Y", "2026-06-30") == 1.382
    assert _value(frame, "10Y", "2026-06-30") == 2.690
    assert _value(frame, "30Y", "2026-06-30") == 3.873
    assert set(frame.rows["remote_code"]) == {"1Y", "2Y", "10Y", "30Y"}
    assert frame.meta["first_date"] == "2024-07-01"


def test_current_month_file_with_title_month_and_footer() -> None:
    frame = _parse(CURRENT, "2Y", "10Y", "30Y")
    assert frame.meta["title"] == "国債金利情報 (令和8年6月)"
    # 22 business days R8.6.1 ... R8.6.30, the two footer lines skipped.
    assert frame.meta["rows"] == "22"
    assert frame.meta["first_date"] == "2026-06-01"
    # Same rows as data PROVENANCE §2, R8.6.30: 2y 1.382, 10y 2.690, 30y 3.873.
    assert _value(frame, "2Y", "2026-06-30") == 1.382
    assert _value(frame, "10Y", "2026-06-30") == 2.690
    assert _value(frame, "30Y", "2026-06-30") == 3.873


def test_missing_marker_dash() -> None:
    body = RECENT.replace(b"R8.6.30,1.165,", b"R8.6.30,-,", 1)
    frame = _parse(body, "1Y", "2Y")
    assert not _has(frame, "1Y", "2026-06-30")
    assert _value(frame, "2Y", "2026-06-30") == 1.382


def test_lf_line_endings_tolerated() -> None:
    assert _parse(CURRENT.replace(b"\r\n", b"\n")).rows.equals(_parse(CURRENT).rows)


def test_columns_mapped_by_name() -> None:
    lines = CURRENT.rstrip(b"\r\n").split(b"\r\n")
    swapped = [b",".join([c[0], c[2], c[1], *c[3:]]) for c in (ln.split(b",") for ln in lines)]
    frame = _parse(b"\r\n".join(swapped) + b"\r\n", "1Y", "2Y")  # lines end with CRLF
    # R8.6.30: 1Y 1.165, 2Y 1.382 (data file) whatever the column order.
    assert _value(frame, "1Y", "2026-06-30") == 1.165
    assert _value(frame, "2Y", "2026-06-30") == 1.382


# --- era dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S49.9.24", date(1974, 9, 24)),
        ("S64.1.7", date(1989, 1, 7)),  # last Showa day
        ("H1.1.8", date(1989, 1, 8)),
        ("H31.4.30", date(2019, 4, 30)),
        ("R1.5.1", date(2019, 5, 1)),
        ("R6.7.31", date(2024, 7, 31)),
        ("R8.6.30", date(2026, 6, 30)),
    ],
)
def test_era_date(text: str, expected: date) -> None:
    assert era_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "S64.1.8",
        "H1.1.7",
        "H31.5.7",
        "H32.1.6",
        "R1.4.30",
        "R0.5.1",
        "R6.2.30",
        "R6.13.1",
        "X6.1.1",
    ],
)
def test_era_date_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=text.replace(".", r"\.")):
        era_date(text)


def test_out_of_era_rows_are_parse_errors() -> None:
    with pytest.raises(ParseError, match=r"line 27: 'H31\.5\.7' = 2019-05-07 lies outside the H"):
        _parse(_with_row(CURRENT, "H31.5.7"))
    with pytest.raises(ParseError, match=r"'R1\.4\.26' = 2019-04-26 lies outside the R era"):
        _parse(_with_row(CURRENT, "R1.4.26"))


def test_date_like_first_cell_that_fails_is_a_parse_error() -> None:
    for cell in ("R8.6.31", "2026/6/30", "R8.6"):
        with pytest.raises(ParseError, match="line 27"):
            _parse(_with_row(CURRENT, cell))


def test_footer_rows_are_skipped() -> None:
    extra = "(注) 本データは…".encode("cp932") + b",,,,,,,,,,,,,,,\r\n"
    assert _parse(CURRENT + extra).rows.equals(_parse(CURRENT).rows)


# --- error cases -----------------------------------------------------------------------


def test_utf8_file_is_a_clear_parse_error() -> None:
    utf8 = CURRENT.decode("cp932").encode("utf-8")
    with pytest.raises(ParseError, match=r"payload is UTF-8 text, but MOF publishes CP932"):
        _parse(utf8)
    euc = CURRENT.decode("cp932").encode("euc_jp")
    with pytest.raises(ParseError, match=r"payload is not valid cp932 \(byte 11"):
        _parse(euc)


def test_mangled_header_is_a_parse_error() -> None:
    mangled = CURRENT.replace("基準日".encode("cp932"), b"Date", 1)
    with pytest.raises(ParseError, match=r"header 基準日,1年,2年,\.\.\. not found"):
        _parse(mangled)


def test_renamed_tenor_column() -> None:
    renamed = CURRENT.replace(",10年,".encode("cp932"), b",10Y,", 1)
    with pytest.raises(ParseError, match=r"tenor column\(s\) \['10Y'\] not in the header"):
        _parse(renamed, "2Y", "10Y")
    assert set(_parse(renamed, "2Y").rows["remote_code"]) == {"2Y"}


def test_missing_title_line() -> None:
    body = "国債統計".encode("cp932") + CURRENT[CURRENT.index(b"\r\n") :]
    with pytest.raises(ParseError, match="line 1 is not the 国債金利情報 title"):
        _parse(body)


def test_row_length_and_value_errors() -> None:
    with pytest.raises(ParseError, match="line 24 has 15 fields, the header has 16"):
        _parse(CURRENT.replace(b",3.792\r\n", b"\r\n", 1))
    with pytest.raises(ParseError, match=r"not a number: '1\.1x' at line 24 1Y"):
        _parse(CURRENT.replace(b"R8.6.30,1.165,", b"R8.6.30,1.1x,", 1))


def test_duplicate_date_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="duplicate observations"):
        _parse(_with_row(CURRENT, "R8.6.30"))


def test_html_page_with_status_200() -> None:
    with pytest.raises(ParseError, match="HTML"):
        _parse(b"<!DOCTYPE html>\r\n<html lang='ja'><title>404</title></html>")


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="empty payload"):
        _parse(b"")


@settings(max_examples=150, deadline=None)
@given(mutated(RECENT))
def test_mutated_history_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, ("2Y", "10Y")), "japan_mof")


@settings(max_examples=150, deadline=None)
@given(mutated(CURRENT))
def test_mutated_current_month_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "japan_mof")


# --- plan and fetch --------------------------------------------------------------------


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "japan_mof"
    assert SOURCE.origin == "https://www.mof.go.jp"


def test_plan_history_and_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(japan_mof, "_today_jst", lambda: date(2026, 7, 14))
    requests = SOURCE.plan(["10Y", "2Y", "10Y"], Window())
    assert [r.url for r in requests] == [HISTORY_URL, CURRENT_URL]
    assert all(r.remote_codes == ("2Y", "10Y") and r.params == () for r in requests)
    # Window inside the current month (JST): the current file only.
    (request,) = SOURCE.plan(["10Y"], Window(start=date(2026, 7, 1)))
    assert request.url == CURRENT_URL
    # Window ending before the current month: the history file only.
    (request,) = SOURCE.plan(["10Y"], Window(start=date(2024, 1, 1), end=date(2026, 6, 30)))
    assert request.url == HISTORY_URL
    # Window straddling the month turn: both.
    requests = SOURCE.plan(["10Y"], Window(start=date(2026, 6, 15), end=date(2026, 7, 14)))
    assert [r.url for r in requests] == [HISTORY_URL, CURRENT_URL]


def test_plan_origin_override_keeps_provider_path() -> None:
    requests = JapanMof(origin="http://127.0.0.1:8765").plan(["10Y"], Window())
    assert [r.url for r in requests] == [
        "http://127.0.0.1:8765/jgbs/reference/interest_rate/data/jgbcm_all.csv",
        "http://127.0.0.1:8765/jgbs/reference/interest_rate/jgbcm.csv",
    ]


def test_plan_rejects_unknown_codes_and_bad_window() -> None:
    with pytest.raises(CatalogError, match=r"unknown remote code\(s\) \['10y', '50Y'\]"):
        SOURCE.plan(["10y", "50Y"], Window())
    with pytest.raises(ConfigError, match="after it ends"):
        SOURCE.plan(["10Y"], Window(start=date(2024, 2, 1), end=date(2024, 1, 1)))
    assert SOURCE.plan([], Window()) == []


def test_fetch_replays_payloads_through_http_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(japan_mof, "_today_jst", lambda: date(2026, 7, 14))
    bodies = {
        "/jgbs/reference/interest_rate/data/jgbcm_all.csv": RECENT,
        "/jgbs/reference/interest_rate/jgbcm.csv": CURRENT,
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=bodies[request.url.path], headers={"Content-Type": "text/csv"}
        )

    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = [
            payload
            for request in SOURCE.plan(["10Y"], Window())
            for payload in SOURCE.fetch(request, http)
        ]
    assert [p.body for p in payloads] == [RECENT, CURRENT]  # bytes untouched
    frames = [SOURCE.parse(p) for p in payloads]
    # data PROVENANCE §2: R8.6.30 10y 2.690, in both files.
    assert [_value(f, "10Y", "2026-06-30") for f in frames] == [2.690, 2.690]
