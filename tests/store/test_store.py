"""The store: the append rule, revisions and vintages, reads "as known at", transactions,
concurrency, the raw archive and the schema-version guard; on both backends (the
``store`` and ``store_target`` fixtures run each test on SQLite and on a throwaway
PostgreSQL server, tests/helpers/postgres.py).

Values are real unless a comment says otherwise:

* ``DGS10`` (10-year Treasury CMT yield, percent) for 2024-08-01 ... 2024-08-09, copied
  from ``tests/payloads/fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv``
  (data/PROVENANCE.md section 1 quotes 2024-08-05 = 3.78);
* ``GDP`` vintages (ALFRED real-time periods) for 2024Q2 and 2024Q3, copied from
  ``tests/payloads/fred_api/api_series_observations_GDP_all_vintages.json.gz``
  (``realtime_start`` is the publication date, i.e. ``known_from``).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrywatch.errors import StoreError
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import READ_COLUMNS, FetchRecord, SeriesRow, Store, iso_utc
from carrywatch.types import Origin, sha256_hex

UST10 = "us.ust.10y"
GDP = "us.gdp"
FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
ALFRED_URL = "https://api.stlouisfed.org/fred/series/observations"

#: DGS10 from the XinyuLiu2403 payload (see the module docstring).
DGS10_AUG_2024: tuple[tuple[str, float], ...] = (
    ("2024-08-01", 3.99),
    ("2024-08-02", 3.80),
    ("2024-08-05", 3.78),
    ("2024-08-06", 3.90),
    ("2024-08-07", 3.96),
    ("2024-08-08", 3.99),
    ("2024-08-09", 3.94),
)

#: GDP vintages ``(obs_date, known_from, value)`` from the all-vintages payload.
GDP_VINTAGES: tuple[tuple[str, str, float], ...] = (
    ("2024-04-01", "2024-07-25", 28629.153),
    ("2024-04-01", "2024-08-29", 28652.337),
    ("2024-04-01", "2024-09-26", 29016.714),
    ("2024-07-01", "2024-10-30", 29349.924),
    ("2024-07-01", "2024-11-27", 29354.321),
    ("2024-07-01", "2024-12-19", 29374.914),
)

T1 = datetime(2024, 8, 10, 12, 0, 0, tzinfo=UTC)
T2 = datetime(2024, 8, 11, 12, 0, 0, tzinfo=UTC)
T3 = datetime(2024, 8, 12, 12, 0, 0, tzinfo=UTC)
#: When the ALFRED payload was recorded (tests/payloads/fred_api/README.md).
RECORDED = datetime(2025, 1, 20, 0, 0, 0, tzinfo=UTC)


def _fetch(
    at: datetime,
    *,
    source: str = "fred",
    url: str = FRED_URL,
    origin: Origin = Origin.LIVE,
    body: bytes = b"",
) -> FetchRecord:
    return FetchRecord(
        source=source,
        url=url,
        retrieved_at=at,
        sha256=sha256_hex(body or at.isoformat().encode()),
        n_bytes=len(body),
        parse_version=1,
        origin=origin,
        params=(("id", "DGS10"),),
        http_status=200,
        provenance={"media_type": "text/csv"},
    )


def _rows(series_id: str, pairs: Sequence[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": [series_id] * len(pairs),
            "obs_date": pd.to_datetime([d for d, _ in pairs]),
            "value": [v for _, v in pairs],
        }
    )


def _vintage_rows(vintages: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": [GDP] * len(vintages),
            "obs_date": pd.to_datetime([d for d, _, _ in vintages]),
            "known_from": pd.to_datetime([k for _, k, _ in vintages], utc=True),
            "value": [v for _, _, v in vintages],
        }
    )


def _series_row(series_id: str) -> SeriesRow:
    return SeriesRow(
        series_id=series_id,
        source="fred",
        remote_code=series_id.upper(),
        unit="percent",
        frequency="daily",
        title=series_id,
    )


def _values(frame: pd.DataFrame) -> dict[str, float]:
    return {
        day.strftime("%Y-%m-%d"): float(v)
        for day, v in zip(frame["obs_date"], frame["value"], strict=True)
    }


@pytest.fixture
def store(store_target: Path | str) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        opened.register_series([_series_row(UST10), _series_row(GDP)])
        yield opened


# -- the append rule -------------------------------------------------------------------


def test_first_append_adds_every_row_and_one_fetch_row(store: Store) -> None:
    result = store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))

    assert result.fetch_id is not None
    assert (result.n_added, result.n_offered) == (7, 7)
    assert store.counts() == (1, 7)
    (stored,) = store.fetches()
    assert stored.fetch_id == result.fetch_id
    assert (stored.source, stored.url, stored.origin) == ("fred", FRED_URL, "live")
    assert stored.retrieved_at == "2024-08-10T12:00:00Z"
    assert stored.params == (("id", "DGS10"),)
    assert stored.http_status == 200
    assert stored.provenance == {"media_type": "text/csv"}
    assert _values(store.read([UST10])) == dict(DGS10_AUG_2024)


def test_reappending_identical_rows_adds_nothing_but_records_the_check(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))

    again = store.append(_fetch(T2), _rows(UST10, DGS10_AUG_2024))

    assert again.fetch_id is None
    assert (again.n_added, again.n_offered) == (0, 7)
    assert store.counts() == (1, 7)
    status = store.series_status().set_index("series_id").loc[UST10]
    assert status["last_retrieved"] == iso_utc(T1)  # no new fetch row
    assert status["last_checked"] == iso_utc(T2)  # but the series was confirmed at T2
    # A check older than the one recorded does not move it back.
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    assert store.series_status().set_index("series_id").loc[UST10, "last_checked"] == iso_utc(T2)


def test_a_changed_value_is_kept_as_a_revision(store: Store) -> None:
    first = store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    # Hypothetical revision of 2024-08-05 (3.78 -> 3.79); every other value unchanged.
    revised = [(d, 3.79 if d == "2024-08-05" else v) for d, v in DGS10_AUG_2024]

    second = store.append(_fetch(T2), _rows(UST10, revised))

    assert second.fetch_id is not None
    assert second.fetch_id != first.fetch_id
    assert second.n_added == 1
    assert store.counts() == (2, 8)
    now = store.read([UST10])
    assert _values(now)["2024-08-05"] == 3.79
    row = now[now["obs_date"] == pd.Timestamp("2024-08-05")].iloc[0]
    assert (row["fetch_id"], row["retrieved_at"]) == (second.fetch_id, iso_utc(T2))
    between = datetime(2024, 8, 11, 0, 0, tzinfo=UTC)
    assert _values(store.read([UST10], known_at=between)) == dict(DGS10_AUG_2024)
    assert store.read([UST10], known_at=datetime(2024, 8, 1, tzinfo=UTC)).empty
    # known_at is inclusive: at the second retrieval the revision is known.
    assert _values(store.read([UST10], known_at=T2))["2024-08-05"] == 3.79


def test_vintages_with_explicit_known_from_are_all_kept(store: Store) -> None:
    result = store.append(
        _fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES)
    )

    assert result.n_added == 6
    assert store.counts() == (1, 6)
    latest = store.read([GDP])
    assert _values(latest) == {"2024-04-01": 29016.714, "2024-07-01": 29374.914}
    assert set(latest["known_from"]) == {"2024-09-26T00:00:00Z", "2024-12-19T00:00:00Z"}

    def known_at(day: date) -> dict[str, float]:
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        return _values(store.read([GDP], known_at=moment))

    assert known_at(date(2024, 7, 24)) == {}
    assert known_at(date(2024, 7, 25)) == {"2024-04-01": 28629.153}
    assert known_at(date(2024, 9, 1)) == {"2024-04-01": 28652.337}
    assert known_at(date(2024, 10, 30)) == {"2024-04-01": 29016.714, "2024-07-01": 29349.924}
    assert known_at(date(2024, 12, 1)) == {"2024-04-01": 29016.714, "2024-07-01": 29354.321}
    assert known_at(date(2025, 1, 1)) == {"2024-04-01": 29016.714, "2024-07-01": 29374.914}


def test_reoffering_the_same_vintages_adds_nothing(store: Store) -> None:
    store.append(_fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES))
    later = datetime(2025, 2, 1, tzinfo=UTC)

    again = store.append(
        _fetch(later, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES)
    )
    # Offered in another order, and only the latest vintage of each date: still nothing.
    shuffled = store.append(
        _fetch(later, source="fred_api", url=ALFRED_URL),
        _vintage_rows([GDP_VINTAGES[5], GDP_VINTAGES[2], GDP_VINTAGES[3]]),
    )

    assert (again.fetch_id, again.n_added) == (None, 0)
    assert (shuffled.fetch_id, shuffled.n_added) == (None, 0)
    assert store.counts() == (1, 6)


def test_a_new_vintage_among_known_ones_adds_only_itself(store: Store) -> None:
    store.append(
        _fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES[:5])
    )

    result = store.append(
        _fetch(datetime(2025, 2, 1, tzinfo=UTC), source="fred_api", url=ALFRED_URL),
        _vintage_rows(GDP_VINTAGES),
    )

    assert result.n_added == 1
    assert store.counts() == (2, 6)
    assert _values(store.read([GDP]))["2024-07-01"] == 29374.914


def test_a_reverted_value_is_stored_as_a_third_row(store: Store) -> None:
    day = [("2024-08-05", 3.78)]
    store.append(_fetch(T1), _rows(UST10, day))
    store.append(_fetch(T2), _rows(UST10, [("2024-08-05", 3.79)]))  # hypothetical revision

    back = store.append(_fetch(T3), _rows(UST10, day))

    assert back.n_added == 1
    assert store.counts() == (3, 3)
    assert _values(store.read([UST10])) == {"2024-08-05": 3.78}
    assert _values(store.read([UST10], known_at=T2)) == {"2024-08-05": 3.79}
    assert _values(store.read([UST10], known_at=T1)) == {"2024-08-05": 3.78}


# -- reading ---------------------------------------------------------------------------


def test_start_end_and_asof_filter_obs_dates(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))

    def days(frame: pd.DataFrame) -> list[str]:
        return [d.strftime("%Y-%m-%d") for d in frame["obs_date"]]

    assert days(store.read([UST10], start=date(2024, 8, 6))) == [
        "2024-08-06",
        "2024-08-07",
        "2024-08-08",
        "2024-08-09",
    ]
    assert days(store.read([UST10], end=date(2024, 8, 2))) == ["2024-08-01", "2024-08-02"]
    assert days(store.read([UST10], asof=date(2024, 8, 5)))[-1] == "2024-08-05"
    # Both caps given: the earlier wins.
    assert days(store.read([UST10], end=date(2024, 8, 7), asof=date(2024, 8, 2)))[-1] == (
        "2024-08-02"
    )
    assert days(store.read([UST10], end=date(2024, 8, 2), asof=date(2024, 8, 7)))[-1] == (
        "2024-08-02"
    )
    assert days(store.read([UST10], start=date(2024, 8, 5), asof=date(2024, 8, 5))) == [
        "2024-08-05"
    ]
    assert store.read([UST10], start=date(2024, 8, 10)).empty
    assert store.read([]).empty


@pytest.mark.parametrize("asof", [None, date(2024, 8, 5)])
def test_provenance_by_reference_is_the_read_row_for_row(store: Store, asof: date | None) -> None:
    """read_released and fetch_sources give what read joins: the same rows in the same
    order, each fetch's provenance once instead of on every row."""
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    store.append(_fetch(T2), _rows(UST10, [("2024-08-09", 3.95)]))
    store.append(_fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES))
    frame = store.read([UST10, GDP], asof=asof)
    read = store.read_released([UST10, GDP], asof=asof)
    sources = store.fetch_sources(read.rows.fetch_id)
    assert len(read) == len(frame) > 0
    assert set(sources) == set(frame["fetch_id"])
    assert read.rows.series_id.tolist() == frame["series_id"].tolist()
    assert read.rows.obs_date.tolist() == frame["obs_date"].to_numpy().tolist()
    assert read.rows.value.tolist() == frame["value"].tolist()
    assert read.rows.fetch_id.tolist() == frame["fetch_id"].tolist()
    assert read.released.astype("datetime64[ns]").tolist() == frame["released"].to_numpy().tolist()
    assert read.release_rule.tolist() == frame["release_rule"].tolist()
    joined = [
        (s.source, s.origin, s.retrieved_at, s.url)
        for s in (sources[int(f)] for f in read.rows.fetch_id)
    ]
    assert joined == list(
        frame[["source", "origin", "retrieved_at", "url"]].itertuples(index=False, name=None)
    )
    assert store.fetch_sources([]) == {}
    assert store.fetch_sources([10**9]) == {}  # no such fetch: left out
    assert not len(store.read_released([]))


