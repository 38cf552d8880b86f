"""Prediction-market odds of a policy decision: Kalshi strike ladders and Polymarket
multi-outcome events turned into distributions over target ranges
(:class:`~carrywatch.analytics.odds.distribution.OddsDistribution`), with market quality.

Inputs are this module's own quote types (:class:`LadderQuote`, :class:`OutcomeQuote`);
the report layer converts the sources' market objects into them. Rates and range bounds
are in percent, probabilities are fractions in [0, 1], differences and spreads are in
percentage points (pp: 0.04 of probability is 4 pp).

Conventions (and where they come from)
--------------------------------------
* Kalshi ``KXFED-<YY><MON>-T<X>`` (``strike_type`` "greater", ``floor_strike`` X) resolves
  YES "If the upper bound of the target federal funds rate published on the Federal
  Reserve's official website is greater than X% following the Federal Reserve's <date>
  meeting" (KXFED-26SEP rules, quoted verbatim by the mirror
  https://clearmarket-1dg.pages.dev/events/kxfed-26sep/; Kalshi's own page was not
  consulted). With the upper bound U on the 25 bp grid, P(X_i < U <= X_{i+1}) is the
  probability of the ranges whose upper bound lies in (X_i, X_{i+1}]; for adjacent
  strikes that is the one range [X_i, X_{i+1}]. Strikes off the grid through the
  current upper bound are excluded.
* Polymarket "Fed decision in <Month>" resolves "to the amount of basis points the upper
  bound of the target federal funds rate is changed by", a move between the displayed
  options being "rounded up to the nearest 25" (the January 2026 market's rules, as copied
  in github.com/ojo-network/turbine-rules, 09-fed-decision-jan.md). An outcome
  ``n bps decrease`` is therefore the current range shifted by -n bp.
* Tails: the lowest Kalshi bucket (U <= X_1), the highest (U > X_n) and Polymarket's
  "50+" outcomes cover every range beyond them; each is shown as the nearest range and
  marked ``lumped`` ("below"/"above"), with a flag.
  :func:`carrywatch.analytics.odds.comparison.compare` merges tails before it
  differences anything.
* Raw prices that do not sum to 1 (the overround) are divided by their sum, the "basic
  normalisation" of Štrumbelj (2014); the raw sum is reported in an ``overround`` flag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Final, Literal

from carrywatch.analytics.odds.distribution import (
    SUM_TOLERANCE,
    Lumped,
    MarketQuality,
    OddsDistribution,
    RangeProbability,
)
from carrywatch.analytics.units import fraction_to_pct
from carrywatch.errors import AnalyticsError
from carrywatch.frames import label_move

__all__ = [
    "LadderQuote",
    "OutcomeQuote",
    "isotonic_non_increasing",
    "ladder_distribution",
    "outcome_distribution",
]

#: Defaults of the quality flags. Assumptions, not cited figures: a quote untouched for a
#: day before the cut-off says little about the current view; below 10,000 (contracts or
#: USD) traded over the event's life, one trader of modest size can set the price.
STALE_AFTER: Final = timedelta(hours=24)
THIN_BELOW: Final = 10_000.0
_EPS: Final = 1e-9


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LadderQuote:
    """One Kalshi "above X%" market. Prices are dollars in [0, 1], NaN when absent; a side
    at 0 or 1 means no order there. ``volume`` and ``open_interest`` are contracts."""

    strike_pct: float
    strike_type: str | None
    yes_bid: float
    yes_ask: float
    last_price: float
    volume: float
    open_interest: float
    updated_at: datetime | None
    ticker: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeQuote:
    """One outcome (a binary market) of a Polymarket event; prices in [0, 1] or NaN."""

    label: str
    yes_price: float
    best_bid: float
    best_ask: float
    volume_usd: float
    liquidity_usd: float
    last_trade_at: datetime | None


# --- monotonicity repair ---------------------------------------------------------------------


def isotonic_non_increasing(
    values: Sequence[float], weights: Sequence[float] | None = None
) -> tuple[float, ...]:
    """The weighted least-squares non-increasing fit to ``values`` (pool adjacent violators).

    Notes
    -----
    .. math:: \\hat s = \\arg\\min_{s_1 \\ge s_2 \\ge \\dots \\ge s_n} \\sum_i w_i (s_i - v_i)^2

    Scanning left to right, a value above the block before it is pooled with that block
    into their weighted mean, repeatedly, until the blocks are non-increasing. The fit
    keeps the weighted mean of the input; a non-increasing input is returned unchanged.

    References
    ----------
    Ayer, M., Brunk, H. D., Ewing, G. M., Reid, W. T. and Silverman, E. (1955), "An
    Empirical Distribution Function for Sampling with Incomplete Information", *Annals of
    Mathematical Statistics* 26(4), 641-647; Barlow, Bartholomew, Bremner and Brunk (1972),
    *Statistical Inference under Order Restrictions*, Wiley, ch. 1.
    """
    w = [1.0] * len(values) if weights is None else [float(x) for x in weights]
    if len(w) != len(values) or any(not x > 0 for x in w):
        raise ValueError("weights must be positive, one per value")
    blocks: list[tuple[float, float, int]] = []  # (mean, weight, length)
    for v, wv in zip(values, w, strict=True):
        mean, weight, length = float(v), wv, 1
        while blocks and blocks[-1][0] < mean:
            m0, w0, n0 = blocks.pop()
            mean = (m0 * w0 + mean * weight) / (w0 + weight)
            weight, length = w0 + weight, n0 + length
        blocks.append((mean, weight, length))
    return tuple(m for m, _, n in blocks for _ in range(n))


# --- Kalshi ladders --------------------------------------------------------------------------


def ladder_distribution(
    quotes: Sequence[LadderQuote],
    meeting: date,
    *,
    current_range: tuple[float, float],
    step_pct: float = 0.25,
    asof: date | datetime,
    stale_after: timedelta = STALE_AFTER,
    thin_below_contracts: float = THIN_BELOW,
) -> OddsDistribution:
    """The target-range distribution implied by a ladder of Kalshi "above X%" markets.

    Parameters
    ----------
    quotes:
        The markets of one event (e.g. ``KXFED-26OCT``), any order.
    current_range:
        (lower, upper) target range in percent before the meeting; lower == upper for a
        point target (BOJ). Anchors the strike grid; its width sets each range's width.
    step_pct:
        The grid of possible outcomes (25 bp).
    asof:
        The cut-off (aware datetime; a date means the end of that UTC day).

    Returns
    -------
    OddsDistribution
        ``source`` "kalshi"; refused (``reason``) when no quote is a priced "greater"
        strike on the grid.

    Notes
    -----
    Price of strike X: the mid of a two-sided quote (0 < bid <= ask < 1), else the last
    trade when 0 < last < 1 (flagged), else the strike is excluded (flagged). With strikes
    X_1 < ... < X_n and S_i = P(U > X_i), the S_i are made non-increasing by
    :func:`isotonic_non_increasing` (equal weights; ``repaired`` and a flag when needed):

    .. math:: P(U \\le X_1) = 1 - S_1,\\quad P(X_i < U \\le X_{i+1}) = S_i - S_{i+1},
              \\quad P(U > X_n) = S_n

    A bucket whose highest attainable upper bound is u and lowest l (grid points in it)
    is the range [l - w, u], w the width of ``current_range``: [X_i, X_{i+1}] for the Fed.
    The outer buckets are lumped tails at [X_1 - w, X_1] and [X_n + step - w, X_n + step].

    References
    ----------
    Kalshi, KXFED contract rules ("If the upper bound of the target federal funds rate ...
    is greater than X% following the Federal Reserve's ... meeting, then the market
    resolves to Yes"); sources.md §7 ("P(rate in bucket) = difference of adjacent 'above'
    prices").
    """
    lo, hi, width = _check_range(current_range, step_pct)
    flags: list[str] = []
    strikes: list[tuple[float, float, str]] = []
    for q in quotes:
        name = q.ticker or f"strike {q.strike_pct}"
        if q.strike_type != "greater" or not math.isfinite(q.strike_pct):
            flags.append(
                f"strike-type: {name} is not an 'above X%' strike "
                f"(strike_type {q.strike_type!r}, strike {q.strike_pct})"
            )
            continue
        k = (q.strike_pct - hi) / step_pct
        if abs(k - round(k)) > 1e-6:
            flags.append(f"off-grid: {name} is off the {step_pct}pp grid through {hi}%")
            continue
        price, basis = _ladder_price(q)
        if price is None:
            flags.append(f"no-price: {name} has no two-sided quote and no trade")
            continue
        if basis:
            flags.append(f"last-trade: {name} priced at its last trade {price:.4f}")
        strikes.append((q.strike_pct, price, name))
    quality = _quality(
        volumes=[q.volume for q in quotes],
        unit="contracts",
        liquidity=[],
        books=[(q.yes_bid, q.yes_ask) for q in quotes],
        times=[q.updated_at for q in quotes],
        asof=asof,
        stale_after=stale_after,
        thin_below=thin_below_contracts,
    )
    flags += _quality_flags(quality) + _past(meeting, asof)
    strikes.sort()
    duplicates = sorted({s for (s, _, _), (t, _, _) in pairwise(strikes) if s == t})
    reason = None
    if not strikes:
        reason = f"none of the {len(quotes)} markets is a priced 'above X%' strike on the grid"
    elif duplicates:
        reason = f"strikes {duplicates} appear more than once: one ladder per event expected"
    if reason is not None:
        return OddsDistribution(meeting, "kalshi", (), tuple(flags), False, quality, reason)
    xs = [s for s, _, _ in strikes]
    raw = [p for _, p, _ in strikes]
    survival = isotonic_non_increasing(raw)
    repaired = any(abs(a - b) > 1e-12 for a, b in zip(raw, survival, strict=True))
    if repaired:
        bad = [
            f"P(>{xs[i + 1]:g})={raw[i + 1]:.3f} > P(>{xs[i]:g})={raw[i]:.3f}"
            for i in range(len(raw) - 1)
            if raw[i + 1] > raw[i]
        ]
        moved = max(abs(a - b) for a, b in zip(raw, survival, strict=True))
        flags.append(
            f"repaired: 'above' prices rose with the strike ({'; '.join(bad)}); pooled "
            f"adjacent violators, largest change {fraction_to_pct(moved):.1f}pp"
        )
    masses = [1.0 - survival[0]]
    masses += [survival[i] - survival[i + 1] for i in range(len(xs) - 1)]
    masses.append(survival[-1])
    bounds: list[tuple[float, float, Lumped | None]] = [(xs[0] - width, xs[0], "below")]
    for a, b in pairwise(xs):
        bounds.append((a + step_pct - width, b, None))
        if b - a > step_pct + _EPS:
            flags.append(f"wide-bucket: no strike between {a:g}% and {b:g}%: one bucket")
    bounds.append((xs[-1] + step_pct - width, xs[-1] + step_pct, "above"))
    flags += _tail_flags(bounds, masses)
    probabilities, overround = _normalised(bounds, [max(0.0, m) for m in masses], "buckets")
    flags += overround + _current_flag(probabilities, lo, hi)
    return OddsDistribution(meeting, "kalshi", probabilities, tuple(flags), repaired, quality)


def _ladder_price(q: LadderQuote) -> tuple[float | None, bool]:
    """(price, True when it is the last trade); None when neither rule applies."""
    if 0.0 < q.yes_bid <= q.yes_ask < 1.0:
        return (q.yes_bid + q.yes_ask) / 2.0, False
    if 0.0 < q.last_price < 1.0:
        return q.last_price, True
    return None, False


# --- Polymarket outcomes -------------------------------------------------------------------


def _move_bp(label: str) -> tuple[float, bool] | None:
    """(signed change in bp, True for an "n+" label), or None when not a rate move."""
    return label_move(label)


def outcome_distribution(
    outcomes: Sequence[OutcomeQuote],
    meeting: date,
    *,
    current_range: tuple[float, float],
    step_pct: float = 0.25,
    asof: date | datetime,
    stale_after: timedelta = STALE_AFTER,
    thin_below_usd: float = THIN_BELOW,
) -> OddsDistribution:
    """The target-range distribution of a Polymarket "Fed decision in <Month>" event.

    Parameters are those of :func:`ladder_distribution`. Labels read (case and spacing
    free): "No change", "Unchanged", "<n> bps increase|decrease|hike|cut", "Increase|
    Decrease of <n> bps", with "<n>+" for an open-ended move. Anything else (a person's
    name, "Other") is flagged and excluded, never guessed; so is a move that is not a
    multiple of ``step_pct``. An "n+" outcome is the range n bp away, lumped with all
    further ones (flagged). Refused (``reason``) when no outcome is a priced rate move or
    two outcomes claim the same range.

    Notes
    -----
    Price: ``yes_price`` (Gamma ``outcomePrices``; in the recorded event it equals the book
    midpoint with a missing bid taken as 0, and Polymarket displays the midpoint), else the
    mid of a two-sided book; else excluded. A move of c bp maps the current range to
    [lower + c/100, upper + c/100]. With raw prices r_j of the kept outcomes:

    .. math:: p_j = r_j / \\sum_k r_k

    References
    ----------
    Polymarket, "Fed decision in January" market rules (the change of the upper bound,
    rounded up to the next 25 bp); Polymarket documentation, "Prices & Orderbook" (the
    displayed price is the midpoint); Štrumbelj, E. (2014), "On determining probability
    forecasts from betting odds", *International Journal of Forecasting* 30(4), 934-943.
    """
    lo, hi, _ = _check_range(current_range, step_pct)
    flags: list[str] = []
    kept: list[tuple[float, bool, float, str]] = []
    excluded = 0.0
    for o in outcomes:
        move = _move_bp(o.label)
        price = _outcome_price(o)
        if move is None:
            flags.append(f"unparsed: {o.label!r} is not a rate move")
        elif abs(move[0] / (step_pct * 100) - round(move[0] / (step_pct * 100))) > 1e-6:
            flags.append(f"off-grid: {o.label!r} is not a multiple of {step_pct * 100:g} bp")
        elif price is None:
            flags.append(f"no-price: {o.label!r} has no price")
        else:
            kept.append((move[0], move[1], price, o.label))
            continue
        excluded += price or 0.0
    if excluded > 0 and kept:
        flags.append(f"excluded: outcomes left out carried {excluded:.4f} of raw price")
    quality = _quality(
        volumes=[o.volume_usd for o in outcomes],
        unit="usd",
        liquidity=[o.liquidity_usd for o in outcomes],
        books=[(o.best_bid, o.best_ask) for o in outcomes],
        times=[o.last_trade_at for o in outcomes],
        asof=asof,
        stale_after=stale_after,
        thin_below=thin_below_usd,
    )
    flags += _quality_flags(quality) + _past(meeting, asof)
    kept.sort()
    reason = _outcome_refusal(kept, len(outcomes))
    if reason is not None:
        return OddsDistribution(meeting, "polymarket", (), tuple(flags), False, quality, reason)
    bounds: list[tuple[float, float, Lumped | None]] = []
    for change_bp, plus, price, label in kept:
        shift = change_bp / 100.0
        lumped: Lumped | None = ("below" if change_bp < 0 else "above") if plus else None
        bounds.append((lo + shift, hi + shift, lumped))
        if plus:
            flags.append(
                f"lumped: {label!r} ({price:.3f}) holds moves of {change_bp:+g} bp and beyond"
            )
    raw = [p for _, _, p, _ in kept]
    probabilities, overround = _normalised(bounds, raw, "outcomes")
    flags += overround
    return OddsDistribution(meeting, "polymarket", probabilities, tuple(flags), False, quality)


def _outcome_refusal(kept: Sequence[tuple[float, bool, float, str]], n: int) -> str | None:
    moves = [m for m, _, _, _ in kept]
    if not kept:
        return f"none of the {n} outcomes is a priced rate move (see flags)"
    if len(set(moves)) != len(moves):
        return f"two outcomes claim the same move: {[label for *_, label in kept]}"
    extreme = {moves[0], moves[-1]} - {0.0}
    if any(plus and m not in extreme for m, plus, _, _ in kept):
        return f"an 'n+' outcome is not the largest move on its side: {moves}"
    if not math.fsum(p for _, _, p, _ in kept) > 0:
        return "every rate-move outcome is priced at 0"
    return None


def _outcome_price(o: OutcomeQuote) -> float | None:
    if 0.0 <= o.yes_price <= 1.0:
        return o.yes_price
    if 0.0 < o.best_bid <= o.best_ask < 1.0:
        return (o.best_bid + o.best_ask) / 2.0
    return None


# --- shared pieces -------------------------------------------------------------------------


def _check_range(current_range: tuple[float, float], step_pct: float) -> tuple[float, float, float]:
    lo, hi = (float(x) for x in current_range)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi and step_pct > 0):
        raise AnalyticsError(f"need lower <= upper and a positive step, not {current_range}")
    return lo, hi, hi - lo


def _normalised(
    bounds: Sequence[tuple[float, float, Lumped | None]], raw: Sequence[float], what: str
) -> tuple[tuple[RangeProbability, ...], list[str]]:
    """Ranges with raw masses divided by their sum; an ``overround`` flag if it is not 1."""
    total = math.fsum(raw)
    rows = sorted(
        (round(a, 10), round(b, 10), m / total, lumped)
        for (a, b, lumped), m in zip(bounds, raw, strict=True)
    )
    flags = []
    if abs(total - 1.0) > SUM_TOLERANCE:
        flags.append(
            f"overround: raw prices of the {what} sum to {total:.4f}; each divided by the sum"
        )
    return tuple(RangeProbability(a, b, p, lumped) for a, b, p, lumped in rows), flags


def _tail_flags(
    bounds: Sequence[tuple[float, float, Lumped | None]], masses: Sequence[float]
) -> list[str]:
    out = []
    for (a, b, lumped), m in zip(bounds, masses, strict=True):
        if lumped is not None and m > 0:
            side = "at or below" if lumped == "below" else "at or above"
            out.append(f"lumped: {m:.3f} for every range {side} {a:g}-{b:g}%")
    return out


def _current_flag(probabilities: Sequence[RangeProbability], lo: float, hi: float) -> list[str]:
    for r in probabilities:
        if abs(r.lower_pct - lo) < _EPS and abs(r.upper_pct - hi) < _EPS:
            if r.lumped is None:
                return []
            return [f"tail: the current range {lo:g}-{hi:g}% is a lumped tail of the ladder"]
    return [f"tail: the current range {lo:g}-{hi:g}% is inside a lumped or wide bucket"]


def _instant(asof: date | datetime) -> datetime:
    if isinstance(asof, datetime):
        if asof.tzinfo is None:
            raise AnalyticsError("asof must be timezone-aware (UTC)")
        return asof
    return datetime.combine(asof + timedelta(days=1), time(), tzinfo=UTC)


def _past(meeting: date, asof: date | datetime) -> list[str]:
    day = _instant(asof).astimezone(UTC).date() if isinstance(asof, datetime) else asof
    return [f"past: the meeting {meeting} is before the cut-off {day}"] if meeting < day else []


def _quality(
    *,
    volumes: Sequence[float],
    unit: Literal["contracts", "usd"],
    liquidity: Sequence[float],
    books: Sequence[tuple[float, float]],
    times: Sequence[datetime | None],
    asof: date | datetime,
    stale_after: timedelta,
    thin_below: float,
) -> MarketQuality:
    known = [v for v in volumes if math.isfinite(v)]
    volume = math.fsum(known) if known else None
    liquid = [v for v in liquidity if math.isfinite(v)]
    spreads = [fraction_to_pct(a - b) for b, a in books if 0.0 < b <= a < 1.0]
    stamps = [t for t in times if t is not None]
    last = max(stamps) if stamps else None
    return MarketQuality(
        volume_contracts=volume if unit == "contracts" else None,
        volume_usd=volume if unit == "usd" else None,
        liquidity_usd=math.fsum(liquid) if liquid else None,
        max_spread_pp=max(spreads) if spreads else None,
        mean_spread_pp=math.fsum(spreads) / len(spreads) if spreads else None,
        two_sided=len(spreads),
        quotes=len(books),
        last_update_at=last,
        stale=last is None or _instant(asof) - last > stale_after,
        thin=volume is None or volume < thin_below,
        stale_after=stale_after,
        thin_below=thin_below,
    )


def _quality_flags(q: MarketQuality) -> list[str]:
    flags = []
    if q.stale:
        hours = q.stale_after.total_seconds() / 3600
        when = (
            "no update time"
            if q.last_update_at is None
            else f"last update {q.last_update_at.isoformat(timespec='seconds')}"
        )
        flags.append(f"stale: {when}, none within {hours:g} h of the cut-off")
    if q.thin:
        volume = "unknown" if q.volume is None else f"{q.volume:,.0f}"
        flags.append(f"thin: volume {volume} below {q.thin_below:,.0f}")
    return flags
