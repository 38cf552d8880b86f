"""Tests of the Bank of Japan source (``boj``): API JSON pages and legacy flat files.

The flat file is real (samples/PROVENANCE.md: "monetary base 2020-04 = 5 189 225 (100 mn
yen)"). No raw API recording exists, so the ``constructed_*.json`` pages follow
sources.md §4a with values copied from that real flat file (tests/payloads/boj/README.md
says which lines); every expected number below is a value of the real flat file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.boj import PARSE_VERSION, BojTimeSeries, parse_flat_file
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "boj"
FLAT = (PAYLOADS / "flatfile_md01_m_1_en_2020-05-17.csv").read_bytes()
PAGE1 = (PAYLOADS / "constructed_getDataCode_MD01_page1.json").read_bytes()
PAGE2 = (PAYLOADS / "constructed_getDataCode_MD01_page2.json").read_bytes()
NULLS = (PAYLOADS / "constructed_getDataCode_MD01_nulls_1981.json").read_bytes()
NO_DATA = (PAYLOADS / "constructed_getDataCode_no_data_M181030I.json").read_bytes()
ERROR = (PAYLOADS / "constructed_getDataCode_error_M181013E.json").read_bytes()
SOURCE = BojTimeSeries()
BASE = "MD01'MABS1AN11"
CURRENT_ACCOUNTS = "MD01'MABS1AN113"
FLAT_URL = "https://www.stat-search.boj.or.jp/ssi/mtshtml/csv/md01_m_1_en.csv"


def _request(*codes: str, start_position: str | None = None) -> FetchRequest:
    params = [("db", "MD01"), ("code", ",".join(c.split("'")[1] for c in codes))]
    if start_position is not None:
        params.append(("startPosition", start_position))
    return FetchRequest(
        source="boj",
        url="https://www.stat-search.boj.or.jp/api/v1/getDataCode",
        params=tuple(params),
        remote_codes=codes,
    )


def _payload(body: bytes, request: FetchRequest | None = None, status: int = 200) -> RawPayload:
    return RawPayload(
        request=request or FetchRequest(source="boj", url=FLAT_URL),
        body=body,
        status=status,
        media_type="application/json",
        retrieved_at=utc_now(),
    )


def _edited(body: bytes, edit: dict[str, object]) -> bytes:
    document = json.loads(body)
    document.update(edit)
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _series_edited(body: bytes, **fields: object) -> bytes:
    document = json.loads(body)
    document["RESULTSET"][0].update(fields)
    return json.dumps(document, indent=2).encode()


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "boj"
    assert SOURCE.default_origin == "https://www.stat-search.boj.or.jp"


# --- legacy flat file (real) -----------------------------------------------------------


def test_flat_file_golden_monetary_base() -> None:
    frame = SOURCE.parse(_payload(FLAT))
    assert frame.source == "boj"
    assert frame.parse_version == PARSE_VERSION
    assert frame.meta["format"] == "flat_file"
    assert frame.meta["generated"] == "2020-05-17 PM 03:00"
    # samples/PROVENANCE.md: monetary base 2020-04 = 5 189 225 (100 mn yen).
    assert _value(frame, BASE, "2020-04-01") == 5_189_225
    # Flat file line 489 (2019/12): MABS1AN11@ 3.2 %, MABS1AN113 3 978 815.
    assert _value(frame, "MD01'MABS1AN11@", "2019-12-01") == 3.2
    assert _value(frame, CURRENT_ACCOUNTS, "2019-12-01") == 3_978_815
    # Eight series, 1980/01 … 2020/04 = 484 months; MABS1AN113 starts 1981/04 and
    # MABS1AN113@ 1982/04 (empty fields before), so 15 + 27 months are missing.
    rows = frame.rows
    assert rows["remote_code"].nunique() == 8
    assert len(rows) == 8 * 484 - 15 - 27
    assert rows["obs_date"].min() == pd.Timestamp("1980-01-01")


def test_flat_file_empty_field_is_not_an_observation() -> None:
    frame = parse_flat_file(_payload(FLAT))
    codes_1981_03 = frame.rows[frame.rows["obs_date"] == pd.Timestamp("1981-03-01")]
    assert CURRENT_ACCOUNTS not in set(codes_1981_03["remote_code"])
    # Flat file line 25: 1981/04 current account balances 23 856.
    assert _value(frame, CURRENT_ACCOUNTS, "1981-04-01") == 23_856


def test_flat_file_keeps_only_requested_codes() -> None:
    request = FetchRequest(source="boj", url=FLAT_URL, remote_codes=(BASE,))
    frame = SOURCE.parse(_payload(FLAT, request))
    assert set(frame.rows["remote_code"]) == {BASE}
    assert len(frame.rows) == 484


def test_flat_file_missing_code_names_it() -> None:
    request = FetchRequest(source="boj", url=FLAT_URL, remote_codes=("MD01'MABS9ZZ99",))
    with pytest.raises(ParseError, match=r"MABS9ZZ99.*not in the file"):
        SOURCE.parse(_payload(FLAT, request))


def test_flat_file_renamed_series_code_row() -> None:
    body = FLAT.replace(b"\nSeries code,", b"\nSeries codes,")
    with pytest.raises(ParseError, match="Series code"):
        SOURCE.parse(_payload(body))


def test_flat_file_daily_dates() -> None:
    lines = FLAT.split(b"\n")
    header = b"\n".join(lines[:9])
    body = header + b"\n2020/04/30,2.3,1.5,1.4,2.5,5189225,1103642,49398,4036185\n"
    frame = parse_flat_file(_payload(body))
    assert _value(frame, BASE, "2020-04-30") == 5_189_225


def test_flat_file_short_row_is_an_error() -> None:
    body = FLAT.replace(b"2020/04,2.3,1.5,1.4,2.5,5189225,1103642,49398,4036185", b"2020/04,2.3")
    with pytest.raises(ParseError, match=r"2020/04\) has 1 values for 8 series"):
        parse_flat_file(_payload(body))


def test_flat_file_wrong_encoding() -> None:
    body = FLAT.replace(b"Unit,%", "Unit,単位".encode("cp932"))
    with pytest.raises(ParseError, match="not valid utf-8"):
        SOURCE.parse(_payload(body))


@settings(max_examples=150, deadline=None)
@given(mutated(FLAT))
def test_flat_file_mutations_keep_the_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "boj")


# --- API JSON (constructed, real values) -------------------------------------------------


def test_api_pages_golden() -> None:
    first = SOURCE.parse(_payload(PAGE1, _request(BASE, CURRENT_ACCOUNTS)))
    second = SOURCE.parse(_payload(PAGE2, _request(BASE, CURRENT_ACCOUNTS, start_position="2")))
    assert first.meta["format"] == "api_json"
    assert first.meta["message_id"] == "M181000I"
    # Values copied from the real flat file lines 489-493 (README).
    assert _value(first, BASE, "2020-04-01") == 5_189_225
    assert _value(first, BASE, "2019-12-01") == 5_127_767
    assert set(first.rows["remote_code"]) == {BASE}
    assert _value(second, CURRENT_ACCOUNTS, "2020-04-01") == 4_036_185
    assert len(second.rows) == 5


def test_api_and_flat_file_agree() -> None:
    api = SOURCE.parse(_payload(PAGE1, _request(BASE, CURRENT_ACCOUNTS)))
    flat = parse_flat_file(_payload(FLAT))
    flat_rows = flat.rows[
        (flat.rows["remote_code"] == BASE) & (flat.rows["obs_date"] >= pd.Timestamp("2019-12-01"))
    ].reset_index(drop=True)
    pd.testing.assert_frame_equal(api.rows, flat_rows)


def test_api_null_values_are_dropped() -> None:
    frame = SOURCE.parse(_payload(NULLS, _request("MD01'MABS1AN11@", CURRENT_ACCOUNTS)))
    current = frame.rows[frame.rows["remote_code"] == CURRENT_ACCOUNTS]
    assert list(current["obs_date"].dt.month) == [4, 5, 6]  # Jan-Mar are null
    assert _value(frame, CURRENT_ACCOUNTS, "1981-04-01") == 23_856
    assert _value(frame, "MD01'MABS1AN11@", "1981-04-01") == -1.9


def test_api_no_data_is_an_empty_frame() -> None:
    frame = SOURCE.parse(_payload(NO_DATA, _request(BASE)))
    assert frame.rows.empty
    assert frame.meta["message_id"] == "M181030I"


def test_api_error_message_reaches_the_user() -> None:
    with pytest.raises(ParseError, match=r"STATUS 400.*M181013E.*系列コードは存在しません"):
        SOURCE.parse(_payload(ERROR, _request(BASE)))


def test_api_http_status_is_checked_too() -> None:
    with pytest.raises(ParseError, match=r"HTTP 400"):
        SOURCE.parse(_payload(PAGE1, _request(BASE), status=400))


def test_api_error_id_with_status_200() -> None:
    body = _edited(PAGE1, {"MESSAGEID": "M181014E", "MESSAGE": "frequency mismatch"})
    with pytest.raises(ParseError, match="M181014E: frequency mismatch"):
        SOURCE.parse(_payload(body, _request(BASE)))


def test_api_status_of_the_wrong_type() -> None:
    body = _edited(PAGE1, {"STATUS": [200]})
    with pytest.raises(ParseError, match=r"STATUS \[200\]"):
        SOURCE.parse(_payload(body, _request(BASE)))


def test_api_last_page_missing_a_code() -> None:
    body = _edited(PAGE1, {"NEXTPOSITION": None})
    with pytest.raises(ParseError, match=r"MD01'MABS1AN113.*missing from RESULTSET"):
        SOURCE.parse(_payload(body, _request(BASE, CURRENT_ACCOUNTS)))


def test_api_renamed_key() -> None:
    body = PAGE1.replace(b'"RESULTSET"', b'"RESULT_SET"')
    with pytest.raises(ParseError, match="RESULTSET should be a list"):
        SOURCE.parse(_payload(body, _request(BASE)))
    body = PAGE1.replace(b'"SERIES_CODE"', b'"SERIES"')
    with pytest.raises(ParseError, match="without SERIES_CODE"):
        SOURCE.parse(_payload(body, _request(BASE)))


def test_api_lower_case_parameter_keys() -> None:
    document = json.loads(PAGE1)
    document["PARAMETER"] = {"db": "md01", "format": "json"}
    frame = SOURCE.parse(_payload(json.dumps(document).encode(), _request(BASE)))
    assert _value(frame, BASE, "2020-04-01") == 5_189_225


@pytest.mark.parametrize(
    ("frequency", "survey_dates", "expected"),
    [
        ("DAILY", [20200401, 20200430], ["2020-04-01", "2020-04-30"]),
        ("WEEKLY(MONDAY)", [20200406, 20200413], ["2020-04-06", "2020-04-13"]),
        ("MONTHLY", [202001, 202012], ["2020-01-01", "2020-12-01"]),
        ("QUARTERLY", [202001, 202004], ["2020-01-01", "2020-10-01"]),
        ("SEMIANNUAL", [202001, 202002], ["2020-01-01", "2020-07-01"]),
        ("SEMIANNUAL(SEP)", [202001, 202002], ["2020-04-01", "2020-10-01"]),
        ("ANNUAL", [2019, 2020], ["2019-01-01", "2020-01-01"]),
        ("ANNUAL(MAR)", [2019, "2020"], ["2019-04-01", "2020-04-01"]),
    ],
)
def test_api_survey_dates_by_frequency(
    frequency: str, survey_dates: list[object], expected: list[str]
) -> None:
    body = _series_edited(
        PAGE1, FREQUENCY=frequency, VALUES={"SURVEY_DATES": survey_dates, "VALUES": [1.5, 2.5]}
    )
    frame = SOURCE.parse(_payload(body, _request(BASE)))
    assert [d.date().isoformat() for d in frame.rows["obs_date"]] == expected


@pytest.mark.parametrize(
    ("frequency", "survey_date"),
    [("QUARTERLY", 202005), ("MONTHLY", 202013), ("MONTHLY", 2020011), ("FORTNIGHTLY", 202001)],
)
def test_api_bad_survey_dates(frequency: str, survey_date: int) -> None:
    body = _series_edited(
        PAGE1, FREQUENCY=frequency, VALUES={"SURVEY_DATES": [survey_date], "VALUES": [1.0]}
    )
    with pytest.raises(ParseError, match="MABS1AN11"):
        SOURCE.parse(_payload(body, _request(BASE)))


def test_api_length_mismatch() -> None:
    body = _series_edited(PAGE1, VALUES={"SURVEY_DATES": [202001, 202002], "VALUES": [1.0]})
    with pytest.raises(ParseError, match="2 SURVEY_DATES but 1 VALUES"):
        SOURCE.parse(_payload(body, _request(BASE)))


@settings(max_examples=150, deadline=None)
@given(mutated(PAGE1))
def test_api_mutations_keep_the_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, _request(BASE, CURRENT_ACCOUNTS)), "boj")


# --- shape errors ------------------------------------------------------------------------


def test_html_page_with_status_200() -> None:
    body = b"<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>"
    with pytest.raises(ParseError, match="HTML"):
        SOURCE.parse(_payload(body, _request(BASE)))


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="empty payload"):
        SOURCE.parse(_payload(b"", _request(BASE)))


def test_japanese_flat_file_is_refused_clearly() -> None:
    body = "日本銀行 主要時系列統計データ表,,\n".encode("cp932")
    with pytest.raises(ParseError, match="neither BOJ API JSON nor a BOJ flat file"):
        SOURCE.parse(_payload(body))


# --- plan ----------------------------------------------------------------------------------


def test_plan_groups_by_database_and_frequency() -> None:
    window = Window(date(2024, 1, 15), date(2024, 12, 31))
    requests = SOURCE.plan(
        ["FM01'STRDCLUCON", BASE, CURRENT_ACCOUNTS, "BS01'MABJMTA", BASE], window
    )
    assert [r.remote_codes for r in requests] == [
        ("FM01'STRDCLUCON",),
        (BASE, CURRENT_ACCOUNTS),
        ("BS01'MABJMTA",),
    ]
    md01 = requests[1]
    assert md01.url == "https://www.stat-search.boj.or.jp/api/v1/getDataCode"
    assert md01.params == (
        ("db", "MD01"),
        ("code", "MABS1AN11,MABS1AN113"),  # without the DB' prefix (M181001E otherwise)
        ("format", "json"),
        ("lang", "en"),
        ("startDate", "202401"),
        ("endDate", "202412"),
    )


def test_plan_quarterly_and_fiscal_dates_and_open_window() -> None:
    source = BojTimeSeries(frequencies={"CO'TK99F1000601GCQ01000": "Q", "FF'X": "FY"})
    window = Window(date(2024, 2, 1), date(2025, 3, 31))
    quarterly, fiscal = source.plan(["CO'TK99F1000601GCQ01000", "FF'X"], window)
    assert dict(quarterly.params)["startDate"] == "202401"
    assert dict(quarterly.params)["endDate"] == "202501"
    assert dict(fiscal.params)["startDate"] == "2023"  # Feb 2024 lies in FY2023
    assert dict(fiscal.params)["endDate"] == "2024"
    (open_window,) = source.plan(["MD01'ANY"], Window())
    assert "startDate" not in dict(open_window.params)


def test_plan_splits_at_250_codes() -> None:
    codes = [f"MD01'CODE{i:03d}" for i in range(251)]
    requests = BojTimeSeries(frequencies={}).plan(codes, Window())
    assert [len(r.remote_codes) for r in requests] == [250, 1]
    assert dict(requests[1].params)["code"] == "CODE250"


def test_plan_origin_override_keeps_the_path() -> None:
    (request,) = BojTimeSeries("http://127.0.0.1:8765").plan([BASE], Window())
    assert request.url == "http://127.0.0.1:8765/api/v1/getDataCode"


@pytest.mark.parametrize("code", ["STRDCLUCON", "FM01'", "FM01'STR,DCL", "fm01'STRDCLUCON"])
def test_plan_rejects_ill_formed_codes(code: str) -> None:
    with pytest.raises(CatalogError, match="DB'CODE"):
        SOURCE.plan([code], Window())


def test_plan_rejects_unknown_frequency() -> None:
    with pytest.raises(CatalogError, match="frequency"):
        BojTimeSeries(frequencies={BASE: "MONTHLY"}).plan([BASE], Window())


# --- fetch -----------------------------------------------------------------------------------


def test_fetch_follows_nextposition() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        query = parse_qs(request.url.query.decode())
        body = PAGE2 if query.get("startPosition") == ["2"] else PAGE1
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    source = BojTimeSeries("http://127.0.0.1:8765")
    (request,) = source.plan([BASE, CURRENT_ACCOUNTS], Window(date(2019, 12, 1), date(2020, 4, 30)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(source.fetch(request, http))
    assert [p.body for p in payloads] == [PAGE1, PAGE2]
    assert [r.url.path for r in seen] == ["/api/v1/getDataCode"] * 2
    assert "startPosition" not in parse_qs(seen[0].url.query.decode())
    assert parse_qs(seen[1].url.query.decode())["code"] == ["MABS1AN11,MABS1AN113"]
    frames = [source.parse(p) for p in payloads]
    combined = pd.concat([f.rows for f in frames], ignore_index=True)
    assert set(combined["remote_code"]) == {BASE, CURRENT_ACCOUNTS}
    assert len(combined) == 10


def test_fetch_refuses_a_nextposition_that_does_not_advance() -> None:
    stuck = _edited(PAGE1, {"NEXTPOSITION": 1})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=stuck)

    (request,) = SOURCE.plan([BASE, CURRENT_ACCOUNTS], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        pages = SOURCE.fetch(request, http)
        next(pages)
        with pytest.raises(FetchError, match="does not advance"):
            next(pages)


def test_fetch_flat_file_is_one_payload() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=FLAT, headers={"Content-Type": "text/csv"})

    request = FetchRequest(source="boj", url=FLAT_URL)
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = list(SOURCE.fetch(request, http))
    assert payload.body == FLAT
    assert _value(SOURCE.parse(payload), BASE, "2020-04-01") == 5_189_225
