"""The bulk path, ``Store.append_many``: the store it leaves equals the one successive
``Store.append`` calls leave, and a failure anywhere leaves the store as it was.

The payloads are real: entries of the embedded snapshot (the packaged history of
``../shared/data``, see ``docs/store.md``, "Snapshot provenance"): the BOJ policy rate
from its 93 decision statements (series fed by many entries, which is where the order of
payloads matters) and the 10-year Treasury yield from its two collection files.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
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
    "triggers": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
}


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {name: db.execute(sql).fetchall() for name, sql in _TABLES.items()}


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
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as opened:
        yield opened


def test_the_bulk_path_leaves_the_store_successive_appends_leave(
    tmp_path: Path, payloads: list[tuple[FetchRecord, pd.DataFrame]]
) -> None:
    # Twice over: into an empty store, and again into the seeded one (nothing changes).
    with Store.open(tmp_path / "one-by-one.sqlite") as one_by_one:
        singles = [one_by_one.append(f, r) for f, r in payloads]
        singles += [one_by_one.append(f, r) for f, r in payloads]
    with Store.open(tmp_path / "bulk.sqlite") as bulk:
        results = bulk.append_many(payloads)
        results += bulk.append_many(payloads)

    assert results == singles
    assert sum(r.n_added for r in results[: len(payloads)]) > 10_000
    assert sum(r.n_added for r in results[len(payloads) :]) == 0
    assert _dump(tmp_path / "bulk.sqlite") == _dump(tmp_path / "one-by-one.sqlite")


def test_a_failure_mid_way_leaves_the_store_as_it_was(
    store: Store, payloads: list[tuple[FetchRecord, pd.DataFrame]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append_many(payloads[:3])
    before = _dump(store.path)
    calls = {"n": 0}
    real_record = stats.record

    def failing_record(*args: object, **kwargs: object) -> None:
        # Hypothetical: the disk fills up at the tenth payload, after nine were written.
        calls["n"] += 1
        if calls["n"] == 10:
            raise sqlite3.OperationalError("database or disk is full")
        real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stats, "record", failing_record)
    with pytest.raises(StoreError, match="disk is full"):
        store.append_many(payloads)

    assert calls["n"] == 10
    assert _dump(store.path) == before  # the trigger is back too
    monkeypatch.undo()
    store.append_many(payloads)  # and the store takes the load afterwards
    assert _dump(store.path)["triggers"] == before["triggers"]


def test_a_bad_payload_anywhere_is_refused_before_anything_is_written(
    store: Store, payloads: list[tuple[FetchRecord, pd.DataFrame]]
) -> None:
    before = _dump(store.path)
    fetch, rows = payloads[-1]
    bad = rows.assign(value=rows["value"].where(rows.index != rows.index[0], math.inf))

    with pytest.raises(StoreError, match="non-finite"):
        store.append_many([*payloads[:-1], (fetch, bad)])

    assert _dump(store.path) == before
