"""Tests of the Fiscal Data TGA source (``fiscaldata``).

No raw API response was ever recorded (sources.md §12), so the two pages under
tests/payloads/fiscaldata/ are *constructed* in the documented shape with real balances:
Daily Treasury Statement closing balances from /work/shared/data/treasury/tga.csv
(data/PROVENANCE.md §3 spot checks: 2023-06-01 = 22892, 2024-04-30 = 962428,
2024-08-05 = 769,196) and, for the 2021 row types, FRED WTREGEN (USD bn) x 1000.
Payload origins: tests/payloads/fiscaldata/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.fiscaldata import PARSE_VERSION, TGA_CLOSE, FiscalDataTga
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "fiscaldata"
PAGE1 = (PAYLOADS / "constructed_operating_cash_balance_page1.json").read_bytes()
PAGE2 = (PAYLOADS / "constructed_operating_cash_balance_page2.json").read_bytes()
SOURCE = FiscalDataTga()
URL = (
    "https://api.fiscaldata.treasury.gov/services/api/fiscal_service/v1/accounting/dts/"
    "operating_cash_balance"
)
CLOSING = "Treasury General Account (TGA) Closing Balance"


def _payload(body: bytes, codes: tuple[str, ...] = (TGA_CLOSE,)) -> RawPayload:
    request = FetchRequest(source="fiscaldata", url=URL, remote_codes=codes)
    return RawPayload(
        request=request,
        body=body,
        status=200,
        media_type="application/json",
        retrieved_at=utc_now(),
    )


def _parse(body: bytes) -> ParsedFrame:
    return SOURCE.parse(_payload(body))


def _series(frame: ParsedFrame) -> dict[str, float]:
    rows = frame.rows
    assert set(rows["remote_code"]) <= {TGA_CLOSE}
    pairs = zip(rows["obs_date"], rows["value"], strict=True)
    return {day.date().isoformat(): float(value) for day, value in pairs}


def _edited(body: bytes, edit: Callable[[Any], None]) -> bytes:
    """``body`` re-serialised after ``edit(document)`` changed it in place; ``meta.count``
    follows the rows, as the API's own does."""
    document = json.loads(body)
    edit(document)
    if isinstance(document.get("data"), list) and isinstance(document.get("meta"), dict):
        document["meta"]["count"] = len(document["data"])
    return json.dumps(document).encode()


def test_a_page_with_fewer_rows_than_its_count_is_refused() -> None:
    document = json.loads(PAGE2)
    document["data"].pop()  # meta.count still says 5
    with pytest.raises(ParseError, match=r"meta\.count declares 5 row"):
        _parse(json.dumps(document).encode())


# --- golden tests ----------------------------------------------------------------------


def test_page1_three_row_types_over_time() -> None:
    frame = _parse(PAGE1)
    assert frame.source == "fiscaldata"
    assert frame.parse_version == PARSE_VERSION
    assert frame.meta["unit"] == "USD millions"
    assert frame.meta["total_pages"] == "2"
    assert _series(frame) == {
        # "Federal Reserve Account", close_today_bal: WTREGEN 2021-09-29 = 197.744 bn.
        "2021-09-29": 197744.0,
        # "Treasury General Account (TGA)", close_today_bal: WTREGEN 2021-10-06 = 135.582 bn.
        "2021-10-06": 135582.0,
        # "... Closing Balance", open_today_bal: tga.csv 2023-06-01 = 22892 (PROVENANCE).
        "2023-06-01": 22892.0,
    }


def test_page2_closing_balance_in_open_today_bal() -> None:
    # data/PROVENANCE.md §3: 2024-04-30 = 962428; 2024-08-05 = 769196.
    assert _series(_parse(PAGE2)) == {"2024-04-30": 962428.0, "2024-08-05": 769196.0}


