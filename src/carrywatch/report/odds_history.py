"""The stored policy-odds histories as the brief sees them on its date.

The store holds, as ordinary series (see :mod:`carrywatch.catalog.odds_series`):

* prediction-market quotes (``us.fomc_odds.<meeting>.polymarket|kalshi.<outcome>``): every
  quote known from its moment, the newest of a UTC day being that day's last quote;
* CME FedWatch's published probabilities (``us.fomc_odds.<meeting>.cme_fedwatch.<range>``),
  one value per day CME's page was saved, with the mid price of each meeting month's ZQ
  contract (``us.fedfunds_futures.<code>.mid``).

:func:`odds_history` reads them up to the brief's date (what was quoted or published by
then, within the staleness limit of a daily series) for the meetings after it, and adds
carrywatch's own FedWatch computation where the stored contracts allow it:

The futures engine (:func:`~carrywatch.analytics.odds.futures.futures_implied_odds`, with its
default conventions, which the result states) needs each meeting month's price and a
month without a decision to anchor the chain. The saved page gives only the meeting
months' contracts. Months already over are anchored by their final settlement, 100 minus
the month's average daily EFFR (:func:`~carrywatch.analytics.published_odds.
expired_month_settlement` on ``us.fed.dff``). That pins the *next* meeting: its start
rate from the settled months, its end rate from its own month's mid. Each later meeting
would be solved from the days of its month after the decision alone (CME's tool uses the
following month's contract instead, which the saved page does not show), which
multiplies the price's rounding by days-in-month / days-after-decision at every step; so
carrywatch computes the next meeting only and leaves later ones to CME's published
numbers, saying so. The next meeting is itself solved that way when no month after it is
priced, so its implied rate moves by
:func:`~carrywatch.analytics.published_odds.end_rate_sensitivity_bp` per 0.0025 of the
price; above :data:`LATE_IN_MONTH_BP` (a decision late in its month) carrywatch computes
no odds and its cell says why, rather than set a fragile number beside CME's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

import pandas as pd

from carrywatch.analytics.odds.distribution import OddsDistribution, RangeProbability
from carrywatch.analytics.odds.futures import contract_month, futures_implied_odds
from carrywatch.analytics.published_odds import (
    end_rate_sensitivity_bp,
    expired_month_settlement,
    largest_difference_pp,
    published_ranges,
)
from carrywatch.catalog.odds_series import OddsSeries, futures_mid_series, odds_series
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import AnalyticsError
from carrywatch.report.inputs import BriefInputs
from carrywatch.store.sqlite import Store

__all__ = [
    "DAILY_EFFR",
    "PATH_DAYS",
    "ComputedOdds",
    "OddsHistory",
    "PublishedOdds",
    "QuotedOdds",
    "odds_history",
]

#: The daily effective federal funds rate that settles expired ZQ months (FRED DFF).
DAILY_EFFR: Final = "us.fed.dff"
#: How far back the path of a meeting's quotes is drawn from the brief's date.
PATH_DAYS: Final = 90
#: Expired months read for anchors, counted back from the month of the contracts' day.
_ANCHOR_MONTHS: Final = 3


@dataclass(frozen=True, slots=True)
class PublishedOdds:
    """CME FedWatch's published distribution of one meeting, as saved on ``obs_date``."""

    meeting: date
    obs_date: date
    probabilities: tuple[RangeProbability, ...]
    series_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuotedOdds:
    """A venue's last quote of one outcome at one meeting on or before the brief's date."""

    meeting: date
    venue: str
    outcome: str
    probability: float
    obs_date: date
    series_id: str


#: Above this sensitivity (bp of the meeting's implied rate per 0.0025 of its month's ZQ
#: price) carrywatch computes no odds from the saved page: a half tick of price would move
#: the probabilities by more than 4 pp (1 bp of a 25 bp step). A mid-month decision is
#: about 0.5 bp; one two days before the month ends, 3.9 bp.
LATE_IN_MONTH_BP: Final = 1.0


@dataclass(frozen=True, slots=True)
class ComputedOdds:
    """carrywatch's FedWatch computation for one meeting from the stored ZQ mids, or why
    there is none; ``convention`` says how it was computed."""

    meeting: date
    distribution: OddsDistribution | None
    reason: str | None
    convention: str
    largest_difference_pp: float | None = None
    series_ids: tuple[str, ...] = ()
    #: bp the meeting's implied rate moves per 0.0025 of its month's price, solved from the
    #: month's days after the decision (see the module docstring).
    sensitivity_bp: float | None = None


