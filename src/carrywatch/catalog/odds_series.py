"""The catalog's policy-odds series, read from their ids.

``us.fomc_odds.<meeting>.<venue>.<outcome>`` is the probability ``venue`` gave
``outcome`` at the FOMC decision of ``meeting`` (YYYY-MM-DD); ``jp.boj_odds.…`` the same
for a BOJ decision. Outcomes are the codes of :mod:`carrywatch.frames` (``hold``,
``cut_25``, ``hike_50_plus``, a Kalshi strike ``above_375``) or a target range in basis
points (``350-375`` is 3.50-3.75%, CME's published table). Prediction markets
(``polymarket``, ``kalshi``) are in ``probability`` (0-1), CME FedWatch's published numbers
(``cme_fedwatch``) in ``percent``, as CME shows them.

Quotes of a whole market (``carrywatch markets refresh``: every outcome of a Polymarket
event, every strike of a Kalshi ladder) are not in ``series.toml``: the markets open and
close with the meetings, so each series is defined when its first quote is stored
(:func:`quote_series_spec`), with three siblings per outcome (``<id>.bid``, ``<id>.ask``,
``<id>.volume``: the book and the volume traded when it was quoted). They are *event*
series (:attr:`OddsSeries.event`): together they are one distribution.

``us.fedfunds_futures.<code>.mid`` is the mid price of one 30-day fed funds future; its
``remote_code`` is the contract (``ZQN26``: July 2026).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from carrywatch.catalog.spec import Bounds, Catalog, SeriesSpec
from carrywatch.errors import CatalogError

__all__ = [
    "EVENT_SOURCES",
    "ODDS_FAMILIES",
    "VENUE_NAMES",
    "OddsSeries",
    "bank_meetings",
    "futures_mid_series",
    "market_series_spec",
    "odds_series",
    "quote_series_spec",
]

#: The id family of each bank's odds series.
ODDS_FAMILIES: Final = {"fed": "us.fomc_odds", "boj": "jp.boj_odds"}
#: The sources whose quotes cover a whole market (every outcome of an event, every strike
#: of a ladder), by the venue they quote.
EVENT_SOURCES: Final = {"kalshi": "kalshi", "polymarket_gamma": "polymarket"}
#: The unit of the volume a venue reports.
_VOLUME_UNITS: Final = {"kalshi": "contracts", "polymarket": "usd"}
_PROBABILITY: Final = Bounds(0.0, 1.0, "a price quoted by a prediction market lies in [0, 1]")
_VOLUME: Final = Bounds(0.0, 1e12, "a market's traded volume is not negative")
_QUOTE_CODE: Final = re.compile(
    r"^(?P<venue>[a-z_]+):(?P<meeting>\d{4}-\d{2}-\d{2}):(?P<outcome>[a-z0-9_-]+)"
    r"(?::(?P<field>bid|ask|volume))?$"
)

#: How the brief names each venue.
VENUE_NAMES: Final = {
    "polymarket": "Polymarket",
    "kalshi": "Kalshi",
    "cme_fedwatch": "CME FedWatch (published)",
}

_ODDS_ID: Final = re.compile(
    r"^(?P<family>us\.fomc_odds|jp\.boj_odds)\.(?P<meeting>\d{4}-\d{2}-\d{2})\.(?P<venue>[a-z_]+)\.(?P<outcome>[a-z0-9_-]+)$"
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
    bank: str = "fed"
    #: One outcome of a whole market (see the module docstring), not a series on its own.
    event: bool = False

    @property
    def range_pct(self) -> tuple[float, float] | None:
        """The target range the outcome names, in percent (None for ``hold``)."""
        match = _RANGE.match(self.outcome)
        if match is None:
            return None
        return int(match[1]) / 100.0, int(match[2]) / 100.0


def odds_series(catalog: Catalog, bank: str = "fed") -> tuple[OddsSeries, ...]:
    """Every odds series of ``bank`` in ``catalog``, by meeting, venue and outcome."""
    family = ODDS_FAMILIES[bank]
    found = []
    for spec in catalog.series.values():
        parts = _odds_id(spec.id)
        if parts is None or parts[0] != family:
            continue
        _, meeting, venue, outcome = parts
        found.append(
            OddsSeries(
                series_id=spec.id,
                meeting=meeting,
                venue=venue,
                outcome=outcome,
                unit=spec.unit,
                bank=bank,
                event=spec.source in EVENT_SOURCES,
            )
        )
    return tuple(sorted(found, key=lambda s: (s.meeting, s.venue, s.outcome)))


@cache
def _odds_id(series_id: str) -> tuple[str, dt.date, str, str] | None:
    """The family, meeting, venue and outcome an odds id names (``None``: not an odds id).
    Kept per id: the brief asks for the odds series of its catalog some 40 times, and
    matching every id of the catalog each time cost more than the rest of the lookup."""
    match = _ODDS_ID.match(series_id)
    if match is None:
        return None
    meeting = dt.date.fromisoformat(match["meeting"])
    return match["family"], meeting, match["venue"], match["outcome"]


def quote_series_spec(bank: str, source: str, remote_code: str) -> SeriesSpec:
    """The spec of the series a market quote of ``bank`` is stored in (module docstring).

    ``remote_code`` is a quote code of :func:`carrywatch.frames.quote_code`
    (``kalshi:2026-12-09:above_350``, ``…:bid``); ``CatalogError`` for anything else.
    """
    match = _QUOTE_CODE.match(remote_code)
    if bank not in ODDS_FAMILIES or match is None:
        raise CatalogError(f"{remote_code!r} is not a quote of a {bank!r} meeting")
    venue, meeting, outcome, field = (match[k] for k in ("venue", "meeting", "outcome", "field"))
    series_id = f"{ODDS_FAMILIES[bank]}.{meeting}.{venue}.{outcome}" + (
        f".{field}" if field else ""
    )
    name = VENUE_NAMES.get(venue, venue)
    decision = "FOMC" if bank == "fed" else "BOJ"
    what = {
        None: "probability",
        "bid": "best bid",
        "ask": "best ask",
        "volume": "volume traded",
    }[field]
    unit = _VOLUME_UNITS.get(venue, "contracts") if field == "volume" else "probability"
    return SeriesSpec(
        id=series_id,
        title=f"{name}: {what} of {outcome} at the {decision} decision of {meeting}",
        unit=unit,
        frequency="daily",
        source=source,
        remote_code=remote_code,
        publisher=f"{name} (market quotes, `carrywatch markets refresh`)",
        bounds=_VOLUME if field == "volume" else _PROBABILITY,
    )


def market_series_spec(series_id: str, source: str, remote_code: str) -> SeriesSpec | None:
    """The spec of a market quote series the store defines (:func:`quote_series_spec`),
    from its ``series`` row; None for a row that is not one."""
    if source not in EVENT_SOURCES:
        return None
    for bank, family in ODDS_FAMILIES.items():
        if series_id.startswith(f"{family}."):
            spec = quote_series_spec(bank, source, remote_code)
            return spec if spec.id == series_id else None
    return None


def bank_meetings(catalog: Catalog, bank: str) -> list[tuple[dt.date, str]]:
    """``(decision day, kind)`` of every meeting of ``bank`` (``fed`` or ``boj``)."""
    if bank == "fed":
        return [(m.date, m.kind) for m in catalog.fomc]
    if bank == "boj":
        return [(m.date, m.kind) for m in catalog.boj]
    raise CatalogError(f"unknown bank {bank!r}: use 'fed' or 'boj'")


def futures_mid_series(catalog: Catalog) -> dict[str, str]:
    """``{series id: contract code}`` of every ``us.fedfunds_futures.<code>.mid`` series."""
    return {spec.id: spec.remote_code for spec in catalog.series.values() if _MID_ID.match(spec.id)}
