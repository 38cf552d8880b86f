"""What differs between the store's two backends, SQLite and PostgreSQL, and nothing else.

The :class:`~carrywatch.store.sqlite.Store` runs the same methods and, wherever the two
dialects agree, the same SQL on both (written with ``?`` placeholders, SQLite's style).
A :class:`Dialect` holds the rest:

=====================  ==================================  ====================================
                       SQLite                              PostgreSQL (psycopg 3)
=====================  ==================================  ====================================
placeholders           ``?``                               ``%s`` (translated by :class:`Db`)
schema DDL             ``schema.sql``                      ``schema_postgres.sql``
write transaction      ``BEGIN IMMEDIATE`` (file lock)     ``BEGIN`` + ``pg_advisory_xact_lock``
read snapshot          ``BEGIN`` (WAL snapshot)            ``REPEATABLE READ READ ONLY``
new fetch id           ``cursor.lastrowid``                ``RETURNING fetch_id``
a JSON field           ``json_extract(c, '$.k')``          ``(c::jsonb ->> 'k')``
a list parameter       ``IN (SELECT value FROM json_each)``  ``= ANY(%s)`` (an array)
columns of a table     ``PRAGMA table_info``               ``information_schema.columns``
unpack trigger         per row (dropped for a bulk load)   per statement (kept)
=====================  ==================================  ====================================

Why writers take an advisory lock rather than rely on a constraint: the append rule
("stored only if it changes what is known", :mod:`carrywatch.store.sqlite`) compares each
incoming row with the newest stored one; no unique constraint can say that (a value that
returns to an earlier one is a new row). Two refreshers in READ COMMITTED would both see
the same newest row and both insert the change. One transaction-scoped advisory lock
serialises writers exactly as SQLite's ``BEGIN IMMEDIATE`` does, is released by the
server when the transaction ends or the connection drops (a killed refresher holds
nothing), and never blocks readers. The writer stays in READ COMMITTED so that each
statement after the lock sees the previous writer's commit.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import urlsplit, urlunsplit

from carrywatch.errors import StoreError

__all__ = [
    "POSTGRES",
    "SQLITE",
    "Cursor",
    "Db",
    "Dialect",
    "connect",
    "is_postgres_url",
    "redacted",
    "split_statements",
]

#: The key of the advisory lock every PostgreSQL write transaction holds: an arbitrary
#: constant, the same for every carrywatch process (b"carrywat" as a big-endian int64).
WRITE_LOCK_KEY: Final = int.from_bytes(b"carrywat", "big", signed=True)


class Cursor(Protocol):
    """What the store uses of a DB-API cursor (sqlite3's and psycopg's alike)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """The SQL that differs between the backends (see the module docstring)."""

    name: str
    schema_file: str
    begin_write: tuple[str, ...]
    begin_read: str
    #: Run the schema script on every open (SQLite: a table added without a version
    #: change, such as ``alert_events``, appears in an old file), or only on creation and
    #: upgrade (PostgreSQL: a read-only role may not run DDL).
    ddl_each_open: bool

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of ``column``'s JSON field ``key`` (a constant name)."""
        if self.name == "sqlite":
            return f"json_extract({column}, '$.{key}')"
        return f"({column}::jsonb ->> '{key}')"

    def in_list(self, column: str, values: Sequence[object]) -> tuple[str, object]:
        """``column`` is one of ``values``: the SQL (one placeholder) and its parameter."""
        if self.name == "sqlite":
            sql = f"{column} IN (SELECT value FROM json_each(?))"  # noqa: S608 -- a constant
            return sql, json.dumps(list(values))
        return f"{column} = ANY(?)", list(values)

    def columns_sql(self, table: str) -> str:
        """SQL whose rows' first column names the columns of ``table`` (a constant)."""
        if self.name == "sqlite":
            return f"SELECT name FROM pragma_table_info('{table}')"  # noqa: S608 -- a constant
        return (
            "SELECT column_name FROM information_schema.columns "  # noqa: S608 -- a constant
            f"WHERE table_schema = current_schema() AND table_name = '{table}'"
        )

    def next_id_sql(self, table: str, column: str) -> str | None:
        """SQL that makes ``table``'s next generated ``column`` follow the greatest
        stored one, after rows were inserted with their ids (``store copy``); SQLite
        needs none (a new rowid is always the greatest plus one)."""
        if self.name == "sqlite":
            return None
        return (
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
            f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        )

    def unpack_suspension(self) -> tuple[list[str], list[str]]:
        """The statements that suspend the trigger ``observations_unpack`` for a bulk
        load (:meth:`~carrywatch.store.sqlite.Store.append_many`, ``store copy``) and
        those that restore it, both run inside the load's transaction.

        SQLite's trigger runs once per inserted row, so it is dropped and recreated from
        the schema (SQLite's DDL is transactional and its write lock already excludes
        other writers; WAL readers keep their snapshot). PostgreSQL's runs once per
        statement (a ``COPY`` of a payload's rows runs it once), so there is no per-row
        work to avoid and it stays: ``DROP TRIGGER`` there would take an ACCESS EXCLUSIVE
        lock on ``observations`` that blocks every reader until the commit.
        """
        if self.name != "sqlite":
            return [], []
        create = next(s for s in self.schema() if "TRIGGER IF NOT EXISTS observations_unpack" in s)
        return ["DROP TRIGGER IF EXISTS observations_unpack"], [create]

    def schema(self) -> list[str]:
        """The schema script's statements."""
        script = resources.files("carrywatch.store").joinpath(self.schema_file).read_text()
        return split_statements(script)


