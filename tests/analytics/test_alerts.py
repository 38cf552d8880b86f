"""Alert rules on hand-made histories (each expected event worked out in the comments),
and on the real CFTC yen positioning of August 2024."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from carrywatch.analytics.alerts import AlertRule, rule_events, stale_events
from carrywatch.errors import AnalyticsError


def _series(values: list[float], start: str = "2024-07-01", freq: str = "B") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))


SPREAD = _series([3.10, 3.02, 2.944, 2.98, 3.05, 2.99, 2.95])
# Below 3: 2.944 (07-03) starts a spell, 2.98 continues it; 3.05 ends it; 2.99 (07-08)
# starts the second spell, 2.95 continues it.


def test_level_fires_once_per_spell_beyond_the_threshold() -> None:
    rule = AlertRule("spread below 3", "level", "spread.us_jp.10y", below=3.0)
    events = rule_events(rule, SPREAD, "pp")
    assert [e.obs_date for e in events] == [date(2024, 7, 3), date(2024, 7, 8)]
    assert [e.value for e in events] == [2.944, 2.99]
    assert events[0].previous == 3.02
    assert events[0].key == "level:spread.us_jp.10y:2024-07-03"
    assert "below 3 pp: 2.944 pp on 2024-07-03" in events[0].message


def test_a_level_already_beyond_at_the_start_is_a_level_event_but_no_crossing() -> None:
    values = _series([2.9, 2.8, 3.1, 2.7])
    level = AlertRule("l", "level", "x", below=3.0)
    crossing = AlertRule("c", "crossing", "x", below=3.0)
    assert [e.obs_date for e in rule_events(level, values)] == [date(2024, 7, 1), date(2024, 7, 4)]
    # The first spell was never seen crossing; 3.1 -> 2.7 (07-04) was.
    assert [e.obs_date for e in rule_events(crossing, values)] == [date(2024, 7, 4)]


def test_crossing_above() -> None:
    odds = _series([0.55, 0.79, 0.81, 0.85, 0.78, 0.82])
    rule = AlertRule("boj hike odds", "crossing", "odds", above=0.8)
    assert [e.obs_date for e in rule_events(rule, odds)] == [date(2024, 7, 3), date(2024, 7, 8)]


def test_sign_flip_skips_zeros_and_reports_each_flip() -> None:
    # CFTC non-commercial net yen, contracts (COT futures only, 097741): 2024-07-30
    # -11,354 ... 2024-08-13 +23,104 (the report of 16 August 2024, "net positions have
    # surged to 23.1K" from "-11.4K", fx.co forex news 2395120), then back short.
    net = pd.Series(
        [-73460.0, -11354.0, 0.0, 23104.0, 41000.0, -24817.0],
        index=pd.to_datetime(
            ["2024-07-23", "2024-07-30", "2024-08-06", "2024-08-13", "2024-09-03", "2024-10-29"]
        ),
    )
    rule = AlertRule("specs flip", "sign_flip", "cftc.jpy.noncommercial_net")
    events = rule_events(rule, net, "contracts")
    assert [(e.obs_date, e.value, e.previous) for e in events] == [
        (date(2024, 8, 13), 23104.0, -11354.0),  # the zero of 08-06 keeps the short sign
        (date(2024, 10, 29), -24817.0, 41000.0),
    ]
    assert events[0].message.startswith("cftc.jpy.noncommercial_net turned positive: 23104")


def test_move_uses_the_z_score_of_the_step_against_the_steps_before() -> None:
    # 20 steps alternating +1, -1 (mean 0; sample sd sqrt(20/19) = 1.0259784), then +3:
    # z = 3 / 1.0259784 = 2.924038; then -1: against the 20 steps before it (19 of +-1
    # and the +3: mean 0.1 ... small), no event.
    steps = [1.0 if i % 2 == 0 else -1.0 for i in range(20)] + [3.0, -1.0]
    levels = [100.0]
    for step in steps:
        levels.append(levels[-1] + step)
    values = _series(levels)
    rule = AlertRule("2 sigma", "move", "fx.usdjpy", sigmas=2.0, window=20)
    (event,) = rule_events(rule, values, "jpy_per_usd")
    assert event.obs_date == values.index[21].date()
    assert event.zscore == pytest.approx(2.924038, abs=1e-6)
    assert (event.value, event.previous) == (levels[21], levels[20])
    assert levels[21] - levels[20] == 3.0


def test_stale_fires_once_per_last_observation() -> None:
    rule = AlertRule("stale", "stale", "us.ust.10y", max_age_days=7)
    obs = [date(2024, 8, 1), date(2024, 8, 2)]
    days = [date(2024, 8, 5), date(2024, 8, 9), date(2024, 8, 12), date(2024, 8, 13)]
    events = stale_events(rule, obs, days, limit=timedelta(days=30))
    # 08-09 is 7 days after 08-02 (not more): fresh; 08-12 is 10 days: stale, once.
    assert [(e.obs_date, e.seen) for e in events] == [(date(2024, 8, 2), date(2024, 8, 12))]
    # Never observed at all: stale from the first day, dated by it.
    never = stale_events(rule, [], days[:2], limit=timedelta(days=7))
    assert [(e.obs_date, e.value) for e in never] == [(date(2024, 8, 5), None)]


def test_stale_reads_each_observation_from_its_release_day() -> None:
    # Core PCE (catalog/releases.toml, BEA): August 2025 out on 2025-09-26, September 2025
    # delayed by the shutdown to 2025-12-05. With a 60-day limit, on 2025-11-01 the newest
    # readable month is August (92 days old): stale, once; on 12-04 still August (already
    # reported); on 12-05 September is out but 95 days old: stale again, for September.
    # A fixed lag would have had September readable from late October.
    rule = AlertRule("stale", "stale", "us.core_pce", max_age_days=60)
    obs = [date(2025, 8, 1), date(2025, 9, 1)]
    released = [date(2025, 9, 26), date(2025, 12, 5)]
    days = [date(2025, 11, 1), date(2025, 12, 4), date(2025, 12, 5)]
    events = stale_events(rule, obs, days, limit=timedelta(days=95), released=released)
    assert [(e.obs_date, e.seen) for e in events] == [
        (date(2025, 8, 1), date(2025, 11, 1)),
        (date(2025, 9, 1), date(2025, 12, 5)),
    ]
    with pytest.raises(AnalyticsError, match="one release day per obs_date"):
        stale_events(rule, obs, days, limit=timedelta(days=95), released=released[:1])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "level"}, "exactly one of above or below"),
        ({"kind": "level", "above": 1.0, "below": 0.0}, "exactly one of above or below"),
        ({"kind": "move"}, "sigmas > 0"),
        ({"kind": "move", "sigmas": 2.0, "window": 5}, "at least 20"),
        ({"kind": "level", "above": float("nan")}, "must be a number"),
        ({"kind": "often"}, "is not one of"),
    ],
)
def test_a_malformed_rule_says_what_to_change(fields: dict[str, object], message: str) -> None:
    with pytest.raises(AnalyticsError, match=message):
        AlertRule(name="r", target="x", **fields)  # type: ignore[arg-type]
