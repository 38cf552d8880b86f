"""Headline metrics on the embedded snapshot, against numbers derived by hand from the
source files (shared/data, as recorded in the snapshot; each derivation is in a comment)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.report.metrics import (
    INPUT_SERIES,
    METRIC_KEYS,
    HeadlineMetrics,
    default_asof,
    headline_metrics,
    metrics_from_series,
)


def _at(home: Path, day: date) -> HeadlineMetrics:
    with carrywatch.open_store(home) as store:
        return headline_metrics(store, load_catalog(), day)


# As of 2024-08-05, the day of the yen-carry sell-off: what was published by then
# (obs_date + release_lag_days <= 2024-08-05, series.toml). Inputs (file, row):
#   DGS2 3.89, DGS10 3.78, DGS3MO 5.35 (FRED, 2024-08-05);
#   JGB 2y 0.265, 10y 0.781 (MOF jgbcm_all.csv, R6.8.5);
#   DFEDTARU 5.5, DFEDTARL 5.25; BOJ target 0.25 decided 2024-07-31 (events.toml);
#   DEXJPUS 143.95; WALCL 2024-07-31 7,178,391 usd_mn (released 2024-08-01);
#   DTS TGA 2024-08-02 759,058 usd_mn (lag 1: the 2024-08-05 statement came out on the 6th);
#   RRPONTSYD 316.246 usd_bn;
#   M2SL 2024-06 21,070.7 and 2023-06 20,798.9 (lag 58: July's M2 came out on 27 August);
#   TIC Japan 2024-05 1,106.0 (lag 80: June's came out on 15 August);
#   CFTC yen net 2024-07-30 -73,460 (released Friday 2024-08-02);
#   e-Stat CPI less fresh food 2024-06 107.8 and 2023-06 105.0 (lag 54: July's came out
#   on 23 August).
HEDGE_COST_2024_08_05 = (5.35 * 360 / 365 + 0.285 * 360 / 365) / (
    1 + 5.35 * 360 / 365 / 100 * 92 / 360
)

EXPECTED_2024_08_05 = {
    "yield.us.2y": (3.89, "2024-08-05"),
    "yield.us.10y": (3.78, "2024-08-05"),
    "yield.jp.2y": (0.265, "2024-08-05"),
    "yield.jp.10y": (0.781, "2024-08-05"),
    "spread.us_jp.2y": (3.89 - 0.265, "2024-08-05"),  # 3.625 pp
    "spread.us_jp.10y": (3.78 - 0.781, "2024-08-05"),  # 2.999 pp
    "policy.fed.upper": (5.5, "2024-08-05"),
    "policy.fed.lower": (5.25, "2024-08-05"),
    "policy.boj.rate": (0.25, "2024-07-31"),
    "fx.usdjpy": (143.95, "2024-08-05"),
    "liquidity.fed_assets": (7178.391, "2024-07-31"),  # 7,178,391 usd_mn / 1000
    "liquidity.tga": (759.058, "2024-08-02"),
    "liquidity.rrp": (316.246, "2024-08-05"),
    # 7178.391 - 759.058 - 316.246 = 6103.087 usd_bn; newest input dated 2024-08-05
    "liquidity.net": (6103.087, "2024-08-05"),
    "liquidity.m2_yoy": ((21070.7 / 20798.9 - 1) * 100, "2024-06-01"),  # 1.3068 %
    "flows.tic.japan_holdings": (1106.0, "2024-05-01"),
    "positioning.cftc.jpy_net": (-73460.0, "2024-07-30"),
    "carry.usdjpy.differential": (5.35 - 0.25, "2024-08-05"),  # 5.10 pp
    # 3-month hedge to 2024-11-05 (92 days), bill 5.35 % to ACT/360 (* 360/365), yen leg
    # 0.25 % plus the assumed -53.5 bp basis: cost (5.27671 + 0.285 * 360/365) /
    # (1 + 0.0527671 * 92/360) = 5.48385 %, see tests/analytics/test_hedging.py.
    "hedged.ust10y_jpy_investor": (3.78 - HEDGE_COST_2024_08_05, "2024-08-05"),  # -1.704 %
    "hedged.pickup_vs_jgb10y": (3.78 - HEDGE_COST_2024_08_05 - 0.781, "2024-08-05"),  # -2.485
    # -2.417 %; dated by its newest input, the BOJ decision of 2024-07-31
    "stance.boj.real_rate": (0.25 - (107.8 / 105.0 - 1) * 100, "2024-07-31"),
    "stance.boj.gap_to_neutral_low": (0.25 - 1.0, "2024-07-31"),  # band low 1.0 %
}


@pytest.fixture(scope="module")
def aug5(seeded: Path) -> HeadlineMetrics:
    return _at(seeded, date(2024, 8, 5))


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED_2024_08_05.items()))
def test_metrics_on_2024_08_05_equal_the_hand_derivation(
    aug5: HeadlineMetrics, key: str, expected: tuple[float, str]
) -> None:
    metric = aug5[key]
    value, obs = expected
    assert metric.value == pytest.approx(value, abs=1e-9), metric.reason
    assert metric.obs_date == date.fromisoformat(obs)
    assert metric.reason is None


def test_realized_vol_is_the_annualized_std_of_63_daily_log_returns(seeded: Path) -> None:
    metrics = _at(seeded, date(2024, 8, 5))
    with carrywatch.open_store(seeded) as store:
        fx = store.read(["fx.usdjpy"], end=date(2024, 8, 5))["value"].to_numpy()
    returns = np.diff(np.log(fx))[-63:]
    expected = returns.std(ddof=1) * np.sqrt(252) * 100
    vol = metrics["carry.usdjpy.realized_vol"]
    assert vol.value == pytest.approx(expected, rel=1e-9)
    ratio = metrics["carry.usdjpy.carry_to_vol"]
    assert ratio.value == pytest.approx(5.10 / expected, rel=1e-9)


def test_the_json_document_has_every_key_in_the_documented_shape(seeded: Path) -> None:
    document = _at(seeded, date(2024, 8, 5)).to_json()
    assert document["asof"] == "2024-08-05"
    assert list(document["metrics"]) == list(METRIC_KEYS)
    for key, entry in document["metrics"].items():
        assert set(entry) == {"value", "unit", "obs_date", "series", "reason"}, key
        assert entry["series"], key
    units = {k: v["unit"] for k, v in document["metrics"].items()}
    assert units["spread.us_jp.10y"] == "pp"
    assert units["liquidity.net"] == "usd_bn"
    assert units["positioning.cftc.jpy_net"] == "contracts"
    assert units["yield.us.10y"] == units["carry.usdjpy.realized_vol"] == "percent"


def test_stale_inputs_give_none_and_name_the_series(seeded: Path) -> None:
    # Japan CPI ends 2024-10 in the collection: the real rate cannot be computed in 2026.
    real = _at(seeded, date(2026, 1, 30))["stance.boj.real_rate"]
    assert real.value is None
    assert real.reason is not None
    assert "jp.cpi.core" in real.reason
    # Nothing is carried past its staleness limit: in late 2026 the yields are stale.
    late = _at(seeded, date(2026, 11, 25))
    assert late["yield.us.10y"].value is None
    assert "us.ust.10y is stale" in str(late["yield.us.10y"].reason)
    assert late["yield.us.10y"].obs_date == date(2026, 8, 20)


def test_a_date_before_any_data_explains_itself(seeded: Path) -> None:
    early = _at(seeded, date(1950, 1, 3))
    assert early["yield.jp.10y"].value is None
    assert "no observation on or before 1950-01-03" in str(early["yield.jp.10y"].reason)


def test_the_default_date_is_the_last_with_every_core_market_series(seeded: Path) -> None:
    # Core series end: UST 10y 2026-08-20, JGB 10y 2026-06-30, Fed target 2026-06-05,
    # USD/JPY (Yahoo) 2026-06-05 -> the earliest of them.
    with carrywatch.open_store(seeded) as store:
        assert default_asof(store, date(2026, 11, 25)) == date(2026, 6, 5)
        assert default_asof(store, date(2024, 8, 5)) == date(2024, 8, 5)


def test_cli_metrics_json_equals_the_library(
    seeded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    assert main(["metrics", "--asof", "2024-08-05", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == _at(seeded, date(2024, 8, 5)).to_json()


def test_cli_brief_writes_the_page_and_prints_the_headline(
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    out_dir = tmp_path / "brief"
    assert main(["brief", "--asof", "2024-08-05", "--out", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    assert "as of 2024-08-05" in printed
    assert "-2.485 pp" in printed  # hedged UST 10y pickup vs JGB 10y
    assert "brief.html" in printed  # the summary ends with the page's path
    document = json.loads((out_dir / "brief.json").read_text())
    assert document["metrics"] == _at(seeded, date(2024, 8, 5)).to_json()["metrics"]
    assert (out_dir / "plotly.min.js").stat().st_size > 1_000_000


def test_metrics_from_one_read_equal_headline_metrics_of_each_date(seeded: Path) -> None:
    # The brief reads the store once, as of its date, and computes the metrics as of that
    # date and 7 and 30 days before from that read: the same as reading as of each date.
    # Also a date where many inputs are stale, and one before most of the data.
    catalog = load_catalog()
    asof = date(2024, 8, 5)
    with carrywatch.open_store(seeded) as store:
        frame = store.read(list(INPUT_SERIES), asof=asof)
        observed = {
            str(sid): pd.Series(
                rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["obs_date"]), name=str(sid)
            )
            for sid, rows in frame.groupby("series_id")
        }
        for day in (asof, date(2024, 7, 29), date(2024, 7, 6), date(2019, 1, 1), date(1990, 1, 1)):
            expected = headline_metrics(store, catalog, day)
            got = metrics_from_series(observed, catalog, day)
            assert got.to_json() == expected.to_json(), day


def test_a_monthly_release_enters_the_metrics_when_it_was_published(seeded: Path) -> None:
    # July 2024's M2 (obs_date 2024-07-01) came out on 27 August; the catalog's usual lag
    # of 58 days shows it from the 28th. Before, the newest published month is June.
    before, after = _at(seeded, date(2024, 8, 27)), _at(seeded, date(2024, 8, 28))
    assert before["liquidity.m2_yoy"].obs_date == date(2024, 6, 1)
    assert after["liquidity.m2_yoy"].obs_date == date(2024, 7, 1)
    # The store holds later months all along: only publication decides, and the store's
    # own as-of read applies the same rule (one rule for every reader).
    with carrywatch.open_store(seeded) as store:
        held = store.read(["us.m2"], asof=date(2024, 8, 27))
        assert store.read(["us.m2"])["obs_date"].max() > pd.Timestamp("2024-08-01")
    assert held["obs_date"].max() == pd.Timestamp("2024-06-01")
    assert set(held["release_rule"]) == {"usual lag of 58 days"}
