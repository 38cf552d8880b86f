"""Tests of the Yahoo chart source (``yahoo``) on the real ES futures recordings.

Expected numbers come from /work/shared/samples/PROVENANCE.md ("ES Mar-24 at 4 801.75 on
2023-12-22") or are read off the real files; payload origin: tests/payloads/yahoo/README.md.
ES and ZQ answers share one structure (sources.md §9).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient
from carrywatch.sources.yahoo import PARSE_VERSION, YahooChart, implied_rate_pct
from carrywatch.types import FetchRequest, RawPayload, Window
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "yahoo"
ESH24 = (PAYLOADS / "v8_chart_ESH24.CME_interval1d_range1d_2023-12-22.json").read_bytes()
ESZ23_404 = (PAYLOADS / "v8_chart_ESZ23.CME_404_not_found_2023-12-22.json").read_bytes()
SOURCE = YahooChart()


def _payload(body: bytes, symbol: str = "ESH24.CME") -> RawPayload:
    (request,) = SOURCE.plan([symbol], Window())
    return RawPayload(
        request=request, body=body, status=200, media_type="application/json",
        retrieved_at=datetime(2023, 12, 22, 20, 0, tzinfo=UTC),
    )  # fmt: skip


def _edited(**changes: object) -> bytes:
    """The real ESH24 answer with some fields of its chart result replaced."""
    data = json.loads(ESH24)
    result = data["chart"]["result"][0]
    for key, value in changes.items():
        if key in {"close", "open"}:
            result["indicators"]["quote"][0][key] = value
        elif key in {"exchangeTimezoneName", "gmtoffset", "symbol"}:
            if value is None:
                del result["meta"][key]
            else:
                result["meta"][key] = value
        elif value is None:
            del result[key]
        else:
            result[key] = value
    return json.dumps(data).encode()


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert (SOURCE.name, SOURCE.default_origin) == ("yahoo", "https://query1.finance.yahoo.com")


# --- golden ---------------------------------------------------------------------------------


def test_golden_esh24() -> None:
    frame = SOURCE.parse(_payload(ESH24))
    assert frame.source == "yahoo"
    assert frame.parse_version == PARSE_VERSION
    # PROVENANCE: ES Mar-24 at 4 801.75 on 2023-12-22 (timestamp 1703274322 = 14:45 New York).
    assert _value(frame, "ESH24.CME", "2023-12-22") == 4801.75
    assert len(frame.rows) == 1
    assert frame.meta == {
        "symbol": "ESH24.CME",
        "exchange": "CME",
        "currency": "USD",
        "timezone": "America/New_York",
    }


def test_golden_404_body_is_parse_error_with_description() -> None:
    with pytest.raises(ParseError, match="No data found, symbol may be delisted"):
        SOURCE.parse(_payload(ESZ23_404, "ESZ23.CME"))


def test_implied_rate_pct() -> None:
    # 100 - price (sources.md §9); 100 - 95.6625 = 4.3375 by hand.
    assert implied_rate_pct(95.6625) == pytest.approx(4.3375)
    assert implied_rate_pct(100.0) == 0.0


# --- quirks ---------------------------------------------------------------------------------


def test_date_is_taken_in_exchange_time_zone() -> None:
    # 1703296800 = 2023-12-23 02:00 UTC = 2023-12-22 21:00 New York (EST, UTC-5).
    body = _edited(timestamp=[1703296800])
    assert _value(SOURCE.parse(_payload(body)), "ESH24.CME", "2023-12-22") == 4801.75


def test_gmtoffset_fallback_without_zone_name() -> None:
    # Unknown zone name: the file's gmtoffset -18000 s (UTC-5) dates the bar.
    body = _edited(timestamp=[1703296800], exchangeTimezoneName="Mars/Olympus_Mons")
    assert _value(SOURCE.parse(_payload(body)), "ESH24.CME", "2023-12-22") == 4801.75
    body = _edited(exchangeTimezoneName=None, gmtoffset=None)
    with pytest.raises(ParseError, match="cannot date the bars"):
        SOURCE.parse(_payload(body))


def test_null_close_skipped() -> None:
    body = _edited(timestamp=[1703188800, 1703274322], close=[None, 4801.75])
    frame = SOURCE.parse(_payload(body))
    assert list(frame.rows["obs_date"]) == [pd.Timestamp("2023-12-22")]
    assert SOURCE.parse(_payload(_edited(close=[None]))).rows.empty


def test_same_exchange_date_keeps_the_later_stamp() -> None:
    # A live bar appended on the bar's date: 1703221200 = 00:00 New York, then 14:45.
    body = _edited(timestamp=[1703274322, 1703221200], close=[4801.75, 4796.75])
    assert _value(SOURCE.parse(_payload(body)), "ESH24.CME", "2023-12-22") == 4801.75


def test_no_bar_in_range_is_empty() -> None:
    data = json.loads(ESH24)
    result = data["chart"]["result"][0]
    del result["timestamp"]
    result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    assert SOURCE.parse(_payload(json.dumps(data).encode())).rows.empty


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (ESH24.replace(b'"timestamp"', b'"timestamps"'), "expected 'timestamp' and"),
        (ESH24.replace(b'"close"', b'"last"'), "expected 'timestamp' and"),
        (ESH24.replace(b'"chart"', b'"graph"'), r"expected \{'chart'"),
        (ESH24.replace(b'"quote"', b'"quotes"'), "no indicators.quote"),
        (_edited(timestamp=[1703188800, 1703274322]), "2 timestamps but 1 closes"),
        (_edited(timestamp=["2023-12-22"]), "not unix seconds"),
        (_edited(close=["n/a?"]), "not a number"),
        (_edited(symbol="ESM24.CME"), "asked for 'ESH24.CME' but the chart is for 'ESM24.CME'"),
        (b"<!DOCTYPE html><html><body>Will be right back</body></html>", "HTML"),
        (b"Too Many Requests\r\n", "not valid JSON"),
        (b"", "not valid JSON"),
        (ESH24.decode().encode("utf-16"), "not UTF-8"),
    ],
)
def test_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        SOURCE.parse(_payload(body))


@settings(max_examples=150, deadline=None)
@given(mutated(ESH24))
def test_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "yahoo")


@settings(max_examples=150, deadline=None)
@given(mutated(ESZ23_404))
def test_404_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, "ESZ23.CME"), "yahoo")


# --- plan / fetch ---------------------------------------------------------------------------


def test_plan_urls_params_and_user_agent() -> None:
    requests = SOURCE.plan(["ZQZ25.CBT", "ZQ=F", "^VIX", "ZQ=F"], Window(date(2025, 1, 1)))
    assert [r.url for r in requests] == [
        "https://query1.finance.yahoo.com/v8/finance/chart/ZQZ25.CBT",
        "https://query1.finance.yahoo.com/v8/finance/chart/ZQ=F",
        "https://query1.finance.yahoo.com/v8/finance/chart/%5EVIX",
    ]
    assert [r.remote_codes for r in requests] == [("ZQZ25.CBT",), ("ZQ=F",), ("^VIX",)]
    headers = dict(requests[0].headers)
    assert headers["User-Agent"].startswith("Mozilla/5.0")
    (bounded,) = SOURCE.plan(["ZQZ25.CBT"], Window(date(2025, 1, 1), date(2025, 1, 31)))
    # 2025-01-01T00:00Z = 1735689600; end day included: 2025-02-01T00:00Z = 1738368000.
    assert bounded.params == (
        ("interval", "1d"),
        ("period1", "1735689600"),
        ("period2", "1738368000"),
    )
    (everything,) = SOURCE.plan(["ZQ=F"], Window())
    assert everything.params == (("interval", "1d"), ("range", "max"))


def test_plan_origin_override_and_bad_codes() -> None:
    local = YahooChart(origin="http://127.0.0.1:8765")
    (request,) = local.plan(["ZQZ25.CBT"], Window())
    assert request.url == "http://127.0.0.1:8765/v8/finance/chart/ZQZ25.CBT"
    for bad in ["", "ZQ Z25", "ZQ/Z25", "a?b", "X" * 40]:
        with pytest.raises(CatalogError, match="not a Yahoo symbol"):
            SOURCE.plan([bad], Window())


def test_fetch_sends_browser_user_agent_and_replays() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=ESH24, headers={"Content-Type": "application/json"})

    (request,) = SOURCE.plan(["ESH24.CME"], Window(date(2023, 12, 22), date(2023, 12, 22)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = SOURCE.fetch(request, http)
    assert seen[0].headers["User-Agent"].startswith("Mozilla/5.0")
    assert seen[0].url.path == "/v8/finance/chart/ESH24.CME"
    assert seen[0].url.params["interval"] == "1d"
    assert _value(SOURCE.parse(payload), "ESH24.CME", "2023-12-22") == 4801.75


def test_fetch_escapes_caret() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200, content=ESH24)

    (request,) = SOURCE.plan(["^VIX"], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        list(SOURCE.fetch(request, http))
    assert seen[0].startswith(b"/v8/finance/chart/%5EVIX?")


def test_fetch_404_says_no_data() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=ESZ23_404)

    (request,) = SOURCE.plan(["ESZ23.CME"], Window())
    with (
        HttpClient(transport=httpx.MockTransport(handler)) as http,
        pytest.raises(FetchError, match=r"no data \(symbol may be delisted or expired\)") as info,
    ):
        list(SOURCE.fetch(request, http))
    assert info.value.status == 404
    assert info.value.url.endswith("/v8/finance/chart/ESZ23.CME?interval=1d&range=max")


def test_fetch_other_errors_pass_through() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, content=b"Forbidden")

    request = FetchRequest(
        source="yahoo", url="https://query1.finance.yahoo.com/v8/finance/chart/X"
    )
    with (
        HttpClient(transport=httpx.MockTransport(handler)) as http,
        pytest.raises(FetchError, match="HTTP 403") as info,
    ):
        list(SOURCE.fetch(request, http))
    assert info.value.status == 403
