"""The brief (HTML page, brief.json, terminal summary) built on the embedded snapshot.

Two briefs are built once for the module, as of 2024-08-05 (the day of the yen-carry
sell-off) and 2025-01-24 (the BOJ's hike to 0.5%). Expected values are read from the
source files as recorded in the snapshot:
  2024-08-05: DGS10 3.78, MOF JGB 10y 0.781 (R6.8.5) -> spread 2.999 pp; DEXJPUS 143.95;
              BOJ target 0.25 decided 2024-07-31 (events.toml).
  2025-01-24: DGS10 4.63, MOF JGB 10y 1.238 (R7.1.24) -> spread 3.392 pp;
              BOJ target 0.5 decided 2025-01-24 (events.toml).
"""

from __future__ import annotations

import io
import json
import marshal
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import plotly.offline  # type: ignore[import-untyped]  # plotly ships no type information
import pytest
from jinja2.bccache import bc_magic
from rich.console import Console

import carrywatch
from carrywatch.api import write_brief
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.report import render
from carrywatch.report.elements import MetricsAt, MetricValues
from carrywatch.report.inputs import BriefInputs
from carrywatch.report.metrics import METRIC_KEYS, headline_metrics
from carrywatch.report.model import Report
from carrywatch.report.render import (
    DEFAULT_SEED,
    BriefPaths,
    build_report,
    render_html,
    report_json,
    terminal_summary,
    write_report,
)
from carrywatch.report.scenarios import UNWIND_READS, unwind_section
from carrywatch.report.sections import HEADLINE_KEYS, SECTION_READS
from carrywatch.store import newest
from carrywatch.store.sqlite import Store

AUG5 = date(2024, 8, 5)
JAN24 = date(2025, 1, 24)


@dataclass(frozen=True)
class Built:
    report: Report
    paths: BriefPaths
    doc: dict[str, Any]
    html: str


