"""Load and check ``markets.toml``: which prediction markets follow each bank's decisions.

The file ships inside the package; :func:`load_market_discovery` reads it on demand (never
at import time) and raises :class:`~carrywatch.errors.CatalogError` on a malformed entry,
naming it. Kalshi series tickers are upper case without ``-`` (``KXFED``); Polymarket
event slugs are the provider's (``fed-decision-in-october``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from carrywatch.errors import CatalogError

__all__ = [
    "BANKS",
    "BankMarkets",
    "MarketDiscovery",
    "check_slugs",
    "load_market_discovery",
    "parse_markets",
]

#: The banks whose decisions the markets are about.
BANKS: Final = ("fed", "boj")

_SERIES = re.compile(r"[A-Z0-9][A-Z0-9._]{0,49}")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
_KEYS: Final = frozenset({"kalshi_series", "polymarket_slugs"})


@dataclass(frozen=True, slots=True)
class BankMarkets:
    """Where to look for one bank's decision markets."""

    bank: str
    kalshi_series: tuple[str, ...] = ()
    polymarket_slugs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarketDiscovery:
    """The discovery configuration of every bank."""

    banks: Mapping[str, BankMarkets]

    def for_bank(self, bank: str) -> BankMarkets:
        """The entry of ``bank``; ``CatalogError`` names the known banks otherwise."""
        try:
            return self.banks[bank]
        except KeyError:
            raise CatalogError(
                f"unknown bank {bank!r}: markets.toml lists {sorted(self.banks)}"
            ) from None


def _names(
    entry: Mapping[str, Any], key: str, pattern: re.Pattern[str], where: str
) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: {key!r} must be a list of strings, got {value!r}")
    bad = [v for v in value if not pattern.fullmatch(v)]
    if bad:
        raise CatalogError(f"{where}: {key!r} holds malformed names {bad}")
    if len(set(value)) != len(value):
        raise CatalogError(f"{where}: {key!r} lists a name twice")
    return tuple(value)


def parse_markets(doc: Mapping[str, Any]) -> MarketDiscovery:
    """The discovery configuration from a parsed ``markets.toml``."""
    unknown = sorted(set(doc) - set(BANKS))
    if unknown:
        raise CatalogError(f"markets.toml: unknown banks {unknown} (known: {list(BANKS)})")
    banks: dict[str, BankMarkets] = {}
    for bank in BANKS:
        entry = doc.get(bank, {})
        where = f"markets.toml [{bank}]"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where} must be a table")
        extra = sorted(set(entry) - _KEYS)
        if extra:
            raise CatalogError(f"{where}: unknown keys {extra} (known: {sorted(_KEYS)})")
        banks[bank] = BankMarkets(
            bank=bank,
            kalshi_series=_names(entry, "kalshi_series", _SERIES, where),
            polymarket_slugs=_names(entry, "polymarket_slugs", _SLUG, where),
        )
    return MarketDiscovery(banks=banks)


def check_slugs(slugs: Sequence[str]) -> tuple[str, ...]:
    """``slugs`` without repeats, each checked to be an event slug (``CatalogError``)."""
    bad = [s for s in slugs if not _SLUG.fullmatch(s)]
    if bad:
        raise CatalogError(
            f"{bad[0]!r} is not a Polymarket event slug (letters, digits, '-', e.g. "
            "'fed-decision-in-october'; the part after /event/ in the event's address)"
        )
    return tuple(dict.fromkeys(slugs))


@cache
def load_market_discovery() -> MarketDiscovery:
    """The packaged ``markets.toml`` (read once per process)."""
    try:
        text = resources.files("carrywatch.catalog").joinpath("markets.toml").read_text("utf-8")
        doc = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"catalog file markets.toml cannot be read: {exc}") from exc
    return parse_markets(doc)
