"""The bulk path, ``Store.append_many``: the store it leaves equals the one successive
``Store.append`` calls leave, and a failure anywhere leaves the store as it was.

The payloads are real: entries of the embedded snapshot (the packaged history of
``../shared/data``, see ``docs/store.md``, "Snapshot provenance"): the BOJ policy rate
from its 93 decision statements (series fed by many entries, which is where the order of
payloads matters) and the 10-year Treasury yield from its two collection files. Each test
runs on SQLite and on a throwaway PostgreSQL server (tests/helpers/postgres.py).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from carrywatch.errors import StoreError
from carrywatch.snapshot import artefact
from carrywatch.store import stats
from carrywatch.store.sqlite import FetchRecord, Store

_SERIES = {"jp.boj.policy_rate", "jp.boj.policy_rate_lower", "us.ust.10y"}

#: Every table a write changes, each in a total order.
_TABLES = {
    "fetches": "SELECT * FROM fetches ORDER BY fetch_id",
    "observations": "SELECT * FROM observations ORDER BY series_id, obs_date, known_from, fetch_id",
    "newest_columns": "SELECT * FROM newest_columns ORDER BY series_id",
    "series_stats": "SELECT * FROM series_stats ORDER BY series_id",
    "checks": "SELECT * FROM checks ORDER BY series_id",
}

#: The triggers and their definitions (on PostgreSQL, with their functions' bodies).
_TRIGGERS = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    "postgresql": "SELECT t.tgname, pg_get_triggerdef(t.oid), p.prosrc FROM pg_trigger AS t "
    "JOIN pg_proc AS p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal ORDER BY t.tgname",
}

#: A database error as each driver raises it when the disk is full.
_DISK_FULL = {
    "sqlite": sqlite3.OperationalError("database or disk is full"),
    "postgresql": psycopg.errors.DiskFull("could not extend file: disk is full"),
}


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.snapshot() as db:
        tables = {name: db.execute(sql).fetchall() for name, sql in _TABLES.items()}
        triggers = db.execute(_TRIGGERS[store.backend]).fetchall()
    return {**tables, "triggers": triggers}


@pytest.fixture(scope="module")
def payloads() -> list[tuple[FetchRecord, pd.DataFrame]]:
    entries, frame = artefact.read_snapshot()
    chosen = frame[frame["series_id"].isin(_SERIES)]
    groups = dict(tuple(chosen.groupby("fetch_key", sort=False)))
    out = [
        (artefact._fetch_record(e), artefact._rows_to_append(groups[e.key], e.retrieved_at))
        for e in entries
        if e.key in groups
    ]
    assert len(out) > 90  # the BOJ decisions, each its own entry
    return out


@pytest.fixture
def store(store_target: Path | str) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        yield opened


@pytest.fixture
def other_target(store_target: Path | str, request: pytest.FixtureRequest) -> Path | str:
    """A second store of the same backend as ``store_target``."""
    if isinstance(store_target, Path):
        return store_target.with_name("other.sqlite")
    url: str = request.getfixturevalue("postgres_server").database()
    return url


def test_the_bulk_path_leaves_the_store_successive_appends_leave(
    store_target: Path | str,
    other_target: Path | str,
    payloads: list[tuple[FetchRecord, pd.DataFrame]],
) -> None:
    # Twice over: into an empty store, and again into the seeded one (nothing changes).
    with Store.open(other_target) as one_by_one:
        singles = [one_by_one.append(f, r) for f, r in payloads]
        singles += [one_by_one.append(f, r) for f, r in payloads]
        expected = _dump(one_by_one)
    with Store.open(store_target) as bulk:
        results = bulk.append_many(payloads)
        results += bulk.append_many(payloads)
        got = _dump(bulk)

    assert results == singles
    assert sum(r.n_added for r in results[: len(payloads)]) > 10_000
    assert sum(r.n_added for r in results[len(payloads) :]) == 0
    assert got == expected


def test_a_failure_mid_way_leaves_the_store_as_it_was(
    store: Store, payloads: list[tuple[FetchRecord, pd.DataFrame]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_many(payloads[:3])
    before = _dump(store)
    calls = {"n": 0}
    real_record = stats.record

    def failing_record(*args: object, **kwargs: object) -> None:
        # Hypothetical: the disk fills up at the tenth payload, after nine were written.
        calls["n"] += 1
        if calls["n"] == 10:
            raise _DISK_FULL[store.backend]
        real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stats, "record", failing_record)
    with pytest.raises(StoreError, match="disk is full"):
        store.append_many(payloads)

    assert calls["n"] == 10
    assert _dump(store) == before  # the trigger is back too
    monkeypatch.undo()
    store.append_many(payloads)  # and the store takes the load afterwards
    assert _dump(store)["triggers"] == before["triggers"]


def test_an_append_failing_after_its_insert_leaves_the_store_and_its_trigger_as_they_were(
    store: Store, payloads: list[tuple[FetchRecord, pd.DataFrame]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Store.append suspends the per-row trigger for its own insert, as the bulk path does:
    # a failure after the insert restores it with everything else.
    store.append_many(payloads[:3])
    before = _dump(store)

    def failing_record(*args: object, **kwargs: object) -> None:
        raise _DISK_FULL[store.backend]  # hypothetical: the disk fills up after the insert

    monkeypatch.setattr(stats, "record", failing_record)
    with pytest.raises(StoreError, match="disk is full"):
        store.append(*payloads[3])

    assert _dump(store) == before
    monkeypatch.undo()
    store.append(*payloads[3])
    assert _dump(store)["triggers"] == before["triggers"]  # back after a good append too


def test_a_categorical_series_id_appends_as_text_does(
    store_target: Path | str,
    other_target: Path | str,
    payloads: list[tuple[FetchRecord, pd.DataFrame]],
) -> None:
    # A refresh keys its rows with a categorical series_id (ingest._series_rows).
    with Store.open(other_target) as as_text:
        texts = [as_text.append(f, r.astype({"series_id": str})) for f, r in payloads]
        expected = _dump(as_text)
    with Store.open(store_target) as coded:
        codes = [coded.append(f, r.astype({"series_id": "category"})) for f, r in payloads]
        got = _dump(coded)

    assert codes == texts
    assert got == expected


def test_a_bad_payload_anywhere_is_refused_before_anything_is_written(
    store: Store, payloads: list[tuple[FetchRecord, pd.DataFrame]]
) -> None:
    before = _dump(store)
    fetch, rows = payloads[-1]
    bad = rows.assign(value=rows["value"].where(rows.index != rows.index[0], math.inf))

    with pytest.raises(StoreError, match="non-finite"):
        store.append_many([*payloads[:-1], (fetch, bad)])

    assert _dump(store) == before


def test_a_bulk_load_on_postgresql_never_blocks_a_reader(
    postgres_url: str,
    payloads: list[tuple[FetchRecord, pd.DataFrame]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The trigger stays (DROP TRIGGER would hold an ACCESS EXCLUSIVE lock on observations
    # until the commit): a reader whose lock wait is bounded at 1 s reads every revision
    # (known_at: from observations itself), mid-load, as the store was before the load.
    def read_all(store: Store) -> pd.DataFrame:
        return store.read(sorted(_SERIES), known_at=datetime(2100, 1, 1, tzinfo=UTC))

    with Store.open(postgres_url) as writer, Store.open(postgres_url, timeout_s=1) as reader:
        writer.append_many(payloads[:3])
        before = read_all(reader)
        seen: list[pd.DataFrame] = []
        real_record = stats.record

        def record_then_read(*args: object, **kwargs: object) -> None:
            real_record(*args, **kwargs)  # type: ignore[arg-type]
            if len(seen) == 0 and writer.counts()[0] > 10:  # ten payloads in
                seen.append(read_all(reader))

        monkeypatch.setattr(stats, "record", record_then_read)
        writer.append_many(payloads)
    assert len(seen) == 1
    pd.testing.assert_frame_equal(seen[0], before)
