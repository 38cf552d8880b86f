"""Fault injection on ``carrywatch import`` into a catalog series: a user's file whose
numbers parse and lie within the series' bounds, yet are wrong.

* **Another unit.** The 10-year yield as a fraction (0.0399 for 3.99 %) lies within
  ``us.ust.10y``'s bounds [-5, 50] and is stored as forty "revisions" of the official
  series to a yield near zero. The store already holds the same dates: a file whose
  values are about 100 times (or a hundredth of) the stored ones on the dates both hold
  is a unit mix-up (percent vs fraction, bp vs percentage points).
* **A date after the import.** A row dated after the moment of the import cannot be an
  observation yet; it would become the series' latest value when its day comes.

Expected for both: exit 1, one line saying what to do, the store unchanged
(``catalog.plausibility.check_same_unit`` and ``check_not_after``, run by
``ingest.import_csv`` beside ``check_bounds``).

The file is built from the real FRED DGS10 download of the healthy replay
(tests/payloads/fred/README.md): its rows of 2024-07-01 to 2024-08-30, which the seeded
store holds with the same values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import test_refresh_e2e
from tests.test_hostile_e2e import store_digest
from tests.test_refresh_e2e import DGS10, payload_bytes, run

cw_home = test_refresh_e2e.cw_home
server = test_refresh_e2e.server

#: The moment of the import (ingest's clock), pinned.
IMPORTED_AT = datetime(2024, 9, 2, 12, 0, tzinfo=UTC)


def dgs10_rows(first: str, last: str) -> list[tuple[str, str]]:
    """(date, value) of the real DGS10 rows from ``first`` to ``last`` (ISO days), values
    as printed."""
    lines = payload_bytes(DGS10).decode().splitlines()[1:]
    rows = [tuple(line.split(",")) for line in lines]
    return [(d, v) for d, v in rows if first <= d <= last and v not in {"", "."}]


def assert_import_refused(
    capsys: pytest.CaptureFixture[str], home: Path, csv: Path, *fragments: str
) -> None:
    before = store_digest(home)
    code, out, err = run(capsys, "import", str(csv), "--series", "us.ust.10y")
    assert code == 1, out + err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err
    assert store_digest(home) == before


def test_a_file_in_another_unit_is_refused(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = dgs10_rows("2024-07-01", "2024-08-30")
    assert len(rows) == 44  # 23 + 22 weekdays of July and August 2024, less 4 July
    csv = tmp_path / "ust10y_fraction.csv"
    csv.write_text(
        "Date,Close\n" + "".join(f"{d},{float(v) / 100:.4f}\n" for d, v in rows), "utf-8"
    )
    assert_import_refused(capsys, cw_home, csv, "us.ust.10y", "unit")


def test_a_row_dated_after_the_import_is_refused(
    cw_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("carrywatch.ingest._utc_now", lambda: IMPORTED_AT)
    rows = dgs10_rows("2024-08-26", "2024-08-30")
    csv = tmp_path / "ust10y_ahead.csv"
    # The last real row again, dated two weeks after the import.
    body = "".join(f"{d},{v}\n" for d, v in rows) + f"2024-09-16,{rows[-1][1]}\n"
    csv.write_text("Date,Close\n" + body, "utf-8")
    assert_import_refused(capsys, cw_home, csv, "2024-09-16")