def test_the_read_frame_has_the_documented_columns_and_dtypes(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024[:3]))
    store.append(_fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES))

    frame = store.read([UST10, GDP])
    empty = store.read([UST10], start=date(2030, 1, 1))

    assert tuple(frame.columns) == READ_COLUMNS
    assert tuple(empty.columns) == READ_COLUMNS
    # Sorted by series, then date.
    assert list(frame["series_id"]) == [GDP, GDP, UST10, UST10, UST10]
    assert frame.groupby("series_id")["obs_date"].apply(lambda s: s.is_monotonic_increasing).all()
    assert str(frame["value"].dtype) == "float64"
    assert str(empty["value"].dtype) == "float64"
    assert pd.api.types.is_integer_dtype(frame["fetch_id"])
    first = frame.iloc[0]
    assert first["origin"] == "live"
    assert first["source"] == "fred_api"
    # The URL as requested: the provider's address and its (key-free) query.
    assert first["url"].startswith(ALFRED_URL + "?")
    assert "api_key" not in first["url"]
    assert first["retrieved_at"] == "2025-01-20T00:00:00Z"
    # obs_date follows the observation contract of carrywatch.frames (datetime64[ns]),
    # the same for an empty and a non-empty read: frames of different resolutions cannot
    # be aligned (pandas.merge_asof raises MergeError on datetime64[us] vs [ns] keys).
    assert str(empty["obs_date"].dtype) == "datetime64[ns]"
    assert str(frame["obs_date"].dtype) == "datetime64[ns]"


