"""``carrywatch odds``: FedWatch odds from a settlements file, BOJ odds from a rate path,
the target range from the store, and clear errors for bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carrywatch.cli import main


@pytest.fixture
def home(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    return seeded


def _odds(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["odds", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# CME Group, "FedWatch calculation examples" worksheet (settlements of 12 September 2022):
# ZQU2 97.4475, ZQV2 96.9400, ZQX2 96.4300; target range 2.25-2.50 (DFEDTARL/U that day).
# September: start 2.2987 (solved from ZQU2: the file has no August), end 3.0600, change 0.7613 pp
# = 3.0452 steps of 25 bp -> P(+75) = 1 - 0.0452 = 95.48%, P(+100) = 4.52%.
CME_2022 = "contract,settle\nZQU2,97.4475\nZQV2,96.9400\nZQX2,96.4300\n"


def test_fed_odds_from_settlements_reproduce_cme_worked_example(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    futures = tmp_path / "zq.csv"
    futures.write_text(CME_2022)
    code, out, err = _odds(
        capsys, "fed", "--asof", "2022-09-12", "--futures", str(futures), "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["bank"] == "fed"
    assert document["asof"] == "2022-09-12"
    september = next(m for m in document["meetings"] if m["date"] == "2022-09-21")
    assert september["source"] == "futures"
    probabilities = {(d["lower"], d["upper"]): d["probability"] for d in september["distribution"]}
    assert probabilities[(3.0, 3.25)] == pytest.approx(0.9548, abs=2e-4)
    assert probabilities[(3.25, 3.5)] == pytest.approx(0.0452, abs=2e-4)
    for meeting in document["meetings"]:
        assert sum(d["probability"] for d in meeting["distribution"]) == pytest.approx(1, abs=1e-9)
    # December 2022 has no contract in the file: said, not guessed.
    assert "2022-12-14" not in {m["date"] for m in document["meetings"]}
    # The conventions used, and the summary: P(hike) = 1 (every range lies above
    # 2.25-2.50); expected move 0.7613 pp = 76.1 bp (the tree's mean is the implied move).
    assert document["conventions"] == {
        "chain": "cme",
        "announcement_day": "cme",
        "announcement_day_counts_at": "new",
        "step_bp": 25.0,
    }
    summary = next(s for s in document["summary"] if s["date"] == "2022-09-21")
    assert summary["source"] == "futures"
    assert (summary["p_cut"], summary["p_hold"]) == (0.0, 0.0)
    assert summary["p_hike"] == pytest.approx(1.0)
    assert summary["expected_change_bp"] == pytest.approx(76.125)
    assert summary["cumulative_change_bp"] == pytest.approx(76.125)


def test_table_output_says_which_meetings_have_no_odds(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    futures = tmp_path / "zq.csv"
    futures.write_text(CME_2022)
    code, out, err = _odds(capsys, "fed", "--asof", "2022-09-12", "--futures", str(futures))
    assert code == 0
    flat = " ".join(out.split())
    assert "range in force 2.25-2.5%" in flat
    assert "3-3.25%: 95.5%" in flat
    assert "no contract or path period covers the 2022-12-14 meeting" in flat
    assert "no prediction-market distribution" in err


def test_boj_odds_from_a_rate_path_price_the_january_2025_hike(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A TONA forward strip pricing the 25 bp hike of the 2025-01-24 meeting for sure:
    # 0.25% until the meeting, 0.50% after it (periods [start, end); BOJ target 0.25%).
    path = tmp_path / "tona.csv"
    path.write_text(
        "start,end,rate\n2025-01-06,2025-01-24,0.25\n2025-01-24,2025-03-19,0.50\n"
        "2025-03-19,2025-03-31,0.50\n"
    )
    code, out, err = _odds(capsys, "boj", "--asof", "2025-01-06", "--path", str(path), "--json")
    assert code == 0, err
    meetings = {m["date"]: m for m in json.loads(out)["meetings"]}
    january = {
        (d["lower"], d["upper"]): d["probability"] for d in meetings["2025-01-24"]["distribution"]
    }
    assert january[(0.5, 0.5)] == pytest.approx(1.0, abs=1e-9)
    # The BOJ's target in force (0.25%, decided 2024-12-19) came from the store.
    assert "0.25" not in {str(k[0]) for k in january}


def test_a_malformed_path_file_is_a_clear_error(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tona.csv"
    path.write_text("date,rate\n2024-08-31,0.25\n2024-07-31,0.10\n")
    code, _, err = _odds(
        capsys, "boj", "--asof", "2024-07-01", "--path", str(path), "--target-range", "0.1,0.1"
    )
    assert code == 1
    assert "--path file: 'date,rate' rows are ambiguous" in err
    assert "give start,end,rate rows" in " ".join(err.split())


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("contract,price\nZQU2,97.4\n", "needs the header 'contract,settle'"),
        ("contract,settle\nZQU2,abc\n", "is not a number"),
        ("contract,settle\nZQU2,97.4\nZQU2,97.5\n", "appears twice"),
        ("contract,settle\nXYZ,97.4\n", "XYZ"),
        ("contract,settle\nZQU2,140\n", "is not a ZQ price"),
    ],
)
def test_bad_futures_files_give_one_clear_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str
) -> None:
    futures = tmp_path / "zq.csv"
    futures.write_text(content)
    code, _, err = _odds(capsys, "fed", "--asof", "2022-09-12", "--futures", str(futures))
    assert code == 1
    assert words in err
    assert len(err.strip().splitlines()) == 1


def test_a_stale_range_asks_for_target_range(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    futures = tmp_path / "zq.csv"
    futures.write_text(CME_2022)
    # The Fed range series ends 2026-06-05 in the snapshot.
    code, _, err = _odds(capsys, "fed", "--asof", "2026-11-25", "--futures", str(futures))
    assert code == 1
    assert "--target-range" in err
    assert "us.fed.target_lower is stale" in err


def test_futures_and_path_together_are_refused(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.csv").write_text(CME_2022)
    code, _, err = _odds(
        capsys, "fed", "--futures", str(tmp_path / "a.csv"), "--path", str(tmp_path / "a.csv")
    )
    assert code == 1
    assert "not both" in err


def test_every_convention_can_be_named_on_the_command_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # November 2022 (1 day before the meeting, 29 after): with no December price the live
    # chain solves its end from ZQX2 like the worksheet: 0.5276 pp under both. September
    # with the decision day at the old rate (21 days before, 9 after): start =
    # (30 * 2.5525 - 9 * 3.06) / 21 = 2.335, move 3.06 - 2.335 = 72.5 bp.
    futures = tmp_path / "zq.csv"
    futures.write_text(CME_2022)
    args = ("fed", "--asof", "2022-09-12", "--futures", str(futures), "--json")
    moves = {}
    for chain in ("cme", "longer-side"):
        code, out, _ = _odds(capsys, *args, "--chain", chain)
        assert code == 0
        document = json.loads(out)
        assert document["conventions"]["chain"] == chain
        moves[chain] = {s["date"]: s["expected_change_bp"] for s in document["summary"]}
    assert moves["cme"]["2022-11-02"] == pytest.approx(52.76, abs=0.01)
    assert moves["longer-side"]["2022-11-02"] == pytest.approx(52.76, abs=0.01)
    code, out, _ = _odds(capsys, *args, "--announcement-day", "old")
    document = json.loads(out)
    assert document["conventions"]["announcement_day_counts_at"] == "old"
    september = next(s for s in document["summary"] if s["date"] == "2022-09-21")
    assert september["expected_change_bp"] == pytest.approx(72.5)
    code, _, err = _odds(capsys, *args, "--chain", "nearest")
    assert code == 1
    assert "nearest" in err
    assert len(err.strip().splitlines()) == 1


def test_boj_odds_from_an_ois_curve_print_point_targets(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The worked example of docs/analytics.md (tests/analytics/test_rate_path.py derives it):
    # 24 January 2025, 85.6% to 0.5% and 14.4% to 0.75% from the 0.25% in force (85.5% by
    # the simple average; the OIS compounding moves it by 0.05 bp of rate).
    path = tmp_path / "ois.csv"
    path.write_text("tenor,rate\n2W,0.23\n1M,0.35\n3M,0.45\n")
    code, out, err = _odds(capsys, "boj", "--asof", "2025-01-06", "--path", str(path))
    assert code == 0, err
    flat = " ".join(out.split())
    assert "range in force 0.25%)" in flat
    assert "0.5%: 85.6%, 0.75%: 14.4%" in flat
    assert "0.5-0.5%" not in flat
    assert "conventions: cme chain, announcement day at the new rate" in flat
