"""Fault injection against ``carrywatch markets refresh fed|boj``: a valid answer for
another series, event or bank than the one asked for.

A prediction-market answer describes itself (a Kalshi event names its meeting by its
``strike_date``, a Gamma event by its title), so a body meant for another query still
parses. Kalshi's ``/events?series_ticker=KXFED`` answered with the events of another
series whose strikes are also "greater" (a CPI ladder, ``KXCPIYOY``, settling near a
meeting) would be stored as FOMC odds: ``above_300`` read off an inflation market. Each
answer must be the one asked for (and about the bank asked for: a "Fed decision in
December?" event asked for under ``markets refresh boj`` lands on the BOJ's December
meeting today), or the refresh fails for that source: exit 3, one error line naming
both, the store byte for byte as it was.

The bodies are derived in memory from the payloads the healthy replay serves
(``tests/test_market_quotes_e2e.py``): the CONSTRUCTED KXFED events answer with its series
renamed, the real Gamma event answered at another event's slug, and the real Gamma event
reshaped as a Fed decision (:func:`fed_december_event`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carrywatch.store.sqlite import Store
from tests import test_market_quotes_e2e
from tests.helpers.replay_server import ReplayServer, Reply
from tests.test_hostile_e2e import store_digest
from tests.test_market_quotes_e2e import (
    CHAIR_PATH,
    EVENTS_PATH,
    FED_CHAIR,
    KALSHI_EVENTS,
    market_fetches,
    run,
    summary,
)

market_home = test_market_quotes_e2e.market_home
replay = test_market_quotes_e2e.replay

#: The slug asked for: a "Fed decision in <Month>" event, as ``markets.toml`` names them.
ASKED_SLUG = "fed-decision-in-december"


def refused(
    capsys: pytest.CaptureFixture[str], home: Path, source: str, *argv: str, alone: bool
) -> str:
    """Run ``markets refresh`` with ``argv`` (the bank first): ``source`` fails (exit 3,
    one error line on stderr), nothing of it is written (when ``alone``, the other venue
    writing nothing: the store byte for byte as it was); the failure's reason is returned."""
    before = store_digest(home)
    code, out, err = run(capsys, "markets", "refresh", *argv)
    assert code == 3, out + err
    # One error line, for the failed source (notes about the other venue may follow).
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"error: {source}: "), err
    assert f"1 source(s) failed: {source}" in err, err
    assert "Traceback" not in out + err
    rows = summary(out)
    assert rows[source]["quotes added"] == "0"
    with Store.open(home / "carrywatch.sqlite") as store:
        assert market_fetches(store, source) == []
    if alone:
        assert store_digest(home) == before
    return " ".join(rows[source]["first error"].split())


def test_kalshi_events_of_another_series_are_refused(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The KXFED answer as another "greater"-strike series would send it: every
    # series_ticker, event and market ticker renamed; strikes, dates and quotes kept.
    other = KALSHI_EVENTS.replace(b'"KXFED', b'"KXCPIYOY')
    assert other.count(b"KXCPIYOY") > 10
    assert b'"KXFED' not in other
    replay.route(EVENTS_PATH, Reply.payload(other, content_type="application/json"))
    replay.route(CHAIR_PATH, Reply.payload(FED_CHAIR, content_type="application/json"))

    reason = refused(
        capsys,
        market_home,
        "kalshi",
        "fed",
        "--slug",
        "who-will-trump-nominate-as-fed-chair",
        alone=True,
    )

    assert "asked for series 'KXFED'" in reason, reason
    assert "KXCPIYOY-26DEC" in reason, reason


def test_a_gamma_event_other_than_the_slug_asked_for_is_refused(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real chair-nomination event, answered at the December decision's path (Kalshi
    # answers as usual and writes its quotes).
    replay.route(EVENTS_PATH, Reply.payload(KALSHI_EVENTS, content_type="application/json"))
    replay.route(
        f"/events/slug/{ASKED_SLUG}", Reply.payload(FED_CHAIR, content_type="application/json")
    )

    reason = refused(
        capsys, market_home, "polymarket_gamma", "fed", "--slug", ASKED_SLUG, alone=False
    )

    assert f"asked for event '{ASKED_SLUG}'" in reason, reason
    assert "who-will-trump-nominate-as-fed-chair" in reason, reason


def fed_december_event() -> bytes:
    """The real Gamma event reshaped as a "Fed decision in December?" event: slug, title
    and end date (the 2026-12-09 FOMC decision) replaced, its first four markets relabelled
    with Polymarket's rate-move labels; every other field and price is the real event's."""
    event = json.loads(FED_CHAIR)
    event.update(
        slug="fed-decision-in-december",
        title="Fed decision in December?",
        endDate="2026-12-09T00:00:00Z",
    )
    labels = ("No change", "25 bps decrease", "50+ bps decrease", "25+ bps increase")
    event["markets"] = [
        {**market, "groupItemTitle": label, "question": f"Fed {label.lower()} in December?"}
        for market, label in zip(event["markets"], labels, strict=False)
    ]
    return json.dumps(event).encode()


def test_a_fed_event_asked_for_under_the_boj_is_refused(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    replay.route(
        "/events/slug/fed-decision-in-december",
        Reply.payload(fed_december_event(), content_type="application/json"),
    )

    reason = refused(
        capsys,
        market_home,
        "polymarket_gamma",
        "boj",
        "--slug",
        "fed-decision-in-december",
        alone=True,
    )

    assert "Fed" in reason, reason
