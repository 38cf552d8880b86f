"""The Python API (``carrywatch.series/metrics/odds/brief``) on the embedded snapshot.

Reference values, as published and recorded in the snapshot (../shared data PROVENANCE):
  WALCL 2024-08-07 = 7,175,256 USD mn (H.4.1 of 8 August 2024) -> 7,175.256 USD bn shown;
  RRPONTSYD 2024-08-05 = 316.246 USD bn (FRBNY); DGS10 2024-08-05 = 3.78 %;
  MOF JGB 10y 2024-08-05 (R6.8.5) = 0.781 % -> 10y spread 2.999 pp.
"""

from __future__ import annotations

import runpy
import shutil
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import carrywatch
from carrywatch.errors import CatalogError, ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "notebook.py"


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


def test_series_is_wide_in_display_units(cw_home: Path) -> None:
    frame = carrywatch.series(
        ["us.fed.assets", "us.rrp", "us.ust.10y"], start="2024-08-01", end="2024-08-09"
    )
    assert list(frame.columns) == ["us.fed.assets", "us.rrp", "us.ust.10y"]
    assert frame.index.name == "obs_date"
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.attrs["units"] == {
        "us.fed.assets": "usd_bn",  # stored in USD millions, shown in billions
        "us.rrp": "usd_bn",
        "us.ust.10y": "percent",
    }
    # WALCL 2024-08-07 = 7,175,256 USD mn (weekly: NaN on the other days).
    assert frame.loc["2024-08-07", "us.fed.assets"] == pytest.approx(7175.256, abs=1e-9)
    assert frame["us.fed.assets"].notna().sum() == 1
    assert frame.loc["2024-08-05", "us.rrp"] == pytest.approx(316.246, abs=1e-9)
    assert frame.loc["2024-08-05", "us.ust.10y"] == pytest.approx(3.78, abs=1e-9)


def test_series_stored_units_are_the_providers(cw_home: Path) -> None:
    # H.4.1 publishes the Wednesday level on Thursday (release lag 1 day): WALCL of
    # 2024-08-07 is there as of 2024-08-08, not as of the Wednesday itself.
    frame = carrywatch.series("us.fed.assets", asof=date(2024, 8, 8), units="stored")
    assert frame.attrs["units"] == {"us.fed.assets": "usd_mn"}
    assert frame.index.max() == pd.Timestamp("2024-08-07")
    assert frame["us.fed.assets"].iloc[-1] == 7175256.0
    before = carrywatch.series("us.fed.assets", asof=date(2024, 8, 7), units="stored")
    assert before.index.max() == pd.Timestamp("2024-07-31")


def test_an_unrepresentable_day_is_refused_with_the_reason(cw_home: Path) -> None:
    for day in ("9999-12-31", date(1, 1, 1)):
        with pytest.raises(ConfigError, match="outside the dates carrywatch can represent"):
            carrywatch.metrics(asof=day)


def test_series_refuses_unknown_ids_bad_dates_and_units(cw_home: Path) -> None:
    with pytest.raises(CatalogError, match=r"did you mean us\.ust\.10y"):
        carrywatch.series("us.ust.10yy")
    with pytest.raises(ConfigError, match="start='2024-13-01' is not a date"):
        carrywatch.series("us.ust.10y", start="2024-13-01")
    with pytest.raises(ConfigError, match="units='bn'"):
        carrywatch.series("us.ust.10y", units="bn")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="at least one"):
        carrywatch.series([])


def test_metrics_as_of_a_date_to_frame(cw_home: Path) -> None:
    result = carrywatch.metrics(asof="2024-08-05")
    assert result.asof == date(2024, 8, 5)
    assert result["spread.us_jp.10y"].value == pytest.approx(2.999)
    frame = result.to_frame()
    assert frame.index.name == "metric"
    assert list(frame.columns) == ["value", "unit", "obs_date", "series", "reason"]
    assert frame.loc["spread.us_jp.10y", "value"] == pytest.approx(2.999)
    assert frame.loc["spread.us_jp.10y", "series"] == "us.ust.10y, jp.jgb.10y"
    assert frame.loc["liquidity.rrp", "value"] == pytest.approx(316.246)
    assert frame.loc["liquidity.rrp", "unit"] == "usd_bn"
    # The same numbers as the command's JSON.
    assert result.values["yield.us.10y"] == result.to_json()["metrics"]["yield.us.10y"]["value"]  # type: ignore[index]


def test_odds_wraps_the_odds_report(cw_home: Path, tmp_path: Path) -> None:
    # No futures file and no market snapshot: no distribution, and the notes say why.
    result = carrywatch.odds("fed", asof="2024-08-05")
    assert result.asof == date(2024, 8, 5)
    frame = result.to_frame()
    assert frame.empty
    assert list(frame.columns) == [
        "meeting",
        "source",
        "lower_pct",
        "upper_pct",
        "probability",
        "reason",
    ]
    assert any("--futures" in n for n in result.notes)
    with pytest.raises(ConfigError, match="bank='ecb'"):
        carrywatch.odds("ecb", asof="2024-08-05")  # type: ignore[arg-type]


def test_odds_from_a_futures_file(cw_home: Path, tmp_path: Path) -> None:
    # CME's "FedWatch calculation examples" worksheet, settlements of 12 September 2022:
    # P(3.00-3.25 after the 21 September meeting) = 95.48 %.
    futures = tmp_path / "zq.csv"
    futures.write_text("contract,settle\nZQU2,97.4475\nZQV2,96.9400\nZQX2,96.4300\n")
    frame = carrywatch.odds("fed", asof=date(2022, 9, 12), futures=futures).to_frame()
    row = frame[(frame["meeting"] == date(2022, 9, 21)) & (frame["lower_pct"] == 3.0)]
    assert row["probability"].item() == pytest.approx(0.9548, abs=2e-4)
    with pytest.raises(ConfigError, match="not both"):
        carrywatch.odds("fed", futures=futures, path=futures)
    # The conventions by keyword: the decision day at the old rate (21 days before, 9 after)
    # gives September 3.06 - (30 * 2.5525 - 9 * 3.06) / 21 = 0.725 pp = 2.9 steps: 90%.
    old = carrywatch.odds("fed", asof="2022-09-12", futures=futures, announcement_day="old")
    frame = old.to_frame()
    row = frame[(frame["meeting"] == date(2022, 9, 21)) & (frame["lower_pct"] == 3.0)]
    assert row["probability"].item() == pytest.approx(0.9)
    with pytest.raises(ConfigError, match="unknown chain 'nearest'"):
        carrywatch.odds("fed", futures=futures, chain="nearest")  # type: ignore[arg-type]


def test_brief_writes_the_page_and_its_tables(cw_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief"
    result = carrywatch.brief(asof="2024-08-05", out=out)
    assert result.asof == date(2024, 8, 5)
    assert result.paths is not None
    assert result.paths.html.is_file()
    assert result.to_frame().loc["spread.us_jp.10y", "value"] == pytest.approx(2.999)
    tables = result.tables()
    assert "data_status" in tables
    written = sorted(p.name for p in (out / "tables").glob("*.csv"))
    assert "data_status.csv" in written
    status = pd.read_csv(out / "tables" / "data_status.csv")
    assert list(status.columns) == list(tables["data_status"].columns)
    assert len(status) == len(tables["data_status"])


def test_the_worked_example_runs(
    cw_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    assert (tmp_path / "example-brief" / "brief.html").is_file()
