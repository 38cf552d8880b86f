"""Alert rules and the events they find in a history of values (pure: no store, no I/O).

A rule watches one *target*: a headline metric (``spread.us_jp.10y``) or a stored series
(``fx.usdjpy``, ``cftc.jpy.noncommercial_net``, ``user.tokyo_cpi``). Its kinds:

``level``      the value is beyond a threshold (``above`` or ``below``): one event per
               spell beyond it, dated by the spell's first observation (the rule re-arms
               once the value is back).
``crossing``   the value passes a threshold between two consecutive observations: one
               event per crossing, dated by the observation beyond it (a history that
               starts beyond the threshold is no crossing).
``sign_flip``  the value changes sign between observations (a zero keeps the last sign):
               speculators turning net long yen.
``move``       the change since the previous observation is more than ``sigmas``
               standard deviations from the mean of the ``window`` changes before it
               (:func:`carrywatch.analytics.changes.step_zscores`).
``stale``      the target's newest published observation is older than ``max_age_days``
               (an input that stopped updating): one event per last observation.

Each event has a ``key`` that is a function of the data alone (the rule and the date that
starts it), so "fires once" is a set of keys already delivered, kept by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.changes import step_zscores
from carrywatch.errors import AnalyticsError

__all__ = ["KINDS", "AlertEvent", "AlertRule", "Kind", "rule_events", "stale_events"]

Kind = Literal["level", "crossing", "sign_flip", "move", "stale"]
KINDS: Final[tuple[Kind, ...]] = ("level", "crossing", "sign_flip", "move", "stale")


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule (see the module docstring for each ``kind``'s fields)."""

    name: str
    kind: Kind
    target: str
    above: float | None = None
    below: float | None = None
    sigmas: float | None = None
    window: int = 250
    max_age_days: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise AnalyticsError(f"rule {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.kind in ("level", "crossing"):
            if (self.above is None) == (self.below is None):
                raise AnalyticsError(f"rule {self.name!r}: give exactly one of above or below")
            threshold = self.above if self.above is not None else self.below
            if threshold is None or not math.isfinite(threshold):
                raise AnalyticsError(f"rule {self.name!r}: the threshold must be a number")
        if self.kind == "move" and not (self.sigmas is not None and self.sigmas > 0):
            raise AnalyticsError(f"rule {self.name!r}: a move rule needs sigmas > 0")
        if self.kind == "move" and self.window < 20:
            raise AnalyticsError(f"rule {self.name!r}: window must be at least 20 changes")
        if self.kind == "stale" and self.max_age_days is not None and self.max_age_days < 0:
            raise AnalyticsError(f"rule {self.name!r}: max_age_days must be >= 0")

    def beyond(self, value: float) -> bool:
        """Whether ``value`` is beyond the threshold of a level or crossing rule."""
        if self.above is not None:
            return value > self.above
        assert self.below is not None
        return value < self.below

    def event(
        self,
        day: date,
        value: float | None,
        message: str,
        *,
        previous: float | None = None,
        zscore: float | None = None,
        seen: date | None = None,
        anchor: str = "",
    ) -> AlertEvent:
        """An event of this rule dated ``day``."""
        return AlertEvent(
            self.name,
            self.kind,
            self.target,
            day,
            value,
            message,
            previous=previous,
            zscore=zscore,
            seen=seen,
            anchor=anchor,
        )

    @property
    def condition(self) -> str:
        """``"above 80"``, ``"below 1.5"``: the threshold in words."""
        if self.above is not None:
            return f"above {self.above:g}"
        return f"below {self.below:g}"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One firing of a rule: ``key`` identifies it (it fires once)."""

    rule: str
    kind: Kind
    target: str
    obs_date: date
    value: float | None
    message: str
    previous: float | None = None
    zscore: float | None = None
    #: The day a check found a ``stale`` event (its ``obs_date`` is the newest observation).
    seen: date | None = None
    #: What identifies the event when its date does not (``"never"``: a target never
    #: observed is one event, whichever day it is found).
    anchor: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.target}:{self.anchor or self.obs_date.isoformat()}"

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "target": self.target,
            "obs_date": self.obs_date.isoformat(),
            "value": self.value,
            "previous": self.previous,
            "zscore": self.zscore,
            "seen": None if self.seen is None else self.seen.isoformat(),
            "message": self.message,
            "key": self.key,
        }


def _day(stamp: object) -> date:
    return pd.Timestamp(stamp).date()  # type: ignore[arg-type]  # a DatetimeIndex label


def rule_events(rule: AlertRule, values: pd.Series, unit: str = "") -> list[AlertEvent]:
    """Every event of ``rule`` in ``values`` (one per observation: float, sorted
    ``DatetimeIndex`` of obs_dates, NaN dropped), oldest first. ``unit`` is for messages.
    ``stale`` rules need the days checked: see :func:`stale_events`."""
    clean = values.dropna()
    if clean.empty:
        return []
    suffix = f" {unit}" if unit else ""
    if rule.kind in ("level", "crossing"):
        return _threshold_events(rule, clean, suffix)
    if rule.kind == "sign_flip":
        return _sign_events(rule, clean, suffix)
    if rule.kind == "move":
        return _move_events(rule, clean, suffix)
    raise AnalyticsError(f"rule {rule.name!r}: {rule.kind} events need stale_events()")


def _threshold_events(rule: AlertRule, values: pd.Series, suffix: str) -> list[AlertEvent]:
    out: list[AlertEvent] = []
    beyond = np.array([rule.beyond(float(v)) for v in values.to_numpy()])
    for i in (int(j) for j in np.flatnonzero(beyond)):
        if i > 0 and beyond[i - 1]:
            continue  # inside a spell that already started
        if rule.kind == "crossing" and i == 0:
            continue  # no earlier observation on the other side: not seen crossing
        value = float(values.iloc[i])
        previous = float(values.iloc[i - 1]) if i > 0 else None
        day = _day(values.index[i])
        verb = "crossed" if rule.kind == "crossing" else "is"
        since = "" if previous is None else f" (previous {previous:g}{suffix})"
        text = f"{rule.target} {verb} {rule.condition}{suffix}: {value:g}{suffix} on {day}{since}"
        out.append(rule.event(day, value, text, previous=previous))
    return out


def _sign_events(rule: AlertRule, values: pd.Series, suffix: str) -> list[AlertEvent]:
    out: list[AlertEvent] = []
    last_sign = 0.0
    last_value: float | None = None
    for stamp, raw in values.items():
        value = float(raw)
        sign = float(np.sign(value))
        if sign != 0.0 and last_sign not in (0.0, sign):
            day = _day(stamp)
            word = "positive" if sign > 0 else "negative"
            text = (
                f"{rule.target} turned {word}: {value:g}{suffix} on {day} "
                f"(previous {last_value:g}{suffix})"
            )
            out.append(rule.event(day, value, text, previous=last_value))
        if sign != 0.0:
            last_sign, last_value = sign, value
    return out


def _move_events(rule: AlertRule, values: pd.Series, suffix: str) -> list[AlertEvent]:
    assert rule.sigmas is not None
    scores = step_zscores(values, window=rule.window)
    out: list[AlertEvent] = []
    for i, score in enumerate(scores.to_numpy()):
        if not (math.isfinite(score) and abs(score) > rule.sigmas):
            continue
        value, previous = float(values.iloc[i]), float(values.iloc[i - 1])
        day = _day(values.index[i])
        text = (
            f"{rule.target} moved {value - previous:+g}{suffix} to {value:g}{suffix} on "
            f"{day}: {score:+.1f} standard deviations of its last {rule.window} changes"
        )
        out.append(rule.event(day, value, text, previous=previous, zscore=float(score)))
    return out


def stale_events(
    rule: AlertRule,
    obs_dates: Sequence[date],
    days: Sequence[date],
    *,
    limit: timedelta,
    released: Sequence[date] | None = None,
) -> list[AlertEvent]:
    """The ``stale`` events of ``rule`` checked on each of ``days`` (sorted).

    On day ``d`` the newest observation a reader could have is the latest of ``obs_dates``
    whose release day (``released``, parallel to ``obs_dates``, by the catalog's one
    point-in-time rule; default: each observation is known on its own date) is on or
    before ``d``; the target is stale when it is more than ``limit`` (``max_age_days``
    when the rule gives it) older than ``d``, or when there is none. One event per newest
    observation (dated by it; a target never observed is dated by the first day it was
    found stale).
    """
    if rule.kind != "stale":
        raise AnalyticsError(f"rule {rule.name!r} is a {rule.kind} rule, not stale")
    if released is not None and len(released) != len(obs_dates):
        raise AnalyticsError("released must give one release day per obs_date")
    allowed = timedelta(days=rule.max_age_days) if rule.max_age_days is not None else limit
    by_release = sorted(zip(released or obs_dates, obs_dates, strict=True))
    release_days = np.array([r for r, _ in by_release], dtype="datetime64[D]")
    # The newest observation released by each release day: a running maximum of obs dates.
    newest = np.maximum.accumulate(np.array([o for _, o in by_release], dtype="datetime64[D]"))
    seen: set[date | None] = set()
    out: list[AlertEvent] = []
    for day in days:
        at = int(np.searchsorted(release_days, np.datetime64(day, "D"), side="right"))
        last = newest[at - 1].astype(object) if at else None
        if last is not None and day - last <= allowed:
            continue
        if last in seen:  # this newest observation (or none at all) was reported
            continue
        seen.add(last)
        anchor = last if last is not None else day
        text = (
            f"{rule.target} has no observation published by {day}"
            if last is None
            else f"{rule.target} is stale on {day}: newest observation {last}, "
            f"{(day - last).days} days old (limit {allowed.days})"
        )
        never = "" if last is not None else "never"
        out.append(rule.event(anchor, None, text, seen=day, anchor=never))
    return out
