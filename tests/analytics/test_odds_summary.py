"""The FedWatch-style summary per meeting: P(cut) / P(hold) / P(hike) and expected moves,
derived by hand for each case."""

from __future__ import annotations

from datetime import date

import pytest

from carrywatch.analytics.odds.distribution import OddsDistribution, RangeProbability
from carrywatch.analytics.odds.summary import (
    meeting_summaries,
    meeting_summary,
    published_summary,
)
from carrywatch.errors import AnalyticsError

SEP, OCT = date(2026, 9, 16), date(2026, 10, 28)


def _dist(
    meeting: date, rows: list[tuple[float, float]], source: str = "futures"
) -> OddsDistribution:
    probabilities = tuple(RangeProbability(lo, lo + 0.25, p) for lo, p in rows)
    return OddsDistribution(meeting, source, probabilities, (), False, None)


def test_a_two_meeting_path_from_cme_published_shares() -> None:
    # CME FedWatch, 2026-07-20 (tests/payloads/cme_fedwatch_tables): September 3.50-3.75
    # 39.9%, 3.75-4.00 52.4%, 4.00-4.25 7.7%; range in force 3.50-3.75.
    # P(hike) = 52.4 + 7.7 = 60.1%; cumulative = 25 * 0.524 + 50 * 0.077 = 16.95 bp.
    # October 3.50 29.3%, 3.75 49.1%, 4.00 19.6%, 4.25 2.0%: cumulative = 25 * 0.491 +
    # 50 * 0.196 + 75 * 0.02 = 23.575 bp; its own move 23.575 - 16.95 = 6.625 bp.
    sep = _dist(SEP, [(3.5, 0.399), (3.75, 0.524), (4.0, 0.077)])
    octo = _dist(OCT, [(3.5, 0.293), (3.75, 0.491), (4.0, 0.196), (4.25, 0.02)])
    first = meeting_summary(sep, (3.5, 3.75))
    assert (first.p_cut, first.p_hold, first.p_hike) == pytest.approx((0.0, 0.399, 0.601))
    assert first.expected_change_bp == pytest.approx(16.95)
    second = meeting_summary(octo, (3.5, 3.75), previous=sep)
    assert second.cumulative_change_bp == pytest.approx(23.575)
    assert second.expected_change_bp == pytest.approx(6.625)
    assert meeting_summaries([octo, sep], (3.5, 3.75)) == (first, second)


def test_a_point_target_and_a_cut() -> None:
    # BOJ at 0.75%: 0.5% 10%, 0.75% 60%, 1.0% 30% -> -2.5 + 7.5 = +5 bp.
    rows = (
        RangeProbability(0.5, 0.5, 0.1),
        RangeProbability(0.75, 0.75, 0.6),
        RangeProbability(1.0, 1.0, 0.3),
    )
    dist = OddsDistribution(SEP, "path", rows, (), False, None)
    summary = meeting_summary(dist, (0.75, 0.75))
    assert (summary.p_cut, summary.p_hold, summary.p_hike) == pytest.approx((0.1, 0.6, 0.3))
    assert summary.expected_change_bp == pytest.approx(5.0)


def test_refused_or_mismatched_inputs() -> None:
    refused = OddsDistribution(SEP, "futures", (), (), False, None, "no contract")
    with pytest.raises(AnalyticsError, match="no contract"):
        meeting_summary(refused, (3.5, 3.75))
    sep, octo = _dist(SEP, [(3.5, 1.0)]), _dist(OCT, [(3.5, 1.0)], source="kalshi")
    with pytest.raises(AnalyticsError, match="earlier meeting of kalshi"):
        meeting_summary(octo, (3.5, 3.75), previous=sep)
    # A refused meeting breaks its source's chain: the next starts from today's range.
    later = _dist(OCT, [(3.75, 1.0)])
    (only,) = meeting_summaries([refused, later], (3.5, 3.75))
    assert only.expected_change_bp == pytest.approx(25.0)


def test_a_published_table_that_does_not_sum_to_one_is_summarised_as_printed() -> None:
    # CME FedWatch, 2026-07-20, 2026-10-28 (tests/payloads/cme_fedwatch_tables) prints
    # 29.3 / 49.1 / 19.6 / 2.0; a table rounded to 0.1 pp can sum to 99.9, as here with the
    # hold row at 29.2: P(hike) = 49.1 + 19.6 + 2.0 = 70.7%, P(hold) is what cuts and hikes
    # leave, 1 - 0.707 = 29.3%, and the expected move 25 * 0.491 + 50 * 0.196 + 75 * 0.02 =
    # 23.575 bp (a hold moves nothing, so the missing 0.1 pp changes no mean).
    rows = (
        RangeProbability(3.5, 3.75, 0.292),
        RangeProbability(3.75, 4.0, 0.491),
        RangeProbability(4.0, 4.25, 0.196),
        RangeProbability(4.25, 4.5, 0.02),
    )
    summary = published_summary(OCT, "CME FedWatch (published)", rows, (3.5, 3.75))
    assert (summary.p_cut, summary.p_hike) == pytest.approx((0.0, 0.707))
    assert summary.p_hold == pytest.approx(0.293)
    assert summary.cumulative_change_bp == pytest.approx(23.575)
    assert summary.source == "CME FedWatch (published)"
    with pytest.raises(AnalyticsError, match="no published probabilities"):
        published_summary(OCT, "CME FedWatch (published)", (), (3.5, 3.75))
