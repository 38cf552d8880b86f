"""The stored odds histories in the brief, on the embedded snapshot (real data).

Reference numbers are PROVENANCE.md section 12's spot checks (shared/data): Polymarket's
"no change" at the 2025-12-10 FOMC fell from 0.635 at noon ET on 20 November to 0.355 at
noon on 21 November (after NY Fed President Williams' remarks) and stood at 0.075 on
6 December; CME FedWatch published 85.6% / 14.4% (3.50-3.75% / 3.75-4.00%) for the
2026-07-29 meeting on 2026-07-20.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import carrywatch
from carrywatch.catalog.spec import Catalog, load_catalog
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.meeting_odds import ODDS_READS, bank_odds, odds_section, range_in_force
from carrywatch.report.odds_history import OddsHistory, odds_history
from carrywatch.report.render import build_report
from carrywatch.store.sqlite import Store

DEC10 = date(2025, 12, 10)
JUL29 = date(2026, 7, 29)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def store(seeded: Path) -> Iterator[Store]:
    with carrywatch.open_store(seeded) as opened:
        yield opened


def _history(store: Store, catalog: Catalog, asof: date) -> OddsHistory:
    inputs = BriefInputs.load(store, catalog, asof, ODDS_READS)
    found = range_in_force(inputs, "fed")
    return odds_history(store, catalog, asof, None if isinstance(found, str) else found)


def test_both_venues_quote_the_december_meeting(store: Store, catalog: Catalog) -> None:
    history = _history(store, catalog, date(2025, 12, 5))
    quotes = {q.venue: q for q in history.quotes_at(DEC10)}
    assert set(quotes) == {"polymarket", "kalshi"}
    for venue, quote in quotes.items():
        assert quote.obs_date == date(2025, 12, 5)
        # The day's last quote, as the store gives it for that day.
        day = store.read([quote.series_id], start=date(2025, 12, 5), end=date(2025, 12, 5))
        assert quote.probability == day["value"].iloc[0], venue
        assert quote.probability < 0.2  # hold had fallen to ~8% (PROVENANCE §12)


def test_the_path_shows_the_break_of_21_november(store: Store, catalog: Catalog) -> None:
    history = _history(store, catalog, date(2025, 12, 5))
    assert history.path_meeting == DEC10
    lines = {q.venue: s for q, s in history.path}
    poly = lines["polymarket"]
    # Every quote at its moment: the file's first (01:01:20 ET = 06:01:20 UTC) to the last
    # one that changed the price before the end of 5 December (UTC).
    assert poly.index.min() == pd.Timestamp("2025-11-16 06:01:20", tz="UTC")
    assert poly.index.max() <= pd.Timestamp("2025-12-05 23:59:59", tz="UTC")
    assert poly.index.max() >= pd.Timestamp("2025-12-05 00:00", tz="UTC")

    def at(moment: str) -> float:
        return float(poly.loc[: pd.Timestamp(moment, tz="UTC")].iloc[-1])

    # PROVENANCE §12: 0.635 at noon ET on 20 November, 0.355 at noon on the 21st.
    assert at("2025-11-20 17:10") == 0.635
    assert at("2025-11-21 17:10") == 0.355


def test_the_section_shows_quotes_and_the_cited_break(store: Store, catalog: Catalog) -> None:
    asof = date(2025, 12, 5)
    inputs = BriefInputs.load(store, catalog, asof, ODDS_READS)
    history = _history(store, catalog, asof)
    section = odds_section(inputs, [bank_odds(inputs, "fed", None)], history=history)
    row = next(r for r in section.tables[0].rows if r[1] == DEC10.isoformat())
    assert "Polymarket: no change" in str(row[6])
    assert "Kalshi: no change" in str(row[6])
    path = next(f for f in section.figures if f.key == "odds_quotes_fed")
    notes = path.spec["layout"]["annotations"]
    assert any("Williams" in a["text"] and a["x"] == "2025-11-21" for a in notes)
    assert any("newyorkfed.org" in s for s in path.sources)
    assert all(p.retrieved_at for p in path.provenance)


def test_cme_published_odds_beside_carrywatchs(store: Store, catalog: Catalog) -> None:
    history = _history(store, catalog, date(2026, 7, 20))
    published = history.published_at(JUL29)
    assert published is not None
    assert published.obs_date == date(2026, 7, 20)
    assert [(r.lower_pct, r.upper_pct) for r in published.probabilities] == [
        (3.5, 3.75),
        (3.75, 4.0),
    ]
    assert [r.probability for r in published.probabilities] == [
        pytest.approx(0.856),
        pytest.approx(0.144),
    ]
    computed = history.computed_at(JUL29)
    assert computed is not None
    # The engine's default: CME's live tool as of the trade date (old-rate count in 2026).
    assert "cme chain, announcement day at the old rate (cme rule)" in computed.convention
    assert "us.fedfunds_futures.zqn26.mid" in computed.series_ids
    # A decision on the 29th counted at the old rate leaves 2 days of July after it:
    # 100 * 0.0025 * 31 / 2 = 3.875 bp per 0.0025 of ZQN26's price, over the 1 bp limit.
    # Solved anyway, the mids of 07-20 give 59.6% hold where CME published 85.6% (CME reads
    # the decision from ZQQ26, which the saved page lacks): no number is shown, only why.
    assert computed.sensitivity_bp == pytest.approx(3.875)
    assert computed.distribution is None
    assert computed.reason is not None
    assert "3.9 bp per 0.0025" in computed.reason
    assert "next month's contract" in computed.reason
    # Later meetings: CME's numbers only (module docstring of report/odds_history.py).
    assert history.published_at(date(2026, 9, 16)) is not None
    assert history.computed_at(date(2026, 9, 16)) is None


def test_without_a_settled_anchor_carrywatch_says_why(store: Store, catalog: Catalog) -> None:
    # On 2026-08-22 the next meeting is 2026-09-16; July 2026 holds a decision and the daily
    # EFFR in the snapshot ends 2026-07-22, and no month without a decision is priced.
    history = _history(store, catalog, date(2026, 8, 22))
    computed = history.computed_at(date(2026, 9, 16))
    assert computed is not None
    assert computed.distribution is None
    assert computed.reason is not None
    assert "anchor" in computed.reason


def test_before_any_quote_there_is_nothing(store: Store, catalog: Catalog) -> None:
    history = _history(store, catalog, date(2025, 11, 1))
    assert history.quotes == ()
    assert history.path == ()
    assert history.published == ()


def test_the_brief_as_of_5_december_2025_shows_both_venues(store: Store, catalog: Catalog) -> None:
    report = build_report(store, catalog, date(2025, 12, 5))
    odds = next(s for s in report.sections if s.key == "odds")
    (table,) = odds.tables
    row = next(r for r in table.rows if r[0] == "FOMC" and r[1] == "2025-12-10")
    assert "Polymarket: no change" in str(row[6])
    assert "Kalshi: no change" in str(row[6])
    assert any(f.key == "odds_quotes_fed" and f.has_data for f in odds.figures)
    # The bars: each venue's no-change probability at the meeting, as a "hold" bar.
    bars = next(f for f in odds.figures if f.key == "odds_by_meeting").spec["data"]
    assert any(t["name"] == "hold" for t in bars)


def test_the_table_summarises_cme_as_fedwatch_does(store: Store, catalog: Catalog) -> None:
    # CME FedWatch published 85.6% hold (3.50-3.75%) / 14.4% hike (3.75-4.00%) for
    # 2026-07-29 on 2026-07-20, with 3.50-3.75% in force: expected move 25 * 0.144 = 3.6 bp.
    asof = date(2026, 7, 20)
    history = _history(store, catalog, asof)
    inputs = BriefInputs.load(store, catalog, asof, ODDS_READS)
    section = odds_section(inputs, [bank_odds(inputs, "fed", None)], history=history)
    table = section.tables[0]
    july = next(r for r in table.rows if r[1] == JUL29.isoformat())
    row = dict(zip(table.columns, july, strict=True))
    assert row["cut / hold / hike"] == (
        "CME FedWatch (published): 0.0% / 85.6% / 14.4%, +3.6 bp from today"
    )
