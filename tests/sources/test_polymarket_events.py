"""Polymarket discovery: ``plan_discovery`` and :func:`gamma_event` on the real Gamma event
(tests/payloads/polymarket_gamma/README.md); expected values are read off the file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from carrywatch.errors import CatalogError, ParseError
from carrywatch.sources.polymarket import PolymarketGamma, gamma_event, gamma_event_markets
from carrywatch.types import Window
from tests.sources.test_polymarket import EVENT, GAMMA_FILE, _gamma_payload

GAMMA = PolymarketGamma()


def test_plan_discovery_is_the_event_request_of_plan() -> None:
    requests = [
        *GAMMA.plan_discovery(EVENT),
        *GAMMA.plan_discovery("fed-decision-in-december-123"),
    ]
    assert requests == GAMMA.plan([EVENT, "fed-decision-in-december-123"], Window())
    assert [r.url for r in requests] == [
        f"https://gamma-api.polymarket.com/events/slug/{EVENT}",
        "https://gamma-api.polymarket.com/events/slug/fed-decision-in-december-123",
    ]
    assert requests[0].remote_codes == (EVENT,)
    with pytest.raises(CatalogError, match="names a market"):
        GAMMA.plan_discovery(f"{EVENT}/will-trump-nominate-kevin-warsh-as-the-next-fed-chair")
    with pytest.raises(CatalogError, match="not an event slug"):
        GAMMA.plan_discovery("fed decision")
    local = PolymarketGamma(origin="http://127.0.0.1:9").plan_discovery(EVENT)[0]
    assert local.url == f"http://127.0.0.1:9/events/slug/{EVENT}"


def test_gamma_event_reads_identity_dates_and_markets() -> None:
    event = gamma_event(_gamma_payload(GAMMA_FILE))
    assert event.slug == EVENT
    assert event.title == "Who will Trump nominate as Fed Chair?"
    assert event.end_date == datetime(2026, 12, 31, tzinfo=UTC)
    assert event.updated_at == datetime(2026, 1, 18, 3, 3, 35, 579480, tzinfo=UTC)
    assert event.closed is False
    assert list(event.markets) == gamma_event_markets(_gamma_payload(GAMMA_FILE))
    warsh = event.markets[0]
    assert warsh.group_item_title == "Kevin Warsh"
    # The market's own updatedAt (Gamma has no last-trade time).
    assert warsh.updated_at == datetime(2026, 1, 18, 3, 5, 1, 167739, tzinfo=UTC)


def test_gamma_event_optional_and_bad_fields() -> None:
    data = json.loads(GAMMA_FILE)
    for key in ("endDate", "updatedAt", "closed"):
        del data[key]
    del data["markets"][0]["updatedAt"]
    event = gamma_event(_gamma_payload(json.dumps(data).encode()))
    assert (event.end_date, event.updated_at, event.closed) == (None, None, False)
    assert event.markets[0].updated_at is None
    for key, value, message in [
        ("closed", "no", "not true/false"),
        ("endDate", "soon", "not an ISO timestamp"),
        ("slug", "", "no 'slug'"),
        ("title", 7, "not text"),
    ]:
        bad = json.loads(GAMMA_FILE)
        bad[key] = value
        with pytest.raises(ParseError, match=message):
            gamma_event(_gamma_payload(json.dumps(bad).encode()))


# --- quotes ------------------------------------------------------------------------------

MEETINGS = [(date(2026, 12, 9), "scheduled"), (date(2027, 1, 27), "scheduled")]


def _decision_event(outcomes: list[tuple[str, str]]) -> bytes:
    """The real event with its first markets' labels and prices replaced (invented),
    retitled as a December rate decision; every other field real."""
    data = json.loads(GAMMA_FILE)
    data.update(title="Fed decision in December?", endDate="2026-12-09T00:00:00Z")
    data["markets"] = data["markets"][: len(outcomes)]
    for market, (label, price) in zip(data["markets"], outcomes, strict=True):
        market.update(groupItemTitle=label, outcomePrices=json.dumps([price, "0.5"]))
    return json.dumps(data).encode()


def test_quotes_name_each_move_and_leave_out_the_rest() -> None:
    body = _decision_event(
        [
            ("No change", "0.6"),
            ("25 bps decrease", "0.3"),
            ("50+ bps decrease", "0.08"),
            ("Kevin Warsh", "0.02"),
        ]
    )
    quotes = GAMMA.parse_quotes(_gamma_payload(body), MEETINGS, bank="fed")
    assert quotes.n_events == 1
    assert quotes.notes == (f"{EVENT}: 'Kevin Warsh' is not a rate move; left out",)
    rows = quotes.parsed.rows
    probabilities = {
        code: value
        for code, value in zip(rows["remote_code"], rows["value"], strict=True)
        if code.count(":") == 2
    }
    assert probabilities == pytest.approx(
        {
            "polymarket:2026-12-09:hold": 0.6,
            "polymarket:2026-12-09:cut_25": 0.3,
            "polymarket:2026-12-09:cut_50_plus": 0.08,
        }
    )


def test_an_event_about_the_other_bank_is_refused() -> None:
    # A Fed decision asked for under `markets refresh boj` would otherwise be placed on
    # the BOJ meeting of its month; a title naming the asked bank, or none, is read.
    body = _decision_event([("No change", "0.6"), ("25 bps decrease", "0.4")])
    with pytest.raises(ParseError, match=r"is about the Fed, not the BOJ asked for"):
        GAMMA.parse_quotes(_gamma_payload(body), MEETINGS, bank="boj")
    retitled = json.loads(body)
    retitled["title"] = "Bank of Japan decision in December?"
    with pytest.raises(ParseError, match=r"is about the BOJ, not the Fed asked for"):
        GAMMA.parse_quotes(_gamma_payload(json.dumps(retitled).encode()), MEETINGS, bank="fed")
    retitled["title"] = "Rate decision in December?"
    quotes = GAMMA.parse_quotes(_gamma_payload(json.dumps(retitled).encode()), MEETINGS, bank="fed")
    assert quotes.n_events == 1


def test_an_event_that_is_not_a_rate_decision_quotes_nothing() -> None:
    quotes = GAMMA.parse_quotes(_gamma_payload(GAMMA_FILE), MEETINGS, bank="fed")
    assert quotes.n_events == 0
    assert quotes.parsed.rows.empty
    assert quotes.notes == (
        f"{EVENT}: 'Who will Trump nominate as Fed Chair?' is not a rate-decision event "
        "('... decision in <Month>'); no quote stored",
    )
