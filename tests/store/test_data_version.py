"""The store's data version (the key of readers' caches) and reads as of an earlier state
(``read(through_fetch=)``, what a page cursor reads again), on both backends.

Values are real: DGS10 and the GDP vintages of ``tests/store/test_store.py`` (its module
docstring names the payloads they were copied from).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from carrywatch.store.sqlite import FetchRecord, SeriesRow, Store
from carrywatch.types import Origin
from tests.store.test_store import ALFRED_URL, DGS10_AUG_2024, FRED_URL, GDP, GDP_VINTAGES, UST10


def _fetch(url: str, sha: str, retrieved: datetime) -> FetchRecord:
    return FetchRecord(
        source="fred",
        url=url,
        retrieved_at=retrieved,
        sha256=sha,
        n_bytes=1,
        parse_version=1,
        origin=Origin.LIVE,
    )


def _dgs10(values: dict[str, float] | None = None) -> pd.DataFrame:
    rows = values or dict(DGS10_AUG_2024)
    return pd.DataFrame(
        {"series_id": UST10, "obs_date": pd.to_datetime(list(rows)), "value": list(rows.values())}
    )


def _gdp(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": GDP,
            "obs_date": pd.to_datetime([r[0] for r in rows]),
            "known_from": pd.to_datetime([r[1] for r in rows], utc=True),
            "value": [r[2] for r in rows],
        }
    )


def test_every_changing_write_bumps_the_version_and_nothing_else_does(
    store_target: Path | str,
) -> None:
    path = store_target
    with Store.open(path) as store:
        series = SeriesRow(UST10, "fred", "DGS10", "percent", "daily", "10-year Treasury")
        store.register_series([series])
        registered = store.data_version()
        assert registered > 0
        store.register_series([series])  # the same catalog again: no change
        assert store.data_version() == registered
        moment = datetime(2024, 8, 10, tzinfo=UTC)
        store.append(_fetch(FRED_URL, "a" * 64, moment), _dgs10())
        appended = store.data_version()
        assert appended == registered + 1
        assert store.read([UST10]).shape[0] == len(DGS10_AUG_2024)
        # The same payload again adds no observation but records the check: a change.
        store.append(_fetch(FRED_URL, "a" * 64, datetime(2024, 8, 11, tzinfo=UTC)), _dgs10())
        checked = store.data_version()
        assert checked == appended + 1
    with Store.open(path) as other:  # another connection sees the same number
        assert other.data_version() == checked
        other.read([UST10])
        assert other.data_version() == checked  # reads change nothing


def test_a_failed_write_leaves_the_version_as_it_was(store_target: Path | str) -> None:
    with Store.open(store_target) as store:
        before = store.data_version()
        try:
            with store.transaction() as db:
                db.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
                raise RuntimeError("killed")
        except RuntimeError:
            pass
        assert store.data_version() == before
        assert store.get_meta("x") is None


def test_reading_through_a_fetch_rebuilds_that_state_of_the_store(store_target: Path | str) -> None:
    with Store.open(store_target) as store:
        first = store.append(
            _fetch(FRED_URL, "a" * 64, datetime(2024, 8, 10, tzinfo=UTC)), _dgs10()
        ).fetch_id
        assert first == store.last_fetch_id()
        # A later payload revises 2024-08-05 (a made-up revision to 3.81, the real value
        # being 3.78) and adds a day.
        store.append(
            _fetch(FRED_URL, "b" * 64, datetime(2024, 8, 20, tzinfo=UTC)),
            _dgs10({"2024-08-05": 3.81, "2024-08-12": 3.90}),
        )
        assert store.last_fetch_id() > first
        assert first is not None
        then = store.read([UST10], through_fetch=first)
        assert then["value"].tolist() == [v for _, v in DGS10_AUG_2024]
        now = store.read([UST10])
        assert now.set_index("obs_date")["value"][pd.Timestamp("2024-08-05")] == 3.81
        assert len(now) == len(DGS10_AUG_2024) + 1
        # Reading through the newest fetch is the plain read.
        pd.testing.assert_frame_equal(store.read([UST10], through_fetch=store.last_fetch_id()), now)


def test_an_older_vintage_fetched_later_is_not_part_of_the_earlier_state(
    store_target: Path | str,
) -> None:
    # ALFRED: 2024Q2's later vintages first, its first release (2024-07-25) fetched after:
    # the first release dates the observation, so the later fetch changes when it counts.
    with Store.open(store_target) as store:
        later = [v for v in GDP_VINTAGES if v[0] == "2024-04-01" and v[1] != "2024-07-25"]
        first = store.append(
            _fetch(ALFRED_URL, "c" * 64, datetime(2025, 1, 5, tzinfo=UTC)), _gdp(later)
        ).fetch_id
        earliest = [v for v in GDP_VINTAGES if v[1] == "2024-07-25"]
        store.append(_fetch(ALFRED_URL, "d" * 64, datetime(2025, 1, 6, tzinfo=UTC)), _gdp(earliest))
        assert first is not None
        then = store.read([GDP], through_fetch=first, asof=date(2024, 8, 1))
        assert then.empty  # first published 2024-08-29 as far as that state knew
        now = store.read([GDP], asof=date(2024, 8, 1))
        assert now["value"].tolist() == [29016.714]  # released 2024-07-25, newest revision
