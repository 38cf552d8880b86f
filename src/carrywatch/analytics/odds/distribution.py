"""A distribution of the target range after one meeting, from any source (futures, path,
Kalshi, Polymarket), with its market quality, its JSON shape and its text.

Rates and range bounds are in percent, probabilities are fractions in [0, 1], spreads in
percentage points (pp).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

from carrywatch.analytics.units import fraction_to_pct
from carrywatch.errors import AnalyticsError

__all__ = [
    "SOURCES",
    "SUM_TOLERANCE",
    "Lumped",
    "MarketQuality",
    "OddsDistribution",
    "RangeProbability",
    "bounds_text",
    "odds_json",
    "range_text",
]

#: The ``source`` values of the issue's JSON shape.
SOURCES: Final = ("futures", "path", "polymarket", "kalshi")
#: Probabilities of one distribution sum to 1 within this.
SUM_TOLERANCE: Final = 1e-9

Lumped = Literal["below", "above"]


@dataclass(frozen=True, slots=True)
class RangeProbability:
    """P(the target range after the meeting is [lower_pct, upper_pct]); ``lumped`` marks a
    tail that also holds every range below ("below") or above ("above") it."""

    lower_pct: float
    upper_pct: float
    probability: float
    lumped: Lumped | None = None


@dataclass(frozen=True, slots=True)
class MarketQuality:
    """How much a market's prices can be trusted.

    ``volume_contracts`` (Kalshi, lifetime contracts summed over the ladder) or
    ``volume_usd`` (Polymarket, lifetime USD summed over outcomes) is set, the other None;
    None in both means no quote reported a volume. Spreads are ask - bid over the quotes
    with a two-sided book (``two_sided`` of ``quotes``), in pp. ``stale``: no update within
    ``stale_after`` before the cut-off (an unknown update time counts as stale); ``thin``:
    volume below ``thin_below`` (unknown volume counts as thin).
    """

    volume_contracts: float | None
    volume_usd: float | None
    liquidity_usd: float | None
    max_spread_pp: float | None
    mean_spread_pp: float | None
    two_sided: int
    quotes: int
    last_update_at: datetime | None
    stale: bool
    thin: bool
    stale_after: timedelta
    thin_below: float

    @property
    def volume(self) -> float | None:
        """The volume in whichever unit the venue reports."""
        return self.volume_contracts if self.volume_contracts is not None else self.volume_usd

    def summary(self) -> str:
        """One line: volume, spreads, last update and the flags."""
        unit = "contracts" if self.volume_contracts is not None else "USD"
        volume = "volume unknown" if self.volume is None else f"volume {self.volume:,.0f} {unit}"
        spread = (
            "no two-sided quote"
            if self.mean_spread_pp is None or self.max_spread_pp is None
            else f"spread mean {self.mean_spread_pp:.1f}pp max {self.max_spread_pp:.1f}pp "
            f"({self.two_sided}/{self.quotes} two-sided)"
        )
        when = self.last_update_at.isoformat() if self.last_update_at else "never"
        tags = [t for t, on in (("stale", self.stale), ("thin", self.thin)) if on]
        return f"{volume}; {spread}; last update {when}" + (f" [{', '.join(tags)}]" if tags else "")


@dataclass(frozen=True, slots=True)
class OddsDistribution:
    """A distribution of the target range after ``meeting`` from one ``source``.

    ``probabilities`` are sorted by range and sum to 1 within :data:`SUM_TOLERANCE`
    (checked here), unless the distribution was refused: then it is empty and ``reason``
    says why. ``repaired`` is True when a ladder needed monotonicity repair. ``quality``
    is None for ``futures`` and ``path``.
    """

    meeting: date
    source: str
    probabilities: tuple[RangeProbability, ...]
    flags: tuple[str, ...]
    repaired: bool
    quality: MarketQuality | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise AnalyticsError(f"source {self.source!r} is not one of {SOURCES}")
        if self.reason is not None:
            if self.probabilities:
                raise AnalyticsError("a refused distribution carries no probabilities")
            return
        if not self.probabilities:
            raise AnalyticsError("a distribution needs at least one range, or a reason")
        keys = [(r.lower_pct, r.upper_pct) for r in self.probabilities]
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            raise AnalyticsError(f"ranges must be distinct and sorted: {keys}")
        for r in self.probabilities:
            if not (r.lower_pct <= r.upper_pct and 0.0 <= r.probability <= 1.0):
                raise AnalyticsError(f"invalid range probability {r}")
        total = math.fsum(r.probability for r in self.probabilities)
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise AnalyticsError(f"{self.source} {self.meeting}: probabilities sum to {total!r}")

    @property
    def refused(self) -> bool:
        """True when no distribution could honestly be formed (see ``reason``)."""
        return self.reason is not None

    def to_json(self) -> dict[str, object]:
        """The meeting entry of the issue's JSON shape (lumped tails lose their mark)."""
        if self.reason is not None:
            raise AnalyticsError(f"{self.source} {self.meeting}: no distribution: {self.reason}")
        return {
            "date": self.meeting.isoformat(),
            "source": self.source,
            "distribution": [
                {"lower": r.lower_pct, "upper": r.upper_pct, "probability": r.probability}
                for r in self.probabilities
            ],
        }

    def summary(self) -> str:
        """One line: the most likely range, or why there is no distribution."""
        head = f"{self.source} {self.meeting}"
        if self.reason is not None:
            return f"{head}: refused: {self.reason}"
        mode = max(self.probabilities, key=lambda r: r.probability)
        text = (
            f"{head}: most likely {range_text(mode)} at {fraction_to_pct(mode.probability):.1f}%"
            f" over {len(self.probabilities)} ranges"
        )
        extras = ["repaired"] if self.repaired else []
        if self.quality is not None:
            q = self.quality
            extras += [t for t, on in (("stale", q.stale), ("thin", q.thin)) if on]
        if self.flags:
            extras.append(f"{len(self.flags)} flags")
        return text + (f" ({', '.join(extras)})" if extras else "")


def odds_json(
    bank: Literal["fed", "boj"], asof: date, distributions: Sequence[OddsDistribution]
) -> dict[str, object]:
    """The issue's JSON document; refused distributions are left out (their ``reason``
    belongs in the report's text)."""
    if bank not in ("fed", "boj"):
        raise AnalyticsError(f"bank must be 'fed' or 'boj', not {bank!r}")
    day = asof.date() if isinstance(asof, datetime) else asof
    kept = sorted((d for d in distributions if not d.refused), key=lambda d: d.meeting)
    return {"bank": bank, "asof": day.isoformat(), "meetings": [d.to_json() for d in kept]}


def bounds_text(lower_pct: float, upper_pct: float) -> str:
    """``3.5-3.75%`` for a range, ``0.75%`` for a point target (lower == upper)."""
    return f"{lower_pct:g}%" if lower_pct == upper_pct else f"{lower_pct:g}-{upper_pct:g}%"


def range_text(r: RangeProbability) -> str:
    """``3.5-3.75%`` (``0.75%`` for a point), with ``<=``/``>=`` for a lumped tail."""
    core = bounds_text(r.lower_pct, r.upper_pct)
    return {None: core, "below": f"<= {core}", "above": f">= {core}"}[r.lumped]