def test_opening_balance_and_flows_never_mixed_in() -> None:
    # The Opening Balance rows carry the previous day's close in open_today_bal
    # (tga.csv: 2023-05-31 = 48512, 2024-04-29 = 929594, 2024-08-02 = 759058).
    values = set(_series(_parse(PAGE1)).values()) | set(_series(_parse(PAGE2)).values())
    assert not values & {48512.0, 929594.0, 759058.0}

    def relabel_copy(document: dict[str, list[dict[str, str]]]) -> None:
        # A deposits row holding a number in open_today_bal, like the closing row.
        closing = next(r for r in document["data"] if r["account_type"] == CLOSING)
        document["data"].append({**closing, "account_type": "Total TGA Deposits (Table II)"})

    assert _series(_parse(_edited(PAGE2, relabel_copy))) == _series(_parse(PAGE2))


def test_newer_label_wins_on_a_transition_day() -> None:
    def add_overlap(document: dict[str, list[dict[str, str]]]) -> None:
        # 2024-08-05 also reported under the older label with another (real) number.
        document["data"].append(
            {
                "record_date": "2024-08-05",
                "account_type": "Treasury General Account (TGA)",
                "open_today_bal": "null",
                "close_today_bal": "759058",
            }
        )

    assert _series(_parse(_edited(PAGE2, add_overlap)))["2024-08-05"] == 769196.0


def test_values_as_numbers_or_json_null() -> None:
    def retype(document: dict[str, list[dict[str, object]]]) -> None:
        for row in document["data"]:
            for field in ("open_today_bal", "close_today_bal"):
                row[field] = None if row[field] == "null" else int(str(row[field]))

    assert _series(_parse(_edited(PAGE2, retype))) == _series(_parse(PAGE2))


def test_null_closing_balance_is_missing() -> None:
    def blank(document: dict[str, list[dict[str, str]]]) -> None:
        for row in document["data"]:
            if row["account_type"] == CLOSING and row["record_date"] == "2024-04-30":
                row["open_today_bal"] = "null"

    assert _series(_parse(_edited(PAGE2, blank))) == {"2024-08-05": 769196.0}


def test_empty_data_page() -> None:
    frame = _parse(b'{"data":[],"meta":{"count":0,"total-count":0,"total-pages":0},"links":{}}')
    assert frame.rows.empty


# --- error cases -----------------------------------------------------------------------


def test_renamed_value_field() -> None:
    body = PAGE2.replace(b'"open_today_bal"', b'"open_today_bal_amt"')
    with pytest.raises(ParseError, match=r"data\[0\] lacks field\(s\) \['open_today_bal'\]"):
        _parse(body)


def test_renamed_account_types() -> None:
    body = PAGE2.replace(b"Treasury General Account (TGA)", b"Treasury General Acct")
    with pytest.raises(ParseError, match=r"no TGA_CLOSE row.*Treasury General Acct Closing"):
        _parse(body)


def test_duplicate_rows_of_one_label() -> None:
    def duplicate(document: dict[str, list[dict[str, str]]]) -> None:
        document["data"].append(dict(document["data"][-1]))

    with pytest.raises(ParseError, match=r"two '.*Closing Balance' rows for 2024-08-05"):
        _parse(_edited(PAGE2, duplicate))


def test_json_error_object_with_status_200() -> None:
    body = b'{"error":"Invalid Query Param","message":"Invalid query parameter \'sorts\'."}'
    with pytest.raises(ParseError, match=r"'data' and 'meta'.*API says: Invalid query param"):
        _parse(body)


def test_html_page_with_status_200() -> None:
    with pytest.raises(ParseError, match="HTML"):
        _parse(b"<html><body>Service Unavailable</body></html>")


def test_empty_body_and_wrong_top_level() -> None:
    with pytest.raises(ParseError, match="not valid JSON"):
        _parse(b"")
    with pytest.raises(ParseError, match="expected a JSON object"):
        _parse(b"[1, 2]")
    with pytest.raises(ParseError, match="'data' must be a list"):
        _parse(b'{"data": {}, "meta": {}}')