SQLITE: Final = Dialect(
    name="sqlite",
    schema_file="schema.sql",
    begin_write=("BEGIN IMMEDIATE",),
    begin_read="BEGIN",
    ddl_each_open=True,
)

POSTGRES: Final = Dialect(
    name="postgresql",
    schema_file="schema_postgres.sql",
    begin_write=(
        "BEGIN ISOLATION LEVEL READ COMMITTED",
        f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})",
    ),
    begin_read="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    ddl_each_open=False,
)


class Db:
    """One connection of either backend, speaking SQL written with ``?`` placeholders."""

    def __init__(
        self, dialect: Dialect, raw: Any, reconnect: Callable[[], Any] | None = None
    ) -> None:
        self.dialect = dialect
        self.raw = raw
        self._reconnect = reconnect
        #: The exceptions the driver raises (turned into :class:`StoreError` by callers).
        self.errors: tuple[type[Exception], ...] = (
            (sqlite3.Error,) if dialect is SQLITE else _postgres_errors()
        )

    def ensure_connected(self) -> None:
        """Before a transaction: replace a PostgreSQL connection the server dropped (a
        restart, a failover, an idle timeout), so a long-lived reader such as ``serve``
        recovers at its next request. Never inside a transaction: its work is lost, and
        the error that said so has already been raised."""
        if self._reconnect is not None and (self.raw.closed or self.raw.broken):
            self.raw.close()
            self.raw = self._reconnect()

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        if self.dialect is SQLITE:
            cursor: Cursor = self.raw.execute(sql, params)
            return cursor
        return self.raw.execute(_pyformat(sql), params)  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Any) -> None:
        if self.dialect is SQLITE:
            self.raw.executemany(sql, rows)
        else:
            with self.raw.cursor() as cursor:
                cursor.executemany(_pyformat(sql), list(rows))

    def insert_rows(self, table: str, columns: Sequence[str], rows: Any) -> None:
        """Insert many rows into ``table`` (constant names): SQLite's ``executemany``,
        PostgreSQL's ``COPY`` (one statement, so statement triggers fire once)."""
        if self.dialect is SQLITE:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(
                f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                rows,
            )
            return
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def insert_id(self, sql: str, params: Sequence[object], id_column: str) -> int:
        """Run the ``INSERT`` ``sql`` and return the new row's ``id_column``."""
        if self.dialect is SQLITE:
            found = self.raw.execute(sql, params).lastrowid
        else:
            returning = _pyformat(f"{sql} RETURNING {id_column}")
            found = self.raw.execute(returning, params).fetchone()[0]
        assert found is not None
        return int(found)

    def change_mark(self) -> int:
        """A mark to pass to :meth:`changed_since` at the start of a write transaction."""
        return int(self.raw.total_changes) if self.dialect is SQLITE else 0

    def changed_since(self, mark: int) -> bool:
        """Whether the open write transaction changed any row since ``mark``: SQLite
        counts changed rows; PostgreSQL assigns a transaction id at the first row written
        (an advisory lock or a read assigns none)."""
        if self.dialect is SQLITE:
            return int(self.raw.total_changes) != mark
        found = self.raw.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
        return bool(found.fetchone()[0])

    @property
    def in_transaction(self) -> bool:
        if self.dialect is SQLITE:
            return bool(self.raw.in_transaction)
        return bool(self.raw.info.transaction_status.name != "IDLE")

    def close(self) -> None:
        self.raw.close()


