"""The probability tree over expected average overnight rates: the shared core of the
futures and path engines (:mod:`~carrywatch.analytics.odds.futures`,
:mod:`~carrywatch.analytics.odds.rate_path`).

Input: the average overnight rate expected over consecutive periods (calendar months for
30-day fed funds futures, meeting-to-meeting spans for an OIS forward strip), observed on
one or many trade dates, and the bank's meeting calendar. Output: per trade date and
meeting, a distribution over target ranges, following CME's FedWatch method:

1. The chain (:mod:`~carrywatch.analytics.odds.conventions`) gives every meeting period a
   start rate s and an end rate e; with N days, N_b before the meeting's effective day and
   N_a from it on, avg = (N_b s + N_a e) / N.
2. The move e - s, in steps of ``step_bp``, splits between the two nearest whole steps;
   meetings are independent and the distribution after meeting k is the product of the
   binary trees up to k, anchored at the target range in force on the trade date.

Rates are in percent, moves in basis points, probabilities in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from carrywatch.analytics.odds.conventions import CME, AnnouncementDay, Chain, Conventions
from carrywatch.analytics.odds.policy_odds import (
    STATUS_DEPENDS,
    STATUS_HELD,
    STATUS_IMPLAUSIBLE,
    STATUS_NO_TARGET,
    STATUS_OK,
    STATUS_UNRESOLVED,
    PolicyOdds,
)
from carrywatch.analytics.units import bp_to_pp, pp_to_bp

__all__ = ["MAX_MOVE_BP", "odds_from_period_averages"]

FloatArray = npt.NDArray[np.float64]

#: A larger implied move at one meeting means bad input (a wrong column, a typo), not odds.
MAX_MOVE_BP: Final = 500.0

#: Moves within this many steps of a whole number of steps are that whole number.
_SNAP_STEPS: Final = 1e-10


def odds_from_period_averages(
    averages_pct: FloatArray,
    period_bounds: Sequence[tuple[date, date]],
    trade_dates: Sequence[date],
    meetings: Sequence[date],
    target_pct: tuple[FloatArray, FloatArray],
    *,
    source: Literal["futures", "path"],
    period_labels: Sequence[str] | None = None,
    conventions: Conventions = CME,
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
    conventions:
        Chain, announcement day and step (:class:`~carrywatch.analytics.odds.conventions.
        Conventions`); a dated announcement-day rule is resolved per trade date.
    horizon:
        The last meeting date of interest (default: ``calendar_end``); a horizon beyond
        the calendar is reported in ``notes``.
    calendar_end:
        The date through which ``meetings`` is the complete published calendar (default:
        the last meeting); periods starting after it anchor nothing.

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
    step_bp = conventions.step_bp
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
    # A period after the calendar's end may hold meetings not yet published.
    known = starts <= np.datetime64(cal_end, "D")
    # A dated announcement-day rule can differ between trade dates: each row is read with
    # the periods of its own convention.
    counts_at = np.array([conventions.announcement_day_on(d) for d in trade_dates])
    change = np.full((len(trade_dates), len(every)), np.nan)  # percent
    trade = np.array([np.datetime64(d, "D") for d in trade_dates], dtype="datetime64[D]")
    for day in sorted(set(counts_at.tolist()), reverse=counts_at[-1:].tolist() == ["new"]):
        rows = counts_at == day
        tree, home = _periods(starts, ends, _effective(every, day), known)
        change[rows] = _changes(avg[rows], tree, len(every), conventions.chain)
    pick = [every.index(m) for m in scope]
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
        covered=(period_bounds[0][0], period_bounds[-1][1] - timedelta(days=1)),
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
        change_bp=np.where(result.status == STATUS_OK, pp_to_bp(change[:, pick]), np.nan),
        conventions=conventions,
        notes=tuple(notes),
        status=result.status,
        reason_index=index,
        reason_texts=texts,
    )


def _effective(meetings: Sequence[date], counts_at: AnnouncementDay) -> npt.NDArray[np.datetime64]:
    """The first day at the new rate of each meeting."""
    lag = 0 if counts_at == "new" else 1
    return np.array([np.datetime64(m, "D") + lag for m in meetings], dtype="datetime64[D]")


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
    pinned = {"pyfedwatch": _pyfedwatch, "cme": _cme_live}.get(chain, _no_pin)(avg, tree)
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
            # Solve the side with more days: the price pins it down best ("longer-side").
            use_f = f_ok & (~b_ok | (tree.after[p] >= tree.before[p]))
            out[:, idx[0]] = np.where(use_f, fe - fs, be - bs)
            if chain == "cme":
                out[:, idx[0]] = pinned[:, p]
            elif chain == "pyfedwatch":  # where its pins are missing, as "longer-side"
                out[:, idx[0]] = np.where(np.isfinite(pinned[:, p]), pinned[:, p], out[:, idx[0]])
    return out


def _no_pin(avg: FloatArray, tree: _Periods) -> FloatArray:
    return np.full((avg.shape[0], len(tree.members)), np.nan)


def _cme_live(avg: FloatArray, tree: _Periods) -> FloatArray:
    """CME's live tool: e - s of every one-meeting period, NaN where unresolved.

    A priced period without a meeting pins the end of the meeting period before it and the
    start of the one after it (an unpriced one passes the rate across: no meeting moves it).
    Then, until nothing changes: backward, a period with its end but no start solves the
    start from its average and hands it to the period before as its end; forward, a period
    with its start but no end solves the end and hands it on. A period pinned on both sides
    does not use its own average (cme-fedwatch 0.2.1, ``_solve_rate_curve``).
    """
    rows, n = avg.shape
    single = [p for p in range(n) if len(tree.members[p]) == 1 and tree.known[p]]
    start, end = np.full((rows, n), np.nan), np.full((rows, n), np.nan)

    def plain(q: int) -> bool:
        return 0 <= q < n and bool(tree.known[q]) and not tree.members[q]

    def across(p: int, step: int) -> tuple[FloatArray, int]:
        """The first price in the run of plain periods beside ``p`` (NaN where none), and
        the meeting period beyond the run (-1: none) that links to ``p`` through it."""
        value, q = np.full(rows, np.nan), p + step
        while plain(q):
            value = np.where(np.isnan(value), avg[:, q], value)
            q += step
        return value, (q if 0 <= q < n and q in single else -1)

    left = {p: across(p, -1) for p in single}
    right = {p: across(p, +1) for p in single}
    for p in single:
        start[:, p], end[:, p] = left[p][0], right[p][0]
    changed = True
    while changed:
        changed = False
        for p in reversed(single):
            solve = np.isnan(start[:, p]) & np.isfinite(end[:, p]) & np.isfinite(avg[:, p])
            if tree.before[p] > 0 and solve.any():
                start[solve, p] = (
                    avg[solve, p] * tree.days[p] - tree.after[p] * end[solve, p]
                ) / tree.before[p]
                changed = True
                if (q := left[p][1]) >= 0:
                    fill = solve & np.isnan(end[:, q])
                    end[fill, q] = start[fill, p]
        for p in single:
            # A meeting in force from the period's first day: its average is the end.
            known_start = np.isfinite(start[:, p]) | (tree.before[p] == 0)
            solve = np.isnan(end[:, p]) & known_start & np.isfinite(avg[:, p])
            if tree.after[p] > 0 and solve.any():
                before = np.nan_to_num(start[solve, p]) * tree.before[p]
                end[solve, p] = (avg[solve, p] * tree.days[p] - before) / tree.after[p]
                changed = True
                if (q := right[p][1]) >= 0:
                    fill = solve & np.isnan(start[:, q])
                    start[fill, q] = end[fill, p]
    change: FloatArray = end - start
    return change


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
    status = np.where(upcoming, STATUS_OK, STATUS_HELD).astype(np.int16)
    blocker = np.full((rows, n_meet), -1, dtype=np.int32)
    broken = np.full(rows, -1, dtype=np.int32)  # first meeting without odds, per row
    grid = np.arange(width)[None, :]
    rows_idx = np.arange(rows)[:, None]
    for k in range(n_meet):
        up = upcoming[:, k]
        status[up & ~has_target, k] = STATUS_NO_TARGET
        bad = up & has_target & ~finite[:, k] & (broken < 0)
        status[bad, k] = np.where(np.isfinite(steps[bad, k]), STATUS_IMPLAUSIBLE, STATUS_UNRESOLVED)
        dep = up & has_target & (broken >= 0)
        status[dep, k], blocker[dep, k] = STATUS_DEPENDS, broken[dep]
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
    covered: tuple[date, date],
) -> tuple[tuple[str, ...], npt.NDArray[np.int32]]:
    """Reason texts, shared by every pair with the same cause (``covered``: the first and
    last day of the periods given)."""
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

    put(status == STATUS_HELD, "the meeting was held on or before the trade date")
    put(status == STATUS_NO_TARGET, "no target range is given for the trade date")
    for k, (meeting, p) in enumerate(zip(scope, homes, strict=True)):
        col = status[:, k]
        put(
            col == STATUS_IMPLAUSIBLE,
            f"the implied move exceeds {MAX_MOVE_BP:g} bp: check prices",
            k,
        )
        for j in np.unique(blocker[col == STATUS_DEPENDS, k]):
            put(
                (col == STATUS_DEPENDS) & (blocker[:, k] == j),
                f"the {scope[j]} meeting before it has no odds",
                k,
            )
        bad = col == STATUS_UNRESOLVED
        if not bad.any():
            continue
        if p < 0:
            put(
                bad,
                f"no contract or path period covers the {meeting} meeting (the input covers "
                f"{covered[0]} to {covered[1]}): add prices or rates that reach it",
                k,
            )
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
