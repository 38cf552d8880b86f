"""Odds side by side: a futures- or path-implied distribution next to prediction markets.

For one meeting, :func:`compare` differences each market's distribution against the
reference bucket by bucket (percentage points: 0.04 of probability is 4 pp), merges
open-ended tails first, refuses to guess where ranges are cut differently (``unaligned``)
and says which market is thinner (wider mean bid/ask spread, else lower volume).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from carrywatch.analytics.odds.distribution import (
    Lumped,
    MarketQuality,
    OddsDistribution,
    RangeProbability,
    range_text,
)
from carrywatch.analytics.units import fraction_to_pct
from carrywatch.errors import AnalyticsError

__all__ = ["BucketDifference", "Comparison", "SourceDifference", "compare"]

_EPS = 1e-9


# --- side by side --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BucketDifference:
    """One range in both distributions: ``difference_pp`` = 100 (other - reference)."""

    lower_pct: float
    upper_pct: float
    lumped: Lumped | None
    reference_probability: float
    other_probability: float
    difference_pp: float


@dataclass(frozen=True, slots=True)
class SourceDifference:
    """One market against the reference; ``unaligned`` lists ranges that overlap a
    differently cut range of the other side and are left out of the differences."""

    source: str
    buckets: tuple[BucketDifference, ...]
    max_abs_difference_pp: float | None
    unaligned: tuple[str, ...]
    quality: MarketQuality | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Prediction markets beside a reference distribution for one meeting."""

    meeting: date
    reference_source: str
    differences: tuple[SourceDifference, ...]
    thinner: str | None
    thinner_basis: str
    notes: tuple[str, ...]

    def summary(self) -> str:
        """One line: the largest gap per market and the thinner source."""
        gaps = ", ".join(
            f"{d.source} max |diff| "
            + ("n/a" if d.max_abs_difference_pp is None else f"{d.max_abs_difference_pp:.1f}pp")
            for d in self.differences
        )
        thinner = self.thinner or "undetermined"
        return (
            f"{self.meeting} vs {self.reference_source}: {gaps or 'no market'}; thinner: {thinner}"
        )


def compare(reference: OddsDistribution, others: Sequence[OddsDistribution]) -> Comparison:
    """Each market's distribution minus the reference, range by range, in pp.

    Notes
    -----
    For each pair, tails are merged first: B = the highest upper bound of a "below"
    lumped range on either side, T = the lowest lower bound of an "above" one; ranges with
    upper <= B (lower >= T) are summed into one tail on both sides. The other ranges are
    matched exactly; a range absent from one side has probability 0 there, unless it
    overlaps a differently cut range (then both are listed in ``unaligned``).

    .. math:: d_k = 100\\,(p^{other}_k - p^{ref}_k)

    Thinner: the market with the wider mean bid/ask spread (unit free); without spreads,
    the lower volume when units agree. A futures or path reference has neither: it is
    named in the basis ("exchange futures") and the markets are compared among themselves.
    """
    if reference.refused:
        raise AnalyticsError(f"the reference has no distribution: {reference.reason}")
    notes: list[str] = []
    diffs: list[SourceDifference] = []
    for other in others:
        if other.meeting != reference.meeting:
            raise AnalyticsError(f"{other.source} is for {other.meeting}, not {reference.meeting}")
        if other.refused:
            notes.append(f"{other.source}: no distribution ({other.reason})")
            continue
        diffs.append(_pair(reference, other))
    thinner, basis = _thinner(reference, [d for d in others if not d.refused])
    return Comparison(
        reference.meeting, reference.source, tuple(diffs), thinner, basis, tuple(notes)
    )


