"""Prediction-market distributions from the stored quotes of whole markets.

``carrywatch markets refresh fed|boj`` stores every outcome of a Polymarket event and every
strike of a Kalshi ladder as odds series (event series of
:mod:`carrywatch.catalog.odds_series`: the probability, with the best bid, best ask and
volume beside it). :class:`StoredMarkets` reads those of the brief's window once and gives,
for a bank, a day and the target range in force that day, each market's distribution of
every meeting as of the end of that day:

* each outcome's last quote by then (the newest revision of its newest day), provided it
  is at most :data:`~carrywatch.analytics.alignment.STALENESS_LIMITS` old (a daily series:
  7 days); an outcome no longer quoted drops out with its market;
* the quotes of one meeting on one venue are one market: strikes (``above_<bp>``) form a
  ladder (:func:`~carrywatch.analytics.odds.prediction_markets.ladder_distribution`),
  moves (``hold``, ``cut_25`` ...) a multi-outcome event
  (:func:`~carrywatch.analytics.odds.prediction_markets.outcome_distribution`), by the
  shape of the outcome codes, whatever the venue;
* a quote's time is the moment it became known (``known_from``): the first retrieval of
  its day at its price, since an unchanged price adds no revision of the day. The
  markets' ``stale`` flag therefore reads "no quote of this market within 24 h of the
  cut-off" (no refresh that day, or the same prices all day long).

Moves are placed on the range in force; for any meeting but the first on or after the
day, another decision may move that range first: such distributions carry an ``anchor``
flag.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS
from carrywatch.analytics.odds.distribution import SOURCES, OddsDistribution
from carrywatch.analytics.odds.prediction_markets import (
    LadderQuote,
    OutcomeQuote,
    ladder_distribution,
    outcome_distribution,
)
from carrywatch.catalog.odds_series import ODDS_FAMILIES, OddsSeries, bank_meetings, odds_series
from carrywatch.catalog.spec import Catalog
from carrywatch.frames import QUOTE_FIELDS, outcome_label, outcome_strike
from carrywatch.store.sqlite import Store

__all__ = ["StoredMarkets"]

#: How old an outcome's last quote may be and still count (a daily series' limit).
_QUOTE_LIMIT = STALENESS_LIMITS["daily"]


@dataclass(frozen=True, slots=True)
class _Quote:
    value: float
    moment: datetime
    fields: dict[str, float]


@dataclass(frozen=True, slots=True)
class StoredMarkets:
    """The stored market quotes of both banks over a window (see the module docstring)."""

    catalog: Catalog
    #: Per bank, its event series and, per series id, the quotes (obs_date, value,
    #: known_from) in date order.
    series: dict[str, tuple[OddsSeries, ...]]
    rows: dict[str, pd.DataFrame]

    @classmethod
    def load(cls, store: Store, catalog: Catalog, asof: date, days_back: int) -> StoredMarkets:
        """Read every event series' quotes from ``days_back`` days (plus the staleness
        limit) before ``asof`` to ``asof`` (one query)."""
        found = {
            bank: tuple(s for s in odds_series(catalog, bank) if s.event) for bank in ODDS_FAMILIES
        }
        ids = [s.series_id for group in found.values() for s in group]
        ids += [
            f"{sid}.{f}"
            for sid in list(ids)
            for f in QUOTE_FIELDS
            if f"{sid}.{f}" in catalog.series
        ]
        start = asof - timedelta(days=days_back) - _QUOTE_LIMIT
        frame = store.read(ids, start=start, asof=asof, releases=catalog.calendar.release_dates)
        rows = {
            str(sid): part[["obs_date", "value", "known_from"]].reset_index(drop=True)
            for sid, part in frame.groupby("series_id", sort=False)
        }
        return cls(catalog=catalog, series=found, rows=rows)

    @property
    def days(self) -> list[date]:
        """The days some market was quoted, oldest first."""
        found = {pd.Timestamp(d).date() for part in self.rows.values() for d in part["obs_date"]}
        return sorted(found)

    def __call__(
        self, bank: str, day: date, current_range: tuple[float, float]
    ) -> list[OddsDistribution]:
        """Each market's distribution of ``bank``'s meetings as of the end of ``day``,
        anchored on ``current_range`` (percent, lower <= upper). Sorted by meeting, then
        source; nothing quoted: an empty list."""
        upcoming = next((d for d, _ in bank_meetings(self.catalog, bank) if d >= day), None)
        markets: dict[tuple[date, str], list[tuple[OddsSeries, _Quote]]] = defaultdict(list)
        for s in self.series.get(bank, ()):
            quote = self._quote(s.series_id, day)
            if quote is not None:
                markets[(s.meeting, s.venue)].append((s, quote))
        out = []
        for (meeting, _), quotes in markets.items():
            dist = _distribution(quotes, meeting, day, current_range)
            if dist is None:
                continue
            if dist.meeting != upcoming and not any(outcome_strike(s.outcome) for s, _ in quotes):
                dist = _anchor_flagged(dist, day, current_range)
            out.append(dist)
        return sorted(out, key=lambda d: (d.meeting, SOURCES.index(d.source)))

    def _quote(self, series_id: str, day: date) -> _Quote | None:
        last = _last_row(self.rows.get(series_id), day)
        if last is None:
            return None
        obs_date, value, moment = last
        fields = {}
        for field in QUOTE_FIELDS:
            # A field of the same quote: the row of the same day (bid and ask may be
            # absent when a side had no order).
            row = _last_row(self.rows.get(f"{series_id}.{field}"), day)
            fields[field] = row[1] if row is not None and row[0] == obs_date else math.nan
        return _Quote(value=value, moment=moment, fields=fields)


def _last_row(rows: pd.DataFrame | None, day: date) -> tuple[date, float, datetime] | None:
    """``(obs_date, value, known_from)`` of the newest row on or before ``day``, unless it
    is older than the staleness limit."""
    if rows is None or rows.empty:
        return None
    dates = rows["obs_date"].to_numpy()
    i = int(np.searchsorted(dates, np.datetime64(day, "ns"), side="right")) - 1
    if i < 0:
        return None
    obs_date = pd.Timestamp(dates[i]).date()
    if day - obs_date > _QUOTE_LIMIT:
        return None
    moment = pd.Timestamp(rows["known_from"].iloc[i])
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return obs_date, float(rows["value"].iloc[i]), moment.to_pydatetime()


def _distribution(
    quotes: list[tuple[OddsSeries, _Quote]],
    meeting: date,
    day: date,
    current_range: tuple[float, float],
) -> OddsDistribution | None:
    """One market's distribution: a ladder when every outcome is a strike, an event when
    every one is a move; None for a mix (no market quotes both)."""
    strikes = [(outcome_strike(s.outcome), q) for s, q in quotes]
    if all(k is not None for k, _ in strikes):
        ladder = [
            LadderQuote(
                strike_pct=float(k),
                strike_type="greater",
                yes_bid=q.fields["bid"],
                yes_ask=q.fields["ask"],
                last_price=q.value,
                volume=q.fields["volume"],
                open_interest=math.nan,
                updated_at=q.moment,
                ticker=s.series_id,
            )
            for (k, q), (s, _) in zip(strikes, quotes, strict=True)
            if k is not None
        ]
        return ladder_distribution(ladder, meeting, current_range=current_range, asof=day)
    labels = [(outcome_label(s.outcome), q) for s, q in quotes]
    if any(label is None for label, _ in labels):
        return None
    outcomes = [
        OutcomeQuote(
            label=str(label),
            yes_price=q.value,
            best_bid=q.fields["bid"],
            best_ask=q.fields["ask"],
            volume_usd=q.fields["volume"],
            liquidity_usd=math.nan,
            last_trade_at=q.moment,
        )
        for label, q in labels
    ]
    return outcome_distribution(outcomes, meeting, current_range=current_range, asof=day)


def _anchor_flagged(
    dist: OddsDistribution, day: date, current_range: tuple[float, float]
) -> OddsDistribution:
    lo, hi = current_range
    flag = (
        f"anchor: outcomes are changes at the {dist.meeting} meeting, placed on the range "
        f"{lo:g}-{hi:g}% given as current on {day}; another decision may move it first"
    )
    return replace(dist, flags=(*dist.flags, flag))
