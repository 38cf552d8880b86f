"""Kalshi discovery: ``plan_discovery`` and the ``/events`` (nested markets) payload.

The events payload is CONSTRUCTED (tests/payloads/kalshi/README.md): the documented
``GetEventsResponse`` shape whose nested markets are the real KXELONMARS-99 market object
with KXFED tickers, invented quotes and strike fields. Expected values are read off it.
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

from carrywatch.errors import CatalogError, ParseError
from carrywatch.sources.http import HttpClient
from carrywatch.sources.kalshi import Kalshi, kalshi_event_markets, kalshi_markets
from carrywatch.types import FetchRequest, RawPayload
from tests.helpers.mutations import check_parse_contract, mutated

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "kalshi"
EVENTS = (PAYLOADS / "constructed_events_KXFED_nested_markets.json").read_bytes()
RETRIEVED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SOURCE = Kalshi()
API = "https://api.elections.kalshi.com/trade-api/v2"


def _payload(body: bytes, request: FetchRequest | None = None) -> RawPayload:
    return RawPayload(
        request=request or SOURCE.plan_discovery("KXFED")[0],
        body=body,
        status=200,
        media_type="application/json",
        retrieved_at=RETRIEVED,
    )


def test_plan_discovery_asks_the_open_events_of_a_series_with_their_markets() -> None:
    (request,) = SOURCE.plan_discovery("KXFED")
    assert request.source == "kalshi"
    assert request.url == f"{API}/events"
    assert request.params == (
        ("series_ticker", "KXFED"),
        ("status", "open"),
        ("with_nested_markets", "true"),
        ("limit", "200"),
    )
    assert request.remote_codes == ()
    local = Kalshi(origin="http://127.0.0.1:8765").plan_discovery("KXFED")[0]
    assert local.url == "http://127.0.0.1:8765/trade-api/v2/events"
    for bad in ["kxfed", "", "KXFED-26DEC", "KX FED", "KX,FED"]:
        with pytest.raises(CatalogError, match="not a Kalshi series ticker"):
            SOURCE.plan_discovery(bad)


def test_event_markets_carry_event_ticker_and_strike_date() -> None:
    markets = kalshi_event_markets(_payload(EVENTS))
    assert [m.ticker for m in markets] == [
        "KXFED-26DEC-T3.00",
        "KXFED-26DEC-T3.25",
        "KXFED-26DEC-T3.50",
        "KXFED-26DEC-T3.75",
        "KXFED-26DEC-T4.00",
        "KXFED-27JAN-T3.00",
        "KXFED-27JAN-T3.25",
        "KXFED-27JAN-T3.50",
        "KXFED-27JAN-T3.75",
    ]
    dec = markets[2]
    assert dec.event_ticker == "KXFED-26DEC"
    assert dec.strike_date == datetime(2026, 12, 9, 19, 0, tzinfo=UTC)
    assert (dec.floor_strike, dec.strike_type) == (3.5, "greater")
    assert (dec.yes_bid, dec.yes_ask, dec.last_price) == (0.60, 0.64, 0.62)
    # Copied from the real KXELONMARS-99 object.
    assert (dec.volume, dec.open_interest) == (94884.62, 32746.17)
    assert dec.updated_time == datetime(2026, 4, 9, 9, 31, 16, 616867, tzinfo=UTC)
    assert dec.status == "active"
    assert math.isnan(dec.cap_strike)
    # The January event has a null strike_date.
    assert {m.strike_date for m in markets[5:]} == {None}
    assert {m.event_ticker for m in markets[5:]} == {"KXFED-27JAN"}
    # kalshi_markets reads the same payload the same way.
    assert kalshi_markets(_payload(EVENTS)) == markets


def test_parse_gives_a_row_per_priced_nested_market() -> None:
    frame = SOURCE.parse(_payload(EVENTS))
    assert frame.meta == {"kind": "events", "markets": "9"}
    assert len(frame.rows) == 9
    row = frame.rows[frame.rows["remote_code"] == "KXFED-26DEC-T3.50"].iloc[0]
    assert row["value"] == 0.62  # last_price_dollars "0.6200"
    assert str(row["obs_date"].date()) == "2026-04-09"  # updated_time


def test_single_event_answer_and_events_without_markets() -> None:
    data = json.loads(EVENTS)
    event = dict(data["events"][0])
    markets = event.pop("markets")
    single = json.dumps({"event": event, "markets": markets}).encode()
    parsed = kalshi_event_markets(_payload(single))
    assert [m.ticker for m in parsed] == [m["ticker"] for m in markets]
    assert {m.strike_date for m in parsed} == {datetime(2026, 12, 9, 19, 0, tzinfo=UTC)}
    bare = json.dumps({"cursor": "", "events": [event]}).encode()
    assert kalshi_event_markets(_payload(bare)) == []
    assert SOURCE.parse(_payload(bare)).rows.empty


def test_a_nested_market_may_leave_out_its_event_ticker() -> None:
    data = json.loads(EVENTS)
    for market in data["events"][0]["markets"]:
        del market["event_ticker"]
    parsed = kalshi_event_markets(_payload(json.dumps(data).encode()))
    assert {m.event_ticker for m in parsed[:5]} == {"KXFED-26DEC"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["events"][0]["markets"][0].update(event_ticker="KXFED-26OCT"), "nested in"),
        (lambda d: d["events"][0].pop("event_ticker"), "no 'event_ticker'"),
        (lambda d: d["events"][0].update(strike_date="next week"), "ISO"),
        (lambda d: d["events"][0].update(markets={}), "not a list"),
        (lambda d: d.update(events={}), "not a list"),
        (lambda d: d.update(cursor=5), "not text"),
        (lambda d: d["events"].append("KXFED-27MAR"), "not an object"),
    ],
)
def test_event_errors(edit: object, message: str) -> None:
    data = json.loads(EVENTS)
    assert callable(edit)
    edit(data)
    with pytest.raises(ParseError, match=message) as caught:
        SOURCE.parse(_payload(json.dumps(data).encode()))
    assert caught.value.source == "kalshi"
    if message != "not text":
        with pytest.raises(ParseError, match=message):
            kalshi_event_markets(_payload(json.dumps(data).encode()))


def test_event_markets_refuse_a_markets_payload() -> None:
    body = (PAYLOADS / "get_markets_two_tickers_via_ccxt.json").read_bytes()
    with pytest.raises(ParseError, match="not an events payload"):
        kalshi_event_markets(_payload(body))


@settings(max_examples=150, deadline=None)
@given(mutated(EVENTS))
def test_events_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "kalshi")


def test_fetch_pages_events_by_cursor() -> None:
    data = json.loads(EVENTS)
    page1 = json.dumps({"cursor": "next-page", "events": data["events"][:1]}).encode()
    page2 = json.dumps({"cursor": "", "events": data["events"][1:]}).encode()
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=page2 if "cursor" in request.url.params else page1)

    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(SOURCE.fetch(SOURCE.plan_discovery("KXFED")[0], http))
    assert [u.params.get("cursor") for u in seen] == [None, "next-page"]
    assert all(u.params["series_ticker"] == "KXFED" for u in seen)
    tickers = [[m.event_ticker for m in kalshi_event_markets(p)] for p in payloads]
    assert [set(t) for t in tickers] == [{"KXFED-26DEC"}, {"KXFED-27JAN"}]


# --- quotes ------------------------------------------------------------------------------

#: The meetings the constructed events are about (events.toml: 2026-12-09, 2027-01-27).
MEETINGS = [(date(2026, 12, 9), "scheduled"), (date(2027, 1, 27), "scheduled")]


def test_quotes_are_the_strikes_of_each_placed_event_at_the_retrieval() -> None:
    quotes = SOURCE.parse_quotes(_payload(EVENTS), MEETINGS, bank="fed")
    assert (quotes.n_events, quotes.notes) == (2, ())
    rows = quotes.parsed.rows
    # 9 strikes, four observations each (probability, bid, ask, volume), all known from
    # the retrieval moment and dated by its UTC day.
    assert len(rows) == 9 * 4
    assert set(rows["known_from"]) == {pd.Timestamp(RETRIEVED)}
    assert set(rows["obs_date"]) == {pd.Timestamp("2026-11-25")}
    values = dict(zip(rows["remote_code"], rows["value"], strict=True))
    # KXFED-26DEC-T3.75: bid 0.05, ask 0.07 (constructed): the probability is their mid.
    assert values["kalshi:2026-12-09:above_375"] == 0.06  # (0.05 + 0.07) / 2, rounded to 1e-6
    assert values["kalshi:2026-12-09:above_375:bid"] == pytest.approx(0.05)
    assert values["kalshi:2026-12-09:above_375:ask"] == pytest.approx(0.07)
    assert values["kalshi:2026-12-09:above_375:volume"] == pytest.approx(94884.62)
    # KXFED-27JAN has no strike date: its ticker's month places it.
    assert "kalshi:2027-01-27:above_300" in values


def test_quotes_leave_out_what_they_cannot_place_or_price() -> None:
    data = json.loads(EVENTS)
    first, second = data["events"][0]["markets"][:2]
    first["strike_type"] = "between"
    for side in ("yes_bid_dollars", "yes_ask_dollars", "last_price_dollars"):
        second[side] = "0.0000"
    quotes = SOURCE.parse_quotes(_payload(json.dumps(data).encode()), MEETINGS[1:], bank="fed")
    assert quotes.n_events == 1
    assert quotes.notes == (
        "KXFED-26DEC: no meeting in the catalog matches it (strike date 2026-12-09)",
    )
    quotes = SOURCE.parse_quotes(_payload(json.dumps(data).encode()), MEETINGS, bank="fed")
    assert quotes.notes == (
        f"{first['ticker']}: not an 'above X%' strike (strike_type 'between', strike "
        f"{float(first['floor_strike'])}); left out",
        f"{second['ticker']}: no two-sided quote and no trade; left out",
    )
    empty = SOURCE.parse_quotes(_payload(b'{"events": [], "cursor": ""}'), MEETINGS, bank="fed")
    assert (empty.n_events, empty.notes) == (0, ("KXFED: no open event with markets",))
    assert empty.parsed.rows.empty


@settings(max_examples=100, deadline=None)
@given(mutated(EVENTS))
def test_quote_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(
        lambda p: SOURCE.parse_quotes(p, MEETINGS, bank="fed").parsed, _payload(body), "kalshi"
    )
