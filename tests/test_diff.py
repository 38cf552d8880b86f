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


# --- odds figures ------------------------------------------------------------------------

_QUOTES = Path(__file__).parent / "payloads" / "venue_quotes" / "fed_nochange_excerpt.csv"
_CME = Path(__file__).parent / "payloads" / "cme_fedwatch" / "fedwatch_history_excerpt.csv"


def _last_quote(venue: str, before_utc: str | None = None) -> float:
    """The venue's last mid of "no change" in the recorded file (real Polymarket and Kalshi
    quotes of the FOMC decision of 2025-12-10), before a UTC moment if given."""
    column = {"polymarket": "poly_mid", "kalshi": "kalshi_mid"}[venue]
    quotes = pd.read_csv(_QUOTES, usecols=["timestamp_ms", column])
    moments = pd.to_datetime(quotes["timestamp_ms"], unit="ms", utc=True)
    if before_utc is not None:
        quotes = quotes[moments < pd.Timestamp(before_utc)]
    return float(quotes[column].iloc[-1])


def test_diff_shows_the_venues_hold_odds_falling_after_williams(
    cw_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Williams (NY Fed, 21 Nov 2025): "room for a further adjustment in the near term".
    # The last quote of 2025-11-20 (UTC) and of 2025-12-07 (UTC: 6 Dec 23:30 ET, the
    # file's last row, 0.075 for Polymarket in data/PROVENANCE.md's spot check).
    assert main(["diff", "--from", "2025-11-20", "--to", "2025-12-07", "--format", "json"]) == 0
    rows = {r["target"]: r for r in json.loads(capsys.readouterr().out)}
    for venue in ("polymarket", "kalshi"):
        row = rows[f"us.fomc_odds.2025-12-10.{venue}.hold"]
        first, last = _last_quote(venue, "2025-11-21T00:00Z"), _last_quote(venue)
        # (the file carries float noise such as 0.07499999999999998; the store its value)
        assert row["from"] == pytest.approx(first, abs=1e-12)
        assert row["to"] == pytest.approx(last, abs=1e-12)
        assert row["unit"] == "probability"
        assert row["change"] == pytest.approx(last - first, abs=1e-9)
        assert row["change"] < -0.5  # hold odds from about 64% to under 10%
        # Quotes since 2025-11-16 only: too few past changes for a z-score, and it says so.
        assert row["zscore"] is None
        assert row["reason"] == "0 past changes (fewer than 20)"
    assert rows["us.fomc_odds.2025-12-10.polymarket.hold"]["to"] == 0.075
    # No CME table is stored for 2025: no summary row, no row without both values.
    assert not [t for t in rows if t.startswith("odds.fed.")]
    odds = [r for t, r in rows.items() if "odds" in t]
    assert all(r["from"] is not None and r["to"] is not None for r in odds)


def _published(snapshot: str, meeting: str) -> dict[str, float]:
    """CME's published probabilities of one meeting on one saved day (the recorded file;
    its first day repeats rows)."""
    table = pd.read_csv(_CME, dtype=str)
    rows = table[(table["snapshot_date"] == snapshot) & (table["meeting_date"] == meeting)]
    ranges = rows["rate_range"].str.replace(" (Current)", "", regex=False)
    return dict(zip(ranges, rows["prob_now"].astype(float), strict=True))


def test_diff_shows_cme_published_odds_and_their_summary(
    cw_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--from", "2026-07-13", "--to", "2026-07-28", "--format", "json"]) == 0
    rows = {r["target"]: r for r in json.loads(capsys.readouterr().out)}
    first, last = _published("2026-07-13", "2026-07-29"), _published("2026-07-28", "2026-07-29")
    for band in ("350-375", "375-400"):
        row = rows[f"us.fomc_odds.2026-07-29.cme_fedwatch.{band}"]
        assert (row["from"], row["to"], row["unit"]) == (first[band], last[band], "percent")
    # 325-350 was published on 07-13 (0.0) but not on 07-28: no row.
    assert "us.fomc_odds.2026-07-29.cme_fedwatch.325-350" not in rows
    # data/PROVENANCE.md: "2026-07-28: 62.1% hold / 37.9% hike, and the Fed held on
    # 2026-07-29", against the range in force, 3.50-3.75% (DFEDTARL/U).
    summary = {
        outcome: rows[f"odds.fed.2026-07-29.cme_fedwatch.{outcome}"]
        for outcome in ("p_cut", "p_hold", "p_hike")
    }
    assert [summary[o]["to"] for o in ("p_cut", "p_hold", "p_hike")] == [0.0, 62.1, 37.9]
    assert [summary[o]["from"] for o in ("p_cut", "p_hold", "p_hike")] == [0.0, 61.0, 39.0]
    assert summary["p_hike"]["change"] == pytest.approx(-1.1, abs=1e-9)
    # The ZQ mid of July 2026 as saved with the tables: 96.3688 then 96.3663.
    zq = rows["us.fedfunds_futures.zqn26.mid"]
    assert (zq["from"], zq["to"]) == (96.3688, 96.3663)


def test_diff_names_no_odds_where_none_are_stored(
    cw_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _diff(capsys, "--format", "json")
    assert not [r for r in rows if "odds" in str(r["target"]) or "futures" in str(r["target"])]


def test_the_brief_s_what_changed_lists_the_odds_of_its_week(cw_home: Path) -> None:
    report = carrywatch.brief(asof="2025-12-05").report
    section = report.sections[0]
    (table,) = section.tables
    assert table.title.startswith("Every headline metric and odds figure since 2025-11-28")
    rows = {r[0]: r for r in table.rows}
    # Each venue's last quote of 2025-11-28 and of 2025-12-05 (UTC days, as stored), in
    # percent, the change in pp.
    sid = "us.fomc_odds.2025-12-10.kalshi.hold"
    stored = carrywatch.series(sid, start="2025-11-28", end="2025-12-05")[sid]
    first, last = 100 * stored.loc["2025-11-28"], 100 * stored.loc["2025-12-05"]
    assert rows[sid][1:4] == (f"{first:.2f}%", f"{last:.2f}%", f"{last - first:+.2f} pp")
    assert last < first
    assert rows[sid][5] == "0 past changes (fewer than 20)"
