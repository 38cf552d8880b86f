"""``carrywatch diff`` and the brief's "What changed since" section on the real snapshot.

Reference values: H.10 / FRED DEXJPUS 2024-07-29 = 153.96, 2024-08-05 = 143.95 yen per
dollar (tests/payloads/fred, miguel-merlin copy): a fall of 10.01 yen in the week of the
carry unwind. The z-score is re-derived here from the stored series with pandas alone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import carrywatch
from carrywatch.cli import main


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["diff", "--from", "2024-07-29", "--to", "2024-08-05", *args]) == 0
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


def _independent_zscore(window: int) -> float:
    """USD/JPY's weekly change to 2024-08-05 against the ``window`` weekly changes ending
    on the weekdays before 2024-07-29 (each as of its day: the last H.10 fixing on or
    before it), computed from the stored series without carrywatch's analytics."""
    fx = carrywatch.series("fx.usdjpy", end="2024-08-05")["fx.usdjpy"].dropna()

    def asof(day: pd.Timestamp) -> float:
        return float(fx.loc[:day].iloc[-1])

    ends = pd.bdate_range(end="2024-07-28", periods=window)
    change = asof(pd.Timestamp("2024-08-05")) - asof(pd.Timestamp("2024-07-29"))
    past = np.array([asof(t) - asof(t - pd.Timedelta(days=7)) for t in ends], dtype="float64")
    return float((change - past.mean()) / past.std(ddof=1))


def test_diff_ranks_every_metric_by_how_unusual_its_change_is(
    cw_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _diff(capsys, "--format", "json")
    by_target = {r["target"]: r for r in rows}
    assert set(by_target) == set(carrywatch.metrics(asof="2024-08-05").values)
    fx = by_target["fx.usdjpy"]
    assert (fx["from"], fx["to"], fx["change"], fx["unit"]) == (
        153.96,
        143.95,
        -10.01,
        "jpy_per_usd",
    )
    assert fx["n_past"] == 250
    assert fx["zscore"] == pytest.approx(_independent_zscore(250), rel=1e-9)
    # The spread: DGS10 4.17 - JGB 1.041 = 3.129 pp on 07-29; 2.999 pp on 08-05.
    spread = by_target["spread.us_jp.10y"]
    assert (spread["from"], spread["to"], spread["change"]) == (3.129, 2.999, -0.13)
    # The Fed's range did not move in the year before: no z-score, and why.
    assert by_target["policy.fed.upper"]["zscore"] is None
    assert by_target["policy.fed.upper"]["reason"] == "the past changes are all equal"
    scores = [abs(float(r["zscore"])) for r in rows if r["zscore"] is not None]  # type: ignore[arg-type]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["target"] in {"fx.usdjpy", "yield.jp.10y"}
    assert all(r["zscore"] is None for r in rows[len(scores) :])


def test_diff_window_and_table(cw_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _diff(capsys, "--window", "60", "--format", "json")
    fx = next(r for r in rows if r["target"] == "fx.usdjpy")
    assert fx["n_past"] == 60
    assert fx["zscore"] == pytest.approx(_independent_zscore(60), rel=1e-9)
    assert main(["diff", "--from", "2024-07-29", "--to", "2024-08-05"]) == 0
    table = capsys.readouterr().out
    assert "250 past changes of 7 days" in table
    assert "fx.usdjpy" in table


def test_diff_exports_csv_to_a_file(
    cw_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "diff.csv"
    args = ["diff", "--from", "2024-07-29", "--to", "2024-08-05", "--format", "csv"]
    assert main([*args, "--out", str(target)]) == 0
    frame = pd.read_csv(target)
    assert list(frame.columns) == [
        "target",
        "unit",
        "from",
        "to",
        "change",
        "zscore",
        "n_past",
        "reason",
    ]
    assert frame.set_index("target").loc["fx.usdjpy", "change"] == -10.01


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-08-05", "--to", "2024-07-29"], "must be before --to"),
        (["--from", "2024-02-30"], "--from '2024-02-30' is not a date"),
        (["--from", "2024-07-29", "--to", "2024-08-05", "--window", "3"], "at least 20"),
    ],
)
def test_diff_bad_input_is_one_line_and_exit_1(
    cw_home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["diff", *args]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_the_brief_opens_with_what_changed(cw_home: Path) -> None:
    report = carrywatch.brief(asof="2024-08-05").report
    section = report.sections[0]
    assert section.key == "what_changed"
    assert section.title == "What changed since 2024-07-29"
    (table,) = section.tables
    rows = {r[0]: r for r in table.rows}
    assert rows["fx.usdjpy"][1:4] == ("153.96", "143.95", "-10.01")
    # Against the 26 weekly changes before (non-overlapping, same weekday), the yen's
    # week is among the three most unusual moves the lede names.
    assert "fx.usdjpy -10.01" in section.lede
    zscores = [abs(float(r[4])) for r in table.rows if isinstance(r[4], float)]
    assert zscores == sorted(zscores, reverse=True)
