"""Real policy rates, neutral bands, policy rules and step paths."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.policy import (
    NO_MARKET_PATH,
    NeutralBand,
    compare_paths,
    gap_to_neutral,
    load_neutral_bands,
    moves_to_band,
    projected_path,
    real_policy_rate_pct,
    taylor_1993,
    taylor_balanced,
)
from carrywatch.errors import ConfigError
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series


def _band(low: float, high: float) -> NeutralBand:
    return NeutralBand("x", "Test bank", low, high, None, "", date(2025, 1, 1), "a test")


# --- neutral bands ------------------------------------------------------------------------


def test_the_packaged_bands_and_their_sources() -> None:
    bands = load_neutral_bands()
    assert set(bands) == {"boj", "fed"}
    boj, fed = bands["boj"], bands["fed"]
    assert (boj.low_pct, boj.high_pct, boj.central_pct) == (1.0, 2.5, None)
    assert (fed.low_pct, fed.central_pct, fed.high_pct) == (2.6, 3.0, 3.6)
    assert "Uchida" in boj.source
    assert "commonly attributed" in boj.source
    assert "Summary of Economic" in fed.source
    assert "central tendency" in fed.source
    assert fed.as_of == date(2025, 12, 10)
    assert fed.summary() == "Federal Reserve neutral 2.60%-3.60%, centre 3.00% (as of 2025-12-10)"


def test_bands_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "neutral.toml"
    path.write_text(
        '[ecb]\nbank = "ECB"\nlow_pct = 1.75\nhigh_pct = 2.25\nas_of = 2025-06-05\n'
        'source = "ECB staff, Economic Bulletin"\n',
        "utf-8",
    )
    bands = load_neutral_bands(path)
    assert bands["ecb"].low_pct == 1.75
    assert bands["ecb"].as_of == date(2025, 6, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[a]\nbank = "A"\nlow_pct = 3\nhigh_pct = 2\nas_of = 2025-01-01\nsource = "s"\n',
            "low_pct",
        ),
        ('[a]\nbank = "A"\nlow_pct = 1\nas_of = 2025-01-01\nsource = "s"\n', "high_pct"),
        (
            '[a]\nbank = "A"\nlow_pct = 1\nhigh_pct = 2\ncentral_pct = 3\n'
            'as_of = 2025-01-01\nsource = "s"\n',
            "central_pct",
        ),
        ('[a]\nbank = "A"\nlow_pct = 1\nhigh_pct = 2\nas_of = "soon"\nsource = "s"\n', "as_of"),
        (
            '[a]\nbank = "A"\nlow_pct = 1\nhigh_pct = 2\nas_of = 2025-01-01\nsource = " "\n',
            "source",
        ),
        ("[a\n", "cannot read"),
    ],
)
def test_malformed_bands_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_neutral_bands(path)


def test_a_missing_band_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_neutral_bands(tmp_path / "absent.toml")


# --- real rate ------------------------------------------------------------------------------


def test_japan_real_rate_during_the_carry_unwind() -> None:
    frame = snapshot_frame()
    real = real_policy_rate_pct(
        snapshot_series(frame, "jp.boj.policy_rate"),
        snapshot_series(frame, "jp.cpi.core"),
        date(2024, 8, 5),
        measure="Japan CPI less fresh food",
    )
    # BOJ hiked to 0.25% on 2024-07-31. Core CPI (2020=100) 2024-08 = 108.7,
    # 2023-08 = 105.7 -> 100 * (108.7 / 105.7 - 1) = 2.838%. Real = 0.25 - 2.838 = -2.588.
    assert real.policy_rate_pct == 0.25
    assert real.policy_obs_date == date(2024, 7, 31)
    assert real.inflation_obs_date == date(2024, 8, 1)
    assert real.inflation_pct == pytest.approx(100 * (108.7 / 105.7 - 1))
    assert real.real_rate_pct == pytest.approx(0.25 - 100 * (108.7 / 105.7 - 1))
    assert real.real_rate_pct == pytest.approx(-2.588, abs=1e-3)
    assert real.reason is None


def test_japan_real_rate_is_none_once_the_cpi_is_stale() -> None:
    frame = snapshot_frame()
    real = real_policy_rate_pct(
        snapshot_series(frame, "jp.boj.policy_rate"),
        snapshot_series(frame, "jp.cpi.core"),
        date(2026, 1, 23),
        measure="Japan CPI less fresh food",
    )
    # The snapshot's Japan CPI ends 2024-10: 15 months before the cut-off.
    assert real.real_rate_pct is None
    assert real.inflation_pct is None
    assert real.policy_rate_pct == 0.75  # still reported
    assert real.reason is not None
    assert "jp.cpi.core" in real.reason
    assert "2024-10-01" in real.reason
    assert "n/a" in real.summary()


def test_us_real_rate_on_core_pce() -> None:
    frame = snapshot_frame()
    real = real_policy_rate_pct(
        snapshot_series(frame, "us.fed.target_upper"),
        snapshot_series(frame, "us.core_pce"),
        date(2026, 6, 5),
        measure="US core PCE",
    )
    # Upper target 3.75%; core PCE 2026-05 = 130.082, 2025-05 = 125.790
    # -> 100 * (130.082 / 125.79 - 1) = 3.412%; real = 3.75 - 3.412 = 0.338.
    assert real.real_rate_pct == pytest.approx(3.75 - 100 * (130.082 / 125.79 - 1))
    assert real.real_rate_pct == pytest.approx(0.338, abs=1e-3)


def test_real_rate_names_a_missing_year_ago_month() -> None:
    months = pd.date_range("2024-01-01", periods=13, freq="MS")
    prices = pd.Series(np.linspace(100, 103, 13), index=months, name="us.core_pce")
    prices = prices.drop(months[0])
    policy = pd.Series([4.0], index=[pd.Timestamp("2025-01-15")], name="us.fed.target_upper")
    real = real_policy_rate_pct(policy, prices, date(2025, 1, 20), measure="US core PCE")
    assert real.real_rate_pct is None
    assert real.reason == "us.core_pce has no observation for 2024-01"


# --- gap to neutral and moves ---------------------------------------------------------------


def test_gap_to_neutral_by_hand() -> None:
    boj = load_neutral_bands()["boj"]
    gap = gap_to_neutral(0.75, boj)
    # 0.75 - 1.0 = -0.25 pp to the low end, 0.75 - 2.5 = -1.75 pp to the high end.
    assert gap.gap_to_low_pp == pytest.approx(-0.25)
    assert gap.gap_to_high_pp == pytest.approx(-1.75)
    assert gap.position == "below"
    assert gap.summary() == ("Bank of Japan 0.75% vs neutral 1.00%-2.50%: 0.25pp below the low end")
    assert gap_to_neutral(1.0, boj).position == "inside"  # the ends count as inside
    assert gap_to_neutral(2.5, boj).position == "inside"
    assert gap_to_neutral(3.0, boj).position == "above"


def test_moves_to_band_by_hand() -> None:
    boj = load_neutral_bands()["boj"]
    fed = load_neutral_bands()["fed"]
    assert moves_to_band(0.75, boj) == 1  # 0.25 / 0.25
    assert moves_to_band(0.5, boj) == 2  # 0.50 / 0.25
    assert moves_to_band(0.3, boj) == 3  # 0.70 / 0.25 = 2.8 -> 3
    assert moves_to_band(1.7, boj) == 0
    assert moves_to_band(4.0, fed) == -2  # cuts: (4.0 - 3.6) / 0.25 = 1.6 -> 2
    assert moves_to_band(0.5, boj, step_bp=50) == 1
    with pytest.raises(ValueError, match="step_bp"):
        moves_to_band(0.5, boj, step_bp=0)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-1.0, 6.0), st.floats(0.0, 4.0), st.floats(0.0, 2.0), st.sampled_from([10, 25, 50])
)
def test_moves_to_band_is_the_fewest_moves(
    rate: float, low: float, width: float, step: int
) -> None:
    band = _band(low, low + width)
    n = moves_to_band(rate, band, step_bp=step)
    s = step / 100
    if n > 0:
        assert rate + n * s >= band.low_pct - 1e-9
        assert rate + (n - 1) * s < band.low_pct + 1e-9
    elif n < 0:
        assert rate + n * s <= band.high_pct + 1e-9
        assert rate + (n + 1) * s > band.high_pct - 1e-9
    else:
        # Inside, or within the rounding to 1e-9 of a step that makes 0.25 / 0.25 exactly
        # one move (1e-9 of a 10 bp step is 1e-10 pp).
        assert band.low_pct - s * 1e-9 <= rate <= band.high_pct + s * 1e-9


# --- policy rules ---------------------------------------------------------------------------


def test_taylor_rules_by_hand() -> None:
    # Taylor (1993): 2 + 3 + 0.5 * (3 - 2) + 0.5 * 1 = 6.0
    rule = taylor_1993(3.0, 1.0)
    assert rule.rate_pct == pytest.approx(6.0)
    assert (rule.inflation_gap_weight, rule.output_gap_weight) == (0.5, 0.5)
    # Balanced approach, gap -1: 2 + 3 + 0.5 * 1 + 1.0 * (-1) = 4.5
    assert taylor_balanced(3.0, -1.0).rate_pct == pytest.approx(4.5)
    # With the SEP-implied r* of 1.0 (3.0 longer-run median - 2% target), core PCE 2.8
    # and no gap: 1.0 + 2.8 + 0.5 * 0.8 = 4.2
    assert taylor_balanced(2.8, 0.0, r_star_pct=1.0).rate_pct == pytest.approx(4.2)
    assert "Taylor (1993): 6.00%" in rule.summary()


@settings(max_examples=100, deadline=None)
@given(st.floats(-5, 15), st.floats(-10, 10), st.floats(-2, 4), st.floats(0, 4))
def test_balanced_minus_taylor_is_half_the_gap(
    pi: float, gap: float, r: float, target: float
) -> None:
    a = taylor_1993(pi, gap, r_star_pct=r, pi_star_pct=target)
    b = taylor_balanced(pi, gap, r_star_pct=r, pi_star_pct=target)
    assert b.rate_pct - a.rate_pct == pytest.approx(0.5 * gap, abs=1e-9)
    # At target inflation and no gap both prescribe r* + pi*.
    assert taylor_1993(target, 0.0, r_star_pct=r, pi_star_pct=target).rate_pct == pytest.approx(
        r + target
    )


# --- paths ----------------------------------------------------------------------------------


def test_projected_path_by_hand() -> None:
    path = projected_path(0.75, 1.5, date(2025, 12, 19))
    # (1.50 - 0.75) / 0.25 = 3 hikes, one every six months after the start.
    assert path.index.tolist() == [
        pd.Timestamp("2025-12-19"),
        pd.Timestamp("2026-06-19"),
        pd.Timestamp("2026-12-19"),
        pd.Timestamp("2027-06-19"),
    ]
    assert path.tolist() == [0.75, 1.0, 1.25, 1.5]
    # Down to 3.6 from 4.0 in 25 bp steps: 3.75, then a shortened last step to 3.6.
    down = projected_path(4.0, 3.6, date(2025, 1, 1), cadence_months=3)
    assert down.tolist() == [4.0, 3.75, 3.6]
    assert projected_path(1.0, 1.0, date(2025, 1, 1)).tolist() == [1.0]


@settings(max_examples=100, deadline=None)
@given(st.floats(-1, 6), st.floats(-1, 6), st.sampled_from([10, 25, 50]), st.integers(1, 12))
def test_projected_path_steps_monotonically_to_the_target(
    start: float, target: float, step: int, cadence: int
) -> None:
    path = projected_path(start, target, date(2025, 1, 1), cadence_months=cadence, step_bp=step)
    values = path.to_numpy()
    assert values[0] == pytest.approx(start)
    assert values[-1] == pytest.approx(target, abs=1e-9)  # a sub-1e-9 bp gap is no move
    moves = np.diff(values)
    assert np.all(np.abs(moves) <= step / 100 + 1e-9)
    assert np.all(moves * math.copysign(1, target - start) >= -1e-12)
    assert len(values) - 1 == max(0, math.ceil(round(abs(target - start) * 100 / step, 9)))
    assert pd.DatetimeIndex(path.index).is_monotonic_increasing


def test_compare_paths_without_a_market_path() -> None:
    path = projected_path(0.75, 1.25, date(2025, 12, 19))
    comparison = compare_paths(path, None)
    assert comparison.market_pct is None
    assert comparison.difference_bp is None
    assert comparison.note == NO_MARKET_PATH == "no market-implied path available"
    assert comparison.summary().endswith("no market-implied path available")


def test_compare_paths_with_a_market_path() -> None:
    path = projected_path(4.0, 3.5, date(2026, 1, 1), cadence_months=3)
    market = pd.Series(
        [3.9, 3.6, 3.4],
        index=pd.DatetimeIndex(["2025-12-31", "2026-03-15", "2026-06-20"]),
        name="market",
    )
    comparison = compare_paths(path, market)
    assert comparison.market_pct is not None
    assert comparison.difference_bp is not None
    # 2026-01-01: 4.00 vs 3.90 (12-31) -> +10 bp; 2026-04-01: 3.75 vs 3.60 -> +15 bp;
    # 2026-07-01: 3.50 vs 3.40 (06-20) -> +10 bp.
    assert comparison.difference_bp.tolist() == pytest.approx([10.0, 15.0, 10.0])
    assert comparison.note is None
