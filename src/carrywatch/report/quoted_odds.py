"""How the brief's odds section shows the stored odds histories (:mod:`carrywatch.report.
odds_history`): the cells of the meeting table, the bars and the chart of quotes over time.

Every figure names its series; the caption's provenance gives each one's source file and
retrieval (the page's data-status rows for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from carrywatch.analytics.odds.distribution import RangeProbability, range_text
from carrywatch.analytics.units import fraction_to_pct
from carrywatch.catalog.odds_series import VENUE_NAMES
from carrywatch.report import charts
from carrywatch.report.elements import figure
from carrywatch.report.model import Figure
from carrywatch.report.odds_history import OddsHistory

__all__ = [
    "COMPUTED_NAME",
    "ODDS_MARKS",
    "distributions",
    "exchange_cells",
    "hold_bars",
    "path_figures",
    "quote_cells",
    "sources",
]

#: How the brief names carrywatch's own FedWatch computation from the stored ZQ mids.
COMPUTED_NAME: Final = "carrywatch (ZQ mids)"

#: Statements that moved the odds, drawn on the chart of quotes when in its range; each
#: with its source. Williams, 21 November 2025: the New York Fed's own summary of his
#: remarks at the Central Bank of Chile's centennial conference (Santiago) quotes "I still
#: see room for a further adjustment in the near term to the target range for the federal
#: funds rate" (The Teller Window, "Key Takeaways from President Williams's Speech on
#: Inflation Targeting and Monetary Policy", 21 November 2025).
ODDS_MARKS: Final[tuple[tuple[date, str, str], ...]] = (
    (
        date(2025, 11, 21),
        "Williams (NY Fed): room for a further adjustment in the near term",
        "https://tellerwindow.newyorkfed.org/2025/11/21/key-takeaways-from-president-"
        "williamss-speech-on-inflation-targeting-and-monetary-policy",
    ),
)

_OUTCOMES: Final = {"hold": "no change"}


def _ranges(rows: Sequence[RangeProbability]) -> str:
    ranked = sorted(rows, key=lambda r: -r.probability)
    shown = [r for r in ranked if r.probability >= 0.0005]
    return ", ".join(f"{range_text(r)} {fraction_to_pct(r.probability):.1f}%" for r in shown)


def exchange_cells(history: OddsHistory | None, meeting: date) -> list[str]:
    """CME's published distribution of ``meeting`` and carrywatch's computation, or why
    carrywatch computed none."""
    if history is None:
        return []
    cells = []
    published = history.published_at(meeting)
    if published is not None:
        cells.append(
            f"{VENUE_NAMES['cme_fedwatch']} {published.obs_date}: "
            f"{_ranges(published.probabilities)}"
        )
    computed = history.computed_at(meeting)
    if computed is not None:
        if computed.distribution is None:
            cells.append(f"{COMPUTED_NAME}: none ({computed.reason})")
        else:
            gap = (
                ""
                if computed.largest_difference_pp is None
                else f"; largest difference from CME {computed.largest_difference_pp:.1f} pp"
            )
            cells.append(
                f"{COMPUTED_NAME}: {_ranges(computed.distribution.probabilities)}{gap} "
                f"[{computed.convention}]"
            )
    elif published is not None and history.computed:
        cells.append(
            f"{COMPUTED_NAME}: the next meeting only (the saved page prices meeting months "
            "alone, so a later meeting would rest on the few days of its month after the "
            "decision, each step amplifying the last)"
        )
    return cells


def quote_cells(history: OddsHistory | None, meeting: date) -> list[str]:
    """Each venue's last quote of each outcome of ``meeting`` on or before the brief's date."""
    if history is None:
        return []
    return [
        f"{VENUE_NAMES.get(q.venue, q.venue)}: {_OUTCOMES.get(q.outcome, q.outcome)} "
        f"{fraction_to_pct(q.probability):.1f}% (last quote of {q.obs_date}, UTC)"
        for q in history.quotes_at(meeting)
    ]


def distributions(
    history: OddsHistory | None, meeting: date
) -> list[tuple[str, tuple[RangeProbability, ...]]]:
    """The whole distributions of ``meeting`` for the bars: CME's and carrywatch's."""
    if history is None:
        return []
    out = []
    published = history.published_at(meeting)
    if published is not None:
        out.append((VENUE_NAMES["cme_fedwatch"], published.probabilities))
    computed = history.computed_at(meeting)
    if computed is not None and computed.distribution is not None:
        out.append((COMPUTED_NAME, computed.distribution.probabilities))
    return out


def hold_bars(
    history: OddsHistory | None, meeting: date, current_range_pct: tuple[float, float]
) -> list[tuple[str, tuple[RangeProbability, ...]]]:
    """Each venue's quoted probability of no change at ``meeting`` as one bar on the range
    in force (a "no change" market prices that outcome only: the rest is not drawn)."""
    if history is None:
        return []
    lower, upper = current_range_pct
    return [
        (VENUE_NAMES.get(q.venue, q.venue), (RangeProbability(lower, upper, q.probability),))
        for q in history.quotes_at(meeting)
        if q.outcome == "hold"
    ]


def sources(history: OddsHistory | None) -> tuple[str, ...]:
    """One line per source file behind the stored odds shown: its series, publisher, the
    file and its retrieval."""
    if history is None:
        return ()
    lines: dict[str, list[str]] = {}
    for sid in history.used:
        p = history.inputs.provenance(sid)
        key = f"{p.publisher}; {p.url}, retrieved {p.retrieved_at}"
        lines.setdefault(key, []).append(sid)
    return tuple(
        f"{ids[0]}{f' and {len(ids) - 1} more' if len(ids) > 1 else ''} ({key})"
        for key, ids in lines.items()
    )


def path_figures(history: OddsHistory | None) -> list[Figure]:
    """The quotes of the first meeting after the brief's date over time, one line per venue
    and outcome (every quote that changed the price, at its moment), with the cited
    statements in range."""
    if history is None or history.path_meeting is None or not history.path:
        return []
    meeting = history.path_meeting
    lines = [
        (
            f"{VENUE_NAMES.get(q.venue, q.venue)}: {_OUTCOMES.get(q.outcome, q.outcome)}",
            series,
        )
        for q, series in history.path
    ]
    first = min(s.index.min() for _, s in lines).date()
    last = max(s.index.max() for _, s in lines).date()
    marks = [(day, label) for day, label, _ in ODDS_MARKS if first <= day <= last]
    cited = [url for day, _, url in ODDS_MARKS if any(m[0] == day for m in marks)]
    return [
        figure(
            "odds_quotes_fed",
            f"FOMC {meeting:%d %b %Y}: prediction-market odds over time",
            charts.odds_history_spec(lines, marks),
            history.inputs,
            [q.series_id for q, _ in history.path],
            plotted=[s for _, s in lines],
            note=(
                f"Each venue's implied probability for the FOMC decision of {meeting}: every "
                "quote that changed the price, at its time (UTC), as known by the end of the "
                "brief's date; `carrywatch series show ID --known-at T` gives the quote in "
                "force at T."
                + (" Dotted line: the statement named, cited in the sources." if marks else "")
            ),
            extra_sources=tuple(cited),
        )
    ]