#: What :meth:`Store.read` returns, written as a window over every stored revision (the
#: query it used before it picked the newest revision itself): the reference it must equal.
#: A date whose newest row is a withdrawal is left out; ``first_day`` is the earliest
#: publisher-dated ``known_from`` (one that is not the fetch's retrieval time) of a
#: present row, the release day of a store opened without a release rule.
_NEWEST_BY_WINDOW = """
    WITH picked AS (
        SELECT o.series_id, o.obs_date, o.value, o.known_from, o.fetch_id, o.withdrawn,
               ROW_NUMBER() OVER (PARTITION BY o.series_id, o.obs_date
                                  ORDER BY o.known_from DESC, o.fetch_id DESC) AS r,
               MIN(CASE WHEN o.withdrawn = 0 AND o.known_from != (
                       SELECT g.retrieved_at FROM fetches AS g WHERE g.fetch_id = o.fetch_id)
                   THEN substr(o.known_from, 1, 10) END)
                   OVER (PARTITION BY o.series_id, o.obs_date) AS first_day
        FROM observations AS o
        WHERE o.series_id IN ({ids}) AND o.obs_date >= ? AND o.obs_date <= ?
          AND o.known_from <= ?
    )
    SELECT p.series_id, p.obs_date, p.value, p.known_from, f.source, f.origin,
           f.retrieved_at, f.url, p.fetch_id, f.params_json,
           COALESCE(p.first_day, p.obs_date),
           CASE WHEN p.first_day IS NULL THEN 'obs_date (no release calendar)'
                ELSE 'first publication' END
    FROM picked AS p JOIN fetches AS f ON f.fetch_id = p.fetch_id
    WHERE p.r = 1 AND p.withdrawn = 0 ORDER BY p.series_id, p.obs_date
"""