def test_bad_date_and_value() -> None:
    with pytest.raises(ParseError, match=r"data\[0\].record_date '04/30/2024'"):
        _parse(PAGE2.replace(b'"2024-04-30"', b'"04/30/2024"', 1))
    with pytest.raises(ParseError, match=r"not a number: '962,428 USD' at data\[1\]"):
        _parse(PAGE2.replace(b'"962428"', b'"962,428 USD"'))


def test_integer_too_large_for_a_float() -> None:
    body = PAGE2.replace(b'"962428"', b"9" * 400)
    with pytest.raises(ParseError, match=r"number too large at data\[1\]\.open_today_bal"):
        _parse(body)


@settings(max_examples=150, deadline=None)
@given(mutated(PAGE1))
def test_mutated_page_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "fiscaldata")


# --- plan and fetch --------------------------------------------------------------------


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "fiscaldata"
    assert SOURCE.origin == "https://api.fiscaldata.treasury.gov"


def test_plan_params() -> None:
    (request,) = SOURCE.plan([TGA_CLOSE], Window(start=date(2024, 1, 1), end=date(2024, 8, 31)))
    assert request.url == URL
    assert request.params == (
        ("fields", "record_date,account_type,open_today_bal,close_today_bal"),
        ("filter", "record_date:gte:2024-01-01,record_date:lte:2024-08-31"),
        ("sort", "record_date"),
        ("page[size]", "10000"),
        ("page[number]", "1"),
    )
    assert request.remote_codes == (TGA_CLOSE,)
    (open_window,) = SOURCE.plan([TGA_CLOSE], Window())
    assert "filter" not in dict(open_window.params)


def test_plan_origin_override_keeps_provider_path() -> None:
    (request,) = FiscalDataTga(origin="http://127.0.0.1:8765").plan([TGA_CLOSE], Window())
    assert request.url == (
        "http://127.0.0.1:8765/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"
    )


def test_plan_rejects_unknown_codes_and_bad_window() -> None:
    with pytest.raises(CatalogError, match=r"unknown remote code\(s\) \['WTREGEN'\]"):
        SOURCE.plan(["WTREGEN"], Window())
    with pytest.raises(ConfigError, match="after it ends"):
        SOURCE.plan([TGA_CLOSE], Window(start=date(2024, 2, 1), end=date(2024, 1, 1)))
    assert SOURCE.plan([], Window()) == []


def test_fetch_follows_pages_until_total_pages() -> None:
    pages = {"1": PAGE1, "2": PAGE2}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/v1/accounting/dts/operating_cash_balance")
        number = request.url.params["page[number]"]
        seen.append(number)
        return httpx.Response(200, content=pages[number], headers={"Content-Type": "text/json"})

    (request,) = SOURCE.plan([TGA_CLOSE], Window(start=date(2021, 9, 1)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(SOURCE.fetch(request, http))
    assert seen == ["1", "2"]
    assert [p.body for p in payloads] == [PAGE1, PAGE2]  # bytes untouched
    assert [dict(p.request.params)["page[number]"] for p in payloads] == ["1", "2"]
    frames = [SOURCE.parse(p) for p in payloads]
    combined = pd.concat([f.rows for f in frames], ignore_index=True)
    # data/PROVENANCE.md §3: 2024-08-05 = 769196 (USD millions).
    assert combined.loc[combined["obs_date"] == pd.Timestamp("2024-08-05"), "value"].item() == (
        769196.0
    )
    assert len(combined) == 5


def test_fetch_stops_when_total_pages_unreadable() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["page[number]"])
        return httpx.Response(200, content=b"<html>maintenance</html>")

    (request,) = SOURCE.plan([TGA_CLOSE], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(SOURCE.fetch(request, http))
    assert calls == ["1"]
    with pytest.raises(ParseError, match="HTML"):
        SOURCE.parse(payloads[0])
