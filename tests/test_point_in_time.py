"""One point-in-time rule on every surface: the library, ``series show``, the metrics and
the brief agree on what was published by a day, and say which rule dated it.

The day is 2025-12-05, in the backlog of the 2025 US government shutdown. Expected newest
observations, each derived from a published release day (sources in
``src/carrywatch/catalog/releases.toml``) or the usual lag of ``series.toml``:

* core PCE: September 2025, released 2025-12-05 (BEA, "Personal Income and Outlays,
  September 2025": "Current release: December 5, 2025"); October's came on 2026-01-22;
* CFTC yen net positions: the report of 2025-10-28, published 2025-12-05 by the CFTC's
  catch-up schedule of 18 November 2025 (the 11-04 report followed on 12-09);
* M2: October 2025 (obs 2025-10-01 + 58 days = 2025-11-28; November's would be 12-29);
* TIC Japan: September 2025 (2025-09-01 + 80 days = 2025-11-20; October's came 12-18,
  "The next TIC report, covering October 2025, is scheduled for release on December 18").
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.report.metrics import headline_metrics
from carrywatch.report.render import build_report

DAY = date(2025, 12, 5)

#: series -> (newest obs_date published by DAY, the rule that dated it)
EXPECTED = {
    "us.core_pce": ("2025-09-01", "release calendar"),
    "cftc.jpy.noncommercial_net": ("2025-10-28", "release calendar"),
    "us.m2": ("2025-10-01", "usual lag of 58 days"),
    "tic.japan.holdings": ("2025-09-01", "usual lag of 80 days"),
}


@pytest.fixture(scope="module")
def home(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pit") / "home"
    shutil.copytree(seeded, folder)
    return folder


def test_the_library_reads_what_was_published(home: Path) -> None:
    with carrywatch.open_store(home) as store:
        for sid, (obs_date, rule) in EXPECTED.items():
            frame = store.read([sid], asof=DAY)
            newest = frame.iloc[-1]
            assert (newest["obs_date"].date().isoformat(), newest["release_rule"]) == (
                obs_date,
                rule,
            ), sid
            assert (frame["released"].dt.date <= DAY).all()
            # The store holds later observations all along.
            assert store.read([sid])["obs_date"].max().date().isoformat() > obs_date


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_series_show_reads_the_same(
    home: Path, sid: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(home))
    assert main(["series", "show", sid, "--asof", DAY.isoformat(), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert (records[-1]["obs_date"], records[-1]["release_rule"]) == EXPECTED[sid]
    assert all(r["released"] <= DAY.isoformat() for r in records)


def test_the_metrics_and_the_brief_read_the_same(home: Path) -> None:
    catalog = load_catalog()
    with carrywatch.open_store(home) as store:
        metrics = headline_metrics(store, catalog, DAY)
        report = build_report(store, catalog, DAY)
    assert metrics["liquidity.m2_yoy"].obs_date == date(2025, 10, 1)
    assert metrics["flows.tic.japan_holdings"].obs_date == date(2025, 9, 1)
    assert metrics["positioning.cftc.jpy_net"].obs_date == date(2025, 10, 28)
    # Published that very day, 35 days late: the newest report there is, not stale (the
    # staleness limit allows for the delay); its value is the stored one.
    cftc = metrics["positioning.cftc.jpy_net"]
    assert cftc.reason is None
    with carrywatch.open_store(home) as store:
        stored = store.read(["cftc.jpy.noncommercial_net"], start=date(2025, 10, 28), end=DAY)
    assert cftc.value == stored["value"].iloc[0]
    assert report.metrics.to_json() == metrics.to_json()
    status = report.section("status").tables[0]
    columns = list(status.columns)
    rows = {str(r[0]): r for r in status.rows}
    for sid, (obs_date, rule) in EXPECTED.items():
        if sid not in rows:
            continue
        row = rows[sid]
        assert row[columns.index("last obs_date")] == obs_date, sid
        assert row[columns.index("dated by")] == rule, sid
        assert row[columns.index("status")] == "fresh", sid
    assert "us.core_pce" in rows


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2025-02-30"])
@pytest.mark.parametrize(
    "command",
    [
        ["metrics", "--json"],
        ["brief"],
        ["series", "show", "us.m2"],
        ["odds", "boj", "--path", "unused.csv"],
    ],
)
def test_every_command_refuses_an_impossible_or_unrepresentable_day_in_one_line(
    home: Path,
    command: list[str],
    day: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(home))
    assert main([*command, "--asof", day]) == 1
    said = capsys.readouterr()
    lines = [line for line in said.err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "is not a date" in lines[0] or "outside the dates carrywatch can represent" in lines[0]
    assert "Traceback" not in said.err + said.out