def _read_by_window(
    store: Store, ids: Sequence[str], start: date, end: date, known_at: datetime
) -> pd.DataFrame:
    with store.snapshot() as db:
        rows = db.execute(
            _NEWEST_BY_WINDOW.format(ids=",".join("?" * len(ids))),
            [*ids, start.isoformat(), end.isoformat(), iso_utc(known_at)],
        ).fetchall()
    base = [c for c in READ_COLUMNS if c not in {"released", "release_rule"}]
    frame = pd.DataFrame(rows, columns=[*base, "params_json", "released", "release_rule"])
    queries = {
        p: "?" + urlencode([(str(k), str(v)) for k, v in json.loads(p)]) if json.loads(p) else ""
        for p in frame["params_json"].unique()
    }
    frame["url"] = frame["url"] + frame["params_json"].map(queries)
    frame = frame.drop(columns="params_json")
    frame["obs_date"] = pd.to_datetime(frame["obs_date"]).astype("datetime64[ns]")
    frame["value"] = frame["value"].astype("float64")
    frame["released"] = pd.to_datetime(frame["released"]).astype("datetime64[ns]")
    return frame[list(READ_COLUMNS)]


def test_read_gives_the_newest_revision_of_each_date_as_a_window_over_all_rows(
    store: Store,
) -> None:
    jgb = "jp.jgb.10y"
    store.register_series([_series_row(jgb)])
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    # Hypothetical revisions of two dates, then one of them reverted.
    store.append(_fetch(T2), _rows(UST10, [("2024-08-02", 3.81), ("2024-08-07", 3.97)]))
    store.append(_fetch(T3), _rows(UST10, [("2024-08-02", 3.80)]))
    store.append(_fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES))
    # Hypothetical: the same vintage (same known_from) offered again with another value by
    # a later fetch; the greater fetch_id wins the tie.
    store.append(
        _fetch(datetime(2025, 2, 1, tzinfo=UTC), source="fred_api", url=ALFRED_URL),
        _vintage_rows([("2024-07-01", "2024-12-19", 29375.0)]),
    )
    # Hypothetical JGB values whose last date is the first UST date (and JGB sorts just
    # before UST): the newest revision is picked per series, never across the boundary.
    store.append(_fetch(T1, url="https://example.test/jgb"), _rows(jgb, [("2024-08-01", 0.85)]))
    store.append(_fetch(T2, url="https://example.test/jgb"), _rows(jgb, [("2024-08-01", 0.86)]))

    ids = [UST10, GDP, jgb]
    earliest, latest = date(1900, 1, 1), date(2100, 1, 1)
    always = datetime(2100, 1, 1, tzinfo=UTC)
    cases: list[tuple[Sequence[str], date, date, datetime]] = [
        (ids, earliest, latest, always),
        ([jgb, UST10], earliest, latest, always),
        (ids, date(2024, 8, 2), date(2024, 8, 7), always),
        (ids, earliest, latest, T2),
        (ids, earliest, latest, datetime(2024, 11, 1, tzinfo=UTC)),
        (ids, earliest, latest, datetime(2000, 1, 1, tzinfo=UTC)),
        ([GDP], date(2024, 5, 1), latest, datetime(2025, 3, 1, tzinfo=UTC)),
    ]
    for series, start, end, known_at in cases:
        got = store.read(series, start=start, end=end, known_at=known_at)
        expected = _read_by_window(store, series, start, end, known_at)
        if expected.empty:
            assert got.empty
            continue
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        if known_at == always:
            # Without known_at the read comes from the packed newest revisions instead.
            pd.testing.assert_frame_equal(
                store.read(series, start=start, end=end), expected, check_exact=True
            )
    assert _values(store.read([GDP]))["2024-07-01"] == 29375.0
    assert _values(store.read([jgb])) == {"2024-08-01": 0.86}


