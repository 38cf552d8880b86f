"""The path engine's input: start,end,rate periods or a tenor,rate OIS curve bootstrapped
to meeting-to-meeting forwards, and the refusals of what cannot be priced honestly."""

from __future__ import annotations

from datetime import date

import pytest

from carrywatch.analytics.odds.conventions import Conventions
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.rate_path import (
    BOJ_FLOOR_PCT,
    RatePath,
    forward_averages_pct,
    meeting_forwards,
    path_implied_odds,
    rate_path_from_rows,
)
from carrywatch.catalog.spec import load_catalog

BOJ = [m.date for m in load_catalog().boj]
DAY = date(2025, 1, 6)
NEW = Conventions(announcement_day="new")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Rows as the user-file reader gives them (line number, stripped fields)."""
    return [
        (n, [f.strip() for f in line.split(",")])
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]


def _path(text: str, conventions: Conventions = NEW) -> RatePath:
    return rate_path_from_rows(
        _rows(text), valuation_date=DAY, meetings=BOJ, conventions=conventions
    )


def _dist(result: PolicyOdds, meeting: date) -> dict[float, float]:
    odds = result.odds(DAY, meeting)
    assert odds.distribution is not None, odds.reason
    return {r.lower_pct: r.probability for r in odds.distribution}


def test_forward_averages_from_ois_rates() -> None:
    # 1M (31 days) at 0.50%, 3M (90 days) at 0.60%, ACT/365: G1 = 1 + 0.005 * 31/365 =
    # 1.00042466, G2 = 1 + 0.006 * 90/365 = 1.00147945; forward over days 31-90:
    # (G2 / G1 - 1) / (59/365) = 0.00105435 / 0.16164384 = 0.65227%.
    assert forward_averages_pct([0.5, 0.6], [31, 90]) == pytest.approx([0.5, 0.652265], abs=1e-6)
    with pytest.raises(ValueError, match="rise"):
        forward_averages_pct([0.5, 0.6], [90, 31])


def test_a_tenor_curve_becomes_meeting_to_meeting_forwards() -> None:
    # The worked example of docs/analytics.md. Valued 2025-01-06, BOJ decisions on 24
    # January, 19 March and 1 May 2025, the decision day at the new rate. OIS: 2W 0.23%
    # (14 days), 1M 0.35% (31 days), 3M 0.45% (90 days). Spans between effective days:
    # [01-06, 01-24) 18 days, [01-24, 03-19) 54 days, [03-19, 04-06) 18 days (to the 3M).
    # With I(T) = R T (the engine compounds ACT/365 as the OIS does: at 0.45% over 3 months
    # that lowers f2, solved over 18 days from a 90-day integral, by 0.04 bp):
    #   f0 = 0.23 (the 2W matures in span 0);  I(18) = 4.14
    #   f1 = (0.35 * 31 - 4.14) / 13 = 6.71 / 13 = 0.516154;  I(72) = 4.14 + 54 f1 = 32.012
    #   f2 = (0.45 * 90 - 32.012) / 18 = 8.488 / 18 = 0.471556
    path = _path("tenor,rate\n2W,0.23\n1M,0.35\n3M,0.45\n")
    assert path.kind == "tenors"
    assert path.bounds == [
        (date(2025, 1, 6), date(2025, 1, 24)),
        (date(2025, 1, 24), date(2025, 3, 19)),
        (date(2025, 3, 19), date(2025, 4, 6)),
    ]
    f1 = 6.71 / 13
    f2 = (40.5 - 4.14 - 54 * f1) / 18
    assert path.average_rate_pct == pytest.approx((0.23, f1, f2), abs=5e-4)
    # The tree on the forwards, from the 0.25% target: 24 January moves f1 - 0.23 =
    # 0.286154 = 1.144615 steps: 85.54% to 0.50%, 14.46% to 0.75%; 19 March moves
    # f2 - f1 = -0.044598 = -0.178392 steps, so after it 0.25%: 0.855385 * 0.178392,
    # 0.50%: 0.855385 * 0.821608 + 0.144615 * 0.178392, 0.75%: 0.144615 * 0.821608.
    result = path_implied_odds(path, BOJ, (0.25, 0.25), conventions=NEW)
    x1, x2 = (f1 - 0.23) / 0.25, (f2 - f1) / 0.25
    assert _dist(result, date(2025, 1, 24)) == pytest.approx({0.5: 2 - x1, 0.75: x1 - 1}, abs=1e-3)
    assert _dist(result, date(2025, 3, 19)) == pytest.approx(
        {
            0.25: (2 - x1) * -x2,
            0.5: (2 - x1) * (1 + x2) + (x1 - 1) * -x2,
            0.75: (x1 - 1) * (1 + x2),
        },
        abs=2e-3,
    )
    assert result.odds(DAY, date(2025, 5, 1)).reason is not None  # beyond the 3M


def test_periods_give_boj_odds_as_written() -> None:
    # Meeting-dated TONA forwards as start,end,rate (the average over [start, end)): 0.23%
    # to 24 January, 0.48% to 19 March, 0.605% to 1 May; decision days at the new rate.
    # 24 January moves 0.48 - 0.23 = 0.25: 100% to 0.50% (as decided, 0.25 -> 0.50); 19
    # March 0.605 - 0.48 = 0.125, half a step: 50% hold, 50% to 0.75%.
    path = _path(
        "start,end,rate\n2025-01-06,2025-01-24,0.23\n2025-01-24,2025-03-19,0.48\n"
        "2025-03-19,2025-05-01,0.605\n"
    )
    assert path.kind == "periods"
    assert "3 periods" in path.summary()
    result = path_implied_odds(path, BOJ, (0.25, 0.25), conventions=NEW)
    assert _dist(result, date(2025, 1, 24)) == pytest.approx({0.5: 1.0})
    assert _dist(result, date(2025, 3, 19)) == pytest.approx({0.5: 0.5, 0.75: 0.5})


def test_a_span_without_a_maturity_ends_the_bootstrap_and_says_so() -> None:
    # 1W matures before the 24 January meeting, 1Y long after: the span from 24 January
    # to 19 March holds no maturity, so no meeting is priced from it on.
    path = _path("tenor,rate\n1W,0.23\n1Y,0.6\n")
    assert path.ends == (date(2025, 1, 24),)
    assert "no tenor matures between 2025-01-24 and 2025-03-19" in path.notes[0]
    result = path_implied_odds(path, BOJ, (0.25, 0.25), conventions=NEW)
    assert result.odds(DAY, date(2025, 1, 24)).distribution is None
    assert path.notes[0] in result.notes
    # Nothing before the first meeting: nothing at all is priced.
    with pytest.raises(ValueError, match="no tenor matures between 2025-01-06 and 2025-01-24"):
        _path("tenor,rate\n3M,0.45\n")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("date,rate\n2025-01-24,0.25\n", "ambiguous"),
        ("2025-01-24,0.25\n2025-03-19,0.5\n", "ambiguous"),
        ("tenor,rate\n", "no rate rows"),
        ("tenor,rate\n1M,0.5\n2025-03-01,2025-04-01,0.6\n", "one form per file"),
        ("tenor,rate\n1M,abc\n", "not a rate in percent"),
        ("tenor,rate\n1M,inf\n", "not a rate in percent"),
        ("tenor,rate\n999999W,0.5\n", "from 1D to 50Y"),
        ("tenor,rate\n99999999999W,0.5\n", "is not a tenor"),
        ("tenor,rate\nsoon,0.5\n", "is not a tenor"),
        ("start,end,rate\n2025-01-06,2025-01-24,0.2\n2025-02-01,2025-03-01,0.3\n", "contiguous"),
        ("start,end,rate\n2025-01-24,2025-01-06,0.2\n", "not after its start"),
        ("start,end,rate\n2024-12-01,2025-01-24,0.2\n", "before the valuation date"),
        ("start,end,rate\nsoon,later,0.2\n", "must be dates"),
        # The documented misreading of issue 9: "date,rate" read as rates from each date
        # on gave -0.75% for January 2026; as a tenor curve a fall this steep is refused.
        ("tenor,rate\n2W,0.5\n1M,0.5\n3M,-0.75\n", "below the policy floor"),
    ],
)
def test_inputs_that_cannot_be_priced_honestly_are_refused(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        _path(text)


def test_a_distribution_below_the_floor_is_refused() -> None:
    # From a 0% target, a forward of -0.05% after 24 January is -0.2 steps: 20% of -0.25%,
    # below the BOJ's floor of -0.1%.
    path = _path("start,end,rate\n2025-01-06,2025-01-24,0.0\n2025-01-24,2025-03-19,-0.05\n")
    with pytest.raises(ValueError, match=r"below the policy floor -0\.1%"):
        path_implied_odds(path, BOJ, (0.0, 0.0), conventions=NEW, floor_pct=BOJ_FLOOR_PCT)


def test_the_tenors_follow_the_announcement_day_convention() -> None:
    # Counting the decision day at the old rate, the spans start the day after each
    # decision: the tree and the bootstrap use the same effective days.
    path = _path("tenor,rate\n2W,0.23\n1M,0.35\n3M,0.45\n", Conventions(announcement_day="old"))
    assert path.ends[:2] == (date(2025, 1, 25), date(2025, 3, 20))
    spans = meeting_forwards(DAY, [date(2025, 1, 20)], [0.23], [date(2025, 1, 25)])
    assert spans.ends == (date(2025, 1, 20),)


@pytest.mark.parametrize(
    ("text", "target", "averages"),
    [
        # The worked example's curve (above) in basis points: the 24 January meeting was
        # priced as a 22.8-point hike with exit 0.
        ("tenor,rate\n2W,23\n1M,35\n3M,45\n", (0.25, 0.25), "averages 23%"),
        # The periods example in basis points.
        (
            "start,end,rate\n2025-01-06,2025-01-24,23\n2025-01-24,2025-03-19,48\n",
            (0.25, 0.25),
            "averages 23%",
        ),
        # A fed funds path as fractions (0.0433 for 4.33%) under the 4.25-4.50% range of
        # January 2025 (DFEDTARL/U).
        ("start,end,rate\n2025-01-06,2025-01-24,0.0433\n", (4.25, 4.5), "4.21 pp outside"),
    ],
)
def test_a_path_in_another_unit_is_refused(
    text: str, target: tuple[float, float], averages: str
) -> None:
    path = _path(text)
    with pytest.raises(ValueError, match=rf"{averages}.*give rates in percent"):
        path_implied_odds(path, BOJ, target, conventions=NEW)


def test_a_first_period_across_a_meeting_may_hold_its_move() -> None:
    # One period from 2025-01-06 to 19 March across the 24 January hike (0.25 -> 0.50):
    # its average, 0.40%, lies 15 bp above the range in force, as a span before the
    # meeting could not: it is not refused as another unit (the engine then says what it
    # cannot price, a span holding a meeting).
    path = _path("start,end,rate\n2025-01-06,2025-03-19,0.40\n2025-03-19,2025-05-01,0.5\n")
    result = path_implied_odds(path, BOJ, (0.25, 0.25), conventions=NEW)
    assert result.source == "path"
    with pytest.raises(ValueError, match="outside the policy rate in force"):
        path_implied_odds(_path("start,end,rate\n2025-01-06,2025-03-19,1.40\n"), BOJ, (0.25, 0.25))
