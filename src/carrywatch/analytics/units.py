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
    "DISPLAY_UNITS",
    "TRADING_DAYS_PER_YEAR",
    "bp_to_pp",
    "display_unit",
    "fraction_to_pct",
    "jpy_to_usd_bn",
    "pct_to_fraction",
    "pp_to_bp",
    "to_display_unit",
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


def jpy_to_usd_bn(value_jpy: Numeric, jpy_per_usd: float) -> Numeric:
    """An amount in yen as USD billions at ``jpy_per_usd`` (USD/JPY quoted as yen per dollar).

    Raises ``ValueError`` unless the rate is a positive finite number.
    """
    if not (np.isfinite(jpy_per_usd) and jpy_per_usd > 0):
        raise ValueError(f"USD/JPY must be a positive yen-per-dollar rate, not {jpy_per_usd!r}")
    return value_jpy / jpy_per_usd / 1e9


def fraction_to_pct(value: Numeric) -> Numeric:
    """A fraction (a simple return ``p1 / p0 - 1``, a share) as percent."""
    return value * 100.0


def pct_to_fraction(value: Numeric) -> Numeric:
    """Percent (a yield, a rate per annum, a return in percent) as a fraction: 5.35 -> 0.0535."""
    return value / 100.0


#: The unit a stored unit is shown in, where the two differ: the Fed's balance sheet and
#: the Daily Treasury Statement are published in USD millions and shown in billions, as the
#: brief does. ``usd`` stays: it is a price (an ETF close, a bitcoin quote), not an amount.
DISPLAY_UNITS: Final = {"usd_mn": "usd_bn"}


def display_unit(unit: str) -> str:
    """The unit a series stored in ``unit`` is shown in (see :data:`DISPLAY_UNITS`)."""
    return DISPLAY_UNITS.get(unit, unit)


def to_display_unit(value: Numeric, unit: str) -> Numeric:
    """``value`` stored in ``unit`` converted to :func:`display_unit` of it (unchanged where
    the two are the same unit)."""
    if unit == "usd_mn":
        return usd_mn_to_bn(value)
    return value