_DAYS = [f"2024-08-{d:02d}" for d in range(1, 7)]
_KNOWN = ["2024-08-02T00:00:00Z", "2024-08-10T12:00:00Z", "2024-09-01T00:00:00Z"]
#: One append: rows ``(series, day, known_from or None, value)``, retrieved at ``T1 + i``;
#: a NaN value is a withdrawal.
_append_plans = st.lists(
    st.lists(
        st.tuples(
            st.sampled_from([UST10, GDP]),
            st.sampled_from(_DAYS),
            st.none() | st.sampled_from(_KNOWN),
            st.sampled_from([3.78, 3.80, 3.81, 3.9, math.nan]),
        ),
        min_size=1,
        max_size=6,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=_append_plans)
def test_the_packed_newest_revisions_equal_a_window_over_every_row(
    tmp_path_factory: pytest.TempPathFactory, plan: list[list[tuple[str, str, str | None, float]]]
) -> None:
    # Hypothetical values and times: any sequence of appends, with revisions, reverts,
    # vintages (an explicit known_from, even one older than rows already held),
    # withdrawals and same-known_from ties, leaves newest_columns equal to the window over
    # all rows, as newest, as known at a moment and as of a day.
    path = tmp_path_factory.mktemp("packed") / "store.sqlite"
    with Store.open(path) as store:
        store.register_series([_series_row(UST10), _series_row(GDP)])
        for i, rows in enumerate(plan):
            at = T1.replace(minute=i)
            frame = pd.DataFrame(
                {
                    "series_id": [r[0] for r in rows],
                    "obs_date": pd.to_datetime([r[1] for r in rows]),
                    "known_from": pd.to_datetime([r[2] or iso_utc(at) for r in rows], utc=True),
                    "value": [r[3] for r in rows],
                    "withdrawn": [math.isnan(r[3]) for r in rows],
                }
            )
            store.append(_fetch(at), frame)
        always = datetime(2100, 1, 1, tzinfo=UTC)
        for start, end, known_at in [
            (date(1900, 1, 1), date(2100, 1, 1), None),
            (date(2024, 8, 2), date(2024, 8, 4), None),
            (date(1900, 1, 1), date(2100, 1, 1), datetime(2024, 8, 10, 13, tzinfo=UTC)),
        ]:
            expected = _read_by_window(store, [UST10, GDP], start, end, known_at or always)
            got = store.read([UST10, GDP], start=start, end=end, known_at=known_at)
            if expected.empty:
                assert got.empty
            else:
                pd.testing.assert_frame_equal(got, expected, check_exact=True)
        # As of a day: the same rows, those released (first publication, else obs_date) by it.
        day = date(2024, 8, 3)
        newest = _read_by_window(store, [UST10, GDP], date(1900, 1, 1), day, always)
        expected = newest[newest["released"] <= pd.Timestamp(day)].reset_index(drop=True)
        got = store.read([UST10, GDP], asof=day)
        if expected.empty:
            assert got.empty
        else:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_date_bounds_may_be_timestamps(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    by_date = store.read([UST10], start=date(2024, 8, 2), end=date(2024, 8, 6))

    # A datetime or pd.Timestamp is a date too: its calendar day bounds the read.
    for start, end in [
        (pd.Timestamp("2024-08-02"), pd.Timestamp("2024-08-06 18:00")),
        (datetime(2024, 8, 2, 9, 30, tzinfo=UTC), datetime(2024, 8, 6, tzinfo=UTC)),
    ]:
        pd.testing.assert_frame_equal(store.read([UST10], start=start, end=end), by_date)
        pd.testing.assert_frame_equal(store.read([UST10], start=start, asof=end), by_date)
    assert list(_values(by_date)) == ["2024-08-02", "2024-08-05", "2024-08-06"]


#: ``newest_columns`` as schema version 2 wrote it (no ``first_days``).
_V2_NEWEST = """CREATE TABLE newest_columns (series_id TEXT PRIMARY KEY, n_obs INTEGER NOT NULL,
    obs_days BLOB NOT NULL, values_f8 BLOB NOT NULL, fetch_ids BLOB NOT NULL,
    known_codes BLOB NOT NULL, known_json TEXT NOT NULL)"""


@pytest.mark.parametrize("version", ["1", "2"])
def test_an_older_store_is_upgraded_on_open(store_target: Path | str, version: str) -> None:
    path = store_target
    with Store.open(path) as store:
        store.register_series([_series_row(UST10), _series_row(GDP)])
        store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
        store.append(_fetch(T2), _rows(UST10, [("2024-08-02", 3.81)]))
        store.append(
            _fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES)
        )
        expected = store.read([UST10, GDP])
        # What a store written by schema version 1 or 2 looks like: no withdrawals column,
        # and no packed newest revisions (1) or packed without first releases (2). (On
        # PostgreSQL, whose support came after version 2, the same tables in its types.)
        with store.transaction() as db:
            db.execute("DROP VIEW latest")
            db.execute("ALTER TABLE observations DROP COLUMN withdrawn")
            db.execute("DROP TABLE newest_columns")
            if version == "2":
                blob = "BLOB" if store.backend == "sqlite" else "BYTEA"
                db.execute(_V2_NEWEST.replace("BLOB", blob))
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))

    with Store.open(path) as store:
        assert store.get_meta("schema_version") == "4"
        got = store.read([UST10, GDP])
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert _values(store.read([UST10]))["2024-08-02"] == 3.81
        # The GDP vintages are dated by their first release (ALFRED's realtime_start).
        gdp = got[got["series_id"] == GDP]
        assert list(gdp["released"].dt.date) == [date(2024, 7, 25), date(2024, 10, 30)]
        assert set(gdp["release_rule"]) == {"first publication"}
        with store.snapshot() as db:
            assert db.execute("SELECT COUNT(*) FROM latest").fetchone()[0] == len(got)
            # Schema 4's statistics computed from the rows, one row per series.
            kept = db.execute("SELECT series_id, n_rows FROM series_stats ORDER BY series_id")
            n_rows = db.execute(
                "SELECT series_id, COUNT(*) FROM observations GROUP BY series_id ORDER BY series_id"
            )
            assert kept.fetchall() == n_rows.fetchall()


