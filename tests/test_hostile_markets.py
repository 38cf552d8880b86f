"""Fault injection against ``carrywatch markets refresh fed``: a valid answer for another
series or event than the one asked for.

A prediction-market answer describes itself (a Kalshi event names its meeting by its
``strike_date``, a Gamma event by its title), so a body meant for another query still
parses. Kalshi's ``/events?series_ticker=KXFED`` answered with the events of another
series whose strikes are also "greater" (a CPI ladder, ``KXCPIYOY``, settling near a
meeting) would be stored as FOMC odds: ``above_300`` read off an inflation market. Each
answer must be the one asked for, or the refresh fails for that source: exit 3, one
error line naming both, the store byte for byte as it was.

The bodies are derived in memory from the payloads the healthy replay serves
(``tests/test_market_quotes_e2e.py``): the CONSTRUCTED KXFED events answer with its series
renamed, and the real Gamma event answered at another event's slug.
"""

from __future__ import annotations

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
    """Run ``markets refresh fed`` with ``argv``: ``source`` fails (exit 3, one error line
    on stderr), nothing of it is written (when ``alone`` writes anything, the other venue
    writing nothing: the store byte for byte as it was); the failure's reason is returned."""
    before = store_digest(home)
    code, out, err = run(capsys, "markets", "refresh", "fed", *argv)
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
        capsys, market_home, "kalshi", "--slug", "who-will-trump-nominate-as-fed-chair", alone=True
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

    reason = refused(capsys, market_home, "polymarket_gamma", "--slug", ASKED_SLUG, alone=False)

    assert f"asked for event '{ASKED_SLUG}'" in reason, reason
    assert "who-will-trump-nominate-as-fed-chair" in reason, reason
