"""The catalog's policy-odds series, read from their ids.

``us.fomc_odds.<meeting>.<venue>.<outcome>`` is the probability ``venue`` gave
``outcome`` at the FOMC decision of ``meeting`` (YYYY-MM-DD): ``hold`` (no change), or a
target range in basis points (``350-375`` is 3.50-3.75%). Prediction markets
(``polymarket``, ``kalshi``) are in ``probability`` (0-1), CME FedWatch's published numbers
(``cme_fedwatch``) in ``percent``, as CME shows them.

``us.fedfunds_futures.<code>.mid`` is the mid price of one 30-day fed funds future; its
``remote_code`` is the contract (``ZQN26``: July 2026).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from carrywatch.catalog.spec import Catalog

__all__ = [
    "VENUE_NAMES",
    "OddsSeries",
    "futures_mid_series",
    "odds_series",
]

#: How the brief names each venue.
VENUE_NAMES: Final = {
    "polymarket": "Polymarket",
    "kalshi": "Kalshi",
    "cme_fedwatch": "CME FedWatch (published)",
}

_ODDS_ID: Final = re.compile(
    r"^us\.fomc_odds\.(?P<meeting>\d{4}-\d{2}-\d{2})\.(?P<venue>[a-z_]+)\.(?P<outcome>[a-z0-9_-]+)$"
)
_RANGE: Final = re.compile(r"^(\d{3})-(\d{3})$")
_MID_ID: Final = re.compile(r"^us\.fedfunds_futures\.zq[fghjkmnquvxz]\d{2}\.mid$")


@dataclass(frozen=True, slots=True)
class OddsSeries:
    """One odds series: which meeting, venue and outcome its id names."""

    series_id: str
    meeting: dt.date
    venue: str
    outcome: str
    unit: str

    @property
    def range_pct(self) -> tuple[float, float] | None:
        """The target range the outcome names, in percent (None for ``hold``)."""
        match = _RANGE.match(self.outcome)
        if match is None:
            return None
        return int(match[1]) / 100.0, int(match[2]) / 100.0


def odds_series(catalog: Catalog) -> tuple[OddsSeries, ...]:
    """Every ``us.fomc_odds.*`` series of ``catalog``, by meeting, venue and outcome."""
    found = []
    for spec in catalog.series.values():
        match = _ODDS_ID.match(spec.id)
        if match is None:
            continue
        found.append(
            OddsSeries(
                series_id=spec.id,
                meeting=dt.date.fromisoformat(match["meeting"]),
                venue=match["venue"],
                outcome=match["outcome"],
                unit=spec.unit,
            )
        )
    return tuple(sorted(found, key=lambda s: (s.meeting, s.venue, s.outcome)))


def futures_mid_series(catalog: Catalog) -> dict[str, str]:
    """``{series id: contract code}`` of every ``us.fedfunds_futures.<code>.mid`` series."""
    return {spec.id: spec.remote_code for spec in catalog.series.values() if _MID_ID.match(spec.id)}
