"""Tests of the Treasury par-curve source (``ustreasury``).

Expected numbers are quoted from /work/shared/data/PROVENANCE.md §3
("treasury/daily-treasury-rates.csv" spot checks), each stated next to its assertion.
Payload origins: tests/payloads/ustreasury/README.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.sources import ustreasury
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient
from carrywatch.sources.ustreasury import PARSE_VERSION, REMOTE_CODES, TreasuryParCurve
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import has_obs as _has
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "ustreasury"
HISTORY = (PAYLOADS / "daily-treasury-rates.csv").read_bytes()
LIVE_2024 = (PAYLOADS / "constructed_live_2024_excerpt.csv").read_bytes()
LIVE_2025 = (PAYLOADS / "constructed_live_2025_excerpt_1_5_month.csv").read_bytes()
NOSPACE_2022 = (PAYLOADS / "constructed_nospace_2022_excerpt.csv").read_bytes()
SOURCE = TreasuryParCurve()
URL = (
    "https://home.treasury.gov/resource-center/data-chart-center/interest-rates/"
    "daily-treasury-rates.csv/2024/all"
)


def _payload(body: bytes, codes: tuple[str, ...] = ()) -> RawPayload:
    request = FetchRequest(source="ustreasury", url=URL, remote_codes=codes)
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _parse(body: bytes, *codes: str) -> ParsedFrame:
    return SOURCE.parse(_payload(body, codes))


def _without_column(body: bytes, name: str) -> bytes:
    """``body`` with the column headed ``name`` removed from every line."""
    lines = body.decode().splitlines()
    position = lines[0].split(",").index(name)
    kept = [",".join(c for i, c in enumerate(line.split(",")) if i != position) for line in lines]
    return ("\n".join(kept) + "\n").encode()


# --- golden tests ----------------------------------------------------------------------


def test_history_file_iso_dates_descending() -> None:
    frame = _parse(HISTORY, "BC_3MONTH", "BC_2YEAR", "BC_10YEAR")
    assert frame.source == "ustreasury"
    assert frame.parse_version == PARSE_VERSION
    # data/PROVENANCE.md §3: 2024-08-05 -> 3 Mo 5.35, 2 Yr 3.89, 10 Yr 3.78.
    assert _value(frame, "BC_3MONTH", "2024-08-05") == 5.35
    assert _value(frame, "BC_2YEAR", "2024-08-05") == 3.89
    assert _value(frame, "BC_10YEAR", "2024-08-05") == 3.78
    # data/PROVENANCE.md §3: 2024-09-16 -> 3 Mo 4.96, 2 Yr 3.56, 10 Yr 3.63.
    assert _value(frame, "BC_3MONTH", "2024-09-16") == 4.96
    assert _value(frame, "BC_2YEAR", "2024-09-16") == 3.56
    assert _value(frame, "BC_10YEAR", "2024-09-16") == 3.63
    # data/PROVENANCE.md §3: 2025-01-24 -> 2 Yr 4.27, 10 Yr 4.63.
    assert _value(frame, "BC_2YEAR", "2025-01-24") == 4.27
    assert _value(frame, "BC_10YEAR", "2025-01-24") == 4.63
    # Only the requested tenors come back; coverage 2021-01-04 -> 2025-07-11, 1,115 rows.
    assert set(frame.rows["remote_code"]) == {"BC_3MONTH", "BC_2YEAR", "BC_10YEAR"}
    assert frame.meta["first_date"] == "2021-01-04"
    assert frame.meta["last_date"] == "2025-07-11"
    assert frame.meta["rows"] == "1115"
    # Sorted by (code, date), though the file is newest first.
    assert frame.rows.groupby("remote_code")["obs_date"].is_monotonic_increasing.all()


def test_history_file_blank_early_columns() -> None:
    frame = _parse(HISTORY)
    rows = frame.rows
    first = rows.groupby("remote_code")["obs_date"].min()
    # data/PROVENANCE.md §3: "1.5 Mo" exists only from 2025-02-18, "4 Mo" from late 2022
    # (sources.md §2: 2022-10-19); empty fields before are missing values, not zeros.
    assert first["BC_1_5MONTH"] == pd.Timestamp("2025-02-18")
    assert first["BC_4MONTH"] == pd.Timestamp("2022-10-19")
    assert first["BC_30YEAR"] == pd.Timestamp("2021-01-04")
    assert set(rows["remote_code"]) == set(REMOTE_CODES)


def test_live_format_us_dates_and_quoted_header() -> None:
    frame = _parse(LIVE_2024, "BC_3MONTH", "BC_2YEAR", "BC_10YEAR")
    # Same rows as data/PROVENANCE.md §3 spot checks, in the live MM/DD/YYYY layout.
    assert _value(frame, "BC_3MONTH", "2024-08-05") == 5.35
    assert _value(frame, "BC_2YEAR", "2024-09-16") == 3.56
    assert _value(frame, "BC_10YEAR", "2024-09-16") == 3.63
    assert frame.meta["columns"].split(",")[0] == "BC_1MONTH"


def test_live_2025_one_and_a_half_month_column() -> None:
    frame = _parse(LIVE_2025, "BC_1MONTH", "BC_1_5MONTH", "BC_2MONTH")
    # Row 2025-07-11 of data/treasury/daily-treasury-rates.csv: 1 Mo 4.37, 1.5 Mo 4.39,
    # 2 Mo 4.47 -- the "1.5 Month" spelling maps to the same code as "1.5 Mo".
    assert _value(frame, "BC_1MONTH", "2025-07-11") == 4.37
    assert _value(frame, "BC_1_5MONTH", "2025-07-11") == 4.39
    assert _value(frame, "BC_2MONTH", "2025-07-11") == 4.47


def test_header_without_spaces_and_empty_four_month() -> None:
    frame = _parse(NOSPACE_2022, "BC_4MONTH", "BC_10YEAR")
    # Rows 2022-10-18/19 of data/treasury/daily-treasury-rates.csv: 4 Mo empty on 10-18,
    # 4.32 on 10-19 (first day of the 4-month bill); 10 Yr 4.01 and 4.14.
    assert not _has(frame, "BC_4MONTH", "2022-10-18")
    assert _value(frame, "BC_4MONTH", "2022-10-19") == 4.32
    assert _value(frame, "BC_10YEAR", "2022-10-18") == 4.01
    assert _value(frame, "BC_10YEAR", "2022-10-19") == 4.14


def test_columns_mapped_by_name_not_position() -> None:
    lines = LIVE_2024.decode().splitlines()
    swapped = [",".join([c[0], c[2], c[1], *c[3:]]) for c in (ln.split(",") for ln in lines)]
    frame = _parse(("\n".join(swapped) + "\n").encode(), "BC_1MONTH", "BC_2MONTH")
    # 2024-09-16: 1 Mo 5.11, 2 Mo 5.10 (data file) whatever the column order.
    assert _value(frame, "BC_1MONTH", "2024-09-16") == 5.11
    assert _value(frame, "BC_2MONTH", "2024-09-16") == 5.10


def test_crlf_and_bom_tolerated() -> None:
    body = b"\xef\xbb\xbf" + LIVE_2024.replace(b"\n", b"\r\n")
    assert _parse(body).rows.equals(_parse(LIVE_2024).rows)


# --- the column-set rule ----------------------------------------------------------------


def test_tenor_absent_before_it_existed_is_not_an_error() -> None:
    # 2022 rows up to 10-18 only, without the "4Mo" column: the file predates the 4-month
    # bill (2022-10-19), so asking for it yields no rows rather than an error.
    lines = NOSPACE_2022.decode().splitlines()
    early = "\n".join([lines[0], *(ln for ln in lines[1:] if ln < "10/19")]) + "\n"
    frame = _parse(_without_column(early.encode(), '"4Mo"'), "BC_4MONTH", "BC_10YEAR")
    assert set(frame.rows["remote_code"]) == {"BC_10YEAR"}
    # Likewise 1.5 Month in any file before 2025-02-18.
    frame = _parse(LIVE_2024, "BC_1_5MONTH", "BC_3MONTH")
    assert set(frame.rows["remote_code"]) == {"BC_3MONTH"}


def test_tenor_absent_when_needed_is_an_error() -> None:
    body = _without_column(LIVE_2024, '"4 Mo"')
    with pytest.raises(ParseError, match=r"requested tenor BC_4MONTH has no column.*2024-08-01"):
        _parse(body, "BC_4MONTH")
    assert set(_parse(body, "BC_3MONTH").rows["remote_code"]) == {"BC_3MONTH"}


def test_renamed_tenor_column_is_an_error() -> None:
    body = LIVE_2024.replace(b'"10 Yr"', b'"10 Yrs"', 1)
    with pytest.raises(ParseError, match="unknown tenor column '10 Yrs'"):
        _parse(body, "BC_10YEAR")
    body = LIVE_2024.replace(b'"2 Mo"', b'"8 Wk"', 1)
    with pytest.raises(ParseError, match="unknown tenor column"):
        _parse(body, "BC_3MONTH")


def test_header_without_any_tenor_is_an_error() -> None:
    with pytest.raises(ParseError, match="no known tenor column"):
        _parse(b"Date,Foo,Bar\n08/05/2024,1,2\n")


def test_duplicate_tenor_column_is_an_error() -> None:
    body = LIVE_2024.replace(b'"2 Mo"', b'"1Mo"', 1)
    with pytest.raises(ParseError, match="BC_1MONTH appears twice"):
        _parse(body)


def test_non_tenor_extra_column_is_ignored() -> None:
    lines = LIVE_2024.decode().splitlines()
    extended = [lines[0] + ',"Note"', *(ln + ",x" for ln in lines[1:])]
    frame = _parse(("\n".join(extended) + "\n").encode(), "BC_3MONTH")
    assert _value(frame, "BC_3MONTH", "2024-08-05") == 5.35


# --- error cases -----------------------------------------------------------------------


def test_html_page_with_status_200() -> None:
    body = b"<!DOCTYPE html><html><head><title>Access Denied</title></head></html>"
    with pytest.raises(ParseError, match="HTML"):
        _parse(body)


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="empty payload"):
        _parse(b"")


def test_header_not_starting_with_date() -> None:
    with pytest.raises(ParseError, match="not the par-curve header"):
        _parse(LIVE_2024.replace(b"Date,", b"Day,", 1))


def test_bad_date_and_bad_value() -> None:
    with pytest.raises(ParseError, match=r"row 2: date '2024/09/16' is neither"):
        _parse(LIVE_2024.replace(b"09/16/2024", b"2024/09/16", 1))
    with pytest.raises(ParseError, match="row 2: invalid date '13/16/2024'"):
        _parse(LIVE_2024.replace(b"09/16/2024", b"13/16/2024", 1))
    with pytest.raises(ParseError, match=r"not a number: 'N\.A\.' at row 2 BC_1MONTH"):
        _parse(LIVE_2024.replace(b"2024,5.11", b"2024,N.A.", 1))


def test_short_row() -> None:
    with pytest.raises(ParseError, match="row 2 has 13 fields, the header has 14"):
        _parse(LIVE_2024.replace(b",3.94\n", b"\n", 1))


def test_duplicate_date() -> None:
    lines = LIVE_2024.splitlines()
    with pytest.raises(ParseError, match="duplicate observations"):
        _parse(b"\n".join([*lines, lines[1]]) + b"\n")


@settings(max_examples=150, deadline=None)
@given(mutated(HISTORY))
def test_mutated_history_file_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, ("BC_3MONTH", "BC_10YEAR")), "ustreasury")


@settings(max_examples=150, deadline=None)
@given(mutated(LIVE_2025))
def test_mutated_live_file_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "ustreasury")


# --- plan and fetch --------------------------------------------------------------------


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "ustreasury"
    assert SOURCE.origin == "https://home.treasury.gov"


def test_plan_one_request_per_year() -> None:
    window = Window(start=date(2023, 5, 1), end=date(2024, 2, 1))
    requests = SOURCE.plan(["BC_10YEAR", "BC_3MONTH", "BC_10YEAR"], window)
    assert [r.url for r in requests] == [
        "https://home.treasury.gov/resource-center/data-chart-center/interest-rates/"
        f"daily-treasury-rates.csv/{year}/all"
        for year in (2023, 2024)
    ]
    assert requests[0].params == (
        ("type", "daily_treasury_yield_curve"),
        ("field_tdr_date_value", "2023"),
        ("page", ""),
        ("_format", "csv"),
    )
    assert all(r.remote_codes == ("BC_3MONTH", "BC_10YEAR") for r in requests)
    assert all(r.source == "ustreasury" and r.timeout_s == 60.0 for r in requests)


def test_plan_default_window_is_current_year(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ustreasury, "_today", lambda: date(2025, 7, 14))
    (request,) = SOURCE.plan(["BC_2YEAR"], Window())
    assert request.url.endswith("/daily-treasury-rates.csv/2025/all")
    # An end in the future does not ask for years that have no file yet; no file before 1990.
    requests = SOURCE.plan(["BC_2YEAR"], Window(start=date(1985, 1, 1), end=date(2030, 1, 1)))
    assert dict(requests[0].params)["field_tdr_date_value"] == "1990"
    assert dict(requests[-1].params)["field_tdr_date_value"] == "2025"
    assert len(requests) == 2025 - 1990 + 1


def test_plan_origin_override_keeps_provider_path() -> None:
    local = TreasuryParCurve(origin="http://127.0.0.1:8765")
    (request,) = local.plan(["BC_2YEAR"], Window(start=date(2024, 1, 1), end=date(2024, 12, 31)))
    assert request.url == (
        "http://127.0.0.1:8765/resource-center/data-chart-center/interest-rates/"
        "daily-treasury-rates.csv/2024/all"
    )


def test_plan_rejects_unknown_codes_and_bad_window() -> None:
    with pytest.raises(CatalogError, match=r"unknown remote code\(s\) \['DGS10'\]"):
        SOURCE.plan(["BC_10YEAR", "DGS10"], Window())
    with pytest.raises(ConfigError, match="after it ends"):
        SOURCE.plan(["BC_10YEAR"], Window(start=date(2024, 2, 1), end=date(2024, 1, 1)))
    assert SOURCE.plan([], Window()) == []


def test_fetch_replays_payload_through_http_client() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=HISTORY, headers={"Content-Type": "text/csv"})

    (request,) = SOURCE.plan(["BC_10YEAR"], Window(start=date(2024, 1, 1), end=date(2024, 12, 31)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(SOURCE.fetch(request, http))
    assert len(payloads) == 1
    assert payloads[0].body == HISTORY  # bytes untouched
    assert seen[0].path.endswith("/daily-treasury-rates.csv/2024/all")
    assert seen[0].params["field_tdr_date_value"] == "2024"
    assert seen[0].params["_format"] == "csv"
    frame = SOURCE.parse(payloads[0])
    # data/PROVENANCE.md §3: 10 Yr on 2024-08-05 = 3.78.
    assert _value(frame, "BC_10YEAR", "2024-08-05") == 3.78
    assert set(frame.rows["remote_code"]) == {"BC_10YEAR"}