@dataclass(frozen=True, slots=True)
class OddsHistory:
    """The odds histories of the meetings after the brief's date (module docstring)."""

    inputs: BriefInputs
    published: tuple[PublishedOdds, ...]
    quotes: tuple[QuotedOdds, ...]
    computed: tuple[ComputedOdds, ...]
    #: The meeting whose quotes are drawn over time, and one line per venue and outcome.
    path_meeting: date | None
    path: tuple[tuple[QuotedOdds, pd.Series], ...]

    def published_at(self, meeting: date) -> PublishedOdds | None:
        return next((p for p in self.published if p.meeting == meeting), None)

    def quotes_at(self, meeting: date) -> list[QuotedOdds]:
        return [q for q in self.quotes if q.meeting == meeting]

    def computed_at(self, meeting: date) -> ComputedOdds | None:
        return next((c for c in self.computed if c.meeting == meeting), None)

    @property
    def used(self) -> tuple[str, ...]:
        """Every series behind a published, quoted or computed figure."""
        ids = [sid for p in self.published for sid in p.series_ids]
        ids += [q.series_id for q in self.quotes]
        ids += [sid for c in self.computed for sid in c.series_ids]
        return tuple(dict.fromkeys(ids))


def odds_history(
    store: Store,
    catalog: Catalog,
    asof: date,
    range_pct: tuple[float, float] | None,
) -> OddsHistory:
    """The stored odds of the FOMC meetings after ``asof`` (see the module docstring).

    ``range_pct`` is the Fed's target range in force on ``asof`` (None when unknown: then
    carrywatch computes nothing, since the tree starts from it).
    """
    # Whole markets (event series) are distributions: report.market_quotes reads them.
    series = [s for s in odds_series(catalog) if s.meeting > asof and not s.event]
    mids = futures_mid_series(catalog)
    ids = [s.series_id for s in series] + list(mids) + [DAILY_EFFR]
    inputs = BriefInputs.load(store, catalog, asof, ids)
    published = _published(inputs, series)
    quotes = _quotes(inputs, series)
    computed = _computed(inputs, catalog, asof, mids=mids, range_pct=range_pct, published=published)
    path_meeting, path = _path(store, inputs, series, asof)
    return OddsHistory(
        inputs=inputs,
        published=published,
        quotes=quotes,
        computed=computed,
        path_meeting=path_meeting,
        path=path,
    )


def _published(inputs: BriefInputs, series: list[OddsSeries]) -> tuple[PublishedOdds, ...]:
    """Per meeting, CME's ranges as saved on the newest day with a fresh value."""
    by_meeting: dict[date, list[tuple[OddsSeries, float, date]]] = {}
    for s in series:
        found = inputs.latest(s.series_id)
        if s.venue != "cme_fedwatch" or found.value is None or found.obs_date is None:
            continue
        by_meeting.setdefault(s.meeting, []).append((s, found.value, found.obs_date))
    out = []
    for meeting, rows in sorted(by_meeting.items()):
        day = max(d for _, _, d in rows)
        kept = [(s, v) for s, v, d in rows if d == day and s.range_pct is not None]
        ranges = {s.range_pct: v for s, v in kept if s.range_pct is not None}
        out.append(
            PublishedOdds(
                meeting=meeting,
                obs_date=day,
                probabilities=published_ranges(ranges),
                series_ids=tuple(s.series_id for s, _ in kept),
            )
        )
    return tuple(out)


def _quotes(inputs: BriefInputs, series: list[OddsSeries]) -> tuple[QuotedOdds, ...]:
    out = []
    for s in series:
        if s.venue == "cme_fedwatch":
            continue
        found = inputs.latest(s.series_id)
        if found.value is None or found.obs_date is None:
            continue
        out.append(
            QuotedOdds(s.meeting, s.venue, s.outcome, found.value, found.obs_date, s.series_id)
        )
    return tuple(out)


