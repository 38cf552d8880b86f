"""Withdrawn vintages in the store, on the real ALFRED answer for GDP (every vintage).

The payload is ``tests/payloads/fred_api/api_series_observations_GDP_all_vintages.json.gz``
(origin in that folder's README). The expected views are computed from the payload itself
by the definition of an ALFRED real-time period: the value of a date as known on day
``T`` is the row with ``realtime_start <= T <= realtime_end``, and ``"."`` there means the
date had no value then. The two numbers quoted in the issue that found the defect are
checked by name: GDP 1946-01-01 has no value as of 2018-12-31 (ALFRED: ``"."`` from
1999-10-28 on), and 52 quarters are ``"."`` in the vintage in force on 2000-01-01.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from carrywatch.catalog.plausibility import check_bounds
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import OutlierError
from carrywatch.ingest import append_parsed
from carrywatch.sources.fred_api import FredApi
from carrywatch.store.sqlite import SeriesRow, Store
from carrywatch.types import RawPayload, Window

PAYLOAD = (
    Path(__file__).resolve().parents[1]
    / "payloads"
    / "fred_api"
    / "api_series_observations_GDP_all_vintages.json.gz"
)
GDP = "us.gdp"
#: When the payload was recorded (tests/payloads/fred_api/README.md).
RECORDED = datetime(2025, 1, 20, tzinfo=UTC)


def _body() -> bytes:
    return gzip.decompress(PAYLOAD.read_bytes())


def _alfred_view(day: str) -> dict[str, str]:
    """``{date: value text}`` of the real-time period containing ``day``, from the payload."""
    rows = json.loads(_body())["observations"]
    return {r["date"]: r["value"] for r in rows if r["realtime_start"] <= day <= r["realtime_end"]}


def _payload() -> RawPayload:
    """The recorded answer as a vintage request of GDP would have received it."""
    (request,) = FredApi(vintages=True).plan(["GDP"], Window())
    return RawPayload(
        request=request,
        body=_body(),
        status=200,
        media_type="application/json",
        retrieved_at=RECORDED,
    )


def _ingest(store: Store) -> int:
    payload = _payload()
    parsed = FredApi(vintages=True).parse(payload)
    return append_parsed(store, payload, parsed, {"GDP": (GDP,)}).n_added


@pytest.fixture
def store(store_target: Path | str) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        opened.register_series(
            [SeriesRow(GDP, "fred_api", "GDP", "usd_bn", "quarterly", "Gross Domestic Product")]
        )
        _ingest(opened)
        yield opened


def _values(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["obs_date"].dt.strftime("%Y-%m-%d"), frame["value"], strict=True))


@pytest.mark.parametrize("day", ["1996-06-30", "1998-01-01", "2000-01-01", "2018-12-31"])
def test_a_view_as_known_then_is_the_alfred_vintage_of_that_day(store: Store, day: str) -> None:
    expected = {d: float(v) for d, v in _alfred_view(day).items() if v != "."}
    known_at = datetime.fromisoformat(day).replace(hour=23, tzinfo=UTC)
    assert _values(store.read([GDP], known_at=known_at)) == expected


def test_the_withdrawals_named_in_the_defect_stay_withdrawn(store: Store) -> None:
    as_of_2000 = _alfred_view("2000-01-01")
    assert sum(v == "." for v in as_of_2000.values()) == 52
    got = _values(store.read([GDP], known_at=datetime(2000, 1, 1, tzinfo=UTC)))
    assert len(got) == len(as_of_2000) - 52
    # 1946-01-01: 199.7 from 1992-12-22, "." from 1996-01-19, 210.4 from 1997-05-07, "." from
    # 1999-10-28 (read from the payload).
    at = {
        d: store.read([GDP], known_at=datetime.fromisoformat(d).replace(tzinfo=UTC))
        for d in ("1995-01-01", "1996-06-30", "1998-01-01", "2018-12-31")
    }
    assert _values(at["1995-01-01"]).get("1946-01-01") == 199.7
    assert "1946-01-01" not in _values(at["1996-06-30"])
    assert _values(at["1998-01-01"]).get("1946-01-01") == 210.4
    assert "1946-01-01" not in _values(at["2018-12-31"])
    # The newest view (the packed table) agrees: withdrawn today, so absent today.
    assert "1946-01-01" not in _values(store.read([GDP]))
    assert _values(store.read([GDP])) == {
        d: float(v) for d, v in _alfred_view("9999-12-31").items() if v != "."
    }


def test_withdrawals_are_rows_and_re_ingesting_adds_nothing(store: Store) -> None:
    with store.snapshot() as db:
        n_withdrawn = db.execute("SELECT COUNT(*) FROM observations WHERE withdrawn = 1").fetchone()
        latest = db.execute("SELECT COUNT(*) FROM latest").fetchone()[0]
    # Every "." that follows a value is stored; a date's first "." (nothing to withdraw)
    # would not be: in this payload every "." follows a value of its date.
    assert n_withdrawn[0] == sum(r["value"] == "." for r in json.loads(_body())["observations"])
    assert latest == len(store.read([GDP]))
    assert _ingest(store) == 0


def test_the_as_of_view_dates_gdp_by_its_first_release(store: Store) -> None:
    # 2024Q3 was first published on 2024-10-30 (ALFRED realtime_start of its first vintage,
    # read from the payload): not published as of 2024-10-29, published as of 2024-10-30.
    before = store.read([GDP], asof=date(2024, 10, 29))
    on = store.read([GDP], asof=date(2024, 10, 30))
    assert pd.Timestamp("2024-07-01") not in set(before["obs_date"])
    row = on[on["obs_date"] == pd.Timestamp("2024-07-01")].iloc[0]
    assert row["released"] == pd.Timestamp("2024-10-30")
    assert row["release_rule"] == "first publication"
    assert row["value"] == 29374.914  # the latest revision held (third estimate, 2024-12-19)


def test_withdrawals_pass_the_plausibility_bounds() -> None:
    # The real vintage payload as refresh checks it for real GDP (GDPC1 has bounds
    # [0, 1,000,000] in series.toml): the "." rows are withdrawals, not outliers.
    rows = FredApi(vintages=True).parse(_payload()).rows.assign(series_id="us.gdp.real")
    assert rows["withdrawn"].any()
    check_bounds(rows, load_catalog().series, source="fred_api")  # raises on an outlier
    hostile = rows.assign(value=rows["value"].where(rows["withdrawn"], -1.0))
    with pytest.raises(OutlierError):
        check_bounds(hostile, load_catalog().series, source="fred_api")
