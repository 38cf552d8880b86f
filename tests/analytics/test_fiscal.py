"""Extra JGB interest after a rise in rates: MOF's estimate reproduced, properties, real data."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import latest_asof, staleness_limit
from carrywatch.analytics.fiscal import (
    MOF_CHECK_EXTRA_1PP_JPY_TN,
    MOF_CHECK_SOURCE,
    MOF_CHECK_STOCK_JPY_TN,
    MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN,
    MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN,
    MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN,
    MOF_IMPLIED_REPRICED_SHARE,
    MOF_REFERENCE_STOCK_JPY_TN,
    debt_service_increase,
)
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def test_the_implied_shares_by_hand() -> None:
    # MOF (January 2023): +1 pp from FY2024 adds 0.7, 2.0, 3.6 tn yen in FY2024-26 and
    # +2 pp adds 1.5, 4.0, 7.2; stock 991 tn. Rounded to 0.1 tn, year 1 per pp lies in
    # [0.65, 0.75) and in [1.45, 1.55) / 2 = [0.725, 0.775): both, [0.725, 0.75), midpoint
    # 0.7375. Years 2 and 3: [1.975, 2.025) and [3.575, 3.625), midpoints 2.0 and 3.6.
    per_pp = MOF_EXTRA_DEBT_SERVICE_PER_PP_JPY_TN
    assert per_pp == pytest.approx((0.7375, 2.0, 3.6))
    # 1 pp of 991 tn is 9.91 tn a year: shares 0.7375 / 9.91, 2.0 / 9.91, 3.6 / 9.91.
    shares = MOF_IMPLIED_REPRICED_SHARE
    assert shares == pytest.approx((0.074420, 0.201816, 0.363269), abs=1e-6)


def test_the_defaults_give_back_both_mof_rows_as_mof_rounds_them() -> None:
    # Fitted to this very table, so no independent check: both rows, rounded to 0.1 tn
    # as MOF rounds, are MOF's (the +2 pp year 1 was 1.40 with shares fitted to 0.7).
    one = debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, 1.0)
    two = debt_service_increase(MOF_REFERENCE_STOCK_JPY_TN, 2.0)
    assert tuple(round(x, 1) for x in one.extra_interest_jpy_tn) == (0.7, 2.0, 3.6)
    assert tuple(round(x, 1) for x in two.extra_interest_jpy_tn) == (1.5, 4.0, 7.2)
    assert MOF_EXTRA_DEBT_SERVICE_1PP_JPY_TN == (0.7, 2.0, 3.6)
    assert MOF_EXTRA_DEBT_SERVICE_2PP_JPY_TN == (1.5, 4.0, 7.2)
    assert one.summary() == (
        "+1.00pp on ¥991tn of debt: year 1 +¥0.7tn, year 2 +¥2.0tn, year 3 +¥3.6tn"
    )
    assert "後年度影響試算" in one.assumptions


def test_a_later_mof_vintage_not_used_for_fitting() -> None:
    # MOF's estimate of April 2024 (Jiji Press, 2024-04-04): a 1 pp rise adds 0.8 tn yen
    # in FY2025 and 2 tn yen in FY2026. Stock at the end of FY2024: 1,105 tn yen of
    # ordinary JGBs (MOF, 我が国の財政事情, December 2023). The January 2023 shares give
    # 1105 x 0.074420 x 1 % = 0.822 (MOF 0.8: within its rounding) and
    # 1105 x 0.201816 x 1 % = 2.230 (MOF 2.0: 0.23 tn, 11 %, high).
    later = debt_service_increase(MOF_CHECK_STOCK_JPY_TN, 1.0, years=2)
    year1, year2 = later.extra_interest_jpy_tn
    assert year1 == pytest.approx(0.822, abs=1e-3)
    assert round(year1, 1) == MOF_CHECK_EXTRA_1PP_JPY_TN[0]
    assert year2 == pytest.approx(2.230, abs=1e-3)
    assert abs(year2 - MOF_CHECK_EXTRA_1PP_JPY_TN[1]) <= 0.25
    assert "April 2024" in MOF_CHECK_SOURCE


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
