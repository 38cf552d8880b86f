"""Japan's fiscal exposure to higher rates: the extra interest a parallel rise in yields
adds to the government's debt service in the years after it.

The defaults reproduce the Ministry of Finance's published sensitivity (the 後年度影響試算,
"estimate of the budget's effect on later years", January 2023): a 1 pp rise in rates
from FY2024 raises debt service by about ¥0.7 tn in the first year, ¥2.0 tn in the second
and ¥3.6 tn in the third, because only the bonds refinanced (and newly issued) since the
rise pay the higher coupon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from carrywatch.analytics.units import pct_to_fraction

__all__ = [
    "MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN",
    "MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN",
    "MOF_IMPLIED_REPRICED_SHARE",
    "MOF_REFERENCE_STOCK_JPY_TN",
    "MOF_SENSITIVITY_SOURCE",
    "DebtServiceIncrease",
    "debt_service_increase",
]

MOF_SENSITIVITY_SOURCE: Final = (
    "Ministry of Finance, 後年度影響試算 (January 2023), as shown in the Fiscal System "
    "Council's material 財政総論 of 14 April 2023, p. 17 ('impact on debt service if rates "
    "rise from FY2024': +1%: +0.7, +2.0, +3.6 tn yen in FY2024-26; +2%: +1.5, +4.0, +7.2)"
)

#: Extra debt service (JPY tn) in FY2024, FY2025, FY2026 after rates rise 1 pp from FY2024.
MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN: Final = (0.7, 2.0, 3.6)

#: The same for a 2 pp rise (used to check that the estimate is linear in the rise).
MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN: Final = (1.5, 4.0, 7.2)

#: Outstanding ordinary JGBs (普通国債残高) at the end of FY2021, JPY tn (actual), the
#: stock quoted beside the sensitivity on the same page (with an average remaining
#: maturity of 9 years 0 months and an average coupon of 0.78%).
MOF_REFERENCE_STOCK_JPY_TN: Final = 991.0

#: Cumulative share of the stock repriced by the end of year 1, 2, 3 implied by the MOF
#: figures: extra_k / (stock x 1 pp). About 7%, 20% and 36%.
MOF_IMPLIED_REPRICED_SHARE: Final = tuple(
    extra / (MOF_REFERENCE_STOCK_JPY_TN * pct_to_fraction(1.0))
    for extra in MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN
)


@dataclass(frozen=True, slots=True)
class DebtServiceIncrease:
    """Extra annual interest in years 1..N after a parallel rise in rates.

    ``extra_interest_jpy_tn[k - 1]`` is the increase in year ``k``;
    ``repriced_share_by_year[k - 1]`` the cumulative share of the stock paying the new
    rate by then. ``assumptions`` says where the shares came from.
    """

    debt_stock_jpy_tn: float
    rate_rise_pp: float
    repriced_share_by_year: tuple[float, ...]
    extra_interest_jpy_tn: tuple[float, ...]
    assumptions: str

    def summary(self) -> str:
        """One line: the rise, the stock and the extra interest year by year."""
        years = ", ".join(
            f"year {k} +¥{x:,.1f}tn" for k, x in enumerate(self.extra_interest_jpy_tn, 1)
        )
        return f"{self.rate_rise_pp:+.2f}pp on ¥{self.debt_stock_jpy_tn:,.0f}tn of debt: {years}"


def _check_shares(shares: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(s) for s in shares)
    array = np.asarray(values, dtype="float64")
    if array.size == 0:
        raise ValueError("at least one year of repriced shares is needed")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"repriced shares must lie in [0, 1], not {values}")
    if np.any(np.diff(array) < 0):
        raise ValueError(f"cumulative repriced shares cannot fall from year to year: {values}")
    return values


def _from_profile(profile: Mapping[int, float]) -> tuple[float, ...]:
    if not profile:
        raise ValueError("maturity_profile is empty")
    last = max(profile)
    if min(profile) < 1:
        raise ValueError("maturity_profile years start at 1")
    yearly = [float(profile.get(k, 0.0)) for k in range(1, last + 1)]
    if any(not np.isfinite(s) or s < 0 for s in yearly):
        raise ValueError(f"maturity_profile shares must be non-negative, not {yearly}")
    return tuple(float(c) for c in np.cumsum(yearly))


def debt_service_increase(
    debt_stock_jpy_tn: float,
    rate_rise_pp: float,
    *,
    refinanced_share_by_year: Sequence[float] | None = None,
    maturity_profile: Mapping[int, float] | None = None,
    years: int = 3,
) -> DebtServiceIncrease:
    """Extra annual interest in years 1..N after a parallel rise of ``rate_rise_pp``.

    Parameters
    ----------
    debt_stock_jpy_tn:
        The debt stock exposed, in JPY trillions (e.g. outstanding ordinary JGBs;
        :data:`MOF_REFERENCE_STOCK_JPY_TN` = 991 at the end of FY2021).
    rate_rise_pp:
        The parallel rise in interest rates, in percentage points (negative for a fall).
    refinanced_share_by_year:
        Cumulative share of the stock that pays the new rate by year 1, 2, ... (bonds
        refinanced plus new issuance, per yen of the stock). Default:
        :data:`MOF_IMPLIED_REPRICED_SHARE`, which reproduces the MOF estimate.
    maturity_profile:
        Alternatively, the share of the stock repricing *in* each year ``{1: s1, 2: s2,
        ...}``; its running sum is the cumulative share. Not together with
        ``refinanced_share_by_year``.
    years:
        Number of years N to report; the shares must cover them (they are never
        extrapolated).

    Returns
    -------
    DebtServiceIncrease

    Notes
    -----
    .. math:: \\Delta I_k = B \\cdot c_k \\cdot \\Delta r / 100, \\qquad k = 1..N

    with :math:`B` the stock, :math:`c_k` the cumulative repriced share by year
    :math:`k` and :math:`\\Delta r` the rise in pp. Assumptions: the rise is parallel and
    permanent; refinancing is spread over each year, so a year's extra interest is less
    than a full year's coupon on what was refinanced in it (the implied shares absorb
    this); the stock is held constant (new issuance enters through the shares).

    The default shares are *implied*, not observed: :math:`c_k = \\Delta I_k^{MOF} /
    (991 \\times 1\\%)`, i.e. 0.7/9.91, 2.0/9.91, 3.6/9.91. With them the function gives
    back MOF's 1 pp figures for the FY2021 stock, and its 2 pp figures (1.5, 4.0, 7.2)
    within their rounding (1.4, 4.0, 7.2), since the estimate is linear in the rise.
    For another stock the figures scale in proportion, which assumes the same maturity
    structure. A later MOF estimate on a larger stock (Fiscal System Council, April 2024,
    as reported by Jiji Press) gives +¥0.8 tn and +¥2.0 tn in the first two years of a
    1 pp rise, consistent in size.

    References
    ----------
    Ministry of Finance, Japan, 後年度影響試算 (January 2023), reproduced in 財政制度等
    審議会 財政制度分科会, 資料 財政総論, 14 April 2023, p. 17: see
    :data:`MOF_SENSITIVITY_SOURCE`.
    """
    if years < 1:
        raise ValueError(f"years must be at least 1, not {years}")
    if not np.isfinite(debt_stock_jpy_tn) or debt_stock_jpy_tn < 0:
        raise ValueError(
            f"debt_stock_jpy_tn must be a non-negative number, not {debt_stock_jpy_tn}"
        )
    if not np.isfinite(rate_rise_pp):
        raise ValueError(f"rate_rise_pp must be a number, not {rate_rise_pp}")
    if refinanced_share_by_year is not None and maturity_profile is not None:
        raise ValueError("give refinanced_share_by_year or maturity_profile, not both")

    if maturity_profile is not None:
        shares = _check_shares(_from_profile(maturity_profile))
        assumptions = "cumulative repriced shares from the maturity profile given"
    elif refinanced_share_by_year is not None:
        shares = _check_shares(refinanced_share_by_year)
        assumptions = "cumulative repriced shares given by the caller"
    else:
        shares = MOF_IMPLIED_REPRICED_SHARE
        assumptions = (
            "repriced shares implied by the MOF sensitivity on a ¥991tn stock: "
            + MOF_SENSITIVITY_SOURCE
        )
    if len(shares) < years:
        raise ValueError(
            f"{years} years asked for but the repriced shares cover {len(shares)}; "
            "give shares for every year (they are not extrapolated)"
        )
    shares = shares[:years]
    rise = pct_to_fraction(rate_rise_pp)
    extra = tuple(debt_stock_jpy_tn * share * rise for share in shares)
    return DebtServiceIncrease(
        debt_stock_jpy_tn=debt_stock_jpy_tn,
        rate_rise_pp=rate_rise_pp,
        repriced_share_by_year=shares,
        extra_interest_jpy_tn=extra,
        assumptions=assumptions,
    )
