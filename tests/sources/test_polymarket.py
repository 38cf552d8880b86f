"""Tests of the Polymarket sources (``polymarket_gamma``, ``polymarket_clob``) on real payloads.

Expected numbers are read off the real files (payload origin and the discrepancy with
PROVENANCE.md's "Warsh 0.555 / Hassett 0.155": tests/payloads/polymarket_gamma/README.md).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient
from carrywatch.sources.polymarket import (
    PARSE_VERSION,
    PolymarketClob,
    PolymarketGamma,
    gamma_event_markets,
)
from carrywatch.types import FetchRequest, RawPayload, Window
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

ROOT = Path(__file__).resolve().parents[1] / "payloads"
EVENT = "who-will-trump-nominate-as-fed-chair"
GAMMA_FILE = (
    ROOT / "polymarket_gamma" / f"gamma_events_slug_{EVENT}_2026-01-17_indent2.json"
).read_bytes()
CLOB_STRINGIFIED = (
    ROOT
    / "polymarket_clob"
    / "clob_prices_history_vance2028_yes_fidelity1_2026-06-12_via_ccxt_STRINGIFIED.json"
).read_bytes()
CLOB_NUMERIC = (
    ROOT / "polymarket_clob" / "constructed_prices_history_numeric_vance2028_yes.json"
).read_bytes()
# The "JD Vance wins 2028" YES token: asset_id of the book recorded with the history.
TOKEN = "16040015440196279900485035793550429453516625694844857319147506590755961451627"
WARSH = f"{EVENT}/will-trump-nominate-kevin-warsh-as-the-next-fed-chair"
HASSETT = f"{EVENT}/will-trump-nominate-kevin-hassett-as-the-next-fed-chair"
RETRIEVED = datetime(2026, 1, 18, 4, 0, tzinfo=UTC)
GAMMA = PolymarketGamma()
CLOB = PolymarketClob()


def _gamma_payload(body: bytes, codes: tuple[str, ...] = (EVENT,)) -> RawPayload:
    request = FetchRequest(
        source="polymarket_gamma",
        url=f"https://gamma-api.polymarket.com/events/slug/{EVENT}",
        remote_codes=codes,
    )
    return RawPayload(
        request=request, body=body, status=200, media_type="application/json",
        retrieved_at=RETRIEVED,
    )  # fmt: skip


def _clob_payload(body: bytes) -> RawPayload:
    request = CLOB.plan([TOKEN], Window())[0]
    return RawPayload(
        request=request, body=body, status=200, media_type="application/json",
        retrieved_at=datetime(2026, 6, 12, 18, 0, tzinfo=UTC),
    )  # fmt: skip


GAMMA_FRAME = GAMMA.parse(_gamma_payload(GAMMA_FILE))


def test_satisfy_source_protocol() -> None:
    assert isinstance(GAMMA, Source)
    assert isinstance(CLOB, Source)
    assert (GAMMA.name, GAMMA.default_origin) == (
        "polymarket_gamma",
        "https://gamma-api.polymarket.com",
    )
    assert (CLOB.name, CLOB.default_origin) == ("polymarket_clob", "https://clob.polymarket.com")


# --- Gamma: golden --------------------------------------------------------------------------


def test_gamma_golden_yes_prices() -> None:
    assert GAMMA_FRAME.source == "polymarket_gamma"
    assert GAMMA_FRAME.parse_version == PARSE_VERSION
    # Read off the file: Warsh outcomePrices ["0.515", "0.485"], Hassett ["0.125", "0.875"],
    # Waller ["0.154", ...]; event updatedAt 2026-01-18T03:03:35.57948Z -> 2026-01-18.
    assert _value(GAMMA_FRAME, WARSH, "2026-01-18") == 0.515
    assert _value(GAMMA_FRAME, HASSETT, "2026-01-18") == 0.125
    waller = f"{EVENT}/will-trump-nominate-christopher-waller-as-the-next-fed-chair"
    assert _value(GAMMA_FRAME, waller, "2026-01-18") == 0.154
    # 39 markets (PROVENANCE); 12 placeholders carry no outcomePrices -> 27 rows.
    assert GAMMA_FRAME.meta == {
        "event_slug": EVENT,
        "event_title": "Who will Trump nominate as Fed Chair?",
        "obs_date_basis": "updatedAt",
        "markets": "39",
    }
    assert len(GAMMA_FRAME.rows) == 27
    assert GAMMA_FRAME.rows["remote_code"].str.startswith(f"{EVENT}/").all()


def test_gamma_event_markets_fields() -> None:
    markets = gamma_event_markets(_gamma_payload(GAMMA_FILE))
    assert len(markets) == 39  # PROVENANCE: 39 markets
    warsh = markets[0]
    # Values of the first market in the file (Kevin Warsh).
    assert warsh.slug == "will-trump-nominate-kevin-warsh-as-the-next-fed-chair"
    assert warsh.question == "Will Trump nominate Kevin Warsh as the next Fed chair?"
    assert warsh.group_item_title == "Kevin Warsh"
    assert (warsh.yes_price, warsh.best_bid, warsh.best_ask) == (0.515, 0.51, 0.52)
    assert (warsh.spread, warsh.last_trade_price) == (0.01, 0.51)
    assert warsh.volume_usd == 6668521.505404
    assert warsh.liquidity_usd == 76675.423
    assert warsh.clob_token_ids == (
        "51338236787729560681434534660841415073585974762690814047670810862722808070955",
        "18289842382539867639079362738467334752951741961393928566628307174343542320349",
    )
    assert warsh.yes_token_id == warsh.clob_token_ids[0]
    assert warsh.closed is False
    assert warsh.end_date == datetime(2026, 12, 31, tzinfo=UTC)
    # Volume: PROVENANCE says "volume ~ $207 mn" across the markets (event field 209.1 mn).
    total = sum(m.volume_usd for m in markets if not math.isnan(m.volume_usd))
    assert 200e6 < total < 210e6


def test_gamma_optional_fields_give_nan() -> None:
    by_slug = {m.slug: m for m in gamma_event_markets(_gamma_payload(GAMMA_FILE))}
    # "Individual T" never opened: no outcomePrices -> no YES price, no row.
    placeholder = by_slug["will-trump-nominate-individual-t-as-the-next-fed-chair"]
    assert math.isnan(placeholder.yes_price)
    assert f"{EVENT}/{placeholder.slug}" not in set(GAMMA_FRAME.rows["remote_code"])
    # Bill Pulte: no bestBid in the file (empty bid side); bestAsk 0.001.
    pulte = by_slug["will-trump-nominate-bill-pulte-as-the-next-fed-chair"]
    assert math.isnan(pulte.best_bid)
    assert pulte.best_ask == 0.001
    # The "-917" Rieder market has neither volume nor volumeNum nor lastTradePrice.
    rieder = by_slug["will-trump-nominate-rick-rieder-as-the-next-fed-chair-917"]
    assert math.isnan(rieder.volume_usd)
    assert math.isnan(rieder.last_trade_price)
    assert rieder.yes_price == 0.075


def test_gamma_one_market_code_filters() -> None:
    frame = GAMMA.parse(_gamma_payload(GAMMA_FILE, codes=(WARSH, HASSETT)))
    assert sorted(frame.rows["remote_code"]) == [HASSETT, WARSH]


def test_gamma_updated_at_absent_uses_retrieval_date() -> None:
    data = json.loads(GAMMA_FILE)
    del data["updatedAt"]
    frame = GAMMA.parse(_gamma_payload(json.dumps(data).encode()))
    assert frame.meta["obs_date_basis"] == "retrieved_at"
    assert _value(frame, WARSH, RETRIEVED.date().isoformat()) == 0.515


def test_gamma_array_answer_of_events_query() -> None:
    # GET /events?slug=... wraps the same event in an array [reported].
    frame = GAMMA.parse(_gamma_payload(b"[" + GAMMA_FILE + b"]"))
    assert frame.rows.equals(GAMMA_FRAME.rows)
    with pytest.raises(ParseError, match="expected one event, found an array of 0"):
        GAMMA.parse(_gamma_payload(b"[]"))


def test_gamma_yes_index_follows_outcomes() -> None:
    data = json.loads(GAMMA_FILE)
    data["markets"][0]["outcomes"] = '["No", "Yes"]'  # same prices, order swapped
    frame = GAMMA.parse(_gamma_payload(json.dumps(data).encode()))
    assert _value(frame, WARSH, "2026-01-18") == 0.485


# --- Gamma: errors --------------------------------------------------------------------------


def test_gamma_renamed_markets_key() -> None:
    body = GAMMA_FILE.replace(b'"markets": [', b'"contracts": [', 1)
    with pytest.raises(ParseError, match="expected an event object with 'markets'"):
        GAMMA.parse(_gamma_payload(body))


def test_gamma_renamed_outcomes_key() -> None:
    body = GAMMA_FILE.replace(b'"outcomes":', b'"outcomeNames":', 1)
    with pytest.raises(ParseError, match="has no 'outcomes'"):
        GAMMA.parse(_gamma_payload(body))


def test_gamma_wanted_market_missing() -> None:
    code = f"{EVENT}/will-trump-nominate-nobody-as-the-next-fed-chair"
    with pytest.raises(ParseError, match=r"market 'will-trump-nominate-nobody.*39 markets"):
        GAMMA.parse(_gamma_payload(GAMMA_FILE, codes=(code,)))


def test_gamma_other_event() -> None:
    with pytest.raises(ParseError, match="asked for event 'fed-decision-in-march'"):
        GAMMA.parse(_gamma_payload(GAMMA_FILE, codes=("fed-decision-in-march",)))


def test_gamma_price_outside_unit_interval() -> None:
    body = GAMMA_FILE.replace(b'[\\"0.515\\", \\"0.485\\"]', b'[\\"51.5\\", \\"48.5\\"]', 1)
    with pytest.raises(ParseError, match=r"outside \[0, 1\]"):
        GAMMA.parse(_gamma_payload(body))


def test_gamma_error_object() -> None:
    with pytest.raises(ParseError, match="provider says: event not found"):
        GAMMA.parse(_gamma_payload(b'{"type": "not found", "error": "event not found"}'))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Cloudflare</body></html>", "HTML"),
        (b"", "not valid JSON"),
        (GAMMA_FILE.decode().encode("utf-16"), "not UTF-8"),
    ],
)
def test_gamma_bad_bodies(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        GAMMA.parse(_gamma_payload(body))


@settings(max_examples=150, deadline=None)
@given(mutated(GAMMA_FILE))
def test_gamma_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(GAMMA.parse, _gamma_payload(body), "polymarket_gamma")


# --- Gamma: plan / fetch --------------------------------------------------------------------


def test_gamma_plan_groups_by_event() -> None:
    requests = GAMMA.plan([EVENT, WARSH, WARSH, "other-event/some-market"], Window())
    assert [(r.url, r.remote_codes) for r in requests] == [
        (f"https://gamma-api.polymarket.com/events/slug/{EVENT}", (EVENT, WARSH)),
        ("https://gamma-api.polymarket.com/events/slug/other-event", ("other-event/some-market",)),
    ]
    assert requests[0].params == ()


def test_gamma_plan_origin_override_and_bad_codes() -> None:
    local = PolymarketGamma(origin="http://127.0.0.1:8765")
    (request,) = local.plan([EVENT], Window())
    assert request.url == f"http://127.0.0.1:8765/events/slug/{EVENT}"
    for bad in ["", "has space", "a/b/c", "../etc", "slug?x=1"]:
        with pytest.raises(CatalogError, match="not an event slug"):
            GAMMA.plan([bad], Window())


def test_gamma_fetch_replays_real_payload() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=GAMMA_FILE, headers={"Content-Type": "application/json"})

    (request,) = GAMMA.plan([EVENT], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(GAMMA.fetch(request, http))
    assert seen == [f"https://gamma-api.polymarket.com/events/slug/{EVENT}"]
    assert [p.body for p in payloads] == [GAMMA_FILE]
    assert _value(GAMMA.parse(payloads[0]), WARSH, "2026-01-18") == 0.515


# --- CLOB: golden and quirks -----------------------------------------------------------------


def test_clob_golden_stringified_sample() -> None:
    frame = CLOB.parse(_clob_payload(CLOB_STRINGIFIED))
    assert frame.parse_version == PARSE_VERSION
    # 30 one-minute points on 2026-06-12 (t 1781282044 .. 1781283784, i.e. 16:34-17:03 UTC);
    # the last p is "0.1515" -> one daily row.
    assert len(frame.rows) == 1
    assert _value(frame, TOKEN, "2026-06-12") == 0.1515
    assert frame.meta == {"token_id": TOKEN, "points": "30"}


def test_clob_numeric_and_string_give_the_same_rows() -> None:
    numeric = CLOB.parse(_clob_payload(CLOB_NUMERIC))
    stringified = CLOB.parse(_clob_payload(CLOB_STRINGIFIED))
    assert numeric.rows.equals(stringified.rows)


def test_clob_last_point_of_each_utc_day_in_any_order() -> None:
    history = json.loads(CLOB_NUMERIC)["history"]
    # Move the first ten points (p 0.151) back one day and reverse the list.
    for point in history[:10]:
        point["t"] -= 86_400
    body = json.dumps({"history": history[::-1]}).encode()
    frame = CLOB.parse(_clob_payload(body))
    assert _value(frame, TOKEN, "2026-06-11") == 0.151
    assert _value(frame, TOKEN, "2026-06-12") == 0.1515


def test_clob_empty_history_is_no_rows() -> None:
    frame = CLOB.parse(_clob_payload(b'{"history":[]}'))
    assert frame.rows.empty
    assert frame.meta["points"] == "0"


def test_clob_null_price_skipped() -> None:
    history = json.loads(CLOB_NUMERIC)["history"]
    history[-1]["p"] = None
    frame = CLOB.parse(_clob_payload(json.dumps({"history": history}).encode()))
    assert _value(frame, TOKEN, "2026-06-12") == 0.1515  # the 29th point, also 0.1515


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (CLOB_STRINGIFIED.replace(b'"history"', b'"prices"'), r"expected \{'history'"),
        (CLOB_STRINGIFIED.replace(b'"t":', b'"ts":', 1), r"history\[0\] is not a"),
        (CLOB_STRINGIFIED.replace(b'"1781282044"', b'"2026-06-12"'), "not unix seconds"),
        (CLOB_STRINGIFIED.replace(b'"0.151"', b'"15.1"', 1), r"outside \[0, 1\]"),
        (b'{"error":"invalid market"}', "provider says: invalid market"),
        (b"<html><body>502 Bad Gateway</body></html>", "HTML"),
        (b"", "not valid JSON"),
        (CLOB_STRINGIFIED.decode().encode("utf-16"), "not UTF-8"),
    ],
)
def test_clob_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        CLOB.parse(_clob_payload(body))


def test_clob_request_without_token() -> None:
    payload = RawPayload(
        request=FetchRequest(source="polymarket_clob", url="https://clob.polymarket.com/x"),
        body=CLOB_STRINGIFIED, status=200, media_type="application/json",
        retrieved_at=RETRIEVED,
    )  # fmt: skip
    with pytest.raises(ParseError, match="names no token id"):
        CLOB.parse(payload)


@settings(max_examples=150, deadline=None)
@given(mutated(CLOB_STRINGIFIED))
def test_clob_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(CLOB.parse, _clob_payload(body), "polymarket_clob")


@settings(max_examples=150, deadline=None)
@given(mutated(CLOB_NUMERIC))
def test_clob_numeric_mutations_keep_contract(body: bytes) -> None:
    check_parse_contract(CLOB.parse, _clob_payload(body), "polymarket_clob")


# --- CLOB: plan / fetch ---------------------------------------------------------------------


def test_clob_plan_window_and_open_window() -> None:
    (closed,) = CLOB.plan([TOKEN], Window(date(2026, 6, 1), date(2026, 6, 12)))
    assert closed.url == "https://clob.polymarket.com/prices-history"
    # 2026-06-01T00:00Z = 1780272000; 2026-06-12T23:59:59Z = 1781308799.
    assert closed.params == (
        ("market", TOKEN),
        ("startTs", "1780272000"),
        ("endTs", "1781308799"),
        ("fidelity", "60"),
    )
    assert closed.remote_codes == (TOKEN,)
    (open_ended,) = CLOB.plan([TOKEN], Window(start=date(2026, 6, 1)))
    assert open_ended.params == (("market", TOKEN), ("interval", "max"), ("fidelity", "60"))


def test_clob_plan_origin_override_and_bad_codes() -> None:
    local = PolymarketClob(origin="http://127.0.0.1:8765")
    assert [r.url for r in local.plan([TOKEN, TOKEN], Window())] == [
        "http://127.0.0.1:8765/prices-history"
    ]
    for bad in ["572469", "0x61b66d02793b4a68ab0cc25be60d65f517fe18c7d654041281bb130341244fcc",
                EVENT, TOKEN + "x"]:  # fmt: skip
        with pytest.raises(CatalogError, match="not a CLOB token id"):
            CLOB.plan([bad], Window())


def test_clob_fetch_replays_real_payload() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=CLOB_STRINGIFIED)

    (request,) = CLOB.plan([TOKEN], Window(date(2026, 6, 12), date(2026, 6, 12)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(CLOB.fetch(request, http))
    assert len(payloads) == 1
    assert seen[0].path == "/prices-history"
    assert seen[0].params["market"] == TOKEN
    assert seen[0].params["fidelity"] == "60"
    assert _value(CLOB.parse(payloads[0]), TOKEN, "2026-06-12") == 0.1515
