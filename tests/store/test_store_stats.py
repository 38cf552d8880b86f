"""The statistics kept at write time (``series_stats``, schema version 4) equal what the
row-scanning queries of schema version 3 computed (kept below as the oracle): on the real
embedded snapshot, on Hypothesis-generated appends with revisions, reverts, vintages and
withdrawals, after a write around ``Store.append``, and in a store upgraded from
version 3; each on SQLite and on a throwaway PostgreSQL server (tests/helpers/postgres.py).

Generated values and moments are hypothetical (the statistics are about which rows exist,
not their size); the snapshot is real (``seeded``: the packaged history of
``../shared/data``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrywatch.store.dialect import Db
from carrywatch.store.sqlite import SeriesRow, Store
from carrywatch.store.stats import STATUS_COLUMNS
from carrywatch.types import Origin
from carrywatch.workspace import open_store
from tests.helpers.appends import SERIES, T0, GeneratedRow, fetch_at, frame_of, generated_rows

#: The distinct origins of a group, comma-joined, in each dialect.
_DISTINCT_ORIGINS = {
    "sqlite": "GROUP_CONCAT(DISTINCT f.origin)",
    "postgresql": "string_agg(DISTINCT f.origin, ',')",
}


def _old_status_sql(db: Db) -> str:
    """``Store.series_status`` of schema version 3 (in either dialect): every observation
    read, joined to its fetch."""
    return f"""
        SELECT s.series_id, MIN(o.obs_date), MAX(o.obs_date), COUNT(DISTINCT o.obs_date),
               MAX(f.retrieved_at), {_DISTINCT_ORIGINS[db.dialect.name]}, c.checked_at
        FROM series AS s
        LEFT JOIN observations AS o ON o.series_id = s.series_id AND o.withdrawn = 0
        LEFT JOIN fetches AS f ON f.fetch_id = o.fetch_id
        LEFT JOIN checks AS c ON c.series_id = s.series_id
        GROUP BY s.series_id, c.checked_at ORDER BY s.series_id
    """


def _oracle_status(store: Store) -> pd.DataFrame:
    """The old query's answer; the order of its distinct list is unspecified, so the
    origins are compared as a sorted list."""
    with store.snapshot() as db:
        rows = db.execute(_old_status_sql(db)).fetchall()
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS)).astype({"n_obs": "int64"})
    frame["origins"] = [
        ",".join(sorted(o.split(","))) if isinstance(o, str) else o for o in frame["origins"]
    ]
    return frame


def _oracle_counts(store: Store) -> tuple[int, int]:
    with store.snapshot() as db:
        n_fetches = db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0]
        n_obs = db.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
    return int(n_fetches), int(n_obs)


def _assert_as_oracle(store: Store) -> None:
    pd.testing.assert_frame_equal(store.series_status(), _oracle_status(store))
    assert store.counts() == _oracle_counts(store)


def _series_row(series_id: str) -> SeriesRow:
    return SeriesRow(series_id, "fred", series_id.upper(), "percent", "daily", series_id)


#: Appends: their rows and the origin of their fetch; NaN values are withdrawals.
_plans = st.lists(
    st.tuples(st.lists(generated_rows, min_size=1, max_size=6), st.sampled_from(list(Origin))),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=_plans)
def test_the_kept_statistics_equal_the_row_scanning_queries(
    new_store: Callable[[], Store],
    plan: list[tuple[list[GeneratedRow], Origin]],
) -> None:
    with new_store() as store:
        store.register_series([_series_row(s) for s in [*SERIES, "jp.boj.call_rate"]])
        _assert_as_oracle(store)
        for i, (rows, origin) in enumerate(plan):
            at = T0 + timedelta(minutes=i)
            store.append(fetch_at(at, origin), frame_of(rows, at))
            _assert_as_oracle(store)


def test_the_real_snapshot_statistics_equal_the_row_scanning_queries(
    store_target: Path | str, tmp_path: Path
) -> None:
    # Seeded through the bulk path (Store.append_many), as every new store is.
    database_url = store_target if isinstance(store_target, str) else None
    with open_store(tmp_path / "home", database_url=database_url) as store:
        status = store.series_status()
        _assert_as_oracle(store)
    # The real snapshot: the policy rate's first decision and 10-year yields to 2026.
    assert status["n_obs"].sum() > 300_000


#: The trigger of schema version 3, on each backend: it dropped the packed row only.
_V3_TRIGGER = {
    "sqlite": """CREATE TRIGGER observations_unpack AFTER INSERT ON observations
