"""The probability tree over a path of expected average overnight rates: the shared core
of the futures and path engines (:mod:`carrywatch.analytics.fedwatch`).

Input: the average overnight rate expected over consecutive periods (calendar months for
30-day fed funds futures, any dates for an OIS or TONA forward strip), observed on one or
many trade dates, and the bank's meeting calendar. Output: per trade date and meeting, a
distribution over target ranges, following CME's FedWatch method:

1. A period without a meeting anchors the chain: its average is the rate at the end of the
   period before and at the start of the period after (CME: EFFR(end)_{T-1} =
   EFFR(avg)_T = EFFR(start)_{T+1}). Through a period with one meeting,
   avg = (N_b s + N_a e) / N, so the side not anchored follows from its own average.
2. The move e - s, in steps of ``step_bp``, splits between the two nearest whole steps;
   meetings are independent and the distribution after meeting k is the product of the
   binary trees up to k, anchored at the target range in force on the trade date.

Conventions (parameters where CME's documents leave room):

* ``announcement_day="new"`` (default, CME): the decision day counts at the new rate (CME's
  worksheet of 12 Sep 2022: the 21 Sep meeting leaves 20 days before and 10 after;
  the 2015 methodology paper: 17 Sep 2015, 16 days before and 14 after). ``"old"``: it
  counts at the old rate; the EFFR of an announcement day mostly reflects trades before
  the new administered rates take effect the next day.
* ``chain="cme"`` (default): each meeting period has a candidate from the left (the start
  carried forward from the nearest anchor before it, through any meeting periods between)
  and from the right (the end carried back from the nearest anchor after it); when both
  exist, the side with more days is solved from the period's average. So a meeting month
  whose next month holds a meeting too, or has no contract, is anchored by the month
  before it (CME's 2015 example: October 2015 held a meeting, September's start came
  from August and its end was solved); with both neighbours free, CME's 2022 worksheet
  takes September 2022's end from October and solves the start (20 days before, 10 after).
  ``chain="pyfedwatch"``: both sides pinned to neighbouring periods without a meeting,
  runs of meeting periods resolved backward from the next one (pyfedwatch 1.2.0).
* Only differences of rates are used: the basis of the overnight rate to the range
  midpoint is assumed constant and cancels. CME's 2015 floor at zero is not applied.
* Two meetings in a period: start from the left, end from the right, the rate between
  them from the average; three or more are not identified.
* Periods starting after ``calendar_end`` (default: the last meeting) may hold meetings
  not yet published: they anchor nothing, and meetings that need them get no odds.
* A move above :data:`MAX_MOVE_BP` at one meeting is taken as bad input, not odds.

Rates are in percent, moves in basis points, probabilities in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.analytics.market_odds import OddsDistribution, RangeProbability
from carrywatch.analytics.units import bp_to_pp, fraction_to_pct, pp_to_bp

__all__ = [
    "MAX_MOVE_BP",
    "AnnouncementDay",
    "Chain",
    "MeetingOdds",
    "PolicyOdds",
    "TargetRangeOdds",
    "odds_from_period_averages",
]

AnnouncementDay = Literal["new", "old"]
Chain = Literal["cme", "pyfedwatch"]
FloatArray = npt.NDArray[np.float64]

#: A larger implied move at one meeting means bad input (a wrong column, a typo), not odds.
MAX_MOVE_BP: Final = 500.0

#: Moves within this many steps of a whole number of steps are that whole number.
_SNAP_STEPS: Final = 1e-10

# Status of a (trade date, meeting) pair; the text of each is built in ``_reasons``.
_OK, _HELD, _NO_TARGET, _UNRESOLVED, _DEPENDS, _IMPLAUSIBLE = range(6)


# --- results -------------------------------------------------------------------------------


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
            f"{head}: most likely {mode.lower_pct:.2f}-{mode.upper_pct:.2f}% "
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
    announcement_day: AnnouncementDay
    chain: Chain
    notes: tuple[str, ...]
    status: npt.NDArray[np.int16] = field(repr=False)
    reason_index: npt.NDArray[np.int32] = field(repr=False)
    reason_texts: tuple[str, ...] = field(repr=False)

    def reason(self, t: int, k: int) -> str | None:
        """Why pair (t, k) has no distribution, or None when it has one."""
        return None if self.status[t, k] == _OK else self.reason_texts[self.reason_index[t, k]]

    def odds(self, trade_date: date, meeting: date) -> MeetingOdds:
        """The distribution for ``meeting`` as of ``trade_date`` (both must be in the result)."""
        t, k = self.trade_dates.index(trade_date), self.meetings.index(meeting)
        if self.status[t, k] != _OK:
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
        """The pair as a :class:`~carrywatch.analytics.market_odds.OddsDistribution`."""
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
        good = (self.status == _OK)[:, :, None] & (np.nan_to_num(self.probabilities) > 0)
        t, k, j = np.nonzero(good)
        bt, bk = np.nonzero((self.status != _OK) & (self.status != _HELD))
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
        missing = int(np.sum((self.status != _OK) & (self.status != _HELD)))
        gaps = f"; {missing} pairs without odds" if missing else ""
        return (
            f"{self.source}-implied odds, {len(self.meetings)} meetings x {span}: {nxt}{gaps} "
            f"[{self.chain} chain, announcement day at the {self.announcement_day} rate, "
            f"{self.step_bp:g} bp steps]"
        )

    def _bounds(self, t: int) -> tuple[FloatArray, FloatArray]:
        shift = bp_to_pp(self.step_bp * self.offsets.astype(np.float64))
        lows = np.round(self.target_lower_pct[t] + shift, 10)
        return lows, np.round(self.target_upper_pct[t] + shift, 10)


# --- the shared core -----------------------------------------------------------------------


def odds_from_period_averages(
    averages_pct: FloatArray,
    period_bounds: Sequence[tuple[date, date]],
    trade_dates: Sequence[date],
    meetings: Sequence[date],
    target_pct: tuple[FloatArray, FloatArray],
    *,
    source: Literal["futures", "path"],
    period_labels: Sequence[str] | None = None,
    step_bp: float = 25.0,
    announcement_day: AnnouncementDay = "new",
    chain: Chain = "cme",
    horizon: date | None = None,
    calendar_end: date | None = None,
) -> PolicyOdds:
    """The probability tree from expected average overnight rates over consecutive periods.

    Parameters
    ----------
    averages_pct:
        (trade dates x periods): the average rate expected on trade date t over period p,
        in percent; NaN when unknown.
    period_bounds:
        [start, end) of each period, contiguous (each end is the next start).
    trade_dates, meetings:
        The dates the averages are observed on; every decision day of the bank.
    target_pct:
        Lower and upper bound of the target range in force at the end of each trade date
        (NaN: none known; that date gets no odds).
    source, period_labels:
        "futures" or "path"; names of the periods in reasons (default: their dates).
    step_bp, announcement_day, chain, horizon, calendar_end:
        The conventions of the module docstring.

    Returns
    -------
    PolicyOdds
        Pairs that cannot be computed carry a reason, never an error.

    Notes
    -----
    With N days in a period, N_b before a meeting's effective day and N_a from it on:

    .. math::
        \\bar r = \\frac{N_b s + N_a e}{N}, \\quad x = \\frac{e - s}{\\text{step}}, \\quad
        P(\\operatorname{trunc} x) = 1 - |x - \\operatorname{trunc} x|, \\quad
        P(\\operatorname{trunc} x + \\operatorname{sign} x) = |x - \\operatorname{trunc} x|

    and the distribution after meeting k is the convolution of these over the meetings
    ahead of the trade date up to k, shifted from the range in force.

    References
    ----------
    CME Group, "Fed Funds Futures Probability Tree Calculator" (the FedWatch methodology)
    and its worksheet "FedWatch calculation examples"; J. Lao and A. Mirza, "CME Group
    FedWatch Tool - Fed Funds Futures Probability Tree Calculator", CME Group.
    """
    if not (np.isfinite(step_bp) and step_bp > 0):
        raise ValueError(f"step_bp must be a positive number, not {step_bp}")
    if announcement_day not in ("new", "old") or chain not in ("cme", "pyfedwatch"):
        raise ValueError(f"unknown convention {announcement_day!r} / {chain!r}")
    avg = np.asarray(averages_pct, dtype=np.float64)
    starts = np.array([np.datetime64(a, "D") for a, _ in period_bounds], dtype="datetime64[D]")
    ends = np.array([np.datetime64(b, "D") for _, b in period_bounds], dtype="datetime64[D]")
    if (
        not len(starts)
        or avg.shape != (len(trade_dates), len(starts))
        or np.any(starts[1:] != ends[:-1])
        or np.any(ends <= starts)
    ):
        raise ValueError("averages must be (trade dates x periods) over contiguous periods")
    labels = list(period_labels or [f"{a}..{b - timedelta(days=1)}" for a, b in period_bounds])
    every = sorted(set(meetings))
    cal_end = calendar_end or (every[-1] if every else date.max)
    until = horizon or cal_end
    first_trade = min(trade_dates, default=date.max)
    scope = [m for m in every if first_trade < m <= until]
    notes = []
    if every and until > cal_end:
        notes.append(
            f"the horizon {until} extends beyond the published calendar (last meeting "
            f"{every[-1]}, complete through {cal_end}): later meetings are unknown, no odds "
            "are given for them"
        )
    lag = 0 if announcement_day == "new" else 1
    effective = np.array([np.datetime64(m, "D") + lag for m in every], dtype="datetime64[D]")
    # A period after the calendar's end may hold meetings not yet published.
    known = starts <= np.datetime64(cal_end, "D")
    tree, home = _periods(starts, ends, effective, known)
    change = _changes(avg, tree, len(every), chain)  # (T, every meeting), percent
    pick = [every.index(m) for m in scope]
    trade = np.array([np.datetime64(d, "D") for d in trade_dates], dtype="datetime64[D]")
    meet = np.array([np.datetime64(m, "D") for m in scope], dtype="datetime64[D]")
    lower, upper = (np.asarray(x, dtype=np.float64) for x in target_pct)
    if lower.shape != (len(trade_dates),) or upper.shape != lower.shape:
        raise ValueError("give one target lower and upper bound per trade date")
    if np.any(lower > upper):
        raise ValueError("the target range needs lower <= upper")
    result = _grow(
        change[:, pick] / bp_to_pp(step_bp),
        upcoming=meet[None, :] > trade[:, None],
        has_target=np.isfinite(lower) & np.isfinite(upper),
        max_steps=MAX_MOVE_BP / step_bp,
    )
    homes = [int(home[i]) for i in pick]
    texts, index = _reasons(
        result.status,
        blocker=result.blocker,
        tree=tree,
        avg=avg,
        homes=homes,
        scope=scope,
        labels=labels,
        cal_end=cal_end,
    )
    return PolicyOdds(
        source=source,
        trade_dates=tuple(trade_dates),
        meetings=tuple(scope),
        target_lower_pct=lower,
        target_upper_pct=upper,
        step_bp=float(step_bp),
        offsets=result.offsets,
        probabilities=result.probabilities,
        change_bp=np.where(result.status == _OK, pp_to_bp(change[:, pick]), np.nan),
        announcement_day=announcement_day,
        chain=chain,
        notes=tuple(notes),
        status=result.status,
        reason_index=index,
        reason_texts=texts,
    )


def _sweep(
    avg: FloatArray,
    tree: _Periods,
    *,
    near: FloatArray,
    far: FloatArray,
    other: FloatArray,
    order: Sequence[int],
) -> tuple[FloatArray, FloatArray]:
    """Carry the rate through the periods in ``order``: the rate entering each period and
    the rate leaving it. A period without a meeting passes its price (or, without one, the
    rate it was given); one meeting solves the far side from the price and ``near`` days
    at the entering rate; two take the far side from ``other`` (the opposite sweep)."""
    entering, leaving = np.full_like(avg, np.nan), np.full_like(avg, np.nan)
    carry = np.full(avg.shape[0], np.nan)
    for p in order:
        count, a = len(tree.members[p]), avg[:, p]
        if not tree.known[p]:
            carry = np.full_like(carry, np.nan)
            continue
        entering[:, p] = carry
        if count == 0:
            carry = np.where(np.isfinite(a), a, carry)
        elif count == 1 and far[p] > 0:
            carry = (a * tree.days[p] - near[p] * carry) / far[p]
        elif count == 2:
            carry = other[:, p]
        else:
            carry = np.full_like(carry, np.nan)
        leaving[:, p] = carry
    return entering, leaving


@dataclass(frozen=True, slots=True)
class _Periods:
    """Periods with the meetings in force in each: ``before`` days at the entering rate,
    ``between`` two meetings, ``after`` the last; ``known`` False past the calendar."""

    days: FloatArray
    before: FloatArray
    between: FloatArray
    after: FloatArray
    members: list[list[int]]
    known: npt.NDArray[np.bool_]


def _periods(
    starts: npt.NDArray[np.datetime64],
    ends: npt.NDArray[np.datetime64],
    effective: npt.NDArray[np.datetime64],
    known: npt.NDArray[np.bool_],
) -> tuple[_Periods, npt.NDArray[np.int64]]:
    where = np.searchsorted(starts, effective, side="right") - 1
    home = np.where((where >= 0) & (effective < ends[np.clip(where, 0, None)]), where, -1)
    n = len(starts)
    days = (ends - starts).astype(np.int64).astype(np.float64)
    members: list[list[int]] = [[] for _ in range(n)]
    for i, p in enumerate(home):
        if p >= 0:
            members[p].append(i)
    before, between, after = np.zeros(n), np.zeros(n), np.zeros(n)
    for p, idx in enumerate(members):
        if idx:
            cut = [int((effective[i] - starts[p]).astype(np.int64)) for i in idx]
            before[p], between[p], after[p] = cut[0], cut[-1] - cut[0], days[p] - cut[-1]
    return _Periods(days, before, between, after, members, known), home


def _changes(avg: FloatArray, tree: _Periods, n_meetings: int, chain: Chain) -> FloatArray:
    """The move implied at every meeting (columns in calendar order), percent."""
    n = len(tree.members)
    fwd_s = fwd_e = bwd_s = bwd_e = np.full_like(avg, np.nan)
    for _ in range(1 + sum(len(m) == 2 for m in tree.members)):  # past one double each
        fwd_s, fwd_e = _sweep(
            avg, tree, near=tree.before, far=tree.after, other=bwd_e, order=range(n)
        )
        bwd_e, bwd_s = _sweep(
            avg, tree, near=tree.after, far=tree.before, other=fwd_s, order=range(n - 1, -1, -1)
        )
    out = np.full((avg.shape[0], n_meetings), np.nan)
    pinned = _pyfedwatch(avg, tree) if chain == "pyfedwatch" else None
    for p, idx in enumerate(tree.members):
        if len(idx) == 2 and tree.between[p] > 0 and tree.known[p]:
            s, e = fwd_s[:, p], bwd_e[:, p]
            mid = (avg[:, p] * tree.days[p] - tree.before[p] * s - tree.after[p] * e) / (
                tree.between[p]
            )
            out[:, idx[0]], out[:, idx[1]] = mid - s, e - mid
        elif len(idx) == 1 and tree.known[p]:
            fs, fe, bs, be = fwd_s[:, p], fwd_e[:, p], bwd_s[:, p], bwd_e[:, p]
            f_ok, b_ok = np.isfinite(fs) & np.isfinite(fe), np.isfinite(bs) & np.isfinite(be)
            # Solve the side with more days: the price pins it down best.
            use_f = f_ok & (~b_ok | (tree.after[p] >= tree.before[p]))
            out[:, idx[0]] = np.where(use_f, fe - fs, be - bs)
            if pinned is not None:
                out[:, idx[0]] = np.where(np.isfinite(pinned[:, p]), pinned[:, p], out[:, idx[0]])
    return out


def _pyfedwatch(avg: FloatArray, tree: _Periods) -> FloatArray:
    """pyfedwatch 1.2.0: e - s with both sides pinned to neighbouring months without a
    meeting, runs of meeting months resolved backward from the next such month."""
    rows, n = avg.shape
    out = np.full((rows, n), np.nan)
    plain = [not m and bool(k) for m, k in zip(tree.members, tree.known, strict=True)]
    nxt = np.full(rows, np.nan)
    for p in range(n - 1, -1, -1):
        if not tree.known[p] or len(tree.members[p]) > 1 or plain[p]:
            nxt = avg[:, p] if plain[p] else np.full(rows, np.nan)
            continue
        e = avg[:, p + 1] if p + 1 < n and plain[p + 1] else nxt
        if p > 0 and plain[p - 1]:
            s = avg[:, p - 1]
        elif tree.before[p] > 0:
            s = (avg[:, p] * tree.days[p] - tree.after[p] * e) / tree.before[p]
        else:
            s = np.full(rows, np.nan)
        out[:, p], nxt = e - s, s
    return out


@dataclass(frozen=True, slots=True)
class _Grown:
    offsets: npt.NDArray[np.int64]
    probabilities: FloatArray
    status: npt.NDArray[np.int16]
    blocker: npt.NDArray[np.int32]


def _grow(
    steps: FloatArray,
    *,
    upcoming: npt.NDArray[np.bool_],
    has_target: npt.NDArray[np.bool_],
    max_steps: float,
) -> _Grown:
    """Multiply the binary trees of the meetings ahead, row by row, all rows at once."""
    rows, n_meet = steps.shape
    finite = np.isfinite(steps) & (np.abs(np.nan_to_num(steps)) <= max_steps)
    x = np.where(finite, steps, 0.0)
    # Rounding in the chain leaves ~1e-13 of a step on whole moves; keep it out of the tree.
    x = np.where(np.abs(x - np.round(x)) < _SNAP_STEPS, np.round(x), x)
    whole = np.trunc(x).astype(np.int64)
    frac = np.abs(x - whole)
    other = whole + np.sign(x).astype(np.int64)
    low = np.minimum(np.minimum(whole, other), 0).min(axis=0, initial=0).sum()
    high = np.maximum(np.maximum(whole, other), 0).max(axis=0, initial=0).sum()
    offsets = np.arange(low, high + 1, dtype=np.int64)
    width = len(offsets)
    dist = np.zeros((rows, width))
    dist[:, -low] = 1.0
    probs = np.full((rows, n_meet, width), np.nan)
    status = np.where(upcoming, _OK, _HELD).astype(np.int16)
    blocker = np.full((rows, n_meet), -1, dtype=np.int32)
    broken = np.full(rows, -1, dtype=np.int32)  # first meeting without odds, per row
    grid = np.arange(width)[None, :]
    rows_idx = np.arange(rows)[:, None]
    for k in range(n_meet):
        up = upcoming[:, k]
        status[up & ~has_target, k] = _NO_TARGET
        bad = up & has_target & ~finite[:, k] & (broken < 0)
        status[bad, k] = np.where(np.isfinite(steps[bad, k]), _IMPLAUSIBLE, _UNRESOLVED)
        dep = up & has_target & (broken >= 0)
        status[dep, k], blocker[dep, k] = _DEPENDS, broken[dep]
        broken = np.where(bad, k, broken)
        act = up & has_target & (broken < 0)
        if not act.any():
            continue
        new = np.zeros_like(dist)
        for shift, weight in ((whole[:, k], 1.0 - frac[:, k]), (other[:, k], frac[:, k])):
            src = grid - shift[:, None]
            ok = (src >= 0) & (src < width)
            new += weight[:, None] * np.where(ok, dist[rows_idx, np.clip(src, 0, width - 1)], 0)
        dist = np.where(act[:, None], new, dist)
        probs[act, k, :] = dist[act]
    used = np.flatnonzero(np.nansum(probs, axis=(0, 1)) > 0)
    if used.size:
        offsets, probs = offsets[used[0] : used[-1] + 1], probs[:, :, used[0] : used[-1] + 1]
    return _Grown(offsets, probs, status, blocker)


def _reasons(
    status: npt.NDArray[np.int16],
    *,
    blocker: npt.NDArray[np.int32],
    tree: _Periods,
    avg: FloatArray,
    homes: Sequence[int],
    scope: Sequence[date],
    labels: Sequence[str],
    cal_end: date,
) -> tuple[tuple[str, ...], npt.NDArray[np.int32]]:
    """Reason texts, shared by every pair with the same cause."""
    texts: list[str] = [""]
    lookup: dict[str, int] = {}
    index = np.zeros(status.shape, dtype=np.int32)

    def put(mask: npt.NDArray[np.bool_], text: str, k: int | None = None) -> None:
        """Give the pairs in ``mask`` (of column ``k`` when given) the reason ``text``."""
        if mask.any():
            code = lookup.setdefault(text, len(texts))
            if code == len(texts):
                texts.append(text)
            if k is None:
                index[mask] = code
            else:
                index[mask, k] = code

    put(status == _HELD, "the meeting was held on or before the trade date")
    put(status == _NO_TARGET, "no target range is given for the trade date")
    for k, (meeting, p) in enumerate(zip(scope, homes, strict=True)):
        col = status[:, k]
        put(col == _IMPLAUSIBLE, f"the implied move exceeds {MAX_MOVE_BP:g} bp: check prices", k)
        for j in np.unique(blocker[col == _DEPENDS, k]):
            put(
                (col == _DEPENDS) & (blocker[:, k] == j),
                f"the {scope[j]} meeting before it has no odds",
                k,
            )
        bad = col == _UNRESOLVED
        if not bad.any():
            continue
        if p < 0:
            put(bad, f"no contract or path period covers the {meeting} meeting", k)
            continue
        n_meet, label = len(tree.members[p]), labels[p]
        if not tree.known[p]:
            put(bad, f"it takes effect in {label}, beyond the published calendar ({cal_end})", k)
            continue
        if n_meet > 2:
            put(bad, f"{n_meet} meetings in {label}: the rates between them are not identified", k)
            continue
        no_price = bad & ~np.isfinite(avg[:, p])
        put(no_price, f"no price or rate for {label}", k)
        rest = bad & ~no_price
        nxt = p + 1 < len(labels) and not tree.known[p + 1]
        if n_meet == 2:
            text = f"two meetings in {label} need a priced month without a meeting on each side"
        elif nxt:
            text = (
                f"the period after {label} lies beyond the published calendar (complete "
                f"through {cal_end}) and no priced period without a meeting anchors it before"
            )
        else:
            text = f"no priced period without a meeting anchors {label} on either side"
        put(rest, text, k)
    return tuple(texts), index
