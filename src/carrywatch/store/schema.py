"""The schema's version: creating a store, and upgrading one an older carrywatch wrote.

A store records its schema version in ``meta`` (``schema_version``). Opening a store
creates the schema where there is none, upgrades an older version in place (see
:data:`UPGRADABLE`), inside the opening transaction, and refuses a newer one with one
line saying what to do.
"""

from __future__ import annotations

from typing import Final

from carrywatch.errors import StoreError
from carrywatch.store import newest, stats
from carrywatch.store.dialect import Db

__all__ = ["SCHEMA_VERSION", "UPGRADABLE", "create_or_upgrade", "is_current"]

SCHEMA_VERSION: Final = "4"
#: Versions :meth:`Store.open` upgrades in place: 1 lacked ``newest_columns``, 2 lacked
#: ``observations.withdrawn`` and ``newest_columns.first_days``, 3 lacked
#: ``series_stats``.
UPGRADABLE: Final = frozenset({"1", "2", "3"})


def is_current(db: Db) -> bool:
    """Whether the PostgreSQL store ``db`` reads (in a read snapshot) has this version's
    schema, so that opening a current store neither waits for a writer nor needs write
    permission (a read-only role). SQLite runs its idempotent schema script on every open
    instead (see :attr:`~carrywatch.store.dialect.Dialect.ddl_each_open`)."""
    if db.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
        return False
    found = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return found is not None and found[0] == SCHEMA_VERSION


def create_or_upgrade(db: Db, location: str) -> None:
    """Create the schema, or bring an older one (see ``UPGRADABLE``) to this version;
    inside the opening transaction. A newer version is refused."""
    # The version first: an older store's tables may not take this version's script.
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    found = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if found is None or found[0] == SCHEMA_VERSION:
        for statement in db.dialect.schema():
            db.execute(statement)
    if found is None:
        db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    elif found[0] in UPGRADABLE:
        _upgrade(db, str(found[0]))
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))
    elif found[0] != SCHEMA_VERSION:
        raise StoreError(
            f"store schema version {found[0]} is not {SCHEMA_VERSION}; "
            "upgrade carrywatch or point CARRYWATCH_HOME (or CARRYWATCH_DATABASE_URL) "
            "at a new store",
            path=location,
        )


def _upgrade(db: Db, version: str) -> None:
    """Bring a store of an older schema ``version`` (see ``UPGRADABLE``) to this one,
    inside the opening transaction: add ``observations.withdrawn`` (every existing row is
    a value), recreate the derived ``newest_columns`` and ``latest`` and repack (1, 2);
    recreate the trigger ``observations_unpack`` and compute ``series_stats`` from the
    rows (1, 2, 3). A one-off that reads every row."""
    columns = {str(r[0]) for r in db.execute(db.dialect.columns_sql("observations")).fetchall()}
    if "withdrawn" not in columns:
        db.execute(
            "ALTER TABLE observations ADD COLUMN "
            "withdrawn INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1))"
        )
    if version in {"1", "2"}:
        db.execute("DROP VIEW IF EXISTS latest")
        db.execute("DROP TABLE IF EXISTS newest_columns")
    # The schema script creates the trigger only where it is missing (SQLite) or
    # replaces it (PostgreSQL): drop the old one where it would otherwise stay.
    for statement in db.dialect.unpack_suspension()[0]:
        db.execute(statement)
    for statement in db.dialect.schema():
        db.execute(statement)
    found = db.execute("SELECT DISTINCT series_id FROM observations").fetchall()
    series = [str(r[0]) for r in found]
    if version in {"1", "2"}:
        newest.rebuild(db, series)
    stats.rebuild(db, series)
