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
    "MOF_CHECK_EXTRA_1PP_JPY_TN",
    "MOF_CHECK_SOURCE",
    "MOF_CHECK_STOCK_JPY_TN",
    "MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN",
    "MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN",
    "MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN",
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

#: The same for a 2 pp rise (with the 1 pp figures, it pins down the unrounded values).
MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN: Final = (1.5, 4.0, 7.2)

#: Outstanding ordinary JGBs (普通国債残高) at the end of FY2021, JPY tn (actual), the
#: stock quoted beside the sensitivity on the same page (with an average remaining
#: maturity of 9 years 0 months and an average coupon of 0.78%).
MOF_REFERENCE_STOCK_JPY_TN: Final = 991.0


def _per_pp_within_rounding(one_pp: float, two_pp: float, step: float = 0.1) -> float:
    """The extra debt service per pp that both of MOF's rounded figures allow.

    MOF rounds to 0.1 tn: the +1 pp figure ``one_pp`` stands for a value in
    :math:`[x_1 - 0.05, x_1 + 0.05)`, the +2 pp figure ``two_pp`` for twice a per-pp value
    in :math:`[x_2/2 - 0.025, x_2/2 + 0.025)`. The midpoint of the intersection fits both
    (year 1: 0.7 and 1.5 give [0.725, 0.75), so 0.7375, and 1.475 at +2 pp rounds to 1.5
    where 0.7 per pp gave 1.4).
    """
    low = max(one_pp - step / 2, two_pp / 2 - step / 4)
    high = min(one_pp + step / 2, two_pp / 2 + step / 4)
    if low >= high:
        raise ValueError(f"MOF's figures {one_pp} and {two_pp} are not linear in the rise")
    return (low + high) / 2


#: Extra debt service per pp of rise in year 1, 2, 3 consistent with both of MOF's rounded
#: figures (:func:`_per_pp_within_rounding`): (0.7375, 2.0, 3.6) tn yen.
MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN: Final = tuple(
    _per_pp_within_rounding(one, two)
    for one, two in zip(
        MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN, MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN, strict=True
    )
)

#: Cumulative share of the stock repriced by the end of year 1, 2, 3 implied by the MOF
#: figures: extra_k / (stock x 1 pp). About 7.4%, 20% and 36%.
MOF_IMPLIED_REPRICED_SHARE: Final = tuple(
    extra / (MOF_REFERENCE_STOCK_JPY_TN * pct_to_fraction(1.0))
    for extra in MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN
)

#: The independent check: MOF's estimate of April 2024 (a later vintage, not used for the
#: shares), a 1 pp rise from FY2025 on the stock at the end of FY2024.
MOF_CHECK_SOURCE: Final = (
    "Ministry of Finance estimate submitted to the Fiscal System Council on 4 April 2024 "
    "(Jiji Press, 2024-04-04: a 1 pp rise adds 0.8 tn yen to interest payments in FY2025 "
    "and 2 tn yen in FY2026); ordinary JGBs outstanding at the end of FY2024, 1,105 tn yen "
    "(MOF, 我が国の財政事情, FY2024 government budget draft, December 2023)"
)
#: Extra debt service (JPY tn) in FY2025 and FY2026 after a 1 pp rise from FY2025.
MOF_CHECK_EXTRA_1PP_JPY_TN: Final = (0.8, 2.0)
#: Ordinary JGBs outstanding at the end of FY2024 (government draft), JPY tn.
MOF_CHECK_STOCK_JPY_TN: Final = 1105.0


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

    The default shares are *implied*, not observed, and fitted to the MOF table of January
    2023 itself: :math:`c_k = \\Delta I_k / (991 \\times 1\\%)` with :math:`\\Delta I_k`
    the per-pp figures both of MOF's rounded rows allow (0.7375, 2.0, 3.6; see
    :data:`MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN`). With them the function gives back
    MOF's +1 pp (0.7, 2.0, 3.6) and +2 pp (1.5, 4.0, 7.2) figures, rounded as MOF rounds;
    that is no independent check. The check is a later vintage not used for fitting
    (:data:`MOF_CHECK_SOURCE`): on the 1,105 tn stock of end FY2024 the shares give
    0.82 and 2.23 tn in the first two years of a 1 pp rise, against MOF's 0.8 and 2.0:
    year 1 within MOF's rounding, year 2 0.2 tn high (the later stock reprices a smaller
    share in its second year). For another stock the figures scale in proportion, which
    assumes the same maturity structure.

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