def _path(
    store: Store, inputs: BriefInputs, series: list[OddsSeries], asof: date
) -> tuple[date | None, tuple[tuple[QuotedOdds, pd.Series], ...]]:
    """The first meeting after ``asof`` with a fresh quote: each venue's quotes over the
    last :data:`PATH_DAYS` days as they were known by the end of ``asof`` (UTC), at their
    moment (:meth:`Store.revisions`)."""
    quoted = [s for s in series if s.venue != "cme_fedwatch"]
    first = asof - timedelta(days=PATH_DAYS)
    end_of_day = datetime.combine(asof + timedelta(days=1), time(), tzinfo=UTC) - timedelta(
        seconds=1
    )
    for meeting in sorted({s.meeting for s in quoted}):
        lines = []
        for s in (q for q in quoted if q.meeting == meeting):
            found = inputs.latest(s.series_id)
            if found.value is None or found.obs_date is None:
                continue
            history = store.revisions(s.series_id, start=first, known_at=end_of_day)
            if len(history) < 2:
                continue
            quote = QuotedOdds(
                meeting, s.venue, s.outcome, found.value, found.obs_date, s.series_id
            )
            lines.append((quote, history))
        if lines:
            return meeting, tuple(lines)
    return None, ()


def _computed(
    inputs: BriefInputs,
    catalog: Catalog,
    asof: date,
    *,
    mids: Mapping[str, str],
    range_pct: tuple[float, float] | None,
    published: tuple[PublishedOdds, ...],
) -> tuple[ComputedOdds, ...]:
    """carrywatch's odds of the next meeting from the ZQ mids of the newest day with
    fresh mids, anchored by the settled averages of the months before (module docstring)."""
    upcoming = [m.date for m in catalog.fomc if m.date > asof]
    latest = {sid: inputs.latest(sid) for sid in mids}
    fresh = {sid: v for sid, v in latest.items() if v.value is not None and v.obs_date}
    if not upcoming or not fresh:
        return ()
    meeting = upcoming[0]
    day = max(v.obs_date for v in fresh.values() if v.obs_date is not None)
    prices: dict[pd.Period, float] = {}
    used: list[str] = []
    for sid, value in fresh.items():
        if value.obs_date == day and value.value is not None:
            prices[contract_month(mids[sid], reference=day)] = value.value
            used.append(sid)
    effr = inputs.series(DAILY_EFFR)
    settled = []
    for back in range(1, _ANCHOR_MONTHS + 1):
        month = pd.Period(day, freq="M") - back
        price = expired_month_settlement(effr, month)
        if price is not None and month not in prices:
            prices[month] = price
            settled.append(str(month))
    if settled:
        used.append(DAILY_EFFR)
    convention = (
        f"FedWatch tree (carrywatch's futures engine, default conventions) on the ZQ mids "
        f"of {day}"
        + (
            f" and the settled averages of {', '.join(sorted(settled))} (100 - mean daily "
            f"EFFR, {DAILY_EFFR})"
            if settled
            else ""
        )
    )
    if range_pct is None:
        return (ComputedOdds(meeting, None, "no target range in force is known", convention),)
    settlements = pd.DataFrame([prices], index=pd.Index([day], name="trade_date"))
    try:
        odds = futures_implied_odds(settlements, [m.date for m in catalog.fomc], range_pct)
    except AnalyticsError as exc:
        return (ComputedOdds(meeting, None, str(exc), convention),)
    convention = f"{convention}; {odds.conventions.label(day)}"
    month = pd.Period(meeting, freq="M")
    counts_at = odds.conventions.announcement_day_on(day)
    days_after = month.days_in_month - meeting.day + (1 if counts_at == "new" else 0)
    sensitivity = (
        end_rate_sensitivity_bp(month.days_in_month, days_after) if days_after > 0 else None
    )
    if sensitivity is not None and sensitivity > LATE_IN_MONTH_BP:
        # A number this fragile would sit beside CME's as if comparable; CME reads such a
        # meeting from the next month's contract, which the saved page does not carry.
        fragile = (
            f"not computed: the decision leaves {days_after} day(s) of its month, so its "
            f"implied rate would move {sensitivity:.1f} bp per 0.0025 of ZQ price (over "
            f"{LATE_IN_MONTH_BP:g} bp); CME reads it from the next month's contract, absent "
            "from the saved page"
        )
        return (
            ComputedOdds(
                meeting,
                None,
                fragile,
                convention,
                series_ids=tuple(used),
                sensitivity_bp=sensitivity,
            ),
        )
    dist = odds.as_distribution(day, meeting) if meeting in odds.meetings else None
    if dist is None or dist.refused:
        reason = dist.reason if dist is not None else "the meeting is not in the calendar"
        return (ComputedOdds(meeting, None, reason, convention, series_ids=tuple(used)),)
    cme = next((p for p in published if p.meeting == meeting and p.obs_date == day), None)
    gap = None if cme is None else largest_difference_pp(cme.probabilities, dist.probabilities)
    return (ComputedOdds(meeting, dist, None, convention, gap, tuple(used), sensitivity),)
