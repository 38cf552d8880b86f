"""The result of the probability tree: odds per (trade date, meeting) pair, or why a pair
has none (:mod:`carrywatch.analytics.odds.tree` computes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.odds.conventions import Conventions
from carrywatch.analytics.odds.distribution import (
    OddsDistribution,
    RangeProbability,
    bounds_text,
)
from carrywatch.analytics.units import bp_to_pp, fraction_to_pct

__all__ = [
    "STATUS_DEPENDS",
    "STATUS_HELD",
    "STATUS_IMPLAUSIBLE",
    "STATUS_NO_TARGET",
    "STATUS_OK",
    "STATUS_UNRESOLVED",
    "MeetingOdds",
    "PolicyOdds",
    "TargetRangeOdds",
]

FloatArray = npt.NDArray[np.float64]

# Status of a (trade date, meeting) pair; the tree writes the text of each reason.
STATUS_OK: Final = 0
STATUS_HELD: Final = 1
STATUS_NO_TARGET: Final = 2
STATUS_UNRESOLVED: Final = 3
STATUS_DEPENDS: Final = 4
STATUS_IMPLAUSIBLE: Final = 5


@dataclass(frozen=True, slots=True)
class TargetRangeOdds:
    """P(the target range after the meeting is [lower_pct, upper_pct])."""

    lower_pct: float
    upper_pct: float
    probability: float


@dataclass(frozen=True, slots=True)
class MeetingOdds:
    """The distribution for one meeting as of one trade date, or why there is none.

    ``change_bp`` is the move implied at this meeting alone (e - s of its month);
    ``expected_lower_pct`` the probability-weighted lower bound after the meeting.
    """

    trade_date: date
    meeting: date
    distribution: tuple[TargetRangeOdds, ...] | None
    change_bp: float | None
    expected_lower_pct: float | None
    reason: str | None

    def summary(self) -> str:
        """One line: the most likely range and its probability, or the reason."""
        head = f"{self.meeting} as of {self.trade_date}"
        if self.distribution is None:
            return f"{head}: no odds: {self.reason}"
        mode = max(self.distribution, key=lambda r: r.probability)
        return (
            f"{head}: most likely {bounds_text(mode.lower_pct, mode.upper_pct)} "
            f"({fraction_to_pct(mode.probability):.1f}%), this meeting {self.change_bp:+.1f} bp"
        )


@dataclass(frozen=True, slots=True, eq=False)
class PolicyOdds:
    """Odds for every (trade date, meeting) pair of one call.

    ``probabilities[t, k, j]`` is P(range after meeting k = range on trade date t shifted by
    ``offsets[j]`` steps of ``step_bp``); NaN where the pair has no distribution, and
    then ``reason(t, k)`` says why (the meeting was already held, a contract is missing,
    no month anchors the chain, ...). ``change_bp[t, k]`` is the move implied at meeting k
    alone. Each distribution sums to 1 within 1e-9.
    """

    source: Literal["futures", "path"]
    trade_dates: tuple[date, ...]
    meetings: tuple[date, ...]
    target_lower_pct: FloatArray
    target_upper_pct: FloatArray
    step_bp: float
    offsets: npt.NDArray[np.int64]
    probabilities: FloatArray
    change_bp: FloatArray
    conventions: Conventions
    notes: tuple[str, ...]
    status: npt.NDArray[np.int16] = field(repr=False)
    reason_index: npt.NDArray[np.int32] = field(repr=False)
    reason_texts: tuple[str, ...] = field(repr=False)

    def reason(self, t: int, k: int) -> str | None:
        """Why pair (t, k) has no distribution, or None when it has one."""
        return (
            None if self.status[t, k] == STATUS_OK else self.reason_texts[self.reason_index[t, k]]
        )

    def odds(self, trade_date: date, meeting: date) -> MeetingOdds:
        """The distribution for ``meeting`` as of ``trade_date`` (both must be in the result)."""
        t, k = self.trade_dates.index(trade_date), self.meetings.index(meeting)
        if self.status[t, k] != STATUS_OK:
            return MeetingOdds(trade_date, meeting, None, None, None, self.reason(t, k))
        p = self.probabilities[t, k]
        keep = p > 0
        lows, highs = self._bounds(t)
        dist = tuple(
            TargetRangeOdds(float(lo), float(hi), float(q))
            for lo, hi, q in zip(lows[keep], highs[keep], p[keep], strict=True)
        )
        expected = float(np.sum(p * lows))
        return MeetingOdds(trade_date, meeting, dist, float(self.change_bp[t, k]), expected, None)

    def as_distribution(self, trade_date: date, meeting: date) -> OddsDistribution:
        """The pair as a :class:`~carrywatch.analytics.odds.distribution.OddsDistribution`."""
        odds = self.odds(trade_date, meeting)
        if odds.distribution is None:
            return OddsDistribution(meeting, self.source, (), (), False, None, odds.reason)
        rows = tuple(
            RangeProbability(r.lower_pct, r.upper_pct, r.probability) for r in odds.distribution
        )
        return OddsDistribution(meeting, self.source, rows, (), False, None)

    def latest(self) -> tuple[MeetingOdds, ...]:
        """The meetings still ahead on the latest trade date, in order."""
        last = max(self.trade_dates)
        return tuple(self.odds(last, m) for m in self.meetings if m > last)

    def to_frame(self) -> pd.DataFrame:
        """Long table: trade_date, meeting, lower_pct, upper_pct, probability, reason.

        One row per range with positive probability; a pair without a distribution has one
        row with NaN bounds and its ``reason``; meetings already held are left out.
        """
        good = (self.status == STATUS_OK)[:, :, None] & (np.nan_to_num(self.probabilities) > 0)
        t, k, j = np.nonzero(good)
        bt, bk = np.nonzero((self.status != STATUS_OK) & (self.status != STATUS_HELD))
        shift = bp_to_pp(self.step_bp * self.offsets[j].astype(np.float64))
        nan = np.full(len(bt), np.nan)
        out = pd.DataFrame(
            {
                "trade_date": np.asarray(self.trade_dates, "datetime64[D]")[np.r_[t, bt]],
                "meeting": np.asarray(self.meetings, "datetime64[D]")[np.r_[k, bk]],
                "lower_pct": np.r_[np.round(self.target_lower_pct[t] + shift, 10), nan],
                "upper_pct": np.r_[np.round(self.target_upper_pct[t] + shift, 10), nan],
                "probability": np.r_[self.probabilities[t, k, j], nan],
                "reason": [None] * len(t)
                + [self.reason_texts[i] for i in self.reason_index[bt, bk]],
            }
        )
        return out.sort_values(["trade_date", "meeting", "lower_pct"], ignore_index=True)

    def summary(self) -> str:
        """One line: coverage, the next meeting on the last trade date, and the gaps."""
        span = f"{len(self.trade_dates)} trade dates"
        if self.trade_dates:
            span += f" ({min(self.trade_dates)}..{max(self.trade_dates)})"
        ahead = self.latest() if self.trade_dates else ()
        nxt = ahead[0].summary() if ahead else "no meeting ahead on the last trade date"
        missing = int(np.sum((self.status != STATUS_OK) & (self.status != STATUS_HELD)))
        gaps = f"; {missing} pairs without odds" if missing else ""
        return (
            f"{self.source}-implied odds, {len(self.meetings)} meetings x {span}: {nxt}{gaps} "
            f"[{self.conventions.label(max(self.trade_dates, default=date.min))}]"
        )

    def _bounds(self, t: int) -> tuple[FloatArray, FloatArray]:
        shift = bp_to_pp(self.step_bp * self.offsets.astype(np.float64))
        lows = np.round(self.target_lower_pct[t] + shift, 10)
        return lows, np.round(self.target_upper_pct[t] + shift, 10)
