""":func:`~carrywatch.catalog.plausibility.check_bounds` looks each series' bounds up once
and spreads them over the rows by code (a full-history refresh checks 135,000 rows); it
flags exactly the rows the rule it replaced flagged, one lookup per row, kept here as the
oracle (:func:`_per_row_outside`), and names the first of them.

The payload is real: a FRED ``DGS10`` download (``tests/payloads/fred/README.md``), read
by the FRED parser into the catalog's ``us.ust.10y`` (bounds -5..50 percent). The
outliers put into it are hypothetical, as stated where they are made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.catalog.plausibility import check_bounds, outside_bounds
from carrywatch.catalog.spec import SeriesSpec, load_catalog
from carrywatch.errors import OutlierError
from carrywatch.ingest import _series_rows
from carrywatch.sources.fred import FredGraph
from carrywatch.types import FetchRequest, RawPayload, sha256_hex

_DGS10 = (
    Path(__file__).parent / "payloads" / "fred" / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
)
_CATALOG = load_catalog()


def _per_row_outside(rows: pd.DataFrame, specs: Mapping[str, SeriesSpec]) -> npt.NDArray[np.bool_]:
    """The rule as it was: each row's bounds looked up by its series id."""
    ranges = {sid: spec.bounds for sid, spec in specs.items() if spec.bounds is not None}
    ids = rows["series_id"].astype(str)
    known = ids.isin(list(ranges))
    low = ids.map(lambda s: ranges[s].low if s in ranges else -np.inf)
    high = ids.map(lambda s: ranges[s].high if s in ranges else np.inf)
    values = rows["value"].astype("float64")
    if "withdrawn" in rows.columns:
        known &= ~rows["withdrawn"].astype(bool)
    return (known & ~((values >= low) & (values <= high))).to_numpy()


def _rows() -> pd.DataFrame:
    body = _DGS10.read_bytes()
    request = FetchRequest(
        source="fred",
        url="https://fred.stlouisfed.org/graph/fredgraph.csv",
        params=(("id", "DGS10"),),
        remote_codes=("DGS10",),
    )
    payload = RawPayload(
        request=request,
        body=body,
        status=200,
        media_type="text/csv",
        retrieved_at=datetime(2026, 12, 4, 17, tzinfo=UTC),
        sha256=sha256_hex(body),
    )
    rows = _series_rows(FredGraph().parse(payload), {"DGS10": ("us.ust.10y",)})
    assert len(rows) > 1200
    return rows


def _message(rows: pd.DataFrame) -> str | None:
    try:
        check_bounds(rows, _CATALOG.series, source="fred")
    except OutlierError as exc:
        return str(exc)
    return None


def _agrees(rows: pd.DataFrame) -> bool:
    return bool(
        np.array_equal(
            outside_bounds(rows, _CATALOG.series), _per_row_outside(rows, _CATALOG.series)
        )
    )


def test_a_real_payload_within_its_bounds_passes() -> None:
    rows = _rows()
    assert _agrees(rows)
    assert _message(rows) is None


def test_outliers_are_named_and_counted_as_over_every_row() -> None:
    rows = _rows()
    value = rows["value"].to_numpy(copy=True)
    # Hypothetical: two yields in basis points (164 for 1.64), the second larger: the
    # message names the first offending row, not the greatest.
    value[[40, 700]] = value[[40, 700]] * 100 + [0, 50]
    bad = rows.assign(value=value)

    got = _message(bad)

    assert _agrees(bad)
    assert got is not None
    assert "us.ust.10y on " + f"{rows['obs_date'][40]:%Y-%m-%d}" in got
    assert "(and 1 more value(s) outside)" in got


_values = st.lists(
    st.tuples(
        st.sampled_from(["us.ust.10y", "jp.jgb.10y", "us.fed.effr"]),
        st.floats(min_value=-60, max_value=60, allow_nan=False),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(offered=_values)
def test_the_check_agrees_with_the_per_row_rule(
    offered: list[tuple[str, float, bool]],
) -> None:
    # Hypothetical values around the bounds of three catalog series, some rows withdrawals
    # (their value NaN, never checked).
    withdrawn = np.array([w for _, _, w in offered])
    rows = pd.DataFrame(
        {
            "series_id": pd.Categorical([s for s, _, _ in offered]),
            "obs_date": pd.date_range("2024-01-01", periods=len(offered)),
            "value": np.where(withdrawn, np.nan, [v for _, v, _ in offered]),
            "withdrawn": withdrawn,
        }
    )
    assert _agrees(rows)
    flagged = _per_row_outside(rows, _CATALOG.series)
    message = _message(rows)
    assert (message is None) == (not flagged.any())
    if message is not None:
        first = rows.iloc[int(np.argmax(flagged))]
        assert message.startswith(f"fred: {first['series_id']} on {first['obs_date']:%Y-%m-%d}: ")


@pytest.mark.parametrize("series_id", ["us.ust.10y", "jp.jgb.10y", "us.fed.effr"])
def test_the_series_of_the_generated_rows_have_bounds(series_id: str) -> None:
    assert _CATALOG.series[series_id].bounds is not None
