"""Plausibility bounds: every series has them, the real embedded history lies within
them, and :func:`check_bounds` names the series, the date, the value and the bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from carrywatch.catalog.plausibility import check_bounds, check_not_after, check_same_unit
from carrywatch.catalog.spec import Bounds, load_catalog, parse_series
from carrywatch.errors import CatalogError, OutlierError, ParseError
from carrywatch.frames import describe_rows
from carrywatch.snapshot.artefact import read_snapshot

CATALOG = load_catalog()


def _rows(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": [r[0] for r in rows],
            "obs_date": pd.to_datetime([r[1] for r in rows]),
            "value": [r[2] for r in rows],
        }
    )


def test_every_series_has_bounds_with_a_reason() -> None:
    for spec in CATALOG.series.values():
        assert spec.bounds is not None, spec.id
        assert spec.bounds.low < spec.bounds.high, spec.id
        assert len(spec.bounds.reason) > 20, spec.id


def test_the_embedded_snapshot_lies_within_every_bound() -> None:
    """Real history, every series: a value outside would mean the bound is wrong."""
    _, observations = read_snapshot()
    assert set(observations["series_id"]) <= set(CATALOG.series)
    check_bounds(observations, CATALOG.series, source="snapshot")
    # ... and the check is not vacuous: the snapshot's own extremes are near some bounds.
    by_series = observations.groupby("series_id")["value"].agg(["min", "max"])
    # Yen per dollar: FRED's DEXJPUS opens in 1971 at 358.44, under the 360 peg.
    assert by_series.loc["fx.usdjpy", "max"] == pytest.approx(358.44)
    # VIX's record close, 82.69 on 2020-03-16 (Cboe), within [0, 200].
    assert by_series.loc["us.vix", "max"] == pytest.approx(82.69)


@pytest.mark.parametrize(
    ("series_id", "value"),
    [
        ("us.ust.10y", 1e308),  # the fault-injection run stored this from fred
        ("us.ust.10y", -500.0),
        ("jp.jgb.10y", 51.0),
        ("fx.usdjpy", 49.9),
        ("fx.usdjpy", 500.1),
        ("tic.japan.holdings", -0.1),
        ("cftc.jpy.noncommercial_long", -1.0),
    ],
)
def test_a_value_outside_is_refused_naming_series_date_and_bound(
    series_id: str, value: float
) -> None:
    rows = _rows(("us.ust.2y", "2024-08-01", 4.0), (series_id, "2024-08-02", value))
    with pytest.raises(OutlierError) as info:
        check_bounds(rows, CATALOG.series, source="fred")
    message = str(info.value)
    spec = CATALOG.spec(series_id)
    assert spec.bounds is not None
    assert message.startswith(f"fred: {series_id} on 2024-08-02: {value:g} {spec.unit}")
    assert f"[{spec.bounds.low:g}, {spec.bounds.high:g}]" in message
    assert spec.bounds.reason in message
    assert "--allow-outliers" in message
    assert info.value.series_id == series_id


@pytest.mark.parametrize(
    ("series_id", "value"),
    [("us.ust.10y", -5.0), ("us.ust.10y", 50.0), ("fx.usdjpy", 50.0), ("tic.uk.holdings", 0.0)],
)
def test_the_bounds_are_inclusive(series_id: str, value: float) -> None:
    check_bounds(_rows((series_id, "2024-08-02", value)), CATALOG.series, source="fred")


def test_the_count_of_other_outliers_is_given() -> None:
    rows = _rows(*[("us.ust.10y", f"2024-08-0{d}", 1e308) for d in range(1, 5)])
    with pytest.raises(OutlierError, match=r"and 3 more value\(s\) outside"):
        check_bounds(rows, CATALOG.series, source="fred")


def test_series_outside_the_catalog_are_not_checked() -> None:
    check_bounds(_rows(("not.in.catalog", "2024-08-02", 1e308)), CATALOG.series, source="x")


ENTRY = {
    "id": "x.y",
    "title": "t",
    "unit": "percent",
    "frequency": "daily",
    "source": "fred",
    "remote_code": "X",
    "publisher": "p",
}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"bounds_reason": "r"}, "'bounds' must be [low, high]"),
        ({"bounds": [1, 2, 3], "bounds_reason": "r"}, "'bounds' must be [low, high]"),
        ({"bounds": [True, 2], "bounds_reason": "r"}, "'bounds' must be [low, high]"),
        ({"bounds": [5, 5], "bounds_reason": "r"}, "must be below high"),
        ({"bounds": [0, 5]}, "'bounds_reason' must be a non-empty string"),
    ],
)
def test_a_malformed_bound_is_a_catalog_error(extra: dict[str, object], fragment: str) -> None:
    with pytest.raises(CatalogError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        parse_series({"series": [{**ENTRY, **extra}]})


def test_a_bound_prints_as_an_interval() -> None:
    assert str(Bounds(low=-5.0, high=50.0, reason="r")) == "[-5, 50]"


def test_rows_are_described_with_iso_dates_not_timestamps() -> None:
    rows = _rows(*[("us.ust.10y", f"2024-08-0{d}", 3.5 + d) for d in range(1, 6)])
    text = describe_rows(rows)
    assert text == (
        "us.ust.10y 2024-08-01 = 4.5, us.ust.10y 2024-08-02 = 5.5, "
        "us.ust.10y 2024-08-03 = 6.5 and 2 more"
    )
    assert "Timestamp" not in text


def _history(series_id: str, start: str, end: str) -> pd.Series:
    """The embedded snapshot's real values of ``series_id`` by date, ``start``..``end``."""
    _, observations = read_snapshot()
    rows = observations[
        (observations["series_id"] == series_id)
        & observations["obs_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    return pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["obs_date"]))


def test_same_unit_takes_real_levels_near_zero_and_refuses_a_factor_of_100() -> None:
    # The JGB 2-year yield of 2019 (real, embedded): levels near zero and below it, where
    # a ratio of single values would be wild; the medians of absolute values are not.
    spec = CATALOG.spec("jp.jgb.2y")
    stored = _history(spec.id, "2019-01-01", "2019-12-31")
    assert (stored < 0).mean() > 0.9
    assert len(stored) > 200
    check_same_unit(spec, stored.round(2), stored, source="import")  # another rounding
    check_same_unit(spec, stored.iloc[:1] * 1.3, stored, source="import")  # one date
    with pytest.raises(OutlierError, match=r"jp\.jgb\.2y: on the \d+ date\(s\).* 100 times"):
        check_same_unit(spec, stored * 100, stored, source="import")  # in basis points


def test_same_unit_refuses_a_yield_as_a_fraction_and_ignores_dates_not_stored() -> None:
    spec = CATALOG.spec("us.ust.10y")
    stored = _history(spec.id, "2024-07-01", "2024-08-30")
    with pytest.raises(OutlierError, match=r"0\.01 times the stored ones.*--allow-outliers"):
        check_same_unit(spec, stored / 100, stored, source="import")
    later = stored.copy()
    later.index = later.index + pd.DateOffset(years=30)  # no date in common: not judged
    check_same_unit(spec, later / 100, stored, source="import")


def test_not_after_allows_a_day_ahead_of_utc_and_refuses_more() -> None:
    moment = datetime(2024, 9, 2, 23, 0, tzinfo=UTC)  # 08:00 on 3 September in Tokyo
    check_not_after(
        pd.Series(pd.to_datetime(["2024-09-02", "2024-09-03"])),
        moment,
        source="import",
        what="f.csv",
        read_by="import",
    )
    with pytest.raises(ParseError, match=r"f\.csv: a row is dated 2024-09-04 \(and 1 more\)"):
        check_not_after(
            pd.Series(pd.to_datetime(["2024-09-04", "2024-09-30"])),
            moment,
            source="import",
            what="f.csv",
            read_by="import",
        )
