"""The ``carrywatch`` command on a store seeded from the embedded real-data snapshot.

Expected numbers are quoted from /work/shared/data/PROVENANCE.md next to each assertion.
Output is captured with ``capsys`` (rich prints to ``sys.stdout``/``sys.stderr``). Where
a test reads table cells, it widens the output console so that no cell is wrapped or
truncated: those tests check content; layout is checked where the layout is the point.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carrywatch import cli
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import format_value, main
from carrywatch.report.metrics import METRIC_KEYS
from carrywatch.settings import Settings
from carrywatch.sources.registry import SOURCE_NAMES
from carrywatch.store.sqlite import Store

#: data/PROVENANCE.md section 1: the two DGS10 copies in the snapshot (repository, commit,
#: path); "2024-08-05 = 3.78" in both.
DGS10_URLS = {
    "https://github.com/XinyuLiu2403/acc102-macro-dashboard/blob/"
    "6d3e6faafd500b0c4f9b17bb0b80d5dea55f2acf/data/DGS10.csv",
    "https://github.com/Jellydidy/macro-watch/blob/"
    "2ef008d2df180d392962bc83e774bbc46c3bf767/data/fred/DGS10.csv",
}
#: data/PROVENANCE.md section 1, DGS10 (both copies): 2024-08-01 ... 2024-08-09.
DGS10_AUG_2024 = {
    "2024-08-01": 3.99,
    "2024-08-02": 3.80,
    "2024-08-05": 3.78,
    "2024-08-06": 3.90,
    "2024-08-07": 3.96,
    "2024-08-08": 3.99,
    "2024-08-09": 3.94,
}
SHOW_AUG = ["series", "show", "us.ust.10y", "--start", "2024-08-01", "--end", "2024-08-09"]


@pytest.fixture
def cw_home(home: Path, seeded: Path) -> Path:
    shutil.copytree(seeded, home)
    return home


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables one line per row, no cell cut, so cells can be read back."""
    monkeypatch.setattr(cli.out, "width", 1000)


def _rows(text: str) -> dict[str, list[str]]:
    """Table body rows by their first cell (one line per row: use ``wide``)."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            rows[cells[0]] = cells
    return rows


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- series list -----------------------------------------------------------------------


@pytest.mark.usefixtures("cw_home", "wide")
def test_series_list_shows_every_catalog_id_with_its_coverage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["series", "list"]) == 0

    rows = _rows(capsys.readouterr().out)
    catalog = load_catalog()
    assert set(catalog.series) <= set(rows)
    for sid, spec in catalog.series.items():
        assert rows[sid][2:4] == [spec.unit, spec.frequency]
        assert rows[sid][6] == spec.source
    # data/PROVENANCE.md section 0: DGS10 1962-01-02 -> 2026-08-20; JGB 10y from MOF's
    # jgbcm_all.csv, 1974-09-24 -> 2026-06-30 (the 10-year column starts 1986-07-05).
    assert rows["us.ust.10y"][4:6] == ["1962-01-02", "2026-08-20"]
    assert rows["jp.jgb.10y"][5] == "2026-06-30"
    assert rows["jp.boj.call_rate"][4:6] == ["", ""]


@pytest.mark.usefixtures("cw_home", "wide")
def test_series_list_coverage_matches_the_store(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "list"]) == 0
    rows = _rows(capsys.readouterr().out)

    with Store.open(Settings.from_env().store_path) as store:
        status = store.series_status().set_index("series_id")
    for sid in load_catalog().series:
        first, last = status.loc[sid, "first_obs"], status.loc[sid, "last_obs"]
        expected = [first, last] if isinstance(first, str) else ["", ""]
        assert rows[sid][4:6] == expected, sid


@pytest.mark.usefixtures("cw_home", "wide")
def test_series_list_says_no_data_and_why_for_series_missing_from_the_snapshot(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["series", "list"]) == 0

    rows = _rows(capsys.readouterr().out)
    spec = load_catalog().spec("jp.boj.call_rate")
    assert spec.gap is not None
    title = rows["jp.boj.call_rate"][1]
    assert "no data" in title
    assert spec.gap in title


@pytest.mark.usefixtures("cw_home")
def test_series_list_never_cuts_an_id_when_piped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped, the output console is 140 columns wide (cli/common.py); every id must still be
    printed whole so that ``carrywatch series list | grep`` finds it."""
    monkeypatch.setattr(cli.out, "width", 140)

    assert main(["series", "list"]) == 0

    first_cells = set(_rows(capsys.readouterr().out))
    cut = sorted(sid for sid in load_catalog().series if sid not in first_cells)
    assert cut == [], f"ids cut or wrapped: {cut}"