def test_a_write_around_append_is_read_from_every_revision(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    store.append(_fetch(RECORDED, source="fred_api", url=ALFRED_URL), _vintage_rows(GDP_VINTAGES))
    # Hypothetical: another writer (an older carrywatch still running, a hand-made INSERT)
    # adds a revision without rebuilding the packed rows.
    fetch_id = store.append(_fetch(T2), _rows(UST10, [("2024-08-09", 3.95)])).fetch_id
    with store.transaction() as db:
        db.execute(
            "INSERT INTO observations(series_id, obs_date, known_from, fetch_id, value) "
            "VALUES (?, '2024-08-02', ?, ?, 3.81)",
            (UST10, iso_utc(T3), fetch_id),
        )
        packed = {r[0] for r in db.execute("SELECT series_id FROM newest_columns").fetchall()}
    assert packed == {GDP}  # the trigger dropped the UST row: it can no longer be stale

    always = datetime(2100, 1, 1, tzinfo=UTC)
    got = store.read([UST10, GDP])
    pd.testing.assert_frame_equal(
        got, _read_by_window(store, [UST10, GDP], date(1900, 1, 1), date(2100, 1, 1), always)
    )
    assert _values(got[got["series_id"] == UST10])["2024-08-02"] == 3.81
    # The next append through the store packs the series again.
    store.append(_fetch(datetime(2024, 8, 13, tzinfo=UTC)), _rows(UST10, [("2024-08-12", 3.9)]))
    with store.snapshot() as db:
        packed = {r[0] for r in db.execute("SELECT series_id FROM newest_columns").fetchall()}
    assert packed == {GDP, UST10}
    assert _values(store.read([UST10]))["2024-08-02"] == 3.81


def test_a_damaged_packed_row_is_a_store_error_not_a_wrong_answer(store: Store) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    with store.transaction() as db:  # hypothetical: the store edited by hand
        db.execute("UPDATE newest_columns SET n_obs = n_obs + 1")

    with pytest.raises(StoreError, match="damaged") as caught:
        store.read([UST10])
    assert caught.value.path == store.location


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_values_are_refused_and_nothing_is_written(store: Store, bad: float) -> None:
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024[:2]))
    rows = _rows(UST10, [*DGS10_AUG_2024[2:], ("2024-08-12", bad)])

    with pytest.raises(StoreError, match="non-finite"):
        store.append(_fetch(T2), rows)

    assert store.counts() == (1, 2)
    assert store.series_status().set_index("series_id").loc[UST10, "last_checked"] == iso_utc(T1)


def test_rows_without_the_required_columns_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="value"):
        store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024).drop(columns="value"))
    assert store.counts() == (0, 0)


def test_rows_without_a_date_or_a_series_are_refused(store: Store) -> None:
    rows = _rows(UST10, DGS10_AUG_2024)
    hole = rows.index == 2
    no_date = rows.assign(obs_date=pd.to_datetime(rows["obs_date"]).where(~hole))
    no_series = rows.assign(series_id=rows["series_id"].where(~hole))
    for bad, what in [(no_date, "obs_date"), (no_series, "series_id")]:
        with pytest.raises(StoreError, match=f"lack an? {what}"):
            store.append(_fetch(T1), bad)
    assert store.counts() == (0, 0)


