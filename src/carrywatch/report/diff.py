"""What changed between two dates: every headline metric, every odds figure that has a
value on both dates (:mod:`carrywatch.report.odds_targets`) and the desk's own series,
the change, and how unusual it is.

For each target the value as of ``start`` and as of ``end`` (only what was published by
each date, :mod:`carrywatch.report.history`), the change, and its z-score against the
``window`` past changes of the same horizon ending before ``start``
(:func:`carrywatch.analytics.changes.change_score`). Sorted by the size of the z-score,
the most unusual first; targets without a z-score (too little history, a value that never
moves, a missing value) come last, in catalogue order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import pandas as pd

from carrywatch.analytics.changes import ChangeScore, change_score
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import ConfigError, InsufficientDataError
from carrywatch.report.history import TargetHistory, calendar, target_history
from carrywatch.report.metrics import METRIC_KEYS
from carrywatch.report.odds_targets import is_odds_target, odds_targets
from carrywatch.store.sqlite import Store

__all__ = ["DEFAULT_WINDOW", "Diff", "MetricChange", "diff_of", "diff_targets", "metric_diff"]

#: Past changes of the same horizon that form the yardstick by default (about a year of
#: weekdays).
DEFAULT_WINDOW: Final = 250


@dataclass(frozen=True, slots=True)
class MetricChange:
    """One target's change from ``start`` to ``end``."""

    target: str
    unit: str
    start_value: float | None
    end_value: float | None
    change: float | None
    zscore: float | None
    n_past: int
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Diff:
    """Every target's change between two dates, the most unusual first."""

    start: date
    end: date
    window: int
    changes: tuple[MetricChange, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per target: ``unit``, ``from``, ``to``, ``change``, ``zscore``,
        ``n_past`` (the past changes the z-score used) and ``reason`` (why none)."""
        rows = [
            {
                "target": c.target,
                "unit": c.unit,
                "from": c.start_value,
                "to": c.end_value,
                "change": c.change,
                "zscore": c.zscore,
                "n_past": c.n_past,
                "reason": c.reason,
            }
            for c in self.changes
        ]
        columns = ["target", "unit", "from", "to", "change", "zscore", "n_past", "reason"]
        frame = pd.DataFrame(rows, columns=columns).set_index("target")
        for column in ("from", "to", "change", "zscore"):
            frame[column] = frame[column].astype("float64")
        return frame


def diff_targets(catalog: Catalog) -> tuple[str, ...]:
    """What ``diff`` compares: every headline metric, every odds figure, then every user
    series."""
    users = (sid for sid, spec in catalog.series.items() if spec.source == "user")
    return (*METRIC_KEYS, *odds_targets(catalog), *users)


def _days_needed(start: date, end: date, window: int) -> pd.DatetimeIndex:
    # The window's changes end on the ``window`` weekdays before ``start`` and begin a
    # horizon earlier: read that far back (weekdays are 5 in 7 days), with a margin.
    back = timedelta(days=math.ceil(window * 7 / 5) + 7) + (end - start)
    return calendar(start - back, end, extra=[start, end])


def _value(series: pd.Series, day: date) -> float | None:
    found = series.get(pd.Timestamp(day))
    return None if found is None or not math.isfinite(found) else float(found)


def diff_of(histories: Mapping[str, TargetHistory], start: date, end: date, window: int) -> Diff:
    """The :class:`Diff` of histories covering ``start``, ``end`` and the window before.
    An odds figure without a value on both dates is left out: odds exist for a few
    meetings and weeks, and a row per absent quote would bury the rest."""
    changes = []
    for target, history in histories.items():
        daily = history.daily
        first, last = _value(daily, start), _value(daily, end)
        if is_odds_target(target) and (first is None or last is None):
            continue
        try:
            score = change_score(daily, pd.Timestamp(start), pd.Timestamp(end), window=window)
        except InsufficientDataError:
            missing = [str(d) for d, v in ((start, first), (end, last)) if v is None]
            score = ChangeScore(
                math.nan, None, None, 0, None, f"no value as of {' and '.join(missing)}"
            )
        change = None if math.isnan(score.change) else round(score.change, 10)
        # (rounded: no binary noise, 2.999 - 3.02 is -0.021)
        changes.append(
            MetricChange(
                target,
                history.unit,
                first,
                last,
                change,
                score.zscore,
                score.n_past,
                score.reason,
            )
        )
    ranked = sorted(changes, key=lambda c: -abs(c.zscore) if c.zscore is not None else math.inf)
    return Diff(start, end, window, tuple(ranked))


def metric_diff(
    store: Store,
    catalog: Catalog,
    start: date,
    end: date,
    *,
    window: int = DEFAULT_WINDOW,
    targets: Sequence[str] | None = None,
) -> Diff:
    """Every target's change from ``start`` to ``end`` (default targets:
    :func:`diff_targets`), ranked by how unusual it is (see the module docstring)."""
    if not start < end:
        raise ConfigError(f"--from {start} must be before --to {end}")
    if window < 20:
        raise ConfigError(f"--window {window}: use at least 20 past changes")
    chosen = list(targets) if targets is not None else list(diff_targets(catalog))
    histories = target_history(store, catalog, chosen, _days_needed(start, end, window))
    return diff_of(histories, start, end, window)
