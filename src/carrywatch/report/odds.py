"""Policy odds by meeting for one bank, every source side by side.

Joins the catalog (meeting calendar), the store (the target range in force) and the
analytics engines: the CME FedWatch method on fed funds futures settlements
(:mod:`carrywatch.analytics.odds.futures`), the same tree on a path of expected overnight
rates (OIS or TONA forwards; the way to BOJ odds), and prediction-market distributions
(built by the caller from the stored Kalshi and Polymarket quotes) compared with the
futures- or path-implied reference (:mod:`carrywatch.analytics.odds.comparison`).

Inputs given as files are read by the one reader of users' CSV files
(:func:`carrywatch.files.user_csv_rows`) and parsed here with clear errors:

``--futures FILE``  CSV ``contract,settle``: ``contract`` a CME code (``ZQK23``, ``ZQK3``,
                    ``ZQZ25.CBT``) or a month (``2023-05``), ``settle`` the price.
``--path FILE``     CSV ``start,end,rate`` (the average overnight rate expected over
                    [start, end)) or ``tenor,rate`` (spot OIS rates, bootstrapped to
                    meeting-to-meeting forwards): :mod:`carrywatch.analytics.odds.rate_path`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from carrywatch.analytics.alignment import latest_asof, staleness_limit
from carrywatch.analytics.odds.comparison import Comparison, compare
from carrywatch.analytics.odds.conventions import CME, Conventions
from carrywatch.analytics.odds.distribution import OddsDistribution, odds_json
from carrywatch.analytics.odds.futures import contract_month, futures_implied_odds
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.rate_path import (
    BOJ_FLOOR_PCT,
    path_implied_odds,
    rate_path_from_rows,
)
from carrywatch.analytics.odds.summary import MeetingSummary, meeting_summaries
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import ConfigError
from carrywatch.files import user_csv_rows
from carrywatch.store.sqlite import Store

__all__ = [
    "Bank",
    "OddsReport",
    "current_range",
    "meeting_dates",
    "parse_range",
    "policy_odds",
    "settlements_from_csv",
]

Bank = Literal["fed", "boj"]

_RANGE_SERIES: dict[str, tuple[str, str]] = {
    "fed": ("us.fed.target_lower", "us.fed.target_upper"),
    "boj": ("jp.boj.policy_rate_lower", "jp.boj.policy_rate"),
}


@dataclass(frozen=True, slots=True)
class OddsReport:
    """Every source's distribution for each upcoming meeting, and the comparisons."""

    bank: Bank
    asof: date
    current_range_pct: tuple[float, float]
    distributions: tuple[OddsDistribution, ...]
    comparisons: tuple[Comparison, ...]
    notes: tuple[str, ...]
    conventions: Conventions = CME
    summaries: tuple[MeetingSummary, ...] = ()

    def to_json(self) -> dict[str, object]:
        """``{"bank", "asof", "meetings": [{"date", "source", "distribution": [...]}],
        "summary": [{"date", "source", "p_cut", "p_hold", "p_hike", ...}], "conventions":
        {"chain", "announcement_day", "announcement_day_counts_at", "step_bp"}}``."""
        document = odds_json(self.bank, self.asof, self.distributions)
        document["summary"] = [s.to_json() for s in self.summaries]
        document["conventions"] = self.conventions.describe(self.asof)
        return document

    @property
    def refused(self) -> tuple[OddsDistribution, ...]:
        return tuple(d for d in self.distributions if d.refused)


def meeting_dates(catalog: Catalog, bank: Bank) -> tuple[date, ...]:
    """All decision days of ``bank`` in the catalog (past ones shape the averages too)."""
    meetings = catalog.fomc if bank == "fed" else catalog.boj
    return tuple(m.date for m in meetings)


def current_range(store: Store, bank: Bank, asof: date) -> tuple[float, float]:
    """The target range in force on ``asof`` from the store; ``ConfigError`` saying to pass
    ``--target-range`` when it is missing or stale."""
    lower_id, upper_id = _RANGE_SERIES[bank]
    frame = store.read([lower_id, upper_id], asof=asof)
    limit = staleness_limit("daily" if bank == "fed" else "event")
    found = []
    for sid in (lower_id, upper_id):
        rows = frame[frame["series_id"] == sid]
        series = pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["obs_date"]))
        value = latest_asof(series, asof, limit, series_id=sid)
        if value.value is None:
            raise ConfigError(
                f"no target range in the store for {asof}: {value.reason}; "
                "pass --target-range LOWER,UPPER"
            )
        found.append(value.value)
    return found[0], found[1]


