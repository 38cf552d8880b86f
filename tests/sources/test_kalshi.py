"""Tests of the Kalshi source (``kalshi``) on the real CCXT-recorded responses.

Expected numbers come from /work/shared/samples/PROVENANCE.md ("bid/ask 0.08/0.12
consistent with orderbook") or are read off the real files; payload origin:
tests/payloads/kalshi/README.md.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient
from carrywatch.sources.kalshi import PARSE_VERSION, Kalshi, cents_to_dollars, kalshi_markets
from carrywatch.types import FetchRequest, RawPayload, Window
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "kalshi"
MARKET = (PAYLOADS / "get_market_KXELONMARS-99_via_ccxt.json").read_bytes()
MARKETS = (PAYLOADS / "get_markets_two_tickers_via_ccxt.json").read_bytes()
CANDLES = (PAYLOADS / "get_candlesticks_KXELONMARS-99_1h_via_ccxt.json").read_bytes()
LEGACY = (PAYLOADS / "constructed_market_KXELONMARS-99_legacy_cents.json").read_bytes()
KXFED = (PAYLOADS / "constructed_markets_KXFED-26OCT-T4.25_strike.json").read_bytes()
_BID_CLOSE = (
    b'"yes_bid":{"close_dollars":"0.0800","high_dollars":"0.0800",'
    b'"low_dollars":"0.0800","open_dollars":"0.0800"}'
)
ELON, MARS50 = "KXELONMARS-99", "KXCOLONIZEMARS-50"
API = "https://api.elections.kalshi.com/trade-api/v2"
RETRIEVED = datetime(2026, 6, 12, 18, 0, tzinfo=UTC)
SOURCE = Kalshi()


def _payload(body: bytes, request: FetchRequest) -> RawPayload:
    return RawPayload(
        request=request, body=body, status=200, media_type="application/json",
        retrieved_at=RETRIEVED,
    )  # fmt: skip


def _markets_request(*codes: str) -> FetchRequest:
    return SOURCE.plan(list(codes), Window())[0]


def _candles_request(ticker: str = ELON) -> FetchRequest:
    # The recording used hourly candles (period_interval=60).
    request = SOURCE.plan([ticker], Window(date(2026, 6, 10), date(2026, 6, 12)))[0]
    return request.with_params(period_interval="60")


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert (SOURCE.name, SOURCE.default_origin) == ("kalshi", "https://api.elections.kalshi.com")


# --- golden ---------------------------------------------------------------------------------


def test_golden_single_market() -> None:
    frame = SOURCE.parse(_payload(MARKET, _markets_request(ELON)))
    assert frame.source == "kalshi"
    assert frame.parse_version == PARSE_VERSION
    # File: last_price_dollars "0.1000", updated_time 2026-04-09T09:31:16Z.
    assert _value(frame, ELON, "2026-04-09") == 0.10
    assert len(frame.rows) == 1


def test_golden_market_list() -> None:
    frame = SOURCE.parse(_payload(MARKETS, _markets_request(ELON, MARS50)))
    # File: KXELONMARS-99 last 0.1000 (2026-04-09T09:31Z), KXCOLONIZEMARS-50 last 0.1950
    # (2026-04-09T10:33Z).
    assert _value(frame, ELON, "2026-04-09") == 0.10
    assert _value(frame, MARS50, "2026-04-09") == 0.195
    assert frame.meta == {"kind": "markets", "markets": "2"}


def test_golden_kalshi_markets_fields() -> None:
    (market,) = kalshi_markets(_payload(MARKET, _markets_request(ELON)))
    # PROVENANCE: bid/ask 0.08/0.12. Other values read off the file.
    assert (market.yes_bid, market.yes_ask, market.last_price) == (0.08, 0.12, 0.10)
    assert market.ticker == ELON
    assert market.event_ticker == "KXELONMARS-99"
    assert market.volume == 94884.62
    assert market.open_interest == 32746.17
    assert market.status == "active"
    assert market.close_time == datetime(2099, 8, 1, 4, 59, tzinfo=UTC)
    assert market.updated_time == datetime(2026, 4, 9, 9, 31, 16, 616867, tzinfo=UTC)
    assert math.isnan(market.floor_strike)
    assert market.strike_type is None
    listed = kalshi_markets(_payload(MARKETS, _markets_request(ELON, MARS50)))
    assert [(m.ticker, m.yes_bid, m.yes_ask) for m in listed] == [
        (ELON, 0.08, 0.12),
        (MARS50, 0.163, 0.195),
    ]


def test_golden_candlesticks_mid_when_no_trade() -> None:
    frame = SOURCE.parse(_payload(CANDLES, _candles_request()))
    # Two hourly candles ending 2026-06-11 02:00 and 10:00 UTC; "price" has no close
    # (no trade), so the value is the mid of the yes_bid/yes_ask closes of the LAST
    # candle of the day: (0.08 + 0.10) / 2.
    assert len(frame.rows) == 1
    assert _value(frame, ELON, "2026-06-11") == pytest.approx(0.09)
    assert frame.meta == {"kind": "candlesticks", "ticker": ELON, "candles": "2"}


# --- quirks ---------------------------------------------------------------------------------


def test_candle_close_preferred_over_mid() -> None:
    body = CANDLES.replace(
        b'"price":{"previous_dollars":"0.1000"}',
        b'"price":{"close_dollars":"0.1100","previous_dollars":"0.1000"}',
    )
    assert _value(SOURCE.parse(_payload(body, _candles_request())), ELON, "2026-06-11") == 0.11


def test_candle_timestamp_int_or_string_and_day_of_last_second() -> None:
    data = json.loads(CANDLES)
    # Live API sends integers; 1781222400 = 2026-06-12T00:00Z ends the candle of 06-11.
    data["candlesticks"][1]["end_period_ts"] = 1781222400
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), _candles_request()))
    assert list(frame.rows["obs_date"]) == [pd.Timestamp("2026-06-11")]


def test_candle_legacy_cents() -> None:
    data = json.loads(CANDLES)
    for candle in data["candlesticks"]:
        candle["yes_bid"] = {"close": 8}
        candle["yes_ask"] = {"close": 10}
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), _candles_request()))
    assert _value(frame, ELON, "2026-06-11") == pytest.approx(0.09)


def test_legacy_integer_cents() -> None:
    (market,) = kalshi_markets(_payload(LEGACY, _markets_request(ELON)))
    # Constructed from the real sample: 8, 12, 10 cents = 0.08, 0.12, 0.10 dollars.
    assert (market.yes_bid, market.yes_ask, market.last_price) == (0.08, 0.12, 0.10)
    assert _value(SOURCE.parse(_payload(LEGACY, _markets_request(ELON))), ELON, "2026-04-09") == 0.1
    assert cents_to_dollars(12) == 0.12


def test_strike_market_without_trade_uses_mid() -> None:
    request = _markets_request("KXFED-26OCT-T4.25")
    (market,) = kalshi_markets(_payload(KXFED, request))
    assert (market.floor_strike, market.strike_type) == (4.25, "greater")
    assert market.event_ticker == "KXFED-26OCT"
    assert math.isnan(market.last_price)
    # No last price -> mid of 0.08 / 0.12.
    frame = SOURCE.parse(_payload(KXFED, request))
    assert _value(frame, "KXFED-26OCT-T4.25", "2026-04-09") == pytest.approx(0.10)


def test_zero_last_price_or_one_sided_quote() -> None:
    data = json.loads(MARKET)
    data["market"]["last_price_dollars"] = "0.0000"  # never traded
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), _markets_request(ELON)))
    assert _value(frame, ELON, "2026-04-09") == pytest.approx(0.10)  # mid 0.08/0.12
    data["market"]["yes_bid_dollars"] = "0.0000"  # no bid either: no value at all
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), _markets_request(ELON)))
    assert frame.rows.empty


def test_updated_time_absent_uses_retrieval_date() -> None:
    data = json.loads(MARKET)
    del data["market"]["updated_time"]
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), _markets_request(ELON)))
    assert _value(frame, ELON, "2026-06-12") == 0.10


def test_only_requested_tickers_returned() -> None:
    frame = SOURCE.parse(_payload(MARKETS, _markets_request(MARS50)))
    assert list(frame.rows["remote_code"]) == [MARS50]


# --- errors ---------------------------------------------------------------------------------


def test_requested_ticker_missing() -> None:
    with pytest.raises(ParseError, match=r"tickers \['KXFED-26OCT-T4.25'\] are not in"):
        SOURCE.parse(_payload(MARKETS, _markets_request(ELON, "KXFED-26OCT-T4.25")))


def test_missing_ticker_tolerated_on_a_page_of_many() -> None:
    data = json.loads(MARKETS)
    data["cursor"] = "EhIKEFq9i3ERl0wsdoYvGaMHJ8kaCwikt7DRBhCwt946"
    request = _markets_request(ELON, MARS50, "KXFED-26OCT-T4.25")
    frame = SOURCE.parse(_payload(json.dumps(data).encode(), request))
    assert sorted(frame.rows["remote_code"]) == [MARS50, ELON]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (MARKETS.replace(b'"markets"', b'"results"'), "expected 'markets', 'market' or"),
        (MARKET.replace(b'"ticker":"KXELONMARS-99"', b'"symbol":"KXELONMARS-99"'), "no 'ticker'"),
        (MARKET.replace(b'"yes_bid_dollars":"0.0800"', b'"yes_bid_dollars":"8"'), "cents in a"),
        (MARKET.replace(b'"updated_time":"2026-04-09', b'"updated_time":"yesterday'), "ISO"),
        (b'{"error":{"code":"not_found","message":"market not found"}}', "market not found"),
        (b"<!doctype html><html><title>403</title></html>", "HTML"),
        (b"", "not valid JSON"),
        (MARKET.decode().encode("utf-16"), "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
def test_market_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        SOURCE.parse(_payload(body, _markets_request(ELON)))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (CANDLES.replace(b'"end_period_ts"', b'"end_ts"', 1), "no 'end_period_ts'"),
        (CANDLES.replace(b'"1781143200"', b'"soon"'), "not unix seconds"),
        (CANDLES.replace(b'"ticker":"KXELONMARS-99"', b'"ticker":"KXOTHER-1"'), "KXOTHER-1"),
        (CANDLES.replace(_BID_CLOSE, b'"yes_bid":"0.0800"', 1), r"yes_bid is not an object"),
    ],
)
def test_candle_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        SOURCE.parse(_payload(body, _candles_request()))


def test_kalshi_markets_rejects_candles() -> None:
    with pytest.raises(ParseError, match="not a markets payload"):
        kalshi_markets(_payload(CANDLES, _candles_request()))


@settings(max_examples=150, deadline=None)
@given(mutated(MARKETS))
def test_markets_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, _markets_request(ELON, MARS50)), "kalshi")


@settings(max_examples=150, deadline=None)
@given(mutated(MARKET))
def test_market_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, _markets_request(ELON)), "kalshi")


@settings(max_examples=150, deadline=None)
@given(mutated(CANDLES))
def test_candle_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, _candles_request()), "kalshi")


# --- plan / fetch ---------------------------------------------------------------------------


def test_plan_snapshot_batches() -> None:
    tickers = [f"KXFED-26OCT-T{i / 100:.2f}" for i in range(150)]
    requests = SOURCE.plan([*tickers, tickers[0]], Window())
    assert [len(r.remote_codes) for r in requests] == [100, 50]
    assert requests[0].url == f"{API}/markets"
    assert requests[0].params == (("tickers", ",".join(tickers[:100])),)
    assert requests[1].remote_codes == tuple(tickers[100:])


def test_plan_candlesticks_with_window() -> None:
    (request,) = SOURCE.plan(["KXFED-26OCT-T4.25"], Window(date(2026, 6, 1), date(2026, 6, 12)))
    assert request.url == f"{API}/series/KXFED/markets/KXFED-26OCT-T4.25/candlesticks"
    # 2026-06-01T00:00Z = 1780272000; end day included: 2026-06-13T00:00Z = 1781308800.
    assert request.params == (
        ("start_ts", "1780272000"),
        ("end_ts", "1781308800"),
        ("period_interval", "1440"),
    )
    assert request.remote_codes == ("KXFED-26OCT-T4.25",)


def test_plan_origin_override_and_bad_codes() -> None:
    local = Kalshi(origin="http://127.0.0.1:8765")
    (request,) = local.plan([ELON], Window())
    assert request.url == "http://127.0.0.1:8765/trade-api/v2/markets"
    for bad in ["kxfed-26oct", "", "A,B", "KX FED", "KX/FED"]:
        with pytest.raises(CatalogError, match="not a Kalshi market ticker"):
            SOURCE.plan([bad], Window())


def test_fetch_follows_cursor_until_empty() -> None:
    data = json.loads(MARKETS)
    cursor = "EhIKEFq9i3ERl0wsdoYvGaMHJ8kaCwikt7DRBhCwt946"  # the real trades-sample cursor
    page1 = json.dumps({"cursor": cursor, "markets": data["markets"][:1]}).encode()
    page2 = json.dumps({"cursor": "", "markets": data["markets"][1:]}).encode()
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=page2 if "cursor" in request.url.params else page1)

    request = _markets_request(ELON, MARS50)
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(SOURCE.fetch(request, http))
    assert [u.path for u in seen] == ["/trade-api/v2/markets"] * 2
    assert seen[0].params["tickers"] == f"{ELON},{MARS50}"
    assert seen[1].params["cursor"] == cursor
    frames = [SOURCE.parse(p) for p in payloads]
    assert [list(f.rows["remote_code"]) for f in frames] == [[ELON], [MARS50]]


def test_fetch_stops_on_repeated_cursor() -> None:
    page = json.dumps({"cursor": "again", "markets": []}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=page)

    with (
        HttpClient(transport=httpx.MockTransport(handler)) as http,
        pytest.raises(FetchError, match="paging did not end"),
    ):
        list(SOURCE.fetch(_markets_request(ELON), http))


def test_fetch_replays_real_candles() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert (
            request.url.path == "/trade-api/v2/series/KXELONMARS/markets/KXELONMARS-99/candlesticks"
        )
        return httpx.Response(200, content=CANDLES)

    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = SOURCE.fetch(_candles_request(), http)
    assert _value(SOURCE.parse(payload), ELON, "2026-06-11") == pytest.approx(0.09)
