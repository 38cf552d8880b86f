"""Published and quoted policy odds beside carrywatch's own: conversions and comparisons.

Pure functions over what the store holds: CME FedWatch's published probabilities (percent
per target range), ZQ mid prices, and the daily effective federal funds rate.

* :func:`published_ranges`: CME's percentages as :class:`RangeProbability` rows (fractions),
  as published: not renormalised (CME rounds each to 0.1 pp, so they sum to 100 within
  about 0.5).
* :func:`largest_difference_pp`: the largest gap, over every range either side gives,
  between two distributions of one meeting.
* :func:`end_rate_sensitivity_bp`: how far a meeting's implied rate moves per price step
  when it is solved from the days of its own month after the decision.
* :func:`expired_month_settlement`: what an expired 30-day fed funds future settled at,
  from the daily EFFR of its month, so that a month already over can anchor the FedWatch
  tree when no contract price of it is at hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from carrywatch.analytics.odds.distribution import RangeProbability
from carrywatch.analytics.units import fraction_to_pct, pct_to_fraction

__all__ = [
    "end_rate_sensitivity_bp",
    "expired_month_settlement",
    "largest_difference_pp",
    "published_ranges",
]


def published_ranges(
    probabilities_pct: Mapping[tuple[float, float], float],
) -> tuple[RangeProbability, ...]:
    """CME's published ``{(lower_pct, upper_pct): probability in percent}`` as rows sorted
    by range, each probability a fraction (``pct / 100``), without renormalising."""
    return tuple(
        RangeProbability(lower, upper, pct_to_fraction(probability))
        for (lower, upper), probability in sorted(probabilities_pct.items())
    )


def largest_difference_pp(
    published: Sequence[RangeProbability], computed: Sequence[RangeProbability]
) -> float:
    """:math:`\\max_r |p_r - q_r|` in percentage points, over the union of the ranges of
    both (a range one side lacks counts as probability 0 there)."""
    left = {(r.lower_pct, r.upper_pct): r.probability for r in published}
    right = {(r.lower_pct, r.upper_pct): r.probability for r in computed}
    gaps = [abs(left.get(k, 0.0) - right.get(k, 0.0)) for k in left.keys() | right.keys()]
    return float(fraction_to_pct(max(gaps, default=0.0)))


def expired_month_settlement(daily_effr_pct: pd.Series, month: pd.Period) -> float | None:
    """The final settlement price of the 30-day fed funds future of ``month``.

    .. math:: P_m = 100 - \\frac{1}{D_m}\\sum_{d \\in m} r_d

    over the ``D_m`` calendar days of the month, ``r_d`` the effective federal funds rate
    of day ``d`` in percent, a weekend or holiday taking the rate of the business day
    before (CBOT Rulebook, chapter 22, 30-Day Federal Funds futures: final settlement is
    100 minus the month's average daily EFFR). FRED's ``DFF`` is published for every
    calendar day in that way, so ``daily_effr_pct`` (DatetimeIndex) must hold each day of
    the month; None when any day is missing (the month is not over, or the series has a
    gap): a partial average would settle nothing.
    """
    days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
    values = daily_effr_pct.reindex(days)
    if values.isna().any():
        return None
    average = math.fsum(values.to_numpy(dtype="float64")) / len(days)
    return 100.0 - average


def end_rate_sensitivity_bp(
    days_in_month: int, days_after: int, price_step: float = 0.0025
) -> float:
    """The move of a meeting's implied end rate, in bp, per ``price_step`` of its month's
    ZQ price when the end is solved from that month alone.

    From :math:`\bar r = (N_b s + N_a e)/N` with the start ``s`` known,
    :math:`e = (N \bar r - N_b s)/N_a`, so :math:`\\partial e/\\partial P = -N/N_a` and

    .. math:: \\Delta e = 100 \\cdot \text{price\\_step} \\cdot N / N_a \\ \text{bp}.

    ``price_step`` defaults to 0.0025, the smallest price increment of the expiring ZQ
    contract (CME contract specifications); ``days_after`` (:math:`N_a`) counts the days at
    the new rate. Raises ``ValueError`` unless ``0 < days_after <= days_in_month``.
    """
    if not 0 < days_after <= days_in_month:
        raise ValueError(f"days_after must be 1..{days_in_month}, not {days_after}")
    return 100.0 * price_step * days_in_month / days_after