def settlements_from_csv(body: bytes, trade_date: date) -> pd.DataFrame:
    """One row of ZQ settlements (index ``trade_date``, columns contract months)."""
    rows = user_csv_rows(body, what="--futures file")
    header = [f.lower() for f in rows[0][1]] if rows else []
    if header[:2] != ["contract", "settle"]:
        raise ConfigError(
            f"the futures file needs the header 'contract,settle'; found {header[:4]}"
        )
    prices: dict[pd.Period, float] = {}
    for line_no, fields in rows[1:]:
        code, settle = fields[0], (fields[1] if len(fields) > 1 else "")
        if not code:
            continue
        month = contract_month(code, reference=trade_date)
        try:
            price = float(settle)
        except ValueError:
            raise ConfigError(f"line {line_no}: settle {settle!r} is not a number") from None
        if not 0.0 < price <= 100.0:
            raise ConfigError(f"line {line_no}: settle {price} is not a ZQ price (0, 100]")
        if month in prices:
            raise ConfigError(f"line {line_no}: contract month {month} appears twice")
        prices[month] = price
    if not prices:
        raise ConfigError("the futures file holds no settlement")
    return pd.DataFrame([prices], index=pd.Index([trade_date], name="trade_date"))


def policy_odds(
    catalog: Catalog,
    bank: Bank,
    asof: date,
    range_pct: tuple[float, float],
    *,
    futures_csv: bytes | None = None,
    path_csv: bytes | None = None,
    markets: Sequence[OddsDistribution] = (),
    horizon_meetings: int = 8,
    conventions: Conventions = CME,
) -> OddsReport:
    """The odds of the next ``horizon_meetings`` meetings after ``asof`` from every source;
    the futures and path engines use ``conventions`` (default: CME's live tool)."""
    meetings = meeting_dates(catalog, bank)
    upcoming = [m for m in meetings if m > asof][:horizon_meetings]
    notes: list[str] = []
    if not upcoming:
        notes.append(f"no {bank.upper()} meeting after {asof} in the published calendar")
    reference = _reference(
        bank,
        asof,
        meetings,
        range_pct,
        futures_csv=futures_csv,
        path_csv=path_csv,
        conventions=conventions,
    )
    if reference is None:
        notes.append(
            "no futures settlements (--futures FILE) or rate path (--path FILE) given: "
            "no exchange-implied reference"
        )
    distributions: list[OddsDistribution] = []
    if reference is not None:
        notes.extend(reference.notes)
        for meeting in upcoming:
            if meeting in reference.meetings:
                distributions.append(reference.as_distribution(asof, meeting))
    kept_markets = [d for d in markets if d.meeting in upcoming]
    if not kept_markets:
        notes.append(
            f"no prediction-market distribution (a whole market) stored on or before {asof} "
            f"for these meetings (`carrywatch markets refresh {bank}` stores them)"
        )
    distributions.extend(kept_markets)
    comparisons = []
    for meeting in upcoming:
        here = [d for d in distributions if d.meeting == meeting]
        refs = [d for d in here if d.source in {"futures", "path"} and not d.refused]
        others = [d for d in here if d.source not in {"futures", "path"}]
        if refs and others:
            comparisons.append(compare(refs[0], others))
    if not distributions and upcoming:
        notes.append("no source priced any upcoming meeting")
    return OddsReport(
        bank=bank,
        asof=asof,
        current_range_pct=range_pct,
        distributions=tuple(distributions),
        comparisons=tuple(comparisons),
        notes=tuple(notes),
        conventions=conventions,
        summaries=meeting_summaries(distributions, range_pct),
    )


def _reference(
    bank: Bank,
    asof: date,
    meetings: Sequence[date],
    range_pct: tuple[float, float],
    *,
    futures_csv: bytes | None,
    path_csv: bytes | None,
    conventions: Conventions,
) -> PolicyOdds | None:
    """The futures- or path-implied odds, or ``None`` when neither input was given."""
    if futures_csv is not None:
        if bank != "fed":
            raise ConfigError("--futures holds fed funds futures: use it with `odds fed`")
        settlements = settlements_from_csv(futures_csv, asof)
        return futures_implied_odds(settlements, meetings, range_pct, conventions=conventions)
    if path_csv is not None:
        floor = BOJ_FLOOR_PCT if bank == "boj" else 0.0
        try:
            path = rate_path_from_rows(
                user_csv_rows(path_csv, what="--path file"),
                valuation_date=asof,
                meetings=meetings,
                conventions=conventions,
                floor_pct=floor,
            )
            return path_implied_odds(
                path, meetings, range_pct, conventions=conventions, floor_pct=floor
            )
        except ValueError as exc:
            raise ConfigError(f"--path file: {exc}") from None
    return None


def parse_range(text: str) -> tuple[float, float]:
    """``"5.25,5.50"`` as (5.25, 5.5); ``ConfigError`` on anything else."""
    parts = text.split(",")
    try:
        lower, upper = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"--target-range {text!r}: use LOWER,UPPER in percent, e.g. 5.25,5.50"
        ) from None
    if lower > upper:
        raise ConfigError(f"--target-range {text!r}: the lower bound exceeds the upper")
    return lower, upper
