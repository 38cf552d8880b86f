"""Tests of the Coinbase Exchange candles source (``coinbase``).

The only real recording is one 1-hour candle (granularity 3600); the daily answer has the
same shape ([time, low, high, open, close, volume], sources.md §10), so the parser is
tested on it with the request it answered. Payload origin: tests/payloads/coinbase/README.md.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.coinbase import CANDLE_COLUMNS, PARSE_VERSION, CoinbaseCandles
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, RawPayload, Window
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "coinbase"
HOURLY = (PAYLOADS / "coinbase_exchange_candles_BTC-USDT_1h_2024-03-13_via_ccxt.json").read_bytes()
DAILY = (
    PAYLOADS / "constructed_candles_BTC-USD_1d_2026-06-03_to_05_values_from_yahoo_btc.json"
).read_bytes()
SOURCE = CoinbaseCandles()


def _request(product: str, granularity: str = "86400") -> FetchRequest:
    (request,) = SOURCE.plan([product], Window())
    return request.with_params(granularity=granularity)


def _payload(body: bytes, request: FetchRequest) -> RawPayload:
    return RawPayload(
        request=request, body=body, status=200, media_type="application/json",
        retrieved_at=datetime(2026, 6, 6, 0, 5, tzinfo=UTC),
    )  # fmt: skip


def _hourly(body: bytes = HOURLY) -> RawPayload:
    # The recorded request: GET /products/BTC-USDT/candles?granularity=3600.
    return _payload(body, _request("BTC-USDT", "3600"))


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert (SOURCE.name, SOURCE.default_origin) == ("coinbase", "https://api.exchange.coinbase.com")
    assert CANDLE_COLUMNS == ("time", "low", "high", "open", "close", "volume")


# --- golden ---------------------------------------------------------------------------------


def test_golden_hourly_candle() -> None:
    frame = SOURCE.parse(_hourly())
    assert frame.source == "coinbase"
    assert frame.parse_version == PARSE_VERSION
    # File: [1710327600, 73241.5, 73402.47, 73243.33, 73370.65, 1.56794406]; 1710327600 =
    # 2024-03-13 11:00 UTC; close (5th field) 73370.65. PROVENANCE: BTC ~ 73.2-73.4 k.
    assert _value(frame, "BTC-USDT", "2024-03-13") == 73370.65
    assert len(frame.rows) == 1
    assert frame.meta == {"product": "BTC-USDT", "granularity_s": "3600", "candles": "1"}


def test_daily_candles_newest_first_are_sorted() -> None:
    frame = SOURCE.parse(_payload(DAILY, _request("BTC-USD")))
    # Closes copied from /work/shared/data/yahoo/jonsflow__risk-model/btc.csv (see README):
    # 2026-06-03 64014.3671875, 2026-06-04 63801.57421875, 2026-06-05 61488.44921875.
    assert list(frame.rows["obs_date"]) == [
        pd.Timestamp("2026-06-03"),
        pd.Timestamp("2026-06-04"),
        pd.Timestamp("2026-06-05"),
    ]
    assert _value(frame, "BTC-USD", "2026-06-05") == 61488.44921875
    assert _value(frame, "BTC-USD", "2026-06-03") == 64014.3671875


# --- quirks ---------------------------------------------------------------------------------


def test_hourly_candles_become_last_of_utc_day() -> None:
    row = json.loads(HOURLY)[0]
    earlier = [row[0] - 3 * 3600, *row[1:4], row[3], row[5]]  # close = its own open
    next_day = [row[0] + 13 * 3600, *row[1:]]  # 2024-03-14 00:00 UTC
    body = json.dumps([next_day, row, earlier]).encode()
    frame = SOURCE.parse(_hourly(body))
    assert _value(frame, "BTC-USDT", "2024-03-13") == 73370.65  # the 11:00 candle, not 08:00
    assert _value(frame, "BTC-USDT", "2024-03-14") == 73370.65


def test_string_numbers_accepted() -> None:
    body = b'[["1710327600","73241.5","73402.47","73243.33","73370.65","1.56794406"]]'
    assert _value(SOURCE.parse(_hourly(body)), "BTC-USDT", "2024-03-13") == 73370.65


def test_empty_answer_is_no_rows() -> None:
    assert SOURCE.parse(_hourly(b"[]")).rows.empty


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # open and low swapped: the column order changed.
        (b"[[1710327600,73243.33,73402.47,73241.5,73370.65,1.56794406]]", "outside"),
        (b"[[1710327600,73241.5,73402.47,73243.33,73370.65]]", "expected \\[time, low, high"),
        (b"[[1710327660,73241.5,73402.47,73243.33,73370.65,1.56794406]]", "granularity"),
        (b'[["2024-03-13T11:00:00Z",73241.5,73402.47,73243.33,73370.65,1]]', "not unix"),
        (b'{"message":"NotFound"}', "error object: NotFound"),
        (b'{"message":"granularity too small for the requested time range"}', "too small"),
        (b'{"candles":[]}', r"error object: keys \['candles'\]"),
        (b"<html><head><title>Cloudflare</title></head></html>", "HTML"),
        (b"", "not valid JSON"),
        (HOURLY.decode().encode("utf-16"), "not UTF-8"),
        (b'"candles"', "expected an array of candles"),
    ],
)
def test_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        SOURCE.parse(_hourly(body))


def test_request_without_product() -> None:
    request = FetchRequest(source="coinbase", url="https://api.exchange.coinbase.com/x")
    with pytest.raises(ParseError, match="names no product"):
        SOURCE.parse(_payload(HOURLY, request))


@settings(max_examples=150, deadline=None)
@given(mutated(HOURLY))
def test_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _hourly(body), "coinbase")


@settings(max_examples=150, deadline=None)
@given(mutated(DAILY))
def test_daily_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, _request("BTC-USD")), "coinbase")


# --- plan / fetch ---------------------------------------------------------------------------


def test_plan_splits_window_in_300_day_chunks() -> None:
    requests = SOURCE.plan(["BTC-USD"], Window(date(2024, 1, 1), date(2025, 3, 1)))
    url = "https://api.exchange.coinbase.com/products/BTC-USD/candles"
    assert [r.url for r in requests] == [url, url]
    # 2024-01-01 + 299 days = 2024-10-26 (2024 is a leap year); 427 days in all.
    assert [r.params for r in requests] == [
        (
            ("granularity", "86400"),
            ("start", "2024-01-01T00:00:00Z"),
            ("end", "2024-10-26T23:59:59Z"),
        ),
        (
            ("granularity", "86400"),
            ("start", "2024-10-27T00:00:00Z"),
            ("end", "2025-03-01T23:59:59Z"),
        ),
    ]
    assert all(r.remote_codes == ("BTC-USD",) for r in requests)
    (latest,) = SOURCE.plan(["BTC-USD"], Window())
    assert latest.params == (("granularity", "86400"),)


def test_plan_origin_override_and_bad_codes() -> None:
    local = CoinbaseCandles(origin="http://127.0.0.1:8765")
    (request,) = local.plan(["BTC-USD"], Window(date(2024, 3, 1), date(2024, 3, 13)))
    assert request.url == "http://127.0.0.1:8765/products/BTC-USD/candles"
    for bad in ["btc-usd", "BTCUSD", "BTC/USD", "", "BTC-USD-X"]:
        with pytest.raises(CatalogError, match="not a Coinbase product id"):
            SOURCE.plan([bad], Window())


def test_fetch_replays_real_payload() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=HOURLY, headers={"Content-Type": "application/json"})

    request = _request("BTC-USDT", "3600")
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = SOURCE.fetch(request, http)
    assert seen[0].path == "/products/BTC-USDT/candles"
    assert seen[0].params["granularity"] == "3600"
    assert payload.body == HOURLY
    assert _value(SOURCE.parse(payload), "BTC-USDT", "2024-03-13") == 73370.65