def _pair(ref: OddsDistribution, other: OddsDistribution) -> SourceDifference:
    rows = [*ref.probabilities, *other.probabilities]
    below = [r for r in rows if r.lumped == "below"]
    above = [r for r in rows if r.lumped == "above"]
    cut_b = max(below, key=lambda r: r.upper_pct) if below else None
    cut_t = min(above, key=lambda r: r.lower_pct) if above else None
    if cut_b and cut_t:
        width = cut_t.upper_pct - cut_t.lower_pct
        if cut_t.lower_pct + width <= cut_b.upper_pct + _EPS:
            why = f"tails overlap ({range_text(cut_b)} and {range_text(cut_t)})"
            return SourceDifference(other.source, (), None, (why,), other.quality)

    def side(
        d: OddsDistribution,
    ) -> tuple[float, float, dict[tuple[float, float], float], list[RangeProbability]]:
        low = high = 0.0
        middle: dict[tuple[float, float], float] = {}
        straddling = []
        for r in d.probabilities:
            if cut_b and r.upper_pct <= cut_b.upper_pct + _EPS:
                low += r.probability
            elif cut_t and r.lower_pct >= cut_t.lower_pct - _EPS:
                high += r.probability
            elif (cut_b and r.lower_pct < cut_b.upper_pct - _EPS) or (
                cut_t and r.upper_pct > cut_t.lower_pct + _EPS
            ):
                straddling.append(r)
            else:
                middle[(r.lower_pct, r.upper_pct)] = r.probability
        return low, high, middle, straddling

    r_low, r_high, r_mid, r_cross = side(ref)
    o_low, o_high, o_mid, o_cross = side(other)
    unaligned = [f"{range_text(r)} straddles a merged tail" for r in (*r_cross, *o_cross)]
    buckets: list[BucketDifference] = []
    if cut_b:
        buckets.append(_row(cut_b.lower_pct, cut_b.upper_pct, "below", r_low, o_low))
    for key in sorted(set(r_mid) | set(o_mid)):
        theirs = o_mid if key in r_mid else r_mid
        if key not in theirs and any(_overlap(key, k) for k in theirs):
            unaligned.append(f"{key[0]:g}-{key[1]:g}% is cut differently on the other side")
            continue
        buckets.append(_row(*key, None, r_mid.get(key, 0.0), o_mid.get(key, 0.0)))
    if cut_t:
        buckets.append(_row(cut_t.lower_pct, cut_t.upper_pct, "above", r_high, o_high))
    largest = max((abs(b.difference_pp) for b in buckets), default=None)
    return SourceDifference(other.source, tuple(buckets), largest, tuple(unaligned), other.quality)


def _row(lo: float, hi: float, lumped: Lumped | None, ref: float, other: float) -> BucketDifference:
    return BucketDifference(lo, hi, lumped, ref, other, fraction_to_pct(other - ref))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:
        return a == b
    return max(a[0], b[0]) < min(a[1], b[1]) - _EPS


def _thinner(
    reference: OddsDistribution, others: Sequence[OddsDistribution]
) -> tuple[str | None, str]:
    markets = [d for d in (reference, *others) if d.quality is not None]
    ref_note = {
        "futures": "the reference is exchange futures (no volume or spread here)",
        "path": "the reference is a policy path, not a market",
    }.get(reference.source, "")
    prefix = f"{ref_note}; " if ref_note else ""
    if not markets:
        return None, prefix + "no prediction market to rank"
    if len(markets) == 1:
        return markets[0].source, prefix + f"{markets[0].source} is the only prediction market"
    qualities = [(d.source, d.quality) for d in markets if d.quality is not None]
    if all(q.mean_spread_pp is not None for _, q in qualities):
        source, _ = max(qualities, key=lambda sq: sq[1].mean_spread_pp or 0.0)
        spreads = ", ".join(f"{s} {x.mean_spread_pp:.1f}pp" for s, x in qualities)
        return source, prefix + f"widest mean bid/ask spread ({spreads})"
    units = {q.volume_contracts is not None for _, q in qualities}
    if len(units) == 1 and all(q.volume is not None for _, q in qualities):
        source, _ = min(qualities, key=lambda sq: sq[1].volume or 0.0)
        return source, prefix + "lowest volume (no spread on every market)"
    return None, prefix + "undetermined: spreads missing and volumes in different units"
