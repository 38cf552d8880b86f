"""The z-score of a change against past changes of the same horizon, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from carrywatch.analytics.changes import MIN_PAST_CHANGES, change_score, step_zscores
from carrywatch.errors import InsufficientDataError


def _daily(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values)), name="x")


def test_change_score_against_past_changes_of_the_same_horizon() -> None:
    # Levels 0, 1, 0, 1, ... (30 days), then 5 on day 30. One-day changes before day 29
    # alternate +1, -1; the window takes the 24 ending on days 5..28 (12 of each sign:
    # mean 0, sample sd sqrt(24/23) = 1.0215078). The change from day 29 (level 1) to
    # day 30 (level 5) is 4: z = 4 / 1.0215078 = 3.915780.
    levels = [float(i % 2) for i in range(30)] + [5.0]
    daily = _daily(levels)
    score = change_score(daily, daily.index[29], daily.index[30], window=24)
    assert score.change == 4.0
    assert score.n_past == 24
    assert score.mean_past == pytest.approx(0.0)
    assert score.std_past == pytest.approx(math.sqrt(24 / 23))
    assert score.zscore == pytest.approx(3.915780, abs=1e-6)


def test_a_horizon_of_several_days_compares_changes_of_as_many_days() -> None:
    # Levels rise by 1 a day (a constant two-day change of 2) with one jump: the window's
    # two-day changes are all 2 except those spanning the jump.
    levels = [float(i) for i in range(40)]
    levels[20:] = [v + 3.0 for v in levels[20:]]  # a jump of 3 on day 20
    daily = _daily(levels)
    score = change_score(daily, daily.index[37], daily.index[39], window=30)
    assert score.change == 2.0
    past = [levels[t] - levels[t - 2] for t in range(7, 37)]
    assert score.n_past == 30
    assert score.mean_past == pytest.approx(np.mean(past))
    assert score.std_past == pytest.approx(np.std(past, ddof=1))


def test_no_z_score_from_too_few_or_constant_past_changes() -> None:
    flat = _daily([0.5] * 40)
    score = change_score(flat, flat.index[38], flat.index[39], window=30)
    assert score.zscore is None
    assert score.reason == "the past changes are all equal"
    short = _daily([0.0, 1.0, 2.0, 4.0])
    few = change_score(short, short.index[2], short.index[3], window=30)
    assert few.zscore is None
    assert few.n_past == 1
    assert f"fewer than {MIN_PAST_CHANGES}" in (few.reason or "")


def test_a_missing_end_value_is_an_error_naming_the_series() -> None:
    daily = _daily([1.0, float("nan"), 2.0])
    with pytest.raises(InsufficientDataError, match="x has no value"):
        change_score(daily, daily.index[0], daily.index[1], window=10)


def test_step_zscores_use_only_earlier_steps() -> None:
    values = pd.Series([float(i % 2) for i in range(25)] + [4.0])
    scores = step_zscores(values, window=24)
    # Step 25 is +3 (1 -> 4)? No: level 24 is 0 (24 % 2), so the step is +4 against 24
    # steps of +-1 (mean 0, sd sqrt(24/23)): z = 4 / 1.0215078 = 3.915780.
    assert scores.iloc[-1] == pytest.approx(3.915780, abs=1e-6)
    assert scores.iloc[:MIN_PAST_CHANGES].isna().all()