# -- series show -----------------------------------------------------------------------


@pytest.mark.usefixtures("cw_home")
def test_series_show_json_carries_values_and_provenance(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*SHOW_AUG, "--format", "json"]) == 0

    records = json.loads(capsys.readouterr().out)
    assert {r["obs_date"]: r["value"] for r in records} == DGS10_AUG_2024
    for record in records:
        assert {"obs_date", "value", "source", "origin", "retrieved_at", "url"} <= set(record)
        assert record["series_id"] == "us.ust.10y"
        assert record["source"] == "fred"
        assert record["origin"] == "snapshot"
        assert record["url"] in DGS10_URLS
        assert record["retrieved_at"].endswith("Z")
    assert [r["obs_date"] for r in records] == sorted(DGS10_AUG_2024)


@pytest.mark.usefixtures("cw_home")
def test_series_show_csv_has_a_header_and_one_row_per_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*SHOW_AUG, "--format", "csv"]) == 0

    text = capsys.readouterr().out
    header = text.splitlines()[0]
    assert header == (
        "series_id,obs_date,value,source,origin,retrieved_at,known_from,url,released,release_rule"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["obs_date"]: float(r["value"]) for r in rows} == DGS10_AUG_2024
    assert {r["origin"] for r in rows} == {"snapshot"}
    # Market data is known at the day's close: released on its obs_date.
    assert all(r["released"] == r["obs_date"] for r in rows)
    assert {r["release_rule"] for r in rows} == {"usual lag of 0 days"}


@pytest.mark.usefixtures("cw_home", "wide")
def test_series_show_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SHOW_AUG) == 0  # table is the default format

    out = capsys.readouterr().out
    assert "us.ust.10y (percent)" in out
    rows = _rows(out)
    assert set(DGS10_AUG_2024) <= set(rows)
    day = rows["2024-08-05"]
    assert day[1:6] == ["3.78", "2024-08-05", "usual lag of 0 days", "snapshot", "fred"]
    assert day[7] in DGS10_URLS


@pytest.mark.usefixtures("cw_home")
def test_series_show_asof_ends_at_that_date(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["series", "show", "us.ust.10y", "--start", "2024-08-01", "--asof", "2024-08-05"]
    assert main([*args, "--format", "json"]) == 0

    records = json.loads(capsys.readouterr().out)
    assert [r["obs_date"] for r in records] == ["2024-08-01", "2024-08-02", "2024-08-05"]
    assert records[-1]["value"] == 3.78


@pytest.mark.usefixtures("cw_home")
def test_series_show_known_at_before_the_snapshot_was_taken_is_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*SHOW_AUG, "--known-at", "2020-01-01", "--format", "json"]) == 0

    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "no observations of us.ust.10y in that view" in _flat(captured.err)


@pytest.mark.usefixtures("cw_home")
def test_series_show_a_series_without_data_explains_the_gap(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["series", "show", "jp.boj.call_rate", "--format", "csv"]) == 0

    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) <= 1  # a header at most, no rows
    assert "refresh --source boj" in _flat(captured.err)


@pytest.mark.usefixtures("cw_home")
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["series", "show", "us.ust.10y", "--start", "2024-13-01"], "--start '2024-13-01'"),
        (["series", "show", "us.ust.10y", "--end", "09/08/2024"], "--end '09/08/2024'"),
        (["series", "show", "us.ust.10y", "--asof", "yesterday"], "--asof 'yesterday'"),
        (["series", "show", "us.ust.10y", "--known-at", "noon"], "--known-at 'noon'"),
        (["brief", "--asof", "2024-8-5"], "--asof '2024-8-5'"),
    ],
)
def test_an_invalid_date_exits_1_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    assert main(args) == 1

    captured = capsys.readouterr()
    message = _flat(captured.err)
    assert message.startswith("error: ")
    assert fragment in message
    assert "YYYY-MM-DD" in message
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.usefixtures("cw_home")
def test_an_unknown_series_suggests_the_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "show", "us.ust.10"]) == 1

    message = _flat(capsys.readouterr().err)
    assert "unknown series id 'us.ust.10'" in message
    assert "did you mean us.ust.10y" in message


