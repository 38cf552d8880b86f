"""Published odds beside computed ones: conversions, the largest gap, expired settlements.

Every number is derived by hand in its comment."""

from __future__ import annotations

import pandas as pd
import pytest

from carrywatch.analytics.odds.distribution import RangeProbability
from carrywatch.analytics.published_odds import (
    end_rate_sensitivity_bp,
    expired_month_settlement,
    largest_difference_pp,
    published_ranges,
)


def test_published_percentages_become_fractions_as_published() -> None:
    # CME's 2026-07-20 numbers for the 2026-07-29 meeting (PROVENANCE.md §12): 85.6 / 14.4.
    rows = published_ranges({(3.75, 4.0): 14.4, (3.5, 3.75): 85.6})
    assert [(r.lower_pct, r.upper_pct) for r in rows] == [(3.5, 3.75), (3.75, 4.0)]
    assert [r.probability for r in rows] == [pytest.approx(0.856), pytest.approx(0.144)]


def test_published_rounding_is_not_renormalised() -> None:
    # Three ranges rounded by CME to 33.3 each sum to 99.9: kept as published.
    rows = published_ranges({(3.5, 3.75): 33.3, (3.75, 4.0): 33.3, (4.0, 4.25): 33.3})
    assert sum(r.probability for r in rows) == pytest.approx(0.999)


def test_largest_difference_covers_ranges_only_one_side_gives() -> None:
    published = [RangeProbability(3.5, 3.75, 0.856), RangeProbability(3.75, 4.0, 0.144)]
    computed = [
        RangeProbability(3.25, 3.5, 0.05),
        RangeProbability(3.5, 3.75, 0.80),
        RangeProbability(3.75, 4.0, 0.15),
    ]
    # |0.856 - 0.80| = 5.6 pp; |0.144 - 0.15| = 0.6 pp; 3.25-3.5: |0 - 0.05| = 5 pp -> 5.6.
    assert largest_difference_pp(published, computed) == pytest.approx(5.6)
    assert largest_difference_pp([], []) == 0.0


def test_an_expired_month_settles_at_100_minus_its_average_rate() -> None:
    # June 2026 (30 days): 16 days at 3.63 and 14 at 3.38 (a hypothetical cut effective on
    # the 17th): average (16 * 3.63 + 14 * 3.38) / 30 = (58.08 + 47.32) / 30 = 3.51333...;
    # settlement 100 - 3.51333 = 96.48667.
    days = pd.date_range("2026-06-01", "2026-06-30", freq="D")
    rates = pd.Series([3.63] * 16 + [3.38] * 14, index=days)
    price = expired_month_settlement(rates, pd.Period("2026-06", "M"))
    assert price == pytest.approx(100.0 - (16 * 3.63 + 14 * 3.38) / 30)
    assert price == pytest.approx(96.486667, abs=1e-6)


def test_a_month_with_a_missing_day_settles_nothing() -> None:
    days = pd.date_range("2026-06-01", "2026-06-29", freq="D")  # 30 June missing
    rates = pd.Series(3.63, index=days)
    assert expired_month_settlement(rates, pd.Period("2026-06", "M")) is None
    assert expired_month_settlement(rates, pd.Period("2026-07", "M")) is None


def test_a_late_decision_solved_from_its_month_is_fragile() -> None:
    # July 2026 (31 days), decision on the 29th counted at the old rate: 2 days after.
    # 100 * 0.0025 * 31 / 2 = 3.875 bp per 0.0025 of price; mid-month (15 days after in a
    # 30-day month): 100 * 0.0025 * 30 / 15 = 0.5 bp.
    assert end_rate_sensitivity_bp(31, 2) == pytest.approx(3.875)
    assert end_rate_sensitivity_bp(30, 15) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"days_after must be 1\.\.31"):
        end_rate_sensitivity_bp(31, 0)
