"""The FedWatch-style summary of one meeting's distribution: P(cut), P(hold), P(hike), the
expected change at the meeting and the cumulative expected change from today.

Works on any source's :class:`~carrywatch.analytics.odds.distribution.OddsDistribution`
(futures, path, Kalshi, Polymarket) and on point targets (lower == upper, the BOJ).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from carrywatch.analytics.odds.distribution import OddsDistribution, RangeProbability
from carrywatch.analytics.units import pp_to_bp
from carrywatch.errors import AnalyticsError

__all__ = ["MeetingSummary", "meeting_summaries", "meeting_summary", "published_summary"]

#: Bounds closer than this (percent) are the same bound.
_SAME_PCT: Final = 1e-9


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """One meeting of one source, relative to the range in force today.

    ``p_cut``, ``p_hold`` and ``p_hike`` sum to 1; ``expected_change_bp`` is the move
    expected at this meeting alone (from the previous meeting's expected range, or from
    today's for the first one); ``cumulative_change_bp`` the move expected from today to
    just after this meeting. ``lumped`` is True when an open-ended tail entered the means at
    its nearest range, so they understate the tail's pull.
    """

    meeting: date
    source: str
    p_cut: float
    p_hold: float
    p_hike: float
    expected_change_bp: float
    cumulative_change_bp: float
    lumped: bool

    def to_json(self) -> dict[str, object]:
        """``{"date", "source", "p_cut", "p_hold", "p_hike", "expected_change_bp", ...}``."""
        return {
            "date": self.meeting.isoformat(),
            "source": self.source,
            "p_cut": self.p_cut,
            "p_hold": self.p_hold,
            "p_hike": self.p_hike,
            "expected_change_bp": self.expected_change_bp,
            "cumulative_change_bp": self.cumulative_change_bp,
            "lumped": self.lumped,
        }


def meeting_summary(
    distribution: OddsDistribution,
    range_in_force_pct: tuple[float, float],
    *,
    previous: OddsDistribution | None = None,
) -> MeetingSummary:
    """P(cut) / P(hold) / P(hike) and the expected moves of one meeting.

    Parameters
    ----------
    distribution:
        The target range after the meeting, from any source (not a refused one).
    range_in_force_pct:
        (lower, upper) in force today, percent; lower == upper for a point target.
    previous:
        The same source's distribution for the meeting before (None for the next meeting).

    Returns
    -------
    MeetingSummary

    Raises
    ------
    AnalyticsError
        When the distribution (or ``previous``) was refused, or is of another source.

    Notes
    -----
    With :math:`L` the lower bound in force today and :math:`p_j` the probability of the
    range with lower bound :math:`l_j` after meeting k (CME FedWatch: "probability of a
    rate hike is calculated by adding the probabilities of all target rate levels above
    the current target rate"):

    .. math::
        P(\\text{hike}) = \\sum_{l_j > L} p_j, \\quad
        P(\\text{cut}) = \\sum_{l_j < L} p_j, \\quad
        C_k = 100 \\Big(\\sum_j p_j l_j - L\\Big), \\quad
        \\Delta_k = C_k - C_{k-1}, \\; C_0 = 0

    in basis points (rates in percent). For a distribution of the tree, :math:`\\Delta_k`
    is the move implied at meeting k (each binary split is unbiased).

    References
    ----------
    CME Group, "Countdown to FOMC" / FedWatch tool notes (hike probability as the sum over
    levels above the current target).
    """
    _check(distribution)
    lower_now = range_in_force_pct[0]
    rows = distribution.probabilities
    before_bp = 0.0
    if previous is not None:
        _check(previous)
        if previous.source != distribution.source or previous.meeting >= distribution.meeting:
            raise AnalyticsError(
                f"previous must be an earlier meeting of {distribution.source}, not "
                f"{previous.source} {previous.meeting}"
            )
        before_bp = _expected_bp(previous.probabilities, lower_now)
    lumped = any(r.lumped for r in rows) or (
        previous is not None and any(r.lumped for r in previous.probabilities)
    )
    return _summary(
        distribution.meeting,
        distribution.source,
        rows,
        lower_now_pct=lower_now,
        before_bp=before_bp,
        lumped=lumped,
    )


def published_summary(
    meeting: date,
    source: str,
    probabilities: Sequence[RangeProbability],
    range_in_force_pct: tuple[float, float],
) -> MeetingSummary:
    """:func:`meeting_summary` of a distribution as a publisher printed it (CME FedWatch's
    table: each range rounded to 0.1 pp, so the rows sum to 1 only within about 0.005 and
    are not an :class:`OddsDistribution`). P(hold) is the printed hold row's complement
    of cuts and hikes, as for any source; the expected change is from today's range."""
    if not probabilities:
        raise AnalyticsError(f"{source} {meeting}: no published probabilities")
    return _summary(
        meeting,
        source,
        probabilities,
        lower_now_pct=range_in_force_pct[0],
        before_bp=0.0,
        lumped=any(r.lumped for r in probabilities),
    )


def _summary(
    meeting: date,
    source: str,
    rows: Sequence[RangeProbability],
    *,
    lower_now_pct: float,
    before_bp: float,
    lumped: bool,
) -> MeetingSummary:
    p_cut = math.fsum(r.probability for r in rows if r.lower_pct < lower_now_pct - _SAME_PCT)
    p_hike = math.fsum(r.probability for r in rows if r.lower_pct > lower_now_pct + _SAME_PCT)
    cumulative_bp = _expected_bp(rows, lower_now_pct)
    return MeetingSummary(
        meeting=meeting,
        source=source,
        p_cut=p_cut,
        p_hold=max(0.0, 1.0 - p_cut - p_hike),
        p_hike=p_hike,
        expected_change_bp=cumulative_bp - before_bp,
        cumulative_change_bp=cumulative_bp,
        lumped=lumped,
    )


def meeting_summaries(
    distributions: Sequence[OddsDistribution], range_in_force_pct: tuple[float, float]
) -> tuple[MeetingSummary, ...]:
    """:func:`meeting_summary` of every meeting, each source chained through its own
    meetings in date order; refused distributions are skipped (and break the chain: the
    meeting after one starts from today's range, as its own cumulative move says)."""
    out: list[MeetingSummary] = []
    for source in sorted({d.source for d in distributions}):
        previous: OddsDistribution | None = None
        for dist in sorted((d for d in distributions if d.source == source), key=_meeting):
            if dist.refused:
                previous = None
                continue
            out.append(meeting_summary(dist, range_in_force_pct, previous=previous))
            previous = dist
    return tuple(sorted(out, key=lambda s: (s.meeting, s.source)))


def _meeting(d: OddsDistribution) -> date:
    return d.meeting


def _check(distribution: OddsDistribution) -> None:
    if distribution.refused:
        raise AnalyticsError(
            f"{distribution.source} {distribution.meeting} has no distribution: "
            f"{distribution.reason}"
        )


def _expected_bp(rows: Sequence[RangeProbability], lower_now_pct: float) -> float:
    return float(pp_to_bp(math.fsum(r.probability * (r.lower_pct - lower_now_pct) for r in rows)))
