"""The store on PostgreSQL as a team runs it: several refreshers at once, a refresher
killed mid-write, the store chosen by ``--database-url`` / ``CARRYWATCH_DATABASE_URL``,
and the same brief and odds as on SQLite. (The whole store suite also runs on both
backends: the ``store`` fixtures of this folder.)

Values are real: ``DGS10`` for 2024-08-01 ... 2024-08-09 from
``tests/payloads/fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv`` (as in
test_store.py), and the embedded snapshot for seeding, the brief and the odds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.errors import StoreError
from carrywatch.report.server import make_server
from carrywatch.store.archive import RawArchive
from carrywatch.store.dialect import WRITE_LOCK_KEY
from carrywatch.store.sqlite import Store
from carrywatch.types import sha256_hex
from carrywatch.workspace import open_store
from tests.store.test_store import DGS10_AUG_2024, T1, UST10, _fetch, _rows, _series_row

SEED = 20_261_204

# -- several refreshers ------------------------------------------------------------------


def test_refreshers_at_once_neither_duplicate_nor_lose_a_row(postgres_url: str) -> None:
    """Six writers append the same payload at the same moment, and each also its own
    revision of one date. Without the write lock each would see no stored row and
    insert the payload again (six copies); with it the payload is stored once, and each
    writer's own revision (a different value each time, so each changes what is known)
    is stored too."""
    n_writers = 6
    with Store.open(postgres_url) as setup:
        setup.register_series([_series_row(UST10)])
    start = threading.Barrier(n_writers)
    failures: list[BaseException] = []
    added: list[int] = []

    def refresh(k: int) -> None:
        try:
            with Store.open(postgres_url) as store:
                start.wait(timeout=30)
                added.append(store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024)).n_added)
                # Hypothetical revisions of 2024-08-09 (3.94 in the payload): 4.00, 4.01, ...
                revision = _rows(UST10, [("2024-08-09", 4.0 + k / 100)])
                added.append(store.append(_fetch(T1.replace(hour=13 + k)), revision).n_added)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=refresh, args=(k,)) for k in range(n_writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sorted(added, reverse=True)[:2] == [7, 1]  # one writer stored the payload ...
    assert sum(added) == 7 + n_writers  # ... and every revision was kept
    with Store.open(postgres_url) as store, store.snapshot() as db:
        rows = db.execute(
            "SELECT obs_date, COUNT(*) FROM observations GROUP BY obs_date ORDER BY obs_date"
        ).fetchall()
    assert dict(rows) == {d: 1 for d, _ in DGS10_AUG_2024[:-1]} | {"2024-08-09": 1 + n_writers}


def test_a_writer_waits_for_the_lock_and_a_reader_does_not(postgres_url: str) -> None:
    with Store.open(postgres_url) as store:
        store.register_series([_series_row(UST10)])
        store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024[:3]))
    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
        # A reader is not blocked by a writer's lock ...
        with Store.open(postgres_url) as reader:
            assert len(reader.read([UST10])) == 3
        # ... a writer is, up to its timeout, then says so and writes nothing.
        with Store.open(postgres_url, timeout_s=1) as writer, pytest.raises(StoreError):
            writer.append(_fetch(T1.replace(hour=14)), _rows(UST10, DGS10_AUG_2024))
        holder.execute("ROLLBACK")
    with Store.open(postgres_url) as store:
        assert store.counts() == (1, 3)


def test_a_connection_the_server_dropped_is_replaced_at_the_next_request(
    postgres_url: str,
) -> None:
    """A long-lived reader (``serve`` keeps its connections) survives a database restart
    or failover: the read that was running fails with a store error, the next one
    reconnects."""
    with Store.open(postgres_url) as store:
        store.register_series([_series_row(UST10)])
        store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid != pg_backend_pid()"
            )
        with pytest.raises(StoreError, match="cannot read the store"):
            store.data_version()
        assert len(store.read([UST10])) == 7
        assert store.data_version() > 0


# -- a refresher killed mid-write --------------------------------------------------------

_SEED_SCRIPT = """
import sys
from carrywatch.workspace import open_store
open_store(sys.argv[1], database_url=sys.argv[2]).close()
"""


def _lock_holders(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as probe:
        found = probe.execute(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        ).fetchone()
    assert found is not None
    return int(found[0])


def _released(url: str, *, within_s: float = 60.0) -> bool:
    """Whether the server releases every advisory lock within ``within_s``. A backend
    whose client was killed in the middle of a ``COPY`` first works through the rows
    already sent (the statement's trigger included) and notices the closed connection
    when it next reads: the lock is released then, not at the moment of the kill."""
    deadline = time.monotonic() + within_s
    while _lock_holders(url) != 0:
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.01)
    return True


@pytest.mark.timeout(300)
def test_a_refresher_killed_mid_write_leaves_nothing_half_written(
    postgres_url: str, tmp_path: Path
) -> None:
    """Seeding writes the embedded snapshot (about 344 000 rows) in one transaction. A
    process doing it is killed with SIGKILL once it holds the write lock, after a further
    random delay: the store holds the whole snapshot or none of it, the server released
    the lock, and the next open completes the seeding."""
    rng = random.Random(SEED)
    for attempt in range(3):
        seeding = subprocess.Popen(
            [sys.executable, "-c", _SEED_SCRIPT, str(tmp_path / f"home{attempt}"), postgres_url]
        )
        try:
            while _lock_holders(postgres_url) == 0 and seeding.poll() is None:
                threading.Event().wait(0.01)
            threading.Event().wait(rng.uniform(0.0, 2.0))
        finally:
            seeding.kill()
            seeding.wait(timeout=30)
        # The server releases the killed process's lock (and the next attempt waits for
        # a lock of its own, not the dead one's).
        assert _released(postgres_url)
        with Store.open(postgres_url) as store:
            n_fetches, n_obs = store.counts()
            seeded = store.get_meta("snapshot_sha256") is not None
            assert (n_fetches > 0) == seeded, (attempt, n_fetches)
            assert (n_obs > 0) == seeded, (attempt, n_obs)
            if seeded:
                assert n_obs > 340_000
                break
    assert _released(postgres_url)  # a dropped connection holds nothing
    with open_store(tmp_path / "home", database_url=postgres_url) as store:
        assert store.get_meta("snapshot_sha256") is not None
        assert store.counts()[1] > 340_000
        assert store.integrity_check() == "ok"


# -- choosing the store ------------------------------------------------------------------


@pytest.mark.usefixtures("home")
def test_database_url_selects_postgresql_and_a_wrong_one_says_what_to_give(
    postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["--database-url", postgres_url, "series", "list"]) == 0
    with Store.open(postgres_url) as store:
        assert store.counts()[1] > 340_000  # seeded there, not under CARRYWATCH_HOME

    capsys.readouterr()
    assert main(["--database-url", "mysql://db.example/carrywatch", "series", "list"]) == 1
    assert "must be a PostgreSQL URL" in capsys.readouterr().err

    monkeypatch.setenv("CARRYWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["series", "list"]) == 1
    message = capsys.readouterr().err
    assert "cannot connect to the PostgreSQL store" in message
    assert "CARRYWATCH_DATABASE_URL" in message


def test_the_payload_archive_of_a_postgresql_store_is_its_payloads_table(
    postgres_url: str,
) -> None:
    body = (
        (Path(__file__).parents[1] / "payloads" / "fred")
        .joinpath("XinyuLiu2403__acc102-macro-dashboard__DGS10.csv")
        .read_bytes()
    )
    with Store.open(postgres_url) as store:
        archive = RawArchive.of(store)
        digest = archive.put(body)
        assert archive.put(body) == digest == sha256_hex(body)
        assert archive.has(digest)
        assert archive.get(digest) == body
        with store.transaction() as db:  # hypothetical: a body damaged in the database
            db.execute("UPDATE payloads SET body = ? WHERE sha256 = ?", (body[:-1], digest))
        with pytest.raises(StoreError, match="corrupted"):
            archive.get(digest)
        with pytest.raises(StoreError, match="not in the store"):
            archive.get("0" * 64)


# -- a read-only role ----------------------------------------------------------------------


@pytest.mark.timeout(600)
def test_a_read_only_role_opens_reads_and_builds_the_brief(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/deployment.md: readers use a role with SELECT only. Opening a current store,
    registering an unchanged catalog and the already-seeded snapshot write nothing, so
    ``brief`` works; a write is refused by the server and reported as a store error."""
    open_store(tmp_path / "writer", database_url=postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE reader LOGIN")
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader_url = postgres_url.replace("carrywatch@", "reader@")

    assert (
        main(
            [
                "--database-url",
                reader_url,
                "brief",
                "--asof",
                "2024-08-05",
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 0
    )
    brief = json.loads((tmp_path / "b" / "brief.json").read_text())
    assert brief["metrics"]["yield.us.10y"]["value"] == 3.78  # PROVENANCE.md section 1
    with Store.open(reader_url) as store, pytest.raises(StoreError, match="permission denied"):
        store.append(_fetch(T1), _rows(UST10, [("2024-08-12", 9.99)]))  # hypothetical


def _served(target: Path | str, cache_dir: Path) -> list[object]:
    """What ``serve`` on the store at ``target`` answers for a page of DGS10 as of
    2024-08-05 and for the provenance of the fetch of its first value."""
    catalog = load_catalog()
    with Store.open(target) as archive_store:
        server = make_server(
            lambda: Store.open(target, releases=catalog.calendar.release_dates),
            catalog,
            port=0,
            cache_dir=cache_dir,
            archive=RawArchive.of(archive_store),
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with urllib.request.urlopen(f"{base}/api/series/{UST10}?asof=2024-08-05&limit=50") as r:
                page = json.loads(r.read())
            fetch_id = page["observations"]["fetch_id"][0]
            with urllib.request.urlopen(f"{base}/api/fetches/{fetch_id}") as r:
                fetch = json.loads(r.read())
        finally:
            server.shutdown()
            server.server_close()
    assert len(page["observations"]["value"]) == 50
    return [page, fetch]


# -- the same brief and odds ---------------------------------------------------------------


@pytest.mark.timeout(600)
def test_brief_and_odds_on_postgresql_equal_those_on_sqlite(
    postgres_url: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same embedded snapshot seeded into each backend gives the same brief.json
    (all but the moment it was generated), the same ``odds --json`` document and the
    same ``serve`` answers (a page of a series, a fetch's provenance)."""
    documents = {}
    for backend, prefix in (("sqlite", []), ("postgresql", ["--database-url", postgres_url])):
        out = tmp_path / backend
        assert main([*prefix, "brief", "--asof", "2024-08-05", "--out", str(out)]) == 0
        capsys.readouterr()
        assert main([*prefix, "odds", "fed", "--asof", "2024-07-15", "--json"]) == 0
        brief = json.loads((out / "brief.json").read_text())
        assert brief.pop("generated_at")  # the wall-clock moment of each run
        target = home / "carrywatch.sqlite" if backend == "sqlite" else postgres_url
        documents[backend] = (
            brief,
            capsys.readouterr().out,
            _served(target, tmp_path / f"serve-{backend}"),
        )
    for sqlite_document, postgresql_document in zip(
        documents["sqlite"], documents["postgresql"], strict=True
    ):
        assert postgresql_document == sqlite_document
    brief = documents["sqlite"][0]
    # FRED DGS10 2024-08-05 = 3.78 (data/PROVENANCE.md section 1).
    assert brief["metrics"]["yield.us.10y"]["value"] == 3.78
    assert (home / "carrywatch.sqlite").is_file()