# -- sources ---------------------------------------------------------------------------


@pytest.mark.usefixtures("home", "wide")
def test_sources_lists_every_source_with_its_origin_and_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARRYWATCH_BOJ_ORIGIN", "http://127.0.0.1:8765")

    assert main(["sources"]) == 0

    rows = _rows(capsys.readouterr().out)
    assert len(SOURCE_NAMES) == 14
    assert set(SOURCE_NAMES) <= set(rows)
    for name in SOURCE_NAMES:
        assert rows[name][2] == f"CARRYWATCH_{name.upper()}_ORIGIN"
        assert rows[name][1].startswith("https://")
    # Providers' real origins (ARCHITECTURE.md: a local server can stand in for any).
    assert rows["fred"][1:3] == ["https://fred.stlouisfed.org", "CARRYWATCH_FRED_ORIGIN"]
    assert rows["japan_mof"][1:3] == ["https://www.mof.go.jp", "CARRYWATCH_JAPAN_MOF_ORIGIN"]
    assert rows["fiscaldata"][1] == "https://api.fiscaldata.treasury.gov"
    # The origin in force follows the environment.
    assert rows["boj"][3] == "http://127.0.0.1:8765"
    assert rows["fred"][3] == "https://fred.stlouisfed.org"


@pytest.mark.usefixtures("home")
def test_sources_rejects_a_malformed_override(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARRYWATCH_FRED_ORIGIN", "http://127.0.0.1:8765/fred")

    assert main(["sources"]) == 1

    assert "CARRYWATCH_FRED_ORIGIN" in _flat(capsys.readouterr().err)


# -- brief -----------------------------------------------------------------------------


@pytest.mark.usefixtures("cw_home", "wide")
def test_brief_asof_shows_the_real_values_of_that_day(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["brief", "--asof", "2024-08-05", "--out", str(tmp_path)]) == 0

    out = capsys.readouterr().out
    assert "as of 2024-08-05" in out
    rows = _rows(out)
    # MOF jgbcm R6.8.5 = 2024-08-05: 10y 0.781; FRED DGS10 3.78: spread 2.999 pp.
    assert rows["US-Japan 10y spread"][1:2] == ["2.999 pp"]
    assert rows["US-Japan 10y spread"][4] == "2024-08-05"
    # PROVENANCE section 1: DEXJPUS 2024-08-05 = 143.95.
    assert rows["USD/JPY"][1] == "143.95 JPY per USD"
    document = json.loads((tmp_path / "brief.json").read_text())
    assert set(METRIC_KEYS) == set(document["metrics"])
    for key, metric in document["metrics"].items():
        if metric["obs_date"] is not None:
            assert metric["obs_date"] <= "2024-08-05", key


@pytest.mark.usefixtures("cw_home", "wide")
def test_brief_without_asof_is_as_of_the_last_date_with_all_core_market_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["brief", "--out", str(tmp_path)]) == 0

    out = capsys.readouterr().out
    # The Fed target range (DFEDTARU) and Yahoo USD/JPY end on 2026-06-05 in the snapshot.
    assert "as of 2026-06-05" in out
    document = json.loads((tmp_path / "brief.json").read_text())
    assert document["asof"] == "2026-06-05"
    # DGS10 2026-06-05 = 4.55 (Jellydidy/macro-watch data/fred/DGS10.csv).
    assert document["metrics"]["yield.us.10y"]["value"] == 4.55
    # The BOJ's last decision by then: 2026-04-28, held at around 0.75%
    # (boj_policy_decisions.csv); the 2026-06-16 hike to 1.0% comes after the date.
    boj = document["metrics"]["policy.boj.rate"]
    assert (boj["value"], boj["obs_date"]) == (0.75, "2026-04-28")


