"""The policy-odds figures that ``diff`` and "What changed since" compare.

Two kinds:

* every **stored odds series**: CME FedWatch's published probability of each target range
  (``us.fomc_odds.<meeting>.cme_fedwatch.<range>``, percent), Polymarket's and Kalshi's
  quotes (``us.fomc_odds.<meeting>.<venue>.hold``, probability 0-1) and the ZQ mid of each
  meeting month (``us.fedfunds_futures.<contract>.mid``), each as of a day like any series;
* per FOMC meeting with CME's published table, **P(cut) / P(hold) / P(hike)** as the brief
  summarises it (:func:`~carrywatch.analytics.odds.summary.published_summary`): target
  ``odds.fed.<meeting>.cme_fedwatch.<p_cut|p_hold|p_hike>``, in percent. As of a day, the
  table is CME's newest saved day among the meeting's ranges with a fresh value (the ranges
  saved that day, as the brief's odds section takes it), against the target range in
  force that day (both ends of the Fed's range fresh and of one day, else the range the
  last FOMC statement set, ``events.toml``).

carrywatch's own FedWatch computation from the ZQ mids is not among them: the brief
computes it for the next meeting only, on the days the saved page pins it (the mids
themselves are compared).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.odds.summary import published_summary
from carrywatch.analytics.published_odds import published_ranges
from carrywatch.analytics.units import fraction_to_pct
from carrywatch.catalog.odds_series import OddsSeries, futures_mid_series, odds_series
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import AnalyticsError
from carrywatch.report.meeting_odds import decided_range
from carrywatch.report.metric_history import MetricPath

__all__ = [
    "RANGE_SERIES",
    "SUMMARY_OUTCOMES",
    "is_odds_target",
    "is_summary",
    "odds_targets",
    "summary_paths",
    "summary_reads",
]

#: The Fed's target range, lower and upper end (the range in force for the summaries).
RANGE_SERIES: Final = ("us.fed.target_lower", "us.fed.target_upper")
#: The summary's outcomes, in the order the brief writes them.
SUMMARY_OUTCOMES: Final = ("p_cut", "p_hold", "p_hike")
_VENUE: Final = "cme_fedwatch"
_SUMMARY_ID: Final = re.compile(
    r"^odds\.fed\.(?P<meeting>\d{4}-\d{2}-\d{2})\.cme_fedwatch\.(?P<outcome>p_cut|p_hold|p_hike)$"
)

#: The value (NaN: none) and obs_date (NaT) of a stored series on each day of a calendar.
SeriesAsDays = Callable[[str], tuple[npt.NDArray[np.float64], npt.NDArray[np.datetime64]]]


def _published_tables(catalog: Catalog) -> dict[date, list[OddsSeries]]:
    """CME's published range series of each meeting."""
    out: dict[date, list[OddsSeries]] = {}
    for s in odds_series(catalog):
        if s.venue == _VENUE and s.range_pct is not None:
            out.setdefault(s.meeting, []).append(s)
    return out


def odds_targets(catalog: Catalog) -> tuple[str, ...]:
    """Every odds figure: the stored odds series, the ZQ mids, then the summaries of each
    meeting with a published table."""
    stored = [s.series_id for s in odds_series(catalog)] + list(futures_mid_series(catalog))
    summaries = [
        f"odds.fed.{meeting.isoformat()}.{_VENUE}.{outcome}"
        for meeting in sorted(_published_tables(catalog))
        for outcome in SUMMARY_OUTCOMES
    ]
    return (*stored, *summaries)


def is_summary(target: str) -> bool:
    """Whether ``target`` names a meeting's P(cut) / P(hold) / P(hike)."""
    return _SUMMARY_ID.match(target) is not None


def is_odds_target(target: str) -> bool:
    """Whether ``target`` is an odds figure (a stored odds series, a ZQ mid, a summary)."""
    return target.startswith(("us.fomc_odds.", "us.fedfunds_futures.")) or is_summary(target)