# -- transactions ----------------------------------------------------------------------


class BoomError(Exception):
    """Raised on purpose inside a transaction."""


def _append_then_fail(store: Store) -> None:
    with store.transaction():
        result = store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
        assert result.fetch_id is not None
        store.set_meta("marker", "written")
        raise BoomError


def _nested_append_then_fail(store: Store) -> None:
    with store.transaction():
        with store.transaction():
            store.append(_fetch(T3), _rows(UST10, [("2024-08-12", 3.90)]))
        raise BoomError


def test_an_exception_inside_a_transaction_rolls_everything_back(store: Store) -> None:
    with pytest.raises(BoomError):
        _append_then_fail(store)

    assert store.counts() == (0, 0)
    assert store.fetches() == []
    assert store.get_meta("marker") is None
    status = store.series_status().set_index("series_id").loc[UST10]
    assert status.isna()[["first_obs", "last_checked"]].all()
    # The store is usable afterwards.
    assert store.append(_fetch(T2), _rows(UST10, DGS10_AUG_2024)).n_added == 7
    assert store.counts() == (1, 7)


def test_nested_transactions_join_the_outer_one(store: Store, store_target: Path | str) -> None:
    with Store.open(store_target) as other:
        with store.transaction():
            with store.transaction():
                store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024[:3]))
            # The inner block is over, but nothing is committed until the outer ends.
            assert other.counts() == (0, 0)
            store.append(_fetch(T2), _rows(UST10, DGS10_AUG_2024[3:]))
        assert other.counts() == (2, 7)

        with pytest.raises(BoomError):
            _nested_append_then_fail(store)
        assert other.counts() == (2, 7)
        assert store.counts() == (2, 7)


# -- status and file mode --------------------------------------------------------------


def test_series_status_summarises_each_registered_series(store: Store) -> None:
    store.register_series([_series_row("jp.boj.call_rate")])
    store.append(_fetch(T1), _rows(UST10, DGS10_AUG_2024))
    store.append(_fetch(T2), _rows(UST10, [("2024-08-05", 3.79)]))  # hypothetical revision
    store.append(
        _fetch(RECORDED, source="fred_api", url=ALFRED_URL, origin=Origin.SNAPSHOT),
        _vintage_rows(GDP_VINTAGES),
    )

    status = store.series_status().set_index("series_id")

    assert list(status.columns) == [
        "first_obs",
        "last_obs",
        "n_obs",
        "last_retrieved",
        "origins",
        "last_checked",
    ]
    assert sorted(status.index) == sorted([UST10, GDP, "jp.boj.call_rate"])
    ust = status.loc[UST10]
    assert (ust["first_obs"], ust["last_obs"], ust["n_obs"]) == ("2024-08-01", "2024-08-09", 7)
    assert ust["last_retrieved"] == iso_utc(T2)
    assert ust["origins"] == "live"
    gdp = status.loc[GDP]
    assert (gdp["first_obs"], gdp["last_obs"], gdp["n_obs"]) == ("2024-04-01", "2024-07-01", 2)
    assert gdp["origins"] == "snapshot"
    empty = status.loc["jp.boj.call_rate"]
    assert empty["n_obs"] == 0
    assert empty.isna()[["first_obs", "last_obs", "last_retrieved", "last_checked"]].all()


def test_the_store_file_is_in_wal_mode(tmp_path: Path) -> None:
    Store.open(tmp_path / "store.sqlite").close()
    probe = sqlite3.connect(tmp_path / "store.sqlite")
    try:
        assert probe.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        probe.close()


def test_a_reader_sees_whole_payloads_while_a_writer_appends(store_target: Path | str) -> None:
    """Payload k adds five new dates (value k) and revises five marker dates to k.

    A consistent read therefore shows 5 * m new dates for some m and every marker at
    m - 1 (or absent when m == 0): anything else is a torn read.
    """
    path = store_target
    n_payloads, per_payload = 60, 5
    markers = [f"2000-01-0{i}" for i in range(1, per_payload + 1)]
    first_day = pd.Timestamp("2001-01-01")
    with Store.open(path) as setup:
        setup.register_series([_series_row(UST10)])
    failures: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            with Store.open(path) as writer:
                for k in range(n_payloads):
                    new = [
                        (
                            (first_day + pd.Timedelta(days=k * per_payload + i)).strftime(
                                "%Y-%m-%d"
                            ),
                            float(k),
                        )
                        for i in range(per_payload)
                    ]
                    at = datetime.fromtimestamp(1_700_000_000 + k, tz=UTC)
                    rows = _rows(UST10, [*new, *((m, float(k)) for m in markers)])
                    assert writer.append(_fetch(at), rows).n_added == 2 * per_payload
        except BaseException as exc:
            failures.append(exc)
        finally:
            done.set()

    seen: set[int] = set()
    with Store.open(path) as reader:
        thread = threading.Thread(target=write)
        thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            finished = done.is_set()
            frame = reader.read([UST10])
            marker_rows = frame[frame["obs_date"] < first_day]
            new_rows = frame[frame["obs_date"] >= first_day]
            assert len(new_rows) % per_payload == 0, f"torn read: {len(new_rows)} new rows"
            m = len(new_rows) // per_payload
            seen.add(m)
            if m == 0:
                assert marker_rows.empty
            else:
                assert len(marker_rows) == per_payload
                assert set(marker_rows["value"]) == {float(m - 1)}
                assert set(new_rows["value"]) == set(map(float, range(m)))
            if finished:
                break
        thread.join(timeout=30)
    assert not failures, failures
    assert max(seen) == n_payloads
    assert len(seen) > 2, "the reader never overlapped the writer"


