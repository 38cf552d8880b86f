"""Extra JGB interest after a rise in rates: MOF's estimate reproduced, properties, real data."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import latest_asof, staleness_limit
from carrywatch.analytics.fiscal import (
    MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN,
    MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN,
    MOF_IMPLIED_REPRICED_SHARE,
    MOF_REFERENCE_STOCK_JPY_TN,
    debt_service_increase,
)
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def test_the_implied_shares_by_hand() -> None:
    # MOF: +1 pp from FY2024 adds 0.7, 2.0, 3.6 tn yen in FY2024-26; stock 991 tn.
    # 1 pp of 991 tn is 9.91 tn a year: shares 0.7 / 9.91, 2.0 / 9.91, 3.6 / 9.91.
    shares = MOF_IMPLIED_REPRICED_SHARE
    assert shares == pytest.approx((0.070636, 0.201816, 0.363269), abs=1e-6)


def test_the_defaults_reproduce_the_mof_estimate() -> None:
    one = debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, 1.0)
    assert one.extra_interest_jpy_tn == pytest.approx(MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN)
    assert one.summary() == (
        "+1.00pp on ¥991tn of debt: year 1 +¥0.7tn, year 2 +¥2.0tn, year 3 +¥3.6tn"
    )
    assert "後年度影響試算" in one.assumptions
    # An independent check: MOF's own 2 pp figures (1.5, 4.0, 7.2) are matched within
    # their rounding to 0.1 tn by the linear model (1.4, 4.0, 7.2).
    two = debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, 2.0)
    for ours, theirs in zip(
        two.extra_interest_jpy_tn, MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN, strict=True
    ):
        assert abs(ours - theirs) <= 0.1 + 1e-9


def test_a_maturity_profile_by_hand() -> None:
    # 10% of the stock reprices in year 1, 10% in year 2, 15% in year 3:
    # cumulative 0.10, 0.20, 0.35. On 1,000 tn with +0.5 pp:
    # 1000 x 0.10 x 0.005 = 0.5; 1000 x 0.20 x 0.005 = 1.0; 1000 x 0.35 x 0.005 = 1.75
    result = debt_service_increase(1000.0, 0.5, maturity_profile={1: 0.10, 2: 0.10, 3: 0.15})
    assert result.repriced_share_by_year == pytest.approx((0.10, 0.20, 0.35))
    assert result.extra_interest_jpy_tn == pytest.approx((0.5, 1.0, 1.75))
    # A year missing from the profile reprices nothing.
    gappy = debt_service_increase(1000.0, 1.0, maturity_profile={1: 0.1, 3: 0.1})
    assert gappy.extra_interest_jpy_tn == pytest.approx((1.0, 1.0, 2.0))


def test_shares_given_directly_and_fewer_years() -> None:
    result = debt_service_increase(500.0, -1.0, refinanced_share_by_year=[0.2, 0.4], years=1)
    assert result.extra_interest_jpy_tn == pytest.approx((-1.0,))  # 500 x 0.2 x -0.01


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"years": 4}, "not extrapolated"),
        ({"refinanced_share_by_year": [0.3, 0.2, 0.4]}, "cannot fall"),
        ({"refinanced_share_by_year": [0.5, 1.2, 1.3]}, r"\[0, 1\]"),
        ({"refinanced_share_by_year": []}, "at least one year"),
        ({"maturity_profile": {0: 0.1}}, "start at 1"),
        ({"maturity_profile": {1: -0.1}}, "non-negative"),
        ({"maturity_profile": {1: 0.6, 2: 0.6}}, r"\[0, 1\]"),
        ({"refinanced_share_by_year": [0.1], "maturity_profile": {1: 0.1}}, "not both"),
        ({"years": 0}, "at least 1"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        debt_service_increase(1000.0, 1.0, **kwargs)  # type: ignore[arg-type]


def test_the_rise_in_jgb_yields_since_2023_on_real_data() -> None:
    jgb10 = snapshot_series(snapshot_frame(), "jp.jgb.10y")
    limit = staleness_limit("daily")
    before = latest_asof(jgb10, date(2023, 12, 31), limit)
    after = latest_asof(jgb10, date(2026, 6, 30), limit)
    assert before.value == 0.647  # 2023-12-29
    assert after.value == 2.690  # 2026-06-30
    rise = after.value - before.value  # 2.043 pp
    result = debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, rise)
    # Year 3: 991 x 0.363269 x 0.02043 = 7.355 tn yen (3.6 tn per pp x 2.043 pp).
    assert result.extra_interest_jpy_tn[2] == pytest.approx(3.6 * rise)
    assert result.extra_interest_jpy_tn[2] == pytest.approx(7.355, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(0, 2000),
    st.floats(-3, 3),
    st.floats(0.1, 5),
    st.lists(st.floats(0, 0.2), min_size=1, max_size=5),
)
def test_linear_in_the_rise_proportional_in_the_stock_and_cumulative(
    stock: float, rise: float, factor: float, yearly: list[float]
) -> None:
    profile = dict(enumerate(yearly, start=1))
    years = len(yearly)
    base = debt_service_increase(stock, rise, maturity_profile=profile, years=years)
    scaled_rise = debt_service_increase(stock, rise * factor, maturity_profile=profile, years=years)
    scaled_stock = debt_service_increase(
        stock * factor, rise, maturity_profile=profile, years=years
    )
    for b, r, s in zip(
        base.extra_interest_jpy_tn,
        scaled_rise.extra_interest_jpy_tn,
        scaled_stock.extra_interest_jpy_tn,
        strict=True,
    ):
        assert r == pytest.approx(b * factor, rel=1e-9, abs=1e-12)
        assert s == pytest.approx(b * factor, rel=1e-9, abs=1e-12)
    # For a rise, the extra interest never shrinks from one year to the next.
    if rise >= 0:
        extra = base.extra_interest_jpy_tn
        assert all(later >= earlier - 1e-12 for earlier, later in pairwise(extra))