def _meeting(target: str) -> date:
    match = _SUMMARY_ID.match(target)
    if match is None:
        raise ValueError(f"{target!r} is not a summary target")
    return date.fromisoformat(match["meeting"])


def summary_reads(catalog: Catalog, targets: Sequence[str]) -> list[str]:
    """The stored series the summaries among ``targets`` need: their meetings' published
    ranges and the Fed's target range."""
    meetings = {_meeting(t) for t in targets if is_summary(t)}
    if not meetings:
        return []
    tables = _published_tables(catalog)
    ids = [s.series_id for m in sorted(meetings) for s in tables.get(m, [])]
    return [*ids, *RANGE_SERIES]


def summary_reads_each(catalog: Catalog, targets: Sequence[str]) -> dict[str, list[str]]:
    """:func:`summary_reads` of each summary among ``targets`` on its own (the catalog's
    published tables looked up once for all)."""
    tables = _published_tables(catalog)
    return {
        t: [*(s.series_id for s in tables.get(_meeting(t), [])), *RANGE_SERIES]
        for t in targets
        if is_summary(t)
    }


def _ranges_in_force(
    as_days: SeriesAsDays, catalog: Catalog, days: pd.DatetimeIndex
) -> list[tuple[float, float] | None]:
    """The Fed's target range in force on each day: both ends fresh and of one day (as the
    brief's odds section requires), else the range of the last FOMC statement."""
    (low, low_obs), (high, high_obs) = (as_days(sid) for sid in RANGE_SERIES)
    out: list[tuple[float, float] | None] = []
    for i, stamp in enumerate(days):
        lo, hi = float(low[i]), float(high[i])
        if np.isfinite(lo) and np.isfinite(hi) and low_obs[i] == high_obs[i] and lo < hi:
            out.append((lo, hi))
        else:
            out.append(decided_range(catalog.fomc, stamp.date()))
    return out


def summary_paths(
    as_days: SeriesAsDays,
    catalog: Catalog,
    targets: Sequence[str],
    days: pd.DatetimeIndex,
) -> dict[str, MetricPath]:
    """Each summary target among ``targets`` as of each of ``days`` (module docstring):
    P(outcome) in percent and the obs_date of the table it comes from, NaN where no table
    is fresh or no range in force is known."""
    wanted = [t for t in targets if is_summary(t)]
    if not wanted:
        return {}
    tables = _published_tables(catalog)
    in_force = _ranges_in_force(as_days, catalog, days)
    out: dict[str, MetricPath] = {}
    for meeting in sorted({_meeting(t) for t in wanted}):
        series = tables.get(meeting, [])
        columns = [as_days(s.series_id) for s in series]
        values = {o: np.full(len(days), np.nan) for o in SUMMARY_OUTCOMES}
        obs_dates = np.full(len(days), np.datetime64("NaT", "D"))
        for i in range(len(days)):
            present = [
                (s, float(v[i]), o[i])
                for s, (v, o) in zip(series, columns, strict=True)
                if np.isfinite(v[i])
            ]
            now = in_force[i]
            if not present or now is None:
                continue
            newest = max(o for _, _, o in present)
            ranges = {s.range_pct: v for s, v, o in present if o == newest and s.range_pct}
            try:
                summary = published_summary(meeting, _VENUE, published_ranges(ranges), now)
            except AnalyticsError:
                continue
            for outcome in SUMMARY_OUTCOMES:
                # (rounded as the metrics are: 27.2, not 27.200000000000003)
                values[outcome][i] = round(float(fraction_to_pct(getattr(summary, outcome))), 10)
            obs_dates[i] = newest
        for outcome in SUMMARY_OUTCOMES:
            key = f"odds.fed.{meeting.isoformat()}.{_VENUE}.{outcome}"
            if key in wanted:
                out[key] = MetricPath(key, "percent", values[outcome], obs_dates)
    return out
