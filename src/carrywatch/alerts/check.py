"""Evaluate alert rules on the store: as of a date (``alerts check``), or over a past
span (``alerts history``, the back-test: when would each rule have fired?).

A check reads each target's history (:func:`carrywatch.report.history.target_history`)
far enough back for its rules, finds the events
(:func:`carrywatch.analytics.alerts.rule_events`), and keeps those not yet delivered:

* ``crossing``, ``sign_flip`` and ``move`` events dated within the ``lookback_days``
  before the check (a cron job that missed a day still hears of it; a new rule does not
  replay years of history: that is what ``alerts history`` is for);
* ``level``: the spell the value is in now, once (whatever its age); when the spell began
  before the history read, a delivered event of that rule before it counts as this spell;
* ``stale``: the target is stale on the check's date, once per newest observation.

Delivered events are recorded with :func:`carrywatch.store.alert_state.record_fired` by
the caller, after delivery succeeded, so a failed webhook means the event fires again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import pandas as pd

from carrywatch.alerts.delivery import ClientFactory, deliver
from carrywatch.alerts.rules import RuleSet
from carrywatch.analytics.alerts import AlertEvent, AlertRule, rule_events, stale_events
from carrywatch.catalog.spec import Catalog
from carrywatch.report.history import TargetHistory, calendar, target_history
from carrywatch.report.metrics import headline_metrics
from carrywatch.store.alert_state import FiredEvent, fired_events, record_fired
from carrywatch.store.sqlite import Store

__all__ = ["HistoricalEvent", "alert_history", "check_and_deliver", "due_events"]

#: Calendar days one step of each frequency spans, for sizing a ``move`` window.
_STEP_DAYS: Final = {"daily": 1.5, "weekly": 7.5, "monthly": 31, "quarterly": 92, "event": 60}
#: How far back level, crossing and sign rules look for the observation before the last.
_BASE_SPAN_DAYS: Final = 400
#: The longest history a check reads (a weekly ``move`` window of 1,000 changes ...).
_MAX_SPAN_DAYS: Final = 366 * 25


@dataclass(frozen=True, slots=True)
class HistoricalEvent:
    """An event of the back-test and the day a check would have reported it: the first
    weekday on which its observation was published (obs_date plus the release lag)."""

    event: AlertEvent
    reported: date


def _frequencies(
    store: Store, catalog: Catalog, targets: Sequence[str], asof: date
) -> dict[str, str]:
    """The frequency of each target: a series' own, a metric's slowest input's."""
    order = list(_STEP_DAYS)
    metrics = None
    out = {}
    for target in targets:
        if target in catalog.series:
            out[target] = catalog.spec(target).frequency
            continue
        if metrics is None:
            metrics = headline_metrics(store, catalog, asof)
        inputs = [catalog.spec(s).frequency for s in metrics[target].series]
        out[target] = max(inputs, key=order.index) if inputs else "daily"
    return out


def _span_days(rule: AlertRule, frequency: str) -> int:
    if rule.kind != "move":
        return _BASE_SPAN_DAYS
    step = _STEP_DAYS.get(frequency, 1.5)
    return min(_MAX_SPAN_DAYS, int((rule.window + 2) * step) + 30)


def _histories(
    store: Store, catalog: Catalog, rules: RuleSet, first: date, last: date
) -> dict[str, TargetHistory]:
    targets = rules.targets
    freq = _frequencies(store, catalog, targets, last)
    span = max(_span_days(r, freq[r.target]) for r in rules.rules)
    days = calendar(first - timedelta(days=span), last, extra=[first, last])
    return target_history(store, catalog, targets, days)


def _events(rule: AlertRule, history: TargetHistory, days: pd.DatetimeIndex) -> list[AlertEvent]:
    if rule.kind == "stale":
        return stale_events(
            rule,
            history.obs_dates,
            [d.date() for d in days],
            limit=history.limit,
            released=history.released,
        )
    return rule_events(rule, history.observed, history.unit)


def due_events(store: Store, catalog: Catalog, rules: RuleSet, asof: date) -> list[AlertEvent]:
    """The events to deliver on a check as of ``asof`` (see the module docstring), in
    rule order; none of them was delivered before."""
    histories = _histories(store, catalog, rules, asof, asof)
    delivered: dict[str, list[tuple[str, date]]] = {}
    for fired in fired_events(store, [r.name for r in rules.rules]):
        delivered.setdefault(fired.rule, []).append((fired.event_key, fired.obs_date))
    recent = asof - timedelta(days=rules.delivery.lookback_days)
    out: list[AlertEvent] = []
    for rule in rules.rules:
        history = histories[rule.target]
        done = delivered.get(rule.name, [])
        keys = {key for key, _ in done}
        if rule.kind == "stale":
            found = _events(rule, history, pd.DatetimeIndex([pd.Timestamp(asof)]))
            out.extend(e for e in found if e.key not in keys)
            continue
        events = _events(rule, history, pd.DatetimeIndex(history.daily.index))
        if rule.kind == "level":
            out.extend(_current_spell(rule, history, events, done))
            continue
        out.extend(e for e in events if e.obs_date >= recent and e.key not in keys)
    return out


def _current_spell(
    rule: AlertRule,
    history: TargetHistory,
    events: Sequence[AlertEvent],
    done: Sequence[tuple[str, date]],
) -> list[AlertEvent]:
    """The level event of the spell the value is in now, unless it was delivered."""
    observed = history.observed.dropna()
    if observed.empty or not events or not rule.beyond(float(observed.iloc[-1])):
        return []
    spell = events[-1]  # spells are runs: the last one reaches the newest observation
    began_before_history = spell.obs_date == observed.index[0].date()
    for _, day in done:
        if day >= spell.obs_date or (began_before_history and day < spell.obs_date):
            return []
    return [spell]


def alert_history(
    store: Store, catalog: Catalog, rules: RuleSet, start: date, end: date
) -> list[HistoricalEvent]:
    """Every event of ``rules`` dated from ``start`` to ``end`` (a stale event: found stale
    on a weekday in that span), oldest first: the back-test. Nothing is recorded."""
    histories = _histories(store, catalog, rules, start, end)
    out: list[HistoricalEvent] = []
    for rule in rules.rules:
        history = histories[rule.target]
        days = pd.DatetimeIndex(history.daily.index)
        in_span = days[(days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]
        for event in _events(rule, history, in_span):
            if not start <= event.obs_date <= end and rule.kind != "stale":
                continue
            out.append(HistoricalEvent(event, _reported(event, history)))
    return sorted(out, key=lambda h: (h.reported, h.event.obs_date, h.event.rule))


def _reported(event: AlertEvent, history: TargetHistory) -> date:
    if event.seen is not None:
        return event.seen
    released = dict(zip(history.obs_dates, history.released, strict=True))
    return released.get(event.obs_date, event.obs_date)


def check_and_deliver(
    store: Store,
    catalog: Catalog,
    rules: RuleSet,
    asof: date,
    *,
    now: datetime,
    client: ClientFactory,
) -> list[AlertEvent]:
    """Find the events due as of ``asof``, deliver them (JSON lines, webhook) and record
    them as delivered, in that order: a failed delivery records nothing, so they fire
    again next time. The events, for the caller to print."""
    due = due_events(store, catalog, rules, asof)
    deliver(due, rules.delivery, asof, now, client=client)
    record_fired(
        store,
        [FiredEvent(e.rule, e.key, e.obs_date, "", e.value, e.message) for e in due],
        now,
    )
    return due
