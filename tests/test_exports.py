"""One export module for every ``--format``: CSV, JSON, Parquet and Excel.

Reference values: FRED WALCL 2024-07-31 = 7,178,391 USD mn and 2024-08-07 = 7,175,256
(H.4.1; the snapshot's WALCL, tests/payloads/fred README); DGS10 3.78 and MOF JGB 10y
0.781 on 2024-08-05 -> 10y spread 2.999 pp.
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carrywatch import exports
from carrywatch.cli import main
from carrywatch.errors import ConfigError


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


FRAME = pd.DataFrame(
    {
        "value": [3.78, np.nan],
        "obs_date": pd.to_datetime(["2024-08-05", "2024-08-06"]),
        "note": ["DGS10", None],
    },
    index=pd.Index(["a", "b"], name="key"),
)


def test_csv_and_json_write_days_as_dates_and_missing_as_empty_or_null() -> None:
    text = exports.frame_bytes(FRAME, "csv").decode()
    assert text == "key,value,obs_date,note\na,3.78,2024-08-05,DGS10\nb,,2024-08-06,\n"
    records = json.loads(exports.frame_bytes(FRAME, "json"))
    assert records == [
        {"key": "a", "value": 3.78, "obs_date": "2024-08-05", "note": "DGS10"},
        {"key": "b", "value": None, "obs_date": "2024-08-06", "note": None},
    ]


def test_parquet_and_excel_round_trip() -> None:
    back = pd.read_parquet(io.BytesIO(exports.frame_bytes(FRAME, "parquet")))
    assert list(back.columns) == ["key", "value", "obs_date", "note"]
    assert back["value"].iloc[0] == 3.78
    assert back["obs_date"].iloc[0] == date(2024, 8, 5)
    sheet = pd.read_excel(io.BytesIO(exports.frame_bytes(FRAME, "xlsx")))
    assert sheet["value"].iloc[0] == 3.78


@pytest.mark.parametrize(("fmt", "extra"), [("parquet", "parquet"), ("xlsx", "excel")])
def test_a_missing_engine_names_the_extra(
    fmt: exports.ExportFormat, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=rf"pip install 'carrywatch\[{extra}\]'"):
        exports.frame_bytes(FRAME, fmt)


def test_an_unwritable_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot write"):
        exports.write_frame(FRAME, tmp_path / "no" / "such" / "x.csv", "csv")


def test_metrics_export(cw_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["metrics", "--asof", "2024-08-05", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("metric")
    assert frame.loc["spread.us_jp.10y", "value"] == 2.999
    assert frame.loc["spread.us_jp.10y", "obs_date"] == "2024-08-05"
    target = tmp_path / "m.parquet"
    assert (
        main(["metrics", "--asof", "2024-08-05", "--format", "parquet", "--out", str(target)]) == 0
    )
    assert pd.read_parquet(target).set_index("metric").loc["yield.us.10y", "value"] == 3.78


def test_metrics_export_without_the_engine_is_one_line(
    cw_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    target = tmp_path / "m.xlsx"
    assert main(["metrics", "--asof", "2024-08-05", "--format", "xlsx", "--out", str(target)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: --format xlsx needs openpyxl, which is not installed; install it with: "
        "pip install 'carrywatch[excel]'\n"
    )
    assert not target.exists()


def test_series_show_exports_with_provenance(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "walcl.parquet"
    args = ["series", "show", "us.fed.assets", "--start", "2024-07-31", "--end", "2024-08-07"]
    assert main([*args, "--format", "parquet", "--out", str(target)]) == 0
    frame = pd.read_parquet(target)
    assert list(frame["value"]) == [7178391.0, 7175256.0]  # stored in USD millions
    assert set(frame["origin"]) == {"snapshot"}
    assert main([*args, "--format", "xlsx"]) == 1
    assert "give --out FILE" in capsys.readouterr().err


# CME Group, "FedWatch calculation examples" worksheet (settlements of 12 September 2022):
# ZQU2 97.4475, ZQV2 96.9400, ZQX2 96.4300, range 2.25-2.50 -> for the 21 September 2022
# meeting P(3.00-3.25) = 95.48 %, P(3.25-3.50) = 4.52 %.
CME_2022 = "contract,settle\nZQU2,97.4475\nZQV2,96.9400\nZQX2,96.4300\n"


def test_odds_export_one_row_per_meeting_source_and_range(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    futures = tmp_path / "zq.csv"
    futures.write_text(CME_2022)
    args = ["odds", "fed", "--asof", "2022-09-12", "--futures", str(futures), "--format", "csv"]
    assert main(args) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    september = frame[frame["meeting"] == "2022-09-21"].set_index(["lower_pct", "upper_pct"])
    assert set(september["source"]) == {"futures"}
    assert september.loc[(3.0, 3.25), "probability"] == pytest.approx(0.9548, abs=2e-4)
    assert september.loc[(3.25, 3.5), "probability"] == pytest.approx(0.0452, abs=2e-4)
    priced = frame[frame["reason"].isna()]
    sums = priced.groupby("meeting")["probability"].sum()
    assert sums.tolist() == pytest.approx([1.0] * len(sums))
    # A meeting no contract covers is one row saying so, without a probability.
    december = frame[frame["meeting"] == "2022-12-14"]
    assert december["probability"].isna().all()
    assert "no contract or path period covers" in december["reason"].iloc[0]
