"""Named unit conversions. Units never change silently: every conversion is one of these.

Values are stored in the unit their provider publishes (see ``catalog/series.toml``);
analytics convert explicitly, and the name of each result carries its unit.
"""

from __future__ import annotations

from typing import Final, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "BP_PER_PP",
    "TRADING_DAYS_PER_YEAR",
    "bp_to_pp",
    "pp_to_bp",
    "to_usd_bn",
    "usd_bn_to_tn",
    "usd_mn_to_bn",
]

#: Basis points per percentage point.
BP_PER_PP: Final = 100.0

#: Trading days per year used to annualize daily volatility (the market convention).
TRADING_DAYS_PER_YEAR: Final = 252

Numeric = TypeVar("Numeric", float, np.ndarray, pd.Series)


def usd_mn_to_bn(value: Numeric) -> Numeric:
    """USD millions to USD billions (WALCL, the Daily Treasury Statement)."""
    return value / 1_000.0


def usd_bn_to_tn(value: Numeric) -> Numeric:
    """USD billions to USD trillions."""
    return value / 1_000.0


def pp_to_bp(value: Numeric) -> Numeric:
    """Percentage points to basis points."""
    return value * BP_PER_PP


def bp_to_pp(value: Numeric) -> Numeric:
    """Basis points to percentage points."""
    return value / BP_PER_PP


_TO_BN: Final = {"usd_bn": 1.0, "usd_mn": 1e-3, "usd": 1e-9}


def to_usd_bn(value: Numeric, unit: str) -> Numeric:
    """A dollar amount in ``unit`` (``usd``, ``usd_mn``, ``usd_bn``) as USD billions.

    Raises ``ValueError`` for any other unit, so a series in the wrong unit cannot slip
    into a dollar aggregate.
    """
    try:
        factor = _TO_BN[unit]
    except KeyError:
        raise ValueError(f"cannot convert {unit!r} to usd_bn") from None
    return value * factor