#: What only fetching or serving commands use: a cold brief must not load any of it.
FETCHING = (
    "httpx",
    "httpcore",
    "carrywatch.ingest",
    "carrywatch.sources",
    "carrywatch.report.server",
)
BRIEF_ARGS = ("--asof", "2024-08-05", "--out")
_LOADED = """
import sys
from carrywatch.cli import main
code = main(sys.argv[1:])
loaded = [m for m in sys.modules for f in {fetching!r} if m == f or m.startswith(f + ".")]
print(sorted(loaded))
sys.exit(code)
"""


def test_brief_loads_no_fetching_code_and_reads_no_origin_override(
    cw_home: Path, tmp_path: Path
) -> None:
    """A cold brief imports only what it uses, and an origin override (used by fetching
    commands only, and malformed here) does not stop it."""
    env = {**os.environ, "CARRYWATCH_HOME": str(cw_home), "CARRYWATCH_FRED_ORIGIN": "nope"}
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(fetching=FETCHING), "brief", *BRIEF_ARGS, str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert (out / "brief.html").is_file()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (769196.0, "769,196"),
        (6747378.0, "6,747,378"),
        (0.781, "0.781"),
        (143.95, "143.95"),
        (-0.014, "-0.014"),
        (21191.9, "21,191.90"),
        (-73460.0, "-73,460"),
        (3.78, "3.78"),
    ],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text


# -- errors and --debug ----------------------------------------------------------------

BAD_START = ["series", "show", "us.ust.10y", "--start", "2024-13-01"]


@pytest.mark.usefixtures("cw_home")
def test_an_error_is_one_line_without_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    assert main(BAD_START) == 1

    captured = capsys.readouterr()
    assert captured.err == "error: --start '2024-13-01' is not a date; use YYYY-MM-DD\n"
    assert captured.out == ""


@pytest.mark.usefixtures("cw_home")
def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", *BAD_START]) == 1

    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "ConfigError" in err
    assert err.rstrip().splitlines()[-1].startswith("error: --start '2024-13-01'")

    # --debug does not stick to the next command.
    assert main(BAD_START) == 1
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.usefixtures("cw_home")
def test_a_usage_error_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["series", "show", "us.ust.10y", "--format", "xml"]) == 1

    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "xml" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("cw_home")
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["series", "show", "us.ust.10y", "--start", "2024-08-09", "--end", "2024-08-01"],
            "--start 2024-08-09 is after --end 2024-08-01",
        ),
    ],
)
def test_a_span_that_runs_backwards_is_one_line_not_an_empty_answer(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    # An empty table would read as "no data" when the question was the mistake.
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: {words}: give the earlier date as {argv[-4]}\n"
    assert captured.out == ""


@pytest.mark.usefixtures("cw_home")
def test_odds_show_cme_published_tables_and_single_outcome_histories(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The snapshot's target range ends before July 2026, so it is given (DFEDTARL/U held
    # 3.50-3.75% from the 2025-12-10 cut to the 2026-07-29 meeting).
    argv = ["odds", "fed", "--asof", "2026-07-20", "--target-range", "3.50,3.75", "--json"]
    assert main(argv) == 0
    stored = json.loads(capsys.readouterr().out)["stored"]
    july = stored["cme_fedwatch_published"][0]
    # PROVENANCE.md section 12's spot check of CME's page saved on 2026-07-20: the
    # 2026-07-29 meeting at 350-375 with 85.6%.
    assert (july["meeting"], july["published_on"]) == ("2026-07-29", "2026-07-20")
    assert {p["range"]: p["probability"] for p in july["probabilities"]}["3.5-3.75%"] == (
        pytest.approx(0.856)
    )
    # Polymarket's and Kalshi's recorded histories hold the "no change" outcome only: shown
    # dated, never as a whole distribution. PROVENANCE.md: Polymarket 0.075 at its last
    # row, 2025-12-06 23:30 ET, which is 2025-12-07 04:30 UTC (the store's day is UTC's).
    assert main(["odds", "fed", "--asof", "2025-12-07", "--json"]) == 0
    quotes = json.loads(capsys.readouterr().out)["stored"]["market_quotes"]
    poly = next(q for q in quotes if q["venue"] == "polymarket")
    assert (poly["meeting"], poly["outcome"], poly["quoted_on"]) == (
        "2025-12-10",
        "hold",
        "2025-12-07",
    )
    assert poly["probability"] == pytest.approx(0.075)
