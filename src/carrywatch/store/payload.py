"""Writing one payload inside a write transaction: its fetch row, the rows that change
what is known (the append rule, :mod:`carrywatch.store.changes`), the statistics of their
series, the checks, and the packed newest revisions of the series it added to.

:meth:`~carrywatch.store.sqlite.Store.append` writes one payload in its own transaction;
:meth:`~carrywatch.store.sqlite.Store.append_many` writes many in one and packs each
touched series once at the end. Both run :func:`write_payload` inside
:func:`unpack_suspended`, which suspends the trigger ``observations_unpack`` only once a
payload has rows to insert: a refresh that changes nothing leaves the schema untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat

import numpy as np

from carrywatch.store import changes, newest, stats
from carrywatch.store.dialect import Db
from carrywatch.store.fetches import insert_fetch
from carrywatch.store.incoming import Incoming
from carrywatch.store.records import AppendResult, FetchRecord, iso_utc

__all__ = ["UnpackSuspension", "repack", "unpack_suspended", "write_payload"]


def write_payload(
    db: Db,
    fetch: FetchRecord,
    incoming: Incoming,
    checked: Sequence[str],
    suspension: UnpackSuspension,
) -> tuple[AppendResult, Incoming, list[str]]:
    """Write one normalised payload inside the caller's transaction: its fetch row and the
    rows that change what is known (in primary-key order, the table's own order), the
    statistics of their series and the checks. Returns what it did, the rows it added
    (whose series' packed newest revisions the caller rebuilds) and those of their series
    that had no rows before."""
    default_known = iso_utc(fetch.retrieved_at)
    keep, had_value = changes.changed_rows(changes.stored_revisions(db, incoming), incoming)
    fresh, had_value = incoming.take(keep), had_value[keep]
    confirmed = sorted({series_id for series_id, _, _ in incoming.runs()} | set(checked))
    fetch_id: int | None = None
    new_series: list[str] = []
    if len(fresh):
        before = stats.current(db, [series_id for series_id, _, _ in fresh.runs()])
        new_series = [s for s, b in before.items() if b is not None and b.n_rows == 0]
        fetch_id = insert_fetch(db, fetch)
        suspension.suspend()
        db.insert_rows(
            "observations",
            ("series_id", "obs_date", "known_from", "fetch_id", "value", "withdrawn"),
            zip(
                fresh.series_ids().tolist(),
                fresh.obs_dates().tolist(),
                fresh.known_from.tolist(),
                repeat(fetch_id),
                fresh.value.tolist(),
                fresh.withdrawn.astype(np.int64).tolist(),
                strict=False,  # repeat() is endless: the other columns end together
            ),
        )
        stats.record(
            db, before, fresh, had_value, retrieved_at=default_known, origin=str(fetch.origin)
        )
    db.executemany(
        "INSERT INTO checks(series_id, checked_at, source, url) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(series_id) DO UPDATE SET checked_at = excluded.checked_at, "
        "source = excluded.source, url = excluded.url "
        "WHERE excluded.checked_at >= checks.checked_at",
        [(sid, default_known, fetch.source, fetch.url) for sid in confirmed],
    )
    result = AppendResult(fetch_id=fetch_id, n_added=len(fresh), n_offered=len(incoming))
    return result, fresh, new_series


def repack(
    db: Db,
    fresh: Incoming,
    new_series: Sequence[str],
    fetch_id: int | None,
    retrieved_at: str,
) -> None:
    """Rebuild the packed newest revisions of the series ``fresh`` added rows to: from
    ``fresh`` itself for a series it wrote every row of (``new_series``: a first refresh
    of full history reads nothing back), from ``observations`` for the others."""
    runs = fresh.runs()
    newest.rebuild(db, [s for s, _, _ in runs if s not in set(new_series)])
    if fetch_id is None:
        return
    for series_id, lo, hi in runs:
        if series_id in new_series:
            known = fresh.known_from[lo:hi]
            newest.pack(
                db,
                series_id,
                days=fresh.day[lo:hi],
                known=known,
                fetch_ids=np.full(hi - lo, fetch_id, dtype=np.int64),
                values=fresh.value[lo:hi],
                withdrawn=fresh.withdrawn[lo:hi],
                dated=known != retrieved_at,  # a publisher's date (REVISION_COLUMNS)
            )


class UnpackSuspension:
    """The trigger ``observations_unpack`` suspended, inside a write transaction, from the
    first :meth:`suspend` on (see
    :meth:`~carrywatch.store.dialect.Dialect.unpack_suspension`). Its writer rebuilds the
    packed rows and statistics of every series it inserts into, so the trigger's per-row
    work would be undone anyway. Suspending is deferred to the first insert because on
    SQLite it is DDL: a transaction that runs it changes the schema (and so the file, and
    every other connection's prepared statements) even when it writes no row."""

    def __init__(self, db: Db) -> None:
        self._db = db
        self.active = False

    def suspend(self) -> None:
        """Suspend the trigger, once."""
        if not self.active:
            for statement in self._db.dialect.unpack_suspension()[0]:
                self._db.execute(statement)
            self.active = True

    def restore(self) -> None:
        """Restore the trigger if it was suspended."""
        if self.active:
            for statement in self._db.dialect.unpack_suspension()[1]:
                self._db.execute(statement)
            self.active = False


@contextmanager
def unpack_suspended(db: Db) -> Iterator[UnpackSuspension]:
    """Inside a write transaction: an :class:`UnpackSuspension` for the block, restored
    before the block's end; a failure inside rolls the transaction back, trigger
    included."""
    suspension = UnpackSuspension(db)
    yield suspension
    suspension.restore()