# -- the raw archive -------------------------------------------------------------------


BODY = (
    Path(__file__).resolve().parents[1]
    / "payloads"
    / "fred"
    / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
).read_bytes()


def test_archive_put_get_round_trip(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")

    digest = archive.put(BODY)

    assert digest == sha256_hex(BODY)
    assert digest.startswith("413dc47dd0b3cf91")  # tests/payloads/fred/README.md
    assert archive.path_for(digest) == tmp_path / "raw" / digest[:2] / digest
    assert archive.has(digest)
    assert archive.get(digest) == BODY


def test_archive_put_is_idempotent(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")
    digest = archive.put(BODY)
    before = archive.path_for(digest).stat()

    assert archive.put(BODY) == digest

    after = archive.path_for(digest).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in archive.path_for(digest).parent.iterdir()] == [digest]


def test_archive_detects_a_corrupted_body(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")
    digest = archive.put(BODY)
    archive.path_for(digest).write_bytes(BODY.replace(b"3.78", b"3.87"))

    with pytest.raises(StoreError, match="corrupted") as caught:
        archive.get(digest)
    assert caught.value.path == str(archive.path_for(digest))


def test_archive_names_a_missing_body_helpfully(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")
    digest = sha256_hex(BODY)

    assert not archive.has(digest)
    with pytest.raises(StoreError, match=r"not in the archive.*raw/ folder") as caught:
        archive.get(digest)
    assert caught.value.path == str(archive.path_for(digest))


def test_archive_rejects_something_that_is_not_a_digest(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")
    for bad in ("", "abc", "../" + "0" * 61, sha256_hex(BODY).upper()):
        with pytest.raises(StoreError, match="not a sha256"):
            archive.get(bad)


def test_an_orphan_temporary_file_breaks_nothing(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "raw")
    digest = sha256_hex(BODY)
    folder = archive.path_for(digest).parent
    folder.mkdir(parents=True)
    # What a process killed between write and rename leaves behind.
    orphan = folder / ".tmp-killed"
    orphan.write_bytes(BODY[:100])

    assert not archive.has(digest)
    with pytest.raises(StoreError, match="not in the archive"):
        archive.get(digest)
    assert archive.put(BODY) == digest
    assert archive.get(digest) == BODY
    other = BODY + b"\n"
    assert archive.get(archive.put(other)) == other


def test_an_old_orphan_temporary_file_is_removed_on_the_next_write(tmp_path: Path) -> None:
    """archive.py's docstring: "an orphan temporary file at worst, removed on the next
    write". The orphan is a day old, so no live writer can still own it."""
    archive = RawArchive(tmp_path / "raw")
    digest = sha256_hex(BODY)
    folder = archive.path_for(digest).parent
    folder.mkdir(parents=True)
    orphan = folder / ".tmp-killed"
    orphan.write_bytes(BODY[:100])
    day_ago = time.time() - 86_400
    os.utime(orphan, (day_ago, day_ago))

    archive.put(BODY)

    assert not orphan.exists()


# -- opening ---------------------------------------------------------------------------


def test_a_schema_version_mismatch_says_what_to_do(store_target: Path | str) -> None:
    path = store_target
    with Store.open(path) as store:
        assert store.get_meta("schema_version") == "4"
        store.set_meta("schema_version", "5")  # as a newer carrywatch would leave it

    with pytest.raises(StoreError) as caught:
        Store.open(path)

    message = str(caught.value)
    assert "schema version 5" in message
    assert "upgrade carrywatch" in message
    assert "CARRYWATCH_HOME" in message
    assert caught.value.path == str(path)  # a test server's URL has no password


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(BODY)

    with pytest.raises(StoreError, match="cannot open the store") as caught:
        Store.open(path)
    assert caught.value.path == str(path)


def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="timezone-aware"):
        store.append(_fetch(datetime(2024, 8, 10, 12)), _rows(UST10, DGS10_AUG_2024))  # noqa: DTZ001
    assert store.counts() == (0, 0)
