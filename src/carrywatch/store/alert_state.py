"""Which alert events were delivered: the state that makes each event fire once.

One row per delivered event in ``alert_events`` (schema.sql): the rule's name, the
event's key (:attr:`carrywatch.analytics.alerts.AlertEvent.key`), its date, when it
fired, its value and message. Written in one transaction after delivery; read before
each check. The table is created by :meth:`Store.open` in any store, old or new (``CREATE
TABLE IF NOT EXISTS``), so no schema version changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from carrywatch.store.sqlite import Store, iso_utc

__all__ = ["FiredEvent", "fired_events", "record_fired"]


@dataclass(frozen=True, slots=True)
class FiredEvent:
    """A row of ``alert_events``."""

    rule: str
    event_key: str
    obs_date: date
    fired_at: str
    value: float | None
    message: str


def fired_events(store: Store, rules: Iterable[str] | None = None) -> list[FiredEvent]:
    """The delivered events (of ``rules`` when given), oldest first."""
    names = None if rules is None else list(rules)
    sql = "SELECT rule, event_key, obs_date, fired_at, value, message FROM alert_events"
    params: list[str] = []
    if names is not None:
        sql += f" WHERE rule IN ({','.join('?' * len(names))})"
        params = names
    with store.snapshot() as db:
        rows = db.execute(sql + " ORDER BY fired_at, obs_date, rule", params).fetchall()
    return [FiredEvent(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5]) for r in rows]


def record_fired(store: Store, events: Iterable[FiredEvent], fired_at: datetime) -> int:
    """Record delivered events (one transaction); how many were new."""
    stamp = iso_utc(fired_at)
    rows = [
        (e.rule, e.event_key, e.obs_date.isoformat(), stamp, e.value, e.message) for e in events
    ]
    with store.transaction() as db:
        return sum(
            db.execute(
                "INSERT INTO alert_events(rule, event_key, obs_date, fired_at, value, message) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                row,
            ).rowcount
            for row in rows
        )
