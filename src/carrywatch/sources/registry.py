"""Every live source by name, built with the origins in force.

The names are a public contract: ``carrywatch refresh --source NAME`` and the
``CARRYWATCH_<NAME>_ORIGIN`` environment variables use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from carrywatch.errors import ConfigError
from carrywatch.sources.base import Source
from carrywatch.sources.boj import BojTimeSeries
from carrywatch.sources.cftc import CftcCot
from carrywatch.sources.coinbase import CoinbaseCandles
from carrywatch.sources.estat_cpi import EStatCpi
from carrywatch.sources.fiscaldata import FiscalDataTga
from carrywatch.sources.fred import FredGraph
from carrywatch.sources.fred_api import FredApi
from carrywatch.sources.japan_mof import JapanMof
from carrywatch.sources.kalshi import Kalshi
from carrywatch.sources.polymarket import PolymarketClob, PolymarketGamma
from carrywatch.sources.tic import TicHolders
from carrywatch.sources.ustreasury import TreasuryParCurve
from carrywatch.sources.yahoo import YahooChart

__all__ = ["SOURCE_CLASSES", "SOURCE_NAMES", "build_sources", "default_origins"]


SOURCE_CLASSES: Mapping[str, Callable[..., Source]] = {
    "fred": FredGraph,
    "fred_api": FredApi,
    "ustreasury": TreasuryParCurve,
    "fiscaldata": FiscalDataTga,
    "japan_mof": JapanMof,
    "boj": BojTimeSeries,
    "tic": TicHolders,
    "cftc": CftcCot,
    "polymarket_gamma": PolymarketGamma,
    "polymarket_clob": PolymarketClob,
    "kalshi": Kalshi,
    "yahoo": YahooChart,
    "coinbase": CoinbaseCandles,
    "estat": EStatCpi,
}

SOURCE_NAMES: tuple[str, ...] = tuple(SOURCE_CLASSES)


def default_origins() -> dict[str, str]:
    """Each source's default origin (scheme://host)."""
    return {name: source.default_origin for name, source in build_sources().items()}


def build_sources(origins: Mapping[str, str] | None = None) -> dict[str, Source]:
    """One instance per source; ``origins`` overrides the default of some of them."""
    overrides = dict(origins or {})
    unknown = set(overrides) - set(SOURCE_CLASSES)
    if unknown:
        raise ConfigError(f"unknown source names {sorted(unknown)}; known: {list(SOURCE_NAMES)}")
    built: dict[str, Source] = {}
    for name, cls in SOURCE_CLASSES.items():
        # The keyed FRED API is used for its vintages: values carry their publication time.
        extra = {"vintages": True} if name == "fred_api" else {}
        built[name] = cls(origin=overrides.get(name), **extra)
    return built
