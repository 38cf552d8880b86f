"""Fault injection on the Treasury par-curve CSV: a valid file of another curve, and a
date column shifted by a day.

Treasury serves the daily *real* (TIPS) yield curve from the same address with another
``type`` (``daily_treasury_real_yield_curve``); its header is
``Date,"5 YR","7 YR","10 YR","20 YR","30 YR"`` (as recorded by several public projects'
tests of the Treasury download, e.g. "the real curve column names differ from the nominal
ones: '10 Yr' on the nominal curve, '10 YR' on the real one"). Header names are matched
without case, so "10 YR" reads as the nominal 10-year: a refresh of ``us.ust_par.10y``
alone would store a real yield (about 2 points lower) as the nominal one. The nominal par
curve has had its 3-month to 10-year columns in every year since 1990 (sources.md §2: only
1, 1.5, 2 and 4 months, 20 and 30 years started later or paused), so a file without them
is not the nominal curve, whichever tenors were asked for.

Payload: the real ``daily-treasury-rates.csv`` (tests/payloads/ustreasury/README.md); the
real curve's layout (its 5-30 year columns under the real curve's header; the values stay
the nominal ones, which does not matter to the layout) and the shifted dates are derived
from it in memory.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.ustreasury import TreasuryParCurve
from tests.sources.test_ustreasury import _payload

FILE = (
    Path(__file__).resolve().parents[1] / "payloads" / "ustreasury" / "daily-treasury-rates.csv"
).read_bytes()
REAL_CURVE_HEADER = ["Date", "5 YR", "7 YR", "10 YR", "20 YR", "30 YR"]


def _real_curve_layout(body: bytes) -> bytes:
    """The rows of ``body`` under the real yield curve's header and columns."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    keep = [rows[0].index(name) for name in ("Date", "5 Yr", "7 Yr", "10 Yr", "20 Yr", "30 Yr")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REAL_CURVE_HEADER)
    for row in rows[1:]:
        writer.writerow([row[i] for i in keep])
    return out.getvalue().encode("utf-8")


def test_the_nominal_file_is_read_for_one_tenor() -> None:
    rows = TreasuryParCurve().parse(_payload(FILE, ("BC_10YEAR",))).rows
    assert set(rows["remote_code"]) == {"BC_10YEAR"}


@pytest.mark.parametrize("codes", [("BC_10YEAR",), ("BC_10YEAR", "BC_30YEAR"), ()])
def test_the_real_yield_curve_is_refused(codes: tuple[str, ...]) -> None:
    body = _real_curve_layout(FILE)
    with pytest.raises(ParseError, match=r"not the nominal par curve.*BC_3MONTH"):
        TreasuryParCurve().parse(_payload(body, codes))


def _dates_shifted(body: bytes, days: int) -> bytes:
    """``body`` with every row's ISO date moved by ``days`` (values kept)."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        moved = date.fromisoformat(row[0]) + timedelta(days=days)
        writer.writerow([moved.isoformat(), *row[1:]])
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("days", [1, -1])
def test_a_date_column_shifted_by_a_day_is_refused(days: int) -> None:
    # Par yields are published for business days only: the real file has no weekend row
    # (nor has FRED's DGS10 since 1962, 16,144 days in the embedded snapshot). Shifted by
    # a day, every Friday lands on a Saturday (or every Monday on a Sunday), and every
    # value would be stored as a revision of its neighbour's day.
    with pytest.raises(ParseError, match=r"dated 20\d\d-\d\d-\d\d \((Saturday|Sunday)\)"):
        TreasuryParCurve().parse(_payload(_dates_shifted(FILE, days), ("BC_10YEAR",)))
