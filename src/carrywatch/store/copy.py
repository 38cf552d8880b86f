"""Copy a whole store between backends, provenance intact (``carrywatch store copy``).

SQLite to PostgreSQL starts a team's shared store from one user's file; PostgreSQL to
SQLite makes an offline copy. Every table of record is copied row for row, fetch ids
kept (each observation keeps its fetch, hence its provenance); the derived tables (the
packed newest revisions and the per-series statistics) are rebuilt in the target from its
observations, never copied, so a source whose derived rows were dropped by an older
writer (see :mod:`carrywatch.store.stats`) still gives a complete target; the raw
payload bodies move between the two archives (files beside a SQLite store, the
``payloads`` table of a PostgreSQL one).

One target transaction: the source is read in one snapshot (a refresh running meanwhile
is copied whole or not at all), and before the commit each table's row count and
checksum in the target must equal the source's, else nothing is written (the derived
tables are not compared: they follow from the compared ones). The checksum
of a table is the SHA-256 of its rows in primary-key order, each value written as text
(floats by ``repr``, exact), so equal checksums mean equal rows on either backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from carrywatch.errors import StoreError
from carrywatch.store import newest, stats
from carrywatch.store.archive import RawArchive
from carrywatch.store.dialect import Db
from carrywatch.store.sqlite import Store

__all__ = ["TABLES", "CopiedTable", "CopyReport", "copy_store", "table_checksum"]

#: The tables of record, their columns and primary-key order. (``newest_columns`` and
#: ``series_stats`` are rebuilt, not copied; the meta rows ``schema_version`` and
#: ``data_version`` are each store's own: the copy bumps the target's data version like
#: any other write.)
TABLES: Final[tuple[tuple[str, tuple[str, ...], str], ...]] = (
    ("meta", ("key", "value"), "key"),
    ("series", ("series_id", "source", "remote_code", "unit", "frequency", "title"), "series_id"),
    (
        "fetches",
        (
            "fetch_id",
            "source",
            "url",
            "params_json",
            "retrieved_at",
            "http_status",
            "sha256",
            "n_bytes",
            "parse_version",
            "origin",
            "provenance_json",
        ),
        "fetch_id",
    ),
    (
        "observations",
        ("series_id", "obs_date", "known_from", "fetch_id", "value", "withdrawn"),
        "series_id, obs_date, known_from, fetch_id",
    ),
    ("checks", ("series_id", "checked_at", "source", "url"), "series_id"),
    (
        "alert_events",
        ("rule", "event_key", "obs_date", "fired_at", "value", "message"),
        "rule, event_key",
    ),
)

_BATCH: Final = 20_000
_OWN_META: Final = " WHERE key NOT IN ('schema_version', 'data_version')"


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """One table after the copy: its rows and checksum, equal in source and target."""

    table: str
    n_rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What :func:`copy_store` copied and verified."""

    tables: tuple[CopiedTable, ...]
    n_payloads: int
    #: Payload bodies named by a fetch row but absent from the source archive.
    n_payloads_missing: int


def copy_store(
    source: Store, target: Store, *, source_archive: RawArchive, replace: bool = False
) -> CopyReport:
    """Copy ``source`` into ``target`` (see the module docstring); what was verified.

    ``target`` must be empty (no fetch, observation, series or alert row) unless
    ``replace``, which first deletes everything in it, in the same transaction.
    """
    if source.location == target.location:
        raise StoreError("the source and the target are the same store", path=target.location)
    target_archive = RawArchive.of(target)
    with source.snapshot() as read, target.transaction() as write:
        if not replace and _has_rows(write):
            raise StoreError(
                "the target store is not empty; copy into a new database or file, or pass "
                "--replace to delete its contents first",
                path=target.location,
            )
        for table, _, _ in reversed(TABLES):
            where = _OWN_META if table == "meta" else ""
            write.execute(f"DELETE FROM {table}{where}")  # noqa: S608 -- constant names
        for derived in ("newest_columns", "series_stats"):
            write.execute(f"DELETE FROM {derived}")  # noqa: S608 -- constant names
        # The derived tables are rebuilt below: the trigger's per-row work is not needed.
        suspend, restore = write.dialect.unpack_suspension()
        for statement in suspend:
            write.execute(statement)
        for table, columns, order in TABLES:
            write.insert_rows(table, columns, _rows(read, table, columns, order))
        for statement in restore:
            write.execute(statement)
        next_id = write.dialect.next_id_sql("fetches", "fetch_id")
        if next_id is not None:
            write.execute(next_id)
        found = write.execute("SELECT DISTINCT series_id FROM observations").fetchall()
        series = [str(r[0]) for r in found]
        newest.rebuild(write, series)
        stats.rebuild(write, series)
        n_payloads, n_missing = _copy_payloads(read, source_archive, target_archive)
        tables = []
        for table, columns, order in TABLES:
            expected = table_checksum(read, table, columns, order)
            got = table_checksum(write, table, columns, order)
            if got != expected:
                raise StoreError(
                    f"the copy of {table} does not match its source ({got.n_rows} rows, "
                    f"{expected.n_rows} expected); nothing was written",
                    path=target.location,
                )
            tables.append(got)
    return CopyReport(tuple(tables), n_payloads, n_missing)


def table_checksum(db: Db, table: str, columns: Sequence[str], order: str) -> CopiedTable:
    """Row count and SHA-256 of ``table``'s rows in ``order`` (see the module docstring)."""
    digest = hashlib.sha256()
    n_rows = 0
    for row in _rows(db, table, columns, order):
        digest.update("\x1f".join(_text(v) for v in row).encode())
        digest.update(b"\x1e")
        n_rows += 1
    return CopiedTable(table, n_rows, digest.hexdigest())


def _text(value: object) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rows(db: Db, table: str, columns: Sequence[str], order: str) -> Iterator[tuple[object, ...]]:
    where = _OWN_META if table == "meta" else ""
    cursor = db.execute(
        f"SELECT {', '.join(columns)} FROM {table}{where} ORDER BY {order}"  # noqa: S608 -- constant names
    )
    while batch := cursor.fetchmany(_BATCH):
        yield from (tuple(row) for row in batch)


def _has_rows(db: Db) -> bool:
    for table in ("fetches", "observations", "series", "alert_events", "checks"):
        if db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:  # noqa: S608
            return True
    return False


def _copy_payloads(read: Db, source: RawArchive, target: RawArchive) -> tuple[int, int]:
    """Copy the body of every fetch row from archive to archive; (copied, missing)."""
    digests = [r[0] for r in read.execute("SELECT DISTINCT sha256 FROM fetches").fetchall()]
    copied = missing = 0
    for digest in digests:
        if not source.has(digest):
            missing += 1  # snapshot rows name bodies the embedded snapshot never carried
            continue
        target.put(source.get(digest))
        copied += 1
    return copied, missing