def is_postgres_url(target: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) connection URL."""
    return isinstance(target, str) and target.split("://", 1)[0] in {"postgresql", "postgres"}


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def sqlite_path(target: Path | str) -> Path:
    """The file of a SQLite target: a path, or a ``sqlite:///`` URL."""
    if isinstance(target, Path):
        return target
    if target.startswith("sqlite://"):
        parts = urlsplit(target)
        if parts.netloc not in {"", "localhost"}:
            raise StoreError(
                "a sqlite URL names a local file: sqlite:///relative/path or "
                "sqlite:////absolute/path",
                path=target,
            )
        return Path(parts.path[1:] if parts.path.startswith("/") else parts.path)
    if "://" in target:
        raise StoreError(
            "not a store location: give a SQLite file path, sqlite:///path or "
            "postgresql://user@host/database",
            path=target,
        )
    return Path(target)


def connect(target: Path | str, *, timeout_s: float) -> tuple[Db, str]:
    """A connection to the store at ``target`` (a path, ``sqlite:///`` or
    ``postgresql://`` URL) and the location to name in messages."""
    if is_postgres_url(target):
        assert isinstance(target, str)
        return _connect_postgres(target, timeout_s=timeout_s), redacted(target)
    path = sqlite_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = sqlite3.connect(
            path, timeout=timeout_s, isolation_level=None, check_same_thread=False
        )
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA foreign_keys=ON")
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(
            f"cannot open the store: {exc}; check that CARRYWATCH_HOME is a writable folder",
            path=str(path),
        ) from exc
    return Db(SQLITE, raw), str(path)


def _connect_postgres(url: str, *, timeout_s: float) -> Db:
    return Db(
        POSTGRES,
        _postgres_connection(url, timeout_s),
        partial(_postgres_connection, url, timeout_s),
    )


def _postgres_connection(url: str, timeout_s: float) -> Any:
    try:
        # Imported here: a SQLite user never loads the PostgreSQL driver.
        import psycopg  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the extra is part of the dev install
        raise StoreError(
            "a postgresql:// store needs the PostgreSQL driver: pip install 'carrywatch[postgres]'",
            path=redacted(url),
        ) from None
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout_s)))
        # Waiting for the write lock is bounded as SQLite's busy timeout is.
        raw.execute(f"SET lock_timeout = '{int(timeout_s * 1000)}ms'")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(
            f"cannot connect to the PostgreSQL store: {first}; check CARRYWATCH_DATABASE_URL "
            "(postgresql://user[:password]@host[:port]/database) and that the server is up",
            path=redacted(url),
        ) from exc
    return raw


def _postgres_errors() -> tuple[type[Exception], ...]:
    import psycopg  # noqa: PLC0415 -- loaded only for a PostgreSQL store

    return (psycopg.Error,)


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """``sql`` with each ``?`` placeholder outside quotes as ``%s`` (and ``%`` as ``%%``)."""
    out = []
    for piece in _QUOTED.split(sql):
        if piece.startswith("'"):
            out.append(piece.replace("%", "%%"))
        else:
            out.append(piece.replace("%", "%%").replace("?", "%s"))
    return "".join(out)


_QUOTED: Final = re.compile(r"('(?:[^']|'')*')")


def split_statements(script: str) -> list[str]:
    """A schema script's statements (``executescript`` would commit): ``--`` lines
    dropped; a ``$$`` ... ``$$`` body (a PostgreSQL function) is never split."""
    out: list[str] = []
    buffer: list[str] = []
    in_body = False
    for line in script.splitlines():
        if not in_body and line.strip().startswith("--"):
            continue
        buffer.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and sqlite3.complete_statement("\n".join(buffer)):
            out.append("\n".join(buffer).strip())
            buffer = []
    return [s for s in out if s]
