"""The store: append-only observations with provenance, in SQLite or PostgreSQL.

One writer and many readers across processes (a refresh while a brief reads): a SQLite
file in WAL mode for one user, or a PostgreSQL database a team shares
(``CARRYWATCH_DATABASE_URL``). Both run this class's code and, wherever the dialects
agree, the same SQL; :mod:`carrywatch.store.dialect` holds what differs. Every write is
one transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``BEGIN`` and a transaction-scoped
advisory lock that serialises writers): a failed or killed write leaves the store exactly
as it was. A read that takes several queries runs in one snapshot (SQLite's WAL snapshot,
PostgreSQL's REPEATABLE READ), so a write committed meanwhile is seen whole or not at all.

The append rule
---------------
An incoming row ``(series_id, obs_date, known_from, value)`` is stored only if it changes
what is known: the value known just before it, i.e. the row with the greatest
``(known_from, fetch_id)`` not after it, is absent or different. So re-ingesting the same
bytes adds nothing, a changed value is kept as a revision beside the old one, and the
view as known at any time ``T`` can be rebuilt (``known_from <= T``).

A withdrawal (a vintage in which the publisher shows no value for a date, ALFRED's
``.``) is a row too, flagged ``withdrawn``: the same rule applies, with "absent" and
"withdrawn" the same state, so a withdrawal is stored only after a value. A read whose
newest row for a date is a withdrawal leaves the date out.

Point in time
-------------
``read(asof=D)`` is what was published by ``D``: observations whose release day is on or
before ``D``, newest revision held. The store does not know release calendars; it is
given a :data:`~carrywatch.store.release.ReleaseRule` (the catalog's
:meth:`~carrywatch.catalog.releases.ReleaseCalendar.release_dates`, as
:func:`carrywatch.workspace.open_store` does), and passes it each date's first
publisher-dated ``known_from`` (a vintage source's first release). Without one, an
observation is released on that first publication, else on its obs_date.

Market snapshots
----------------
Earlier versions kept each prediction-market payload for its own sake: a ``fetches`` row
without observations whose provenance carries ``"kind": "market_snapshot"``, its body in
the raw archive. Market quotes are ordinary observations now; such rows are read once
into series (:func:`carrywatch.ingest.convert_market_snapshots`; :meth:`Store.has_snapshots`
says whether a store holds any).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.errors import StoreError
from carrywatch.store import fetches as fetch_rows
from carrywatch.store import newest, payload, release, schema, stats
from carrywatch.store.dialect import Cursor, Db, connect
from carrywatch.store.fetches import READ_COLUMNS
from carrywatch.store.incoming import normalised
from carrywatch.store.records import (
    AppendResult,
    FetchRecord,
    FetchSource,
    SeriesRow,
    StoredFetch,
    iso_utc,
)
from carrywatch.store.release import ReleaseRule, obs_date_rule

__all__ = [
    "READ_COLUMNS",
    "SNAPSHOTS_READ",
    "SNAPSHOT_KIND",
    "AppendResult",
    "FetchRecord",
    "FetchSource",
    "SeriesRow",
    "Store",
    "StoredFetch",
    "iso_utc",
]

#: ``provenance["kind"]`` of a market snapshot row of earlier versions (module docstring).
SNAPSHOT_KIND: Final = "market_snapshot"
#: The ``meta`` key set once a store's market snapshot rows were read into odds series
#: (:func:`carrywatch.ingest.convert_market_snapshots`, run once by the workspace on open).
SNAPSHOTS_READ: Final = "market_snapshots_read_at"

#: The ``meta`` key of :meth:`Store.data_version`, and the statement each changing write
#: transaction runs before it commits (the row is created by the first one).
_DATA_VERSION_KEY: Final = "data_version"
_BUMP_DATA_VERSION: Final = (
    "INSERT INTO meta(key, value) VALUES ('data_version', 1) "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(meta.value AS INTEGER) + 1"
)


class Store:
    """A carrywatch store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, location: str, db: Db, releases: ReleaseRule = obs_date_rule) -> None:
        #: The SQLite file, or the PostgreSQL URL without its password (for messages).
        self.location = location
        self.releases = releases
        self._db = db
        self._lock = threading.RLock()
        self._depth = 0

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect.name

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def open(
        cls, target: Path | str, *, timeout_s: float = 60.0, releases: ReleaseRule = obs_date_rule
    ) -> Store:
        """Open (creating if needed) the store at ``target``: a SQLite file (a path or
        ``sqlite:///path``, in WAL mode) or a PostgreSQL database (``postgresql://...``).
        ``releases`` dates each observation's release for ``read(asof=)`` (see the module
        docstring). An older schema version is upgraded in place."""
        db, location = connect(target, timeout_s=timeout_s)
        store = cls(location, db, releases)
        try:
            if not store._schema_is_current():
                with store.transaction():
                    schema.create_or_upgrade(db, location)
        except db.errors as exc:
            db.close()
            raise StoreError(f"cannot open the store: {exc}", path=location) from exc
        except BaseException:
            db.close()
            raise
        return store

    def _schema_is_current(self) -> bool:
        """PostgreSQL: :func:`carrywatch.store.schema.is_current`, in a read snapshot.
        SQLite runs its idempotent schema script on every open (False here)."""
        if not self._db.dialect.ddl_each_open:
            with self.snapshot() as db:
                return schema.is_current(db)
        return False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """A write transaction; nested uses join the outer one. One that changed any row
        bumps the store's data version (:meth:`data_version`) before it commits. A
        database error escaping it is a :class:`StoreError` (after the rollback)."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.ensure_connected()
            changes_before = self._db.change_mark()
            try:
                if outer:
                    for statement in self._db.dialect.begin_write:
                        self._db.execute(statement)
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                if outer:
                    if self._db.changed_since(changes_before):
                        self._db.execute(_BUMP_DATA_VERSION)
                    self._db.execute("COMMIT")
            except BaseException as exc:
                if outer and self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if outer and isinstance(exc, self._db.errors):
                    raise StoreError(
                        f"cannot write to the store: {exc}", path=self.location
                    ) from exc
                raise

    @contextmanager
    def snapshot(self) -> Iterator[Db]:
        """A read transaction: every query inside sees the store as of one moment (a
        write committed meanwhile shows whole or not at all). Inside a write transaction
        it joins that one. Needs no write permission (a read-only database role). A
        database error escaping it is a :class:`StoreError`."""
        with self._lock:
            if self._depth:
                yield self._db
                return
            try:
                self._db.ensure_connected()
                self._db.execute(self._db.dialect.begin_read)
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                    if self._db.in_transaction:
                        self._db.execute("COMMIT")
            except self._db.errors as exc:
                raise StoreError(f"cannot read the store: {exc}", path=self.location) from exc

    # -- metadata --------------------------------------------------------------------

    def data_version(self) -> int:
        """A number that changes whenever a write transaction changed the store (0 for a
        store never written since versions were kept): the key of readers' caches.

        A counter in ``meta`` bumped by every write transaction that changed a row, in
        that transaction: one indexed read, valid across connections and processes
        (SQLite's ``PRAGMA data_version`` is per connection and ignores its own writes).
        """
        row = self._query("SELECT value FROM meta WHERE key = ?", (_DATA_VERSION_KEY,)).fetchone()
        return 0 if row is None else int(row[0])

    def last_fetch_id(self) -> int:
        """The greatest fetch id (0 when none): fetch ids only grow and observations are
        never changed, so "every fetch up to this id" names one state of the store, which
        ``read(through_fetch=)`` reads again later."""
        row = self._query("SELECT MAX(fetch_id) FROM fetches", ()).fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def get_meta(self, key: str) -> str | None:
        row = self._query("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def register_series(self, rows: Iterable[SeriesRow]) -> None:
        """Insert or update the ``series`` table from the catalog.

        Only rows that differ from the stored ones are written, so opening a store whose
        catalog is current writes nothing: no transaction, no data-version bump, and a
        read-only database role can open it."""
        wanted = {r.series_id: r for r in rows}
        stored = {
            r[0]: SeriesRow(*r)
            for r in self._query(
                "SELECT series_id, source, remote_code, unit, frequency, title FROM series", ()
            ).fetchall()
        }
        changed = [r for sid, r in wanted.items() if stored.get(sid) != r]
        if not changed:
            return
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO series(series_id, source, remote_code, unit, frequency, title) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(series_id) DO UPDATE SET "
                "source=excluded.source, remote_code=excluded.remote_code, unit=excluded.unit, "
                "frequency=excluded.frequency, title=excluded.title",
                [
                    (r.series_id, r.source, r.remote_code, r.unit, r.frequency, r.title)
                    for r in changed
                ],
            )

    # -- writing ---------------------------------------------------------------------

    def append(
        self, fetch: FetchRecord, rows: pd.DataFrame, *, checked: Sequence[str] = ()
    ) -> AppendResult:
        """Append the rows that change what is known (see the module docstring).

        ``rows`` has columns ``series_id``, ``obs_date`` (datetime64 or ``date``),
        ``value`` and optionally ``known_from`` (aware timestamps; without it every row
        is known from ``fetch.retrieved_at``) and ``withdrawn`` (bool: the publisher shows
        no value for the date from ``known_from`` on; ``value`` is ignored there).
        ``checked`` names further series the payload confirmed without carrying rows for
        them (a provider's "no new data" answer).
        One transaction: all or nothing.
        """
        incoming = normalised(rows, iso_utc(fetch.retrieved_at))
        try:
            with self.transaction() as db, payload.unpack_suspended(db) as suspension:
                result, fresh, new_series = payload.write_payload(
                    db, fetch, incoming, checked, suspension
                )
                payload.repack(db, fresh, new_series, result.fetch_id, iso_utc(fetch.retrieved_at))
        except self._db.errors as exc:
            raise StoreError(f"cannot write to the store: {exc}", path=self.location) from exc
        return result

    def append_many(
        self, payloads: Iterable[tuple[FetchRecord, pd.DataFrame]]
    ) -> list[AppendResult]:
        """The bulk path: :meth:`append` each payload, in order, in one transaction.

        For seeding a store from the embedded snapshot and for large imports. Each
        payload is decided by the append rule against the store as the payloads before it
        left it, exactly as successive :meth:`append` calls would, and the store ends
        the same; but every payload is checked before anything is written, the per-row
        work of the trigger ``observations_unpack`` is avoided (see
        :meth:`~carrywatch.store.dialect.Dialect.unpack_suspension`: SQLite's trigger is
        dropped for the load and recreated before the commit; PostgreSQL's runs once per
        ``COPY`` and stays), and each series' packed newest revisions are rebuilt once at
        the end rather than after every payload. All or nothing: a failure anywhere
        leaves the store, trigger included, as it was.
        """
        prepared = [(f, normalised(r, iso_utc(f.retrieved_at))) for f, r in payloads]
        results: list[AppendResult] = []
        try:
            with self.transaction() as db, payload.unpack_suspended(db) as suspension:
                touched: dict[str, None] = {}
                for fetch, incoming in prepared:
                    result, fresh, _ = payload.write_payload(db, fetch, incoming, (), suspension)
                    results.append(result)
                    touched.update(dict.fromkeys(s for s, _, _ in fresh.runs()))
                newest.rebuild(db, touched)
        except self._db.errors as exc:
            raise StoreError(f"cannot write to the store: {exc}", path=self.location) from exc
        return results

    # -- reading ---------------------------------------------------------------------

    def read(
        self,
        series_ids: Sequence[str],
        *,
        start: date | None = None,
        end: date | None = None,
        asof: date | None = None,
        known_at: datetime | None = None,
        releases: ReleaseRule | None = None,
        through_fetch: int | None = None,
    ) -> pd.DataFrame:
        """Observations of ``series_ids``, newest revision per date, with provenance.

        ``asof`` keeps what was published by that day (the point-in-time rule: the
        release day of each observation, by the store's :data:`ReleaseRule`, is on or
        before ``asof``); ``known_at`` keeps only what was known then (retrieved, or
        published for vintage sources, by that moment): the vintage axis. ``start`` and
        ``end`` bound ``obs_date``. A date whose newest row is a withdrawal is left out.
        ``releases`` replaces the store's rule for this read (a caller holding the
        catalog passes its calendar, however the store was opened). ``through_fetch``
        reads the store as it was when fetch ``through_fetch`` had been written (rows of
        later fetches left out; see :meth:`last_fetch_id`): later pages of one answer.
        Columns: :data:`READ_COLUMNS` (``released``, a datetime64 day, and
        ``release_rule`` say when and by which rule each observation was released);
        ``obs_date`` is datetime64, sorted by series and date.
        """
        with self.snapshot() as db:  # the rows and their fetches as of one moment
            return fetch_rows.with_provenance(
                db,
                self.read_released(
                    series_ids,
                    start=start,
                    end=end,
                    asof=asof,
                    known_at=known_at,
                    releases=releases,
                    through_fetch=through_fetch,
                ),
            )

    def read_released(
        self,
        series_ids: Sequence[str],
        *,
        start: date | None = None,
        end: date | None = None,
        asof: date | None = None,
        known_at: datetime | None = None,
        releases: ReleaseRule | None = None,
        through_fetch: int | None = None,
    ) -> release.ReleasedRows:
        """The rows :meth:`read` returns (same arguments, same rows, same order), as
        column arrays with their release day and rule, and provenance by reference: each
        row's ``fetch_id``, whose source, origin, retrieval and URL
        :meth:`fetch_sources` gives once per fetch rather than once per row. Rows whose
        fetch row is missing are kept here (:meth:`read` drops them in its join)."""
        if not series_ids:
            return release.ReleasedRows(
                newest.NewestRows.empty(),
                np.array([], dtype="datetime64[D]"),
                np.array([], dtype=object),
            )
        start, end, asof = (_day(d) for d in (start, end, asof))
        cap = min(d for d in (end, asof) if d is not None) if (end or asof) else None
        with self.snapshot() as db:
            rows = None
            if known_at is None:
                try:
                    rows = newest.read(db, series_ids, start, cap)
                    if newest.unpacked(db, series_ids):
                        rows = None  # written around Store.append: read every revision
                    elif through_fetch is not None and self._written_after(
                        series_ids, through_fetch
                    ):
                        rows = None  # asked after the read, so a write between shows
                except db.errors as exc:
                    raise StoreError(f"cannot read the store: {exc}", path=self.location) from exc
                except StoreError as exc:
                    raise StoreError(str(exc), path=self.location) from exc
            if rows is None:
                rows = newest.of_every_revision(
                    db,
                    series_ids,
                    start=start,
                    cap=cap,
                    known_at=known_at,
                    through_fetch=through_fetch,
                )
        released, rule = release.release_days(rows, releases or self.releases)
        if asof is not None:
            published = released <= np.datetime64(asof, "D")
            rows, released, rule = rows.where(published), released[published], rule[published]
        return release.ReleasedRows(rows, released, rule)

    def fetch_sources(self, fetch_ids: Iterable[int]) -> dict[int, FetchSource]:
        """Where each of ``fetch_ids`` came from (one query; an id without a fetch row is
        left out): the provenance :meth:`read` repeats on every row of the fetch."""
        with self.snapshot() as db:
            ids, source, origin, retrieved, url = fetch_rows.fetch_columns(db, fetch_ids)
        return {
            int(i): FetchSource(str(s), str(o), str(r), str(u))
            for i, s, o, r, u in zip(ids, source, origin, retrieved, url, strict=True)
        }

    def _written_after(self, series_ids: Sequence[str], fetch_id: int) -> bool:
        """Whether a fetch after ``fetch_id`` wrote rows of ``series_ids``."""
        which, param = self._db.dialect.in_list("series_id", list(series_ids))
        found = self._query(
            f"SELECT 1 FROM observations WHERE {which} AND fetch_id > ? LIMIT 1",  # noqa: S608 -- a constant
            (param, fetch_id),
        ).fetchone()
        return found is not None

    def revisions(self, series_id: str, *, start: date, known_at: datetime) -> pd.Series:
        """Every value of ``series_id`` dated ``start`` or later as it became known, up to
        ``known_at``: float values on a UTC DatetimeIndex of ``known_from``, oldest first.

        For series whose values are known from their own moment (intraday quotes, see
        docs/store.md), this is the path of the quotes; at equal moments the later fetch
        wins. Withdrawals (rows without a value) are not part of the path.
        """
        rows = self._query(
            "SELECT known_from, value FROM observations WHERE series_id = ? AND obs_date >= ? "
            "AND known_from <= ? AND withdrawn = 0 ORDER BY known_from, fetch_id",
            (series_id, start.isoformat(), iso_utc(known_at)),
        ).fetchall()
        index = pd.DatetimeIndex(pd.to_datetime([r[0] for r in rows], utc=True), name="known_from")
        values = pd.Series(
            [float(r[1]) for r in rows], index=index, name=series_id, dtype="float64"
        )
        return values[~values.index.duplicated(keep="last")]

    def series_status(self) -> pd.DataFrame:
        """Per registered series: first and last obs_date and the number of obs_dates with
        a value, last retrieval and origins of the fetches that stored one, last check.

        From the statistics kept at write time (:mod:`carrywatch.store.stats`): its cost
        grows with the number of series, not of observations.
        """
        with self.snapshot() as db:
            rows = stats.status(db)
        return pd.DataFrame(rows, columns=list(stats.STATUS_COLUMNS)).astype({"n_obs": "int64"})

    def fetches(self, *, source: str | None = None, origin: str | None = None) -> list[StoredFetch]:
        """Stored fetch rows, oldest first, optionally filtered."""
        where, params = [], []
        if source is not None:
            where.append("source = ?")
            params.append(source)
        if origin is not None:
            where.append("origin = ?")
            params.append(origin)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {fetch_rows.FETCH_COLUMNS} FROM fetches {clause} ORDER BY fetch_id"  # noqa: S608
        with self.snapshot() as db:
            return fetch_rows.stored_fetches(db, sql, params)

    def fetch(self, fetch_id: int) -> StoredFetch | None:
        """The fetch row ``fetch_id`` (``None`` when there is none)."""
        sql = f"SELECT {fetch_rows.FETCH_COLUMNS} FROM fetches WHERE fetch_id = ?"  # noqa: S608
        with self.snapshot() as db:
            found = fetch_rows.stored_fetches(db, sql, (fetch_id,))
        return found[0] if found else None

    def has_snapshots(self) -> bool:
        """True when the store holds a market snapshot row of an earlier version (module
        docstring)."""
        kind = self._db.dialect.json_text("provenance_json", "kind")
        found = self._query(
            f"SELECT 1 FROM fetches WHERE {kind} = ? LIMIT 1",  # noqa: S608 -- a constant
            (SNAPSHOT_KIND,),
        ).fetchone()
        return found is not None

    def counts(self) -> tuple[int, int]:
        """``(number of fetch rows, number of observation rows)``; the second from the
        statistics kept at write time (:func:`carrywatch.store.stats.total_rows`)."""
        with self.snapshot() as db:  # both numbers from one snapshot
            n_fetches = db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0]
            n_obs = stats.total_rows(db)
        return int(n_fetches), n_obs

    def integrity_check(self) -> str:
        """``"ok"`` when the store is sound: SQLite's ``PRAGMA integrity_check`` answer;
        on PostgreSQL (which checks its own pages) whether every packed newest row has
        the length it declares (the one derived structure carrywatch writes itself)."""
        if self.backend == "sqlite":
            return str(self._query("PRAGMA integrity_check", ()).fetchone()[0])
        bad = self._query(
            "SELECT series_id FROM newest_columns WHERE length(obs_days) != 4 * n_obs "
            "OR length(values_f8) != 8 * n_obs OR length(fetch_ids) != 8 * n_obs "
            "OR length(known_codes) != 4 * n_obs OR length(first_days) != 4 * n_obs",
            (),
        ).fetchall()
        return "ok" if not bad else f"packed rows of {sorted(r[0] for r in bad)} are damaged"

    def _query(self, sql: str, params: Sequence[object]) -> Cursor:
        try:
            with self._lock:
                if not self._depth:  # a statement of its own, as a transaction would be
                    self._db.ensure_connected()
                return self._db.execute(sql, params)
        except self._db.errors as exc:
            raise StoreError(f"cannot read the store: {exc}", path=self.location) from exc


def _day(moment: date | None) -> date | None:
    """A date bound as a ``date`` (a ``datetime`` or ``pd.Timestamp`` is a ``date`` too,
    but compares and subtracts differently): its calendar day."""
    if isinstance(moment, datetime):
        return moment.date()
    return moment
