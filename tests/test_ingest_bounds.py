"""The refresh checks plausibility bounds on the rows that decide them (each series' least
and greatest value) and gives exactly the answer and the message of
:func:`~carrywatch.catalog.plausibility.check_bounds` over every row.

The payload is real: a FRED ``DGS10`` download (``tests/payloads/fred/README.md``), read
by the FRED parser into the catalog's ``us.ust.10y`` (bounds -5..50 percent). The
outliers put into it are hypothetical, as stated where they are made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.catalog.plausibility import check_bounds
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import OutlierError
from carrywatch.ingest import _check_bounds, _series_rows
from carrywatch.sources.fred import FredGraph
from carrywatch.types import FetchRequest, RawPayload, sha256_hex

_DGS10 = (
    Path(__file__).parent / "payloads" / "fred" / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
)
_CATALOG = load_catalog()


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


def _message(check: object, rows: pd.DataFrame) -> str | None:
    try:
        check(rows, _CATALOG.series, source="fred")  # type: ignore[operator]
    except OutlierError as exc:
        return str(exc)
    return None


def test_a_real_payload_within_its_bounds_passes() -> None:
    rows = _rows()
    assert _message(_check_bounds, rows) is None
    assert _message(check_bounds, rows) is None


def test_outliers_are_named_and_counted_as_over_every_row() -> None:
    rows = _rows()
    value = rows["value"].to_numpy(copy=True)
    # Hypothetical: two yields in basis points (164 for 1.64), the second larger, so the
    # row the reduced check trips on (the greatest) is not the first offending row.
    value[[40, 700]] = value[[40, 700]] * 100 + [0, 50]
    bad = rows.assign(value=value)

    got = _message(_check_bounds, bad)

    assert got is not None
    assert got == _message(check_bounds, bad)
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
def test_the_reduced_check_agrees_with_the_full_one(
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
    assert _message(_check_bounds, rows) == _message(check_bounds, rows)


@pytest.mark.parametrize("series_id", ["us.ust.10y", "jp.jgb.10y", "us.fed.effr"])
def test_the_series_of_the_generated_rows_have_bounds(series_id: str) -> None:
    assert _CATALOG.series[series_id].bounds is not None
