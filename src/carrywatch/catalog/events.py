"""Series derived from the meetings in ``events.toml``.

``jp.boj.policy_rate`` is not published as a daily series by the BOJ in a form we can
fetch without the API, so it is built from the decisions themselves: one observation
per Monetary Policy Meeting at which a short-term rate target was in force, dated on the
decision day, valued at the target then decided (upper and lower end of a range; equal
for a point target "around x%"). Meetings under the monetary-base target (2013-04-04 to
2016-01-28) have no rate target and give no observation: a gap, not a carried value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carrywatch.catalog.spec import BojMeeting

__all__ = ["PolicyRateDecision", "boj_policy_rate_decisions"]


@dataclass(frozen=True, slots=True)
class PolicyRateDecision:
    """The BOJ rate target decided at one meeting, with the statement it comes from."""

    obs_date: date
    lower_pct: float
    upper_pct: float
    source: str


def boj_policy_rate_decisions(meetings: tuple[BojMeeting, ...]) -> list[PolicyRateDecision]:
    """One row per held meeting that set or confirmed a rate target.

    A "hold" meeting confirms the target of the previous decision; when the file gives
    the rate on the hold entry itself, that value is used, otherwise the last decided
    target is carried to the hold meeting (the BOJ statement of a hold meeting restates
    the guideline, so this is a published value, not an interpolation). A meeting whose
    ``operating_target`` is not a rate ends the carry.
    """
    out: list[PolicyRateDecision] = []
    current: tuple[float, float] | None = None
    for meeting in meetings:
        if meeting.decision is None:
            continue  # not yet held, or the outcome is not known offline
        if meeting.rate_upper_pct is not None or meeting.rate_lower_pct is not None:
            given = [r for r in (meeting.rate_lower_pct, meeting.rate_upper_pct) if r is not None]
            current = (min(given), max(given))
        elif meeting.decision in {"hike", "cut", "framework"}:
            current = None  # a change without a rate target: no rate is in force
        if current is None:
            continue
        out.append(
            PolicyRateDecision(
                obs_date=meeting.date,
                lower_pct=current[0],
                upper_pct=current[1],
                source=meeting.source,
            )
        )
    return out
