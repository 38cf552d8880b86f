"""``markets.toml``: the packaged discovery configuration and its checks."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from carrywatch.catalog.market_discovery import (
    BANKS,
    BankMarkets,
    check_slugs,
    load_market_discovery,
    parse_markets,
)
from carrywatch.errors import CatalogError


def test_the_packaged_file() -> None:
    discovery = load_market_discovery()
    assert set(discovery.banks) == set(BANKS) == {"fed", "boj"}
    assert discovery.for_bank("fed") == BankMarkets("fed", ("KXFED",), ())
    # No Kalshi BOJ series is known offline; Polymarket slugs must be found by search.
    assert discovery.for_bank("boj") == BankMarkets("boj", (), ())
    text = resources.files("carrywatch.catalog").joinpath("markets.toml").read_text("utf-8")
    assert "No Kalshi series for BOJ decisions is known offline" in text
    with pytest.raises(CatalogError, match="unknown bank 'ecb'"):
        discovery.for_bank("ecb")


def test_a_table_may_be_left_out() -> None:
    discovery = parse_markets(
        tomllib.loads('[fed]\npolymarket_slugs = ["fed-decision-in-march-885"]')
    )
    assert discovery.for_bank("fed").polymarket_slugs == ("fed-decision-in-march-885",)
    assert discovery.for_bank("boj") == BankMarkets("boj")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"ecb": {}}, "unknown banks"),
        ({"fed": []}, "must be a table"),
        ({"fed": {"kalshi": ["KXFED"]}}, "unknown keys"),
        ({"fed": {"kalshi_series": "KXFED"}}, "list of strings"),
        ({"fed": {"kalshi_series": ["kxfed"]}}, "malformed"),
        ({"fed": {"kalshi_series": ["KXFED-26DEC"]}}, "malformed"),
        ({"fed": {"polymarket_slugs": ["fed decision"]}}, "malformed"),
        ({"fed": {"kalshi_series": ["KXFED", "KXFED"]}}, "twice"),
    ],
)
def test_malformed_entries_are_named(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_markets(doc)


def test_check_slugs() -> None:
    assert check_slugs(["a-1", "b", "a-1"]) == ("a-1", "b")
    with pytest.raises(CatalogError, match="not a Polymarket event slug"):
        check_slugs(["fed-decision-in-march/no-change"])
