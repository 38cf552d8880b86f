"""``carrywatch import --new-series``: a desk's own series, then read by every workflow.

The file is real: SPY's dividend-adjusted daily bars (Yahoo Finance, via
jonsflow/risk-model; tests/payloads/user/README.md), 2024-08-05 close 508.10107421875.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import carrywatch
from carrywatch.cli import main
from carrywatch.errors import CatalogError

SPY = (
    Path(__file__).parent / "payloads" / "user" / "jonsflow__risk-model__spy_2024-01_to_2024-08.csv"
)
NEW = [
    "--new-series",
    "user.spy",
    "--unit",
    "price",
    "--frequency",
    "daily",
    "--title",
    "SPDR S&P 500 ETF, dividend-adjusted close",
    "--value-column",
    "Close",
]


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


def _counts(home: Path) -> tuple[int, int, int]:
    with sqlite3.connect(home / "carrywatch.sqlite") as db:
        return (
            db.execute("SELECT COUNT(*) FROM series").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM observations").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0],
        )


def test_a_new_series_is_created_imported_and_read_everywhere(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(SPY), *NEW]) == 0
    output = capsys.readouterr().out
    assert "created user.spy (price, daily): SPDR S&P 500 ETF" in output
    assert "imported jonsflow__risk-model__spy_2024-01_to_2024-08.csv into user.spy: 168" in output

    # The listing, a view as of a date, the Python API.
    assert main(["series", "list"]) == 0
    assert "user.spy" in capsys.readouterr().out
    assert main(["series", "show", "user.spy", "--asof", "2024-08-05", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[-1]["obs_date"] == "2024-08-05"
    assert rows[-1]["value"] == 508.10107421875
    assert rows[-1]["origin"] == "import"
    frame = carrywatch.series(["user.spy", "us.ust.10y"], start="2024-08-05", end="2024-08-05")
    assert list(frame.iloc[0]) == [508.10107421875, 3.78]
    assert frame.index[0] == pd.Timestamp("2024-08-05")
    assert frame.attrs["units"]["user.spy"] == "price"

    # diff compares it with the metrics; an alert watches it.
    assert main(["diff", "--from", "2024-07-29", "--to", "2024-08-05", "--format", "json"]) == 0
    spy = next(r for r in json.loads(capsys.readouterr().out) if r["target"] == "user.spy")
    assert spy["to"] == 508.10107421875
    assert spy["n_past"] > 100  # the window is cut by the file's start in January
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[[rule]]\nname = 'spy below 520'\nkind = 'crossing'\ntarget = 'user.spy'\nbelow = 520\n",
        encoding="utf-8",
    )
    assert main(["alerts", "check", str(rules), "--asof", "2024-08-05"]) == 10
    assert "ALERT spy below 520: user.spy crossed below 520" in capsys.readouterr().out

    # The same definition again only adds what is new (nothing); another unit is refused.
    assert main(["import", str(SPY), *NEW]) == 0
    assert "created" not in capsys.readouterr().out
    other = [*NEW]
    other[3] = "index"
    assert main(["import", str(SPY), *other]) == 1
    assert "user.spy exists already (user series, unit price, daily)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--new-series", "spy", "--unit", "price", "--frequency", "daily", "--title", "S"],
            "a new series id must start with 'user.'",
        ),
        (
            [
                "--new-series",
                "user.spy",
                "--unit",
                "dollars",
                "--frequency",
                "daily",
                "--title",
                "S",
            ],
            "unit 'dollars' is not one of: bp, contracts, index",
        ),
        (
            [
                "--new-series",
                "user.spy",
                "--unit",
                "price",
                "--frequency",
                "hourly",
                "--title",
                "S",
            ],
            "frequency 'hourly' is not one of: daily, event, monthly",
        ),
        (
            ["--new-series", "user.SPY", "--unit", "price", "--frequency", "daily", "--title", "S"],
            "use lower-case letters",
        ),
        (
            ["--new-series", "user.spy", "--unit", "price"],
            "--new-series needs --frequency, --title",
        ),
        (["--series", "us.ust.10y", "--new-series", "user.spy"], "not both"),
        (["--series", "us.ust.10y", "--unit", "price"], "define a --new-series"),
    ],
)
def test_a_bad_definition_is_one_line_and_changes_nothing(
    cw_home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = _counts(cw_home)
    assert main(["import", str(SPY), *args]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert _counts(cw_home) == before


def test_a_file_that_cannot_be_imported_leaves_no_new_series(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real file cut off in the middle of a row: the value column is not a number.
    cut = tmp_path / "spy_cut.csv"
    text = SPY.read_text(encoding="utf-8")
    cut.write_text(text[: text.index("2024-08-05") + 14], encoding="utf-8")
    before = _counts(cw_home)
    assert main(["import", str(cut), *NEW]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert _counts(cw_home) == before
    with pytest.raises(CatalogError, match=r"unknown series id 'user\.spy'"):
        carrywatch.series("user.spy")