BEGIN
    DELETE FROM newest_columns WHERE series_id = NEW.series_id;
END""",
    "postgresql": """CREATE OR REPLACE FUNCTION carrywatch_unpack() RETURNS trigger AS $$
BEGIN
    DELETE FROM newest_columns WHERE series_id IN (SELECT DISTINCT series_id FROM inserted);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql""",
}

#: The definition of the trigger (SQLite) or of its function (PostgreSQL).
_TRIGGER_SQL = {
    "sqlite": "SELECT sql FROM sqlite_master WHERE name = 'observations_unpack'",
    "postgresql": "SELECT prosrc FROM pg_proc WHERE proname = 'carrywatch_unpack'",
}


def test_a_version_3_store_is_upgraded_with_its_statistics(store_target: Path | str) -> None:
    with Store.open(store_target) as store:
        store.register_series([_series_row(s) for s in SERIES])
        store.append(fetch_at(T0), frame_of([("us.ust.10y", "2024-08-01", None, 3.99)], T0))
        gdp: list[GeneratedRow] = [
            ("us.gdp", "2024-08-01", "2024-08-02T00:00:00Z", 3.8),
            ("us.gdp", "2024-08-01", "2024-08-10T12:00:00Z", math.nan),  # withdrawn
            ("us.gdp", "2024-08-02", "2024-08-02T00:00:00Z", 3.9),
        ]
        store.append(fetch_at(T0 + timedelta(hours=1), Origin.SNAPSHOT), frame_of(gdp, T0))
        backend = store.backend
        # What version 3 wrote: no statistics table, the trigger without it.
        with store.transaction() as db:
            db.execute("DROP TABLE series_stats")
            if backend == "sqlite":
                db.execute("DROP TRIGGER observations_unpack")
            db.execute(_V3_TRIGGER[backend])
            db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")

    with Store.open(store_target) as store:
        assert store.get_meta("schema_version") == "4"
        _assert_as_oracle(store)
        # GDP 08-01 withdrawn: still a date that had a value, as the old query counted.
        gdp_status = store.series_status().set_index("series_id").loc["us.gdp"]
        assert (gdp_status["n_obs"], gdp_status["origins"]) == (2, "snapshot")
        later = T0 + timedelta(days=1)
        store.append(fetch_at(later), frame_of([("us.gdp", "2024-08-01", None, 3.7)], later))
        _assert_as_oracle(store)
        with store.snapshot() as db:
            trigger = db.execute(_TRIGGER_SQL[backend]).fetchone()[0]
    assert "series_stats" in trigger


def test_a_write_around_append_leaves_no_stale_statistics(store_target: Path | str) -> None:
    with Store.open(store_target) as store:
        store.register_series([_series_row(s) for s in SERIES])
        fetch_id = store.append(
            fetch_at(T0), frame_of([("us.ust.10y", "2024-08-01", None, 3.99)], T0)
        ).fetch_id
        # Hypothetical: another writer (an older carrywatch, a hand-made INSERT) adds a date.
        with store.transaction() as db:
            db.execute(
                "INSERT INTO observations(series_id, obs_date, known_from, fetch_id, value) "
                "VALUES ('us.ust.10y', '2024-08-02', '2024-08-10T12:00:00Z', ?, 3.8)",
                (fetch_id,),
            )
        _assert_as_oracle(store)
        assert store.series_status().set_index("series_id").loc["us.ust.10y", "n_obs"] == 2
        # The next append to the series recomputes its statistics from its rows.
        later = T0 + timedelta(days=1)
        store.append(fetch_at(later), frame_of([("us.ust.10y", "2024-08-05", None, 3.78)], later))
        _assert_as_oracle(store)
        with store.snapshot() as db:
            kept = db.execute("SELECT n_rows FROM series_stats WHERE series_id = 'us.ust.10y'")
            assert kept.fetchone()[0] == 3
