"""Tests of the CFTC Commitments of Traders source (``cftc``) on a real Socrata answer.

The payload is the recorded ``jun7-fc8e`` (legacy, futures and options combined) row for
contract 239747 (Micro E-mini Russell 2000) on 2024-08-20; samples/PROVENANCE.md checks
"OI 19 404". Other expected numbers are read off that file; origin:
tests/payloads/cftc/README.md.
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

from carrywatch.errors import CatalogError, ConfigError, FetchError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.cftc import DEFAULT_FIELDS, PARSE_VERSION, CftcCot
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "cftc"
SAMPLE = (PAYLOADS / "socrata_jun7-fc8e_legacy_combined_239747_2024-08-20.json").read_bytes()
SOURCE = CftcCot(dataset="jun7-fc8e")
URL = "https://publicreporting.cftc.gov/resource/jun7-fc8e.json"


def _payload(body: bytes, codes: tuple[str, ...] = ()) -> RawPayload:
    return RawPayload(
        request=FetchRequest(source="cftc", url=URL, remote_codes=codes),
        body=body,
        status=200,
        media_type="application/json",
        retrieved_at=utc_now(),
    )


def _rows() -> list[dict[str, object]]:
    rows = json.loads(SAMPLE)
    assert isinstance(rows, list)
    return rows


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "cftc"
    assert CftcCot().default_origin == "https://publicreporting.cftc.gov"
    assert CftcCot().dataset == "6dca-aqww"


# --- golden ---------------------------------------------------------------------------------


def test_golden_open_interest_and_positions() -> None:
    codes = (
        "239747:open_interest_all",
        "239747:noncomm_positions_long_all",
        "239747:noncomm_positions_short_all",
        "239747:noncomm_net",
    )
    frame = SOURCE.parse(_payload(SAMPLE, codes))
    assert frame.source == "cftc"
    assert frame.parse_version == PARSE_VERSION
    assert frame.meta == {"dataset": "jun7-fc8e", "rows": "1", "unit": "contracts"}
    # samples PROVENANCE: OI 19 404 on report date 2024-08-20 (a Tuesday).
    assert _value(frame, "239747:open_interest_all", "2024-08-20") == 19_404
    assert pd.Timestamp("2024-08-20").day_name() == "Tuesday"
    # The payload: noncomm long "4773", short "10232" -> derived net 4773 - 10232.
    assert _value(frame, "239747:noncomm_positions_long_all", "2024-08-20") == 4773
    assert _value(frame, "239747:noncomm_positions_short_all", "2024-08-20") == 10_232
    assert _value(frame, "239747:noncomm_net", "2024-08-20") == -5459
    assert len(frame.rows) == 4


def test_default_fields_when_nothing_is_requested() -> None:
    frame = SOURCE.parse(_payload(SAMPLE))
    assert set(frame.rows["remote_code"]) == {f"239747:{field}" for field in DEFAULT_FIELDS}
    # The payload: comm long "3060", nonrept short "8624".
    assert _value(frame, "239747:comm_positions_long_all", "2024-08-20") == 3060
    assert _value(frame, "239747:nonrept_positions_short_all", "2024-08-20") == 8624


# --- quirks ---------------------------------------------------------------------------------


def test_trailing_blanks_in_codes_and_numeric_strings() -> None:
    rows = _rows()
    rows[0]["cftc_contract_market_code"] = "239747 "
    rows[0]["open_interest_all"] = 19404  # a number instead of a string is accepted too
    frame = SOURCE.parse(_payload(json.dumps(rows).encode(), ("239747:open_interest_all",)))
    assert _value(frame, "239747:open_interest_all", "2024-08-20") == 19_404


def test_field_missing_from_one_row_is_a_missing_value() -> None:
    first = _rows()[0]
    second = dict(first, report_date_as_yyyy_mm_dd="2024-08-13T00:00:00.000", id="240813239747C")
    del second["noncomm_positions_short_all"]  # Socrata omits null fields
    body = json.dumps([second, first]).encode()
    frame = SOURCE.parse(_payload(body, ("239747:noncomm_net", "239747:open_interest_all")))
    assert _value(frame, "239747:noncomm_net", "2024-08-20") == -5459
    net = frame.rows[frame.rows["remote_code"] == "239747:noncomm_net"]
    assert list(net["obs_date"]) == [pd.Timestamp("2024-08-20")]
    assert len(frame.rows) == 3


def test_tff_spelling_without_all() -> None:
    rows = _rows()
    rows[0]["lev_money_positions_long"] = "120"
    rows[0]["lev_money_positions_short"] = "20"
    body = json.dumps(rows).encode()
    codes = ("239747:lev_money_positions_long_all", "239747:lev_money_net")
    frame = SOURCE.parse(_payload(body, codes))
    assert _value(frame, "239747:lev_money_positions_long_all", "2024-08-20") == 120
    assert _value(frame, "239747:lev_money_net", "2024-08-20") == 100


def test_empty_array_is_an_empty_frame() -> None:
    frame = SOURCE.parse(_payload(b"[]", ("097741:noncomm_net",)))
    assert frame.rows.empty


def test_date_only_timestamp_is_accepted() -> None:
    rows = _rows()
    rows[0]["report_date_as_yyyy_mm_dd"] = "2024-08-20"
    frame = SOURCE.parse(_payload(json.dumps(rows).encode(), ("239747:open_interest_all",)))
    assert _value(frame, "239747:open_interest_all", "2024-08-20") == 19_404


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"error": true, "message": "Invalid SoQL query"}', "Socrata error: Invalid SoQL query"),
        (
            b'{"code": "query.compiler.malformed", "message": "Could not parse SoQL"}',
            "Socrata error query.compiler.malformed: Could not parse SoQL",
        ),
    ],
)
def test_socrata_error_objects(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        SOURCE.parse(_payload(body))


def test_renamed_field_names_it() -> None:
    # Neither spelling (with or without "_all") is left, so the column was renamed.
    body = SAMPLE.replace(b'"noncomm_positions_long_all"', b'"noncomm_longs_all"')
    with pytest.raises(ParseError, match=r"\['noncomm_positions_long_all'\] absent"):
        SOURCE.parse(_payload(body, ("239747:noncomm_positions_long_all",)))


def test_other_contract_only() -> None:
    with pytest.raises(
        ParseError, match=r"contract 097741 not in the payload \(found \['239747'\]"
    ):
        SOURCE.parse(_payload(SAMPLE, ("097741:noncomm_net",)))


def test_bad_report_date() -> None:
    body = SAMPLE.replace(b"2024-08-20T00:00:00.000", b"08/20/2024")
    with pytest.raises(ParseError, match="is not a floating timestamp"):
        SOURCE.parse(_payload(body))


def test_not_a_number() -> None:
    body = SAMPLE.replace(b'"open_interest_all":"19404"', b'"open_interest_all":"19 404x"')
    with pytest.raises(ParseError, match="not a number"):
        SOURCE.parse(_payload(body, ("239747:open_interest_all",)))


def test_html_page_with_status_200() -> None:
    with pytest.raises(ParseError, match="HTML"):
        SOURCE.parse(_payload(b"<!DOCTYPE html><html><body>Throttled</body></html>"))


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="not valid JSON"):
        SOURCE.parse(_payload(b""))


def test_not_utf8() -> None:
    with pytest.raises(ParseError, match="not UTF-8"):
        SOURCE.parse(_payload(SAMPLE.replace(b"RUSSELL", b"RUSS\xffLL", 1)))


@settings(max_examples=150, deadline=None)
@given(mutated(SAMPLE))
def test_mutations_keep_the_contract(body: bytes) -> None:
    codes = ("239747:open_interest_all", "239747:noncomm_net")
    check_parse_contract(SOURCE.parse, _payload(body, codes), "cftc")


# --- plan -------------------------------------------------------------------------------------


def test_plan_yen_query() -> None:
    source = CftcCot()
    codes = ["097741:noncomm_positions_long_all", "097741:noncomm_net", "239747:open_interest_all"]
    yen, russell = source.plan(codes, Window(date(2024, 1, 1), date(2024, 12, 31)))
    assert yen.url == "https://publicreporting.cftc.gov/resource/6dca-aqww.json"
    assert yen.remote_codes == ("097741:noncomm_positions_long_all", "097741:noncomm_net")
    assert yen.params == (
        (
            "$where",
            "cftc_contract_market_code='097741' AND report_date_as_yyyy_mm_dd >= '2024-01-01'"
            " AND report_date_as_yyyy_mm_dd <= '2024-12-31'",
        ),
        ("$order", "report_date_as_yyyy_mm_dd ASC"),
        ("$limit", "1000"),
        ("$offset", "0"),
    )
    assert russell.remote_codes == ("239747:open_interest_all",)
    (open_window,) = source.plan(["097741:noncomm_net"], Window())
    assert dict(open_window.params)["$where"] == "cftc_contract_market_code='097741'"


def test_plan_origin_override_keeps_the_path() -> None:
    (request,) = CftcCot("http://127.0.0.1:8765", dataset="jun7-fc8e").plan(
        ["239747:open_interest_all"], Window()
    )
    assert request.url == "http://127.0.0.1:8765/resource/jun7-fc8e.json"


@pytest.mark.parametrize(
    "code", ["097741", "noncomm_net", "097741:", "97741:noncomm_net", "097741:Noncomm", "0977'1:x"]
)
def test_plan_rejects_ill_formed_codes(code: str) -> None:
    with pytest.raises(CatalogError, match="<contract code>:<field>"):
        CftcCot().plan([code], Window())


def test_bad_dataset_and_page_size() -> None:
    with pytest.raises(ConfigError, match="dataset"):
        CftcCot(dataset="6dca-aqww.json")
    with pytest.raises(ConfigError, match="page_size"):
        CftcCot(page_size=0)


# --- fetch ------------------------------------------------------------------------------------


def test_fetch_pages_with_offset() -> None:
    seen: list[dict[str, list[str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/resource/jun7-fc8e.json"
        query = parse_qs(request.url.query.decode())
        seen.append(query)
        body = SAMPLE if query["$offset"] == ["0"] else b"[]"
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    source = CftcCot("http://127.0.0.1:8765", dataset="jun7-fc8e", page_size=1)
    window = Window(date(2024, 8, 19), date(2024, 8, 21))
    (request,) = source.plan(["239747:open_interest_all"], window)
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(source.fetch(request, http))
    assert [p.body for p in payloads] == [SAMPLE, b"[]"]
    assert [q["$offset"] for q in seen] == [["0"], ["1"]]
    assert seen[1]["$where"] == seen[0]["$where"]
    assert _value(source.parse(payloads[0]), "239747:open_interest_all", "2024-08-20") == 19_404
    assert source.parse(payloads[1]).rows.empty


def test_fetch_single_short_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=SAMPLE)

    (request,) = SOURCE.plan(["239747:open_interest_all"], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        assert len(list(SOURCE.fetch(request, http))) == 1


def test_fetch_gives_up_on_endless_full_pages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=SAMPLE)

    source = CftcCot(dataset="jun7-fc8e", page_size=1)
    (request,) = source.plan(["239747:open_interest_all"], Window())
    with (
        HttpClient(transport=httpx.MockTransport(handler)) as http,
        pytest.raises(FetchError, match="more than 500 pages"),
    ):
        list(source.fetch(request, http))