@pytest.fixture(scope="module")
def briefs(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[date, Built]:
    out: dict[date, Built] = {}
    with carrywatch.open_store(seeded) as store:
        for day in (AUG5, JAN24):
            report = build_report(store, load_catalog(), day)
            paths = write_report(report, tmp_path_factory.mktemp(f"brief-{day}"))
            doc = json.loads(paths.json.read_text("utf-8"), parse_constant=_no_constants)
            out[day] = Built(report, paths, doc, paths.html.read_text("utf-8"))
    return out


def _no_constants(name: str) -> None:
    raise AssertionError(f"brief.json holds {name}: not valid JSON")


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _figures(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in doc["sections"]:
        yield from section["figures"]


# --- brief.json -----------------------------------------------------------------------------


@pytest.mark.parametrize("day", [AUG5, JAN24])
def test_json_metrics_are_the_headline_metrics_of_the_day(
    briefs: dict[date, Built], seeded: Path, day: date
) -> None:
    doc = briefs[day].doc
    with carrywatch.open_store(seeded) as store:
        expected = headline_metrics(store, load_catalog(), day).to_json()
    assert doc["asof"] == day.isoformat() == expected["asof"]
    assert doc["metrics"] == expected["metrics"]
    assert list(doc["metrics"]) == list(METRIC_KEYS)
    assert {"asof", "metrics", "sections"} <= set(doc)


@pytest.mark.parametrize("day", [AUG5, JAN24])
def test_json_is_the_report_laid_out_for_reading(briefs: dict[date, Built], day: date) -> None:
    report = briefs[day].report
    text = briefs[day].paths.json.read_text("utf-8")
    assert text == report_json(report)
    assert text.endswith("}\n")
    assert json.loads(text) == json.loads(json.dumps(report.to_json()))
    lines = text.splitlines()
    top = [line.split(":")[0].strip(' "') for line in lines if re.match(r'^  "', line)]
    assert top == ["asof", "generated_at", "seed", "metrics", "sections"]
    assert f'    "{METRIC_KEYS[0]}": {{' in lines  # one metric per key, its fields below
    assert '      "figures": [' in lines  # a section's fields one per line
    assert len(lines) < 2000  # a figure's data is one line, not one line per number
    # UTF-8 as it is: the Japanese names of MOF's tables are not escaped.
    assert "\\u" not in text
    assert re.search(r"[^\x00-\x7f]", text)


def test_json_refuses_nan(briefs: dict[date, Built], monkeypatch: pytest.MonkeyPatch) -> None:
    doc = briefs[AUG5].report.to_json()
    for bad in (float("nan"), float("inf")):
        doc["metrics"][METRIC_KEYS[0]]["value"] = bad
        monkeypatch.setattr(Report, "to_json", lambda self, doc=doc: doc)
        with pytest.raises(ValueError, match="JSON compliant"):
            report_json(briefs[AUG5].report)
    monkeypatch.setattr(Report, "to_json", lambda self: {"seed": float("nan")})
    with pytest.raises(ValueError, match="JSON compliant"):
        report_json(briefs[AUG5].report)


@pytest.mark.parametrize("day", [AUG5, JAN24])
def test_json_metrics_match_the_metrics_command(
    briefs: dict[date, Built],
    seeded: Path,
    day: date,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    assert main(["metrics", "--asof", day.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["asof"] == briefs[day].doc["asof"]
    assert printed["metrics"] == briefs[day].doc["metrics"]


def test_two_dates_give_the_values_of_those_dates(briefs: dict[date, Built]) -> None:
    aug, jan = briefs[AUG5].doc["metrics"], briefs[JAN24].doc["metrics"]
    # 3.78 - 0.781 and 4.63 - 1.238 (see the module docstring).
    assert aug["spread.us_jp.10y"]["value"] == pytest.approx(2.999, abs=1e-9)
    assert jan["spread.us_jp.10y"]["value"] == pytest.approx(4.63 - 1.238, abs=1e-9)
    assert jan["spread.us_jp.10y"]["value"] == pytest.approx(3.392, abs=1e-9)
    assert aug["fx.usdjpy"]["value"] == 143.95
    assert aug["policy.boj.rate"] == {**aug["policy.boj.rate"], "value": 0.25}
    assert jan["policy.boj.rate"]["value"] == 0.5
    assert jan["policy.boj.rate"]["obs_date"] == "2025-01-24"
    # Nothing after the as-of date is used anywhere in the page's data.
    for day, built in briefs.items():
        for figure in _figures(built.doc):
            assert figure["asof"] == day.isoformat()
            assert figure["latest_obs"] is None or figure["latest_obs"] <= day.isoformat()
        for section in built.doc["sections"]:
            for card in section["cards"]:
                assert card["obs_date"] is None or card["obs_date"] <= day.isoformat()


def test_the_changes_are_from_the_metrics_a_week_and_a_month_before(
    briefs: dict[date, Built], seeded: Path
) -> None:
    """The week's and month's values come from one pass over both days; each equals the
    metrics computed as of that day on its own (the oracle), so every change does."""
    numbers = 0
    with carrywatch.open_store(seeded) as store:
        for day, built in briefs.items():
            cards = {c["key"]: c for s in built.doc["sections"] for c in s["cards"]}
            now = headline_metrics(store, load_catalog(), day)
            for days, change in ((7, "change_1w"), (30, "change_1m")):
                before = headline_metrics(store, load_catalog(), day - timedelta(days=days))
                for key, card in cards.items():
                    if key not in METRIC_KEYS:
                        continue
                    a, b = now[key].value, before[key].value
                    expected = None if a is None or b is None else round(a - b, 10)
                    assert card[change] == expected, (day, key, change)
                    numbers += expected is not None
    assert numbers >= 20  # most headline cards have both changes on both days


def test_headline_has_six_to_eight_numbers_with_changes_and_readings(
    briefs: dict[date, Built],
) -> None:
    headline = briefs[AUG5].report.section("headline")
    assert 6 <= len(headline.cards) <= 8
    assert tuple(c.key for c in headline.cards) == HEADLINE_KEYS
    metrics = briefs[AUG5].doc["metrics"]
    for card in headline.cards:
        assert card.value == metrics[card.key]["value"]
        assert card.change_1w is not None
        assert card.change_1m is not None
        assert card.reading
    spread = headline.cards[0]
    # 2024-07-29: DGS10 4.17 - JGB 10y 1.041 = 3.129 pp, so the week's change is -0.13.
    assert spread.change_1w == pytest.approx(2.999 - 3.129, abs=1e-9)
    assert "since" in spread.reading
    assert "percentile" in spread.reading


def test_a_missing_input_is_named_not_invented(briefs: dict[date, Built]) -> None:
    # Japan CPI stops at 2024-10 in the snapshot: on 2025-01-24 it is stale (> 95 days).
    built = briefs[JAN24]
    assert built.doc["metrics"]["stance.boj.real_rate"]["value"] is None
    stance = built.report.section("stance")
    card = next(c for c in stance.cards if c.key == "stance.boj.real_rate")
    assert card.value is None
    assert card.reason is not None
    assert "jp.cpi.core" in card.reason
    assert any("jp.cpi.core" in m for m in stance.missing)
    assert 'data-metric="stance.boj.real_rate"' in built.html
    element = next(
        a for t, a in _tags(built.html) if a.get("data-metric") == "stance.boj.real_rate"
    )
    assert element["data-value"] == ""


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [AUG5, JAN24])
def test_the_page_loads_nothing_from_the_network(briefs: dict[date, Built], day: date) -> None:
    built = briefs[day]
    remote = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
    scripts = [a["src"] for t, a in _tags(built.html) if t == "script" and "src" in a]
    links = [a.get("href", "") for t, a in _tags(built.html) if t == "link"]
    assert scripts == ["plotly.min.js"]
    assert not [u for u in scripts + links if remote.match(u)]
    assert not re.search(
        r"""(src|href)\s*=\s*["']?\s*(https?:)?//[^"']*(cdn|plot\.ly)""", built.html
    )
    assert "@import" not in built.html  # no web fonts
    assert "url(" not in built.html
    js = built.paths.plotly_js
    assert js.parent == built.paths.html.parent
    assert js.stat().st_size > 1_000_000
    assert js.read_text("utf-8", errors="replace").lstrip().startswith("/**\n* plotly.js")
    # Exactly the library the installed plotly gives (the page's charts are built for it).
    assert js.read_bytes() == plotly.offline.get_plotlyjs().encode("utf-8")


def test_the_page_says_what_date_it_is_as_of(briefs: dict[date, Built]) -> None:
    html = briefs[AUG5].html
    assert "<title>carrywatch brief as of 2024-08-05</title>" in html
    assert "as of <strong>2024-08-05</strong>: observations up to that date" in html
    assert 'data-asof="2024-08-05"' in html
    assert "as of <strong>2025-01-24</strong>" in briefs[JAN24].html


@pytest.mark.parametrize("day", [AUG5, JAN24])
def test_headline_elements_carry_the_exact_json_values(
    briefs: dict[date, Built], day: date
) -> None:
    built = briefs[day]
    found = [
        (a["data-metric"], a["data-value"]) for _, a in _tags(built.html) if "data-metric" in a
    ]
    headline_ids = {a.get("id") for _, a in _tags(built.html) if "data-metric" in a}
    assert {f"metric-{k.replace('.', '-')}" for k in HEADLINE_KEYS} <= headline_ids
    assert {k for k, _ in found} >= set(HEADLINE_KEYS)
    for key, text in found:
        value = built.doc["metrics"][key]["value"]
        assert (float(text) if text else None) == value, key


def test_every_figure_has_data_or_says_why(briefs: dict[date, Built]) -> None:
    for built in briefs.values():
        for figure in _figures(built.doc):
            traces = figure["spec"].get("data", [])
            points = any(
                any(v is not None for v in t.get(axis) or [])
                for t in traces
                for axis in ("x", "y", "values")
            )
            if figure["empty_reason"]:
                notes = [a["text"] for a in figure["spec"]["layout"].get("annotations", [])]
                assert any(figure["empty_reason"][:40] in n.replace("<br>", " ") for n in notes)
            else:
                assert points, figure["key"]
            assert figure["sources"], figure["key"]
    # On 2024-08-05 every chart has data, and the charts the issue asks for are there.
    keys = {f["key"] for f in _figures(briefs[AUG5].doc) if not f["empty_reason"]}
    assert {
        "spread_vs_usdjpy",
        "liquidity_vs_risk",
        "cftc_positioning",
        "carry_index",
        "odds_by_meeting",
        "spread_history",
    } <= keys
    assert keys == {f["key"] for f in _figures(briefs[AUG5].doc)}


def test_figures_are_captioned_with_sources_dates_and_retrieval(
    briefs: dict[date, Built],
) -> None:
    built = briefs[AUG5]
    spread = next(f for f in built.report.figures if f.key == "spread_vs_usdjpy")
    assert spread.latest_obs == AUG5
    assert [p.series_id for p in spread.provenance] == ["us.ust.10y", "jp.jgb.10y", "fx.usdjpy"]
    assert all(p.origin == "snapshot" and p.retrieved_at for p in spread.provenance)
    assert "Ministry of Finance, Japan" in " ".join(spread.sources)
    caption = built.html.split('id="figure-spread_vs_usdjpy"')[1].split("</figure>")[0]
    assert "As of 2024-08-05" in caption
    assert "latest observation plotted 2024-08-05" in caption
    assert "retrieved 2026-04-27T00:00:00Z (snapshot)" in caption  # DGS10's file


def test_sections_list_the_series_they_read(briefs: dict[date, Built]) -> None:
    built = briefs[AUG5]
    catalog = load_catalog()
    sections = {s["key"]: s for s in built.doc["sections"]}
    assert list(sections) == [*SECTION_READS, "status"]
    union = list(dict.fromkeys(s for ids in SECTION_READS.values() for s in ids))
    assert sections["status"]["reads"] == union
    html_reads = {
        a["data-section"]: a["data-reads"].split()
        for _, a in _tags(built.html)
        if "data-section" in a
    }
    for key, section in sections.items():
        if key != "status":
            assert section["reads"] == list(SECTION_READS[key])
        assert html_reads[key] == section["reads"]
        catalog.specs(section["reads"])  # every id is a catalog series
        for figure in section["figures"]:
            plotted = {p["series_id"] for p in figure["provenance"]}
            assert plotted <= set(section["reads"]), (key, figure["key"])
    status = built.report.section("status").tables[0]
    assert [r[0] for r in status.rows] == union
    by_id = {r[0]: r for r in status.rows}
    assert by_id["us.tga.weekly"][6] == "stale"  # WTREGEN ends 2024-06-26 in the snapshot
    assert by_id["jp.boj.call_rate"][6] == "no data"
    assert by_id["us.ust.10y"][3:7] == ("2024-08-05", 0, 7, "fresh")
    # Released series: the newest month published by 2024-08-05 (M2: H.6 of 23 July for
    # June; TIC: 18 July for May), within a limit that allows for the release lag.
    assert by_id["us.m2"][3:7] == ("2024-06-01", 65, 96, "fresh")
    assert by_id["tic.japan.holdings"][3:7] == ("2024-05-01", 96, 118, "fresh")


def test_odds_list_upcoming_meetings_and_how_to_get_odds(briefs: dict[date, Built]) -> None:
    odds = briefs[AUG5].report.section("odds")
    table = odds.tables[0]
    firsts = {bank: next(r[1] for r in table.rows if r[0] == bank) for bank in ("FOMC", "BOJ")}
    assert firsts == {"FOMC": "2024-09-18", "BOJ": "2024-09-20"}
    assert all(r[1] > AUG5.isoformat() for r in table.rows)  # type: ignore[operator]
    assert any("carrywatch odds fed --futures FILE" in m for m in odds.missing)
    assert any("carrywatch markets refresh fed" in m for m in odds.missing)
    assert any("carrywatch markets refresh boj" in m for m in odds.missing)
    # No source priced a meeting: the chart is the timeline of meetings, not bars.
    assert {t["type"] for t in odds.figures[0].spec["data"]} == {"scatter"}


def test_event_moves_are_around_the_latest_decisions_up_to_the_date(
    briefs: dict[date, Built],
) -> None:
    events = briefs[AUG5].report.section("events")
    titles = [t.title for t in events.tables]
    assert titles[0].startswith("Around the BOJ decision of 2024-07-31: hike to 0.25%")
    assert titles[1].startswith("Around the FOMC decision of 2024-07-31: hold at 5.25-5.50%")
    usdjpy = events.tables[0].rows[0]
    # DEXJPUS 2024-07-30 153.72 -> 2024-07-31 150.38; (-1,+5) would need 2024-08-07.
    assert usdjpy[0] == "USD/JPY"
    assert usdjpy[2] == pytest.approx((150.38 / 153.72 - 1) * 100, abs=1e-6)
    assert usdjpy[4] is None
    assert any("(-1,+5) not observed by 2024-08-05" in m for m in events.missing)


def test_unwind_scenarios_state_their_seed_and_reproduce(
    briefs: dict[date, Built], seeded: Path
) -> None:
    built = briefs[AUG5]
    unwind = built.report.section("unwind")
    assert any(f"seed {DEFAULT_SEED}" in n for n in unwind.notes)
    assert any("BIS Bulletin No 90" in n for n in unwind.notes)
    with carrywatch.open_store(seeded) as store:
        catalog = load_catalog()
        inputs = BriefInputs.load(store, catalog, AUG5, UNWIND_READS)
        now = built.report.metrics
        values = MetricValues.of(now)
        again = unwind_section(inputs, MetricsAt(now, values, values), seed=DEFAULT_SEED)
    assert again.tables == unwind.tables


def test_inputs_hold_each_series_whatever_the_order_of_the_rows(seeded: Path) -> None:
    catalog = load_catalog()
    with carrywatch.open_store(seeded) as store:
        read = store.read_released(list(UNWIND_READS), asof=AUG5)
        frame = store.read(list(UNWIND_READS), asof=AUG5)
        sources = store.fetch_sources(read.rows.fetch_id)
    n = len(read)
    orders = (
        np.arange(n),
        np.random.default_rng(7).permutation(n),
        np.arange(n)[::-1],
        np.arange(0),
    )
    for order in orders:
        inputs = BriefInputs(read.take(order), sources, catalog, AUG5, UNWIND_READS)
        rows = frame.iloc[order]
        groups = {str(sid): part for sid, part in rows.groupby("series_id", sort=False)}
        assert list(inputs.observed(UNWIND_READS)) == [s for s in UNWIND_READS if s in groups]
        for sid in UNWIND_READS:
            series = inputs.series(sid)
            if sid not in groups:
                assert series.empty
                continue
            part = groups[sid]
            assert series.name == sid
            assert list(series.index) == list(part["obs_date"])
            assert series.to_numpy().tolist() == part["value"].tolist()
            provenance = inputs.provenance(sid)
            last = part.iloc[-1]
            assert provenance.last_obs == last["obs_date"].date()
            assert (provenance.source, provenance.origin, provenance.url) == (
                last["source"],
                last["origin"],
                last["url"],
            )
            assert provenance.retrieved_at == last["retrieved_at"]
            assert provenance.released == last["released"].date()
            assert provenance.release_rule == last["release_rule"]


# --- files and terminal ---------------------------------------------------------------------


def test_write_leaves_only_the_three_files_and_keeps_plotly(
    briefs: dict[date, Built], tmp_path: Path
) -> None:
    report = briefs[AUG5].report
    paths = write_report(report, tmp_path / "out")
    assert sorted(p.name for p in paths.html.parent.iterdir()) == [
        "brief.html",
        "brief.json",
        "plotly.min.js",
    ]
    before = paths.plotly_js.stat().st_mtime_ns
    again = write_report(report, tmp_path / "out")
    assert again.plotly_js.stat().st_mtime_ns == before  # unchanged library: not rewritten
    assert paths.json.read_text("utf-8") == briefs[AUG5].paths.json.read_text("utf-8")


def test_a_cold_brief_imports_no_plotly_module(seeded: Path, tmp_path: Path) -> None:
    """The figures are plain dicts and plotly.min.js is copied from the installed package
    without importing it (docs/decisions/0014-cold-brief.md): a whole brief, in a fresh
    process, loads no ``plotly`` module."""
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    code = (
        "import sys\n"
        "from carrywatch.cli import main\n"
        f"code = main(['brief', '--asof', '2024-08-05', '--out', {str(tmp_path / 'out')!r}])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'plotly'))\n"
    )
    env = {**os.environ, "CARRYWATCH_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "plotly.min.js").stat().st_size > 1_000_000


def test_the_brief_s_files_are_renamed_into_place_without_a_sync(
    briefs: dict[date, Built], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, its JSON and tables are rebuilt on every run: written whole and renamed
    (a reader never sees a part), not synced to disk file by file."""
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    paths = write_brief(briefs[AUG5].report, tmp_path / "out", template_cache=None)
    assert synced == []
    assert paths.json.read_text("utf-8") == briefs[AUG5].paths.json.read_text("utf-8")
    assert sorted(p.name for p in (tmp_path / "out" / "tables").iterdir())
    assert not list((tmp_path / "out").rglob(".*"))  # no temporary file left


@pytest.fixture
def cold_templates() -> Iterator[None]:
    """Each render starts as in a new process: no template compiled in memory yet."""
    render._environment.cache_clear()
    yield
    render._environment.cache_clear()


def _refuse_to_compile(*args: object, **kwargs: object) -> None:
    raise AssertionError("the template was compiled although its bytecode was cached")


@pytest.mark.usefixtures("cold_templates")
def test_the_brief_keeps_its_compiled_template_under_home(
    briefs: dict[date, Built], seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(seeded / "cache", ignore_errors=True)
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    assert main(["brief", "--asof", AUG5.isoformat(), "--out", str(tmp_path / "cli")]) == 0
    folder = seeded / "cache" / "jinja"
    (cached,) = folder.iterdir()
    assert cached.stat().st_size > 0
    written = cached.stat().st_mtime_ns

    # The next process loads the bytecode instead of compiling, and renders the same bytes.
    render._environment.cache_clear()
    monkeypatch.setattr(jinja2.Environment, "compile", _refuse_to_compile)
    paths = write_report(briefs[AUG5].report, tmp_path / "again", template_cache=folder)
    assert paths.html.read_bytes() == briefs[AUG5].paths.html.read_bytes()
    assert cached.stat().st_mtime_ns == written  # read, not rewritten
    assert [p.name for p in folder.iterdir()] == [cached.name]


def _read_only(folder: Path) -> None:
    folder.mkdir(parents=True)
    folder.chmod(0o555)  # root writes anyway: then this is the plain, writable case


def _file_in_the_way(folder: Path) -> None:
    folder.parent.parent.mkdir(parents=True)
    folder.parent.write_text("not a folder")


def _gone_after_start(folder: Path) -> None:
    render._environment(folder)  # the folder is made, then replaced by a file
    folder.rmdir()
    folder.write_text("not a folder")


def _damaged_file(folder: Path) -> None:
    render._environment(folder).get_template(render.TEMPLATE)
    render._environment.cache_clear()
    for cached in folder.iterdir():  # Jinja's header, then no valid checksum or code
        cached.write_bytes(bc_magic + b"damaged")


def _not_code(folder: Path) -> None:
    render._environment(folder).get_template(render.TEMPLATE)
    render._environment.cache_clear()
    for cached in folder.iterdir():  # a valid header and checksum over a number, not code
        body = io.BytesIO(cached.read_bytes()[len(bc_magic) :])
        checksum = pickle.load(body)
        cached.write_bytes(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(42))


@pytest.mark.usefixtures("cold_templates")
@pytest.mark.parametrize(
    "spoil", [_read_only, _file_in_the_way, _gone_after_start, _damaged_file, _not_code]
)
def test_an_unusable_template_cache_only_means_compiling(
    briefs: dict[date, Built], tmp_path: Path, spoil: Callable[[Path], None]
) -> None:
    folder = tmp_path / "home" / "cache" / "jinja"
    spoil(folder)
    try:
        html = render_html(briefs[AUG5].report, template_cache=folder)
    finally:
        if folder.is_dir():
            folder.chmod(0o755)
    assert html.encode("utf-8") == briefs[AUG5].paths.html.read_bytes()
    if spoil is _read_only and os.geteuid() != 0:
        assert list(folder.iterdir()) == []


def test_terminal_summary_shows_the_headline_and_the_page(briefs: dict[date, Built]) -> None:
    built = briefs[AUG5]
    console = Console(record=True, width=220, color_system=None)
    console.print(terminal_summary(built.report, built.paths.html))
    text = console.export_text()
    assert "carrywatch brief as of 2024-08-05" in text
    for shown in ("2.999 pp", "143.95", "-73,460"):
        assert shown in text
    assert str(built.paths.html.resolve()) in text.replace("\n", "")


def test_no_section_calls_stale_what_the_status_table_calls_fresh(
    seeded: Path, tmp_path: Path
) -> None:
    # A store a refresh has not yet brought up to date (hypothetical, made from the real
    # one): without CFTC's 2024-07-30 report the newest is 2024-07-23, 13 days old on
    # 2024-08-05 and 16 on 2024-08-08; without June's M2 the newest is May's, 96 days old
    # on 2024-08-05. All within their release-aware limits (17 and 96 days), so every
    # section must call them fresh, as the status table does.
    shutil.copytree(seeded, tmp_path / "home")
    path = tmp_path / "home" / "carrywatch.sqlite"
    gone = [("cftc.jpy.noncommercial_net", "2024-07-30"), ("us.m2", "2024-06-01")]
    with Store.open(path) as edited, edited.transaction() as db:
        for sid, obs_date in gone:
            db.execute(
                "DELETE FROM observations WHERE series_id = ? AND obs_date = ?", (sid, obs_date)
            )
        newest.rebuild(db, [sid for sid, _ in gone])
    for day, expected_fresh in (
        (date(2024, 8, 5), {"cftc.jpy.noncommercial_net", "us.m2"}),
        (date(2024, 8, 8), {"cftc.jpy.noncommercial_net"}),  # May's M2 is 99 days old
    ):
        with Store.open(path) as store:
            report = build_report(store, load_catalog(), day)
        status = report.section("status").tables[0]
        fresh = {str(r[0]) for r in status.rows if r[6] == "fresh"}
        assert expected_fresh <= fresh
        said = [m for s in report.sections for m in s.missing] + [
            c.reason or "" for s in report.sections for c in s.cards
        ]
        contradicted = sorted(sid for sid in fresh for m in said if f"{sid} is stale" in m)
        assert contradicted == [], (day, [m for m in said if "is stale" in m])
        assert report.metrics["positioning.cftc.jpy_net"].obs_date == date(2024, 7, 23)
