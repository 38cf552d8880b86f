"""The brief opened in a real headless Chromium: no errors, every chart drawn with data,
the headline numbers on the page equal to brief.json, nothing fetched but local files.

Uses Debian's ``/usr/bin/chromium`` through the Python ``playwright`` package (not
Playwright's own browser download). Skipped, with the reason, where either is missing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.report.render import BriefPaths, build_report, write_report
from carrywatch.report.sections import HEADLINE_KEYS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ASOF = date(2024, 8, 5)

sync_api: Any = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright package is not installed (dev extras: playwright)",
)
if not CHROMIUM.is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True
    )

#: Per chart: its id, the number of traces, and the data points of each trace.
_PLOTS_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
  id: el.id,
  traces: (el.data || []).length,
  points: (el.data || []).map(t => {
    const values = t.y || t.values || t.x || [];
    return Array.from(values).filter(v => v !== null && v !== undefined && v !== '').length;
  }),
  drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
}))
"""
_METRICS_JS = """
() => Array.from(document.querySelectorAll('[data-metric]')).map(el => [
  el.dataset.metric, el.dataset.value, el.id || ''
])
"""


class Loaded:
    def __init__(self, paths: BriefPaths) -> None:
        self.paths = paths
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.plots: list[dict[str, Any]] = []
        self.metrics: list[list[str]] = []
        self.n_plot_divs = 0


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    home = tmp_path_factory.mktemp("browser-home")
    with carrywatch.open_store(home) as store:
        report = build_report(store, load_catalog(), ASOF)
    result = Loaded(write_report(report, tmp_path_factory.mktemp("browser-brief")))
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on(
                "console",
                lambda m: result.errors.append(f"console: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: result.errors.append(f"page: {e}"))
            page.on("request", lambda r: result.requests.append(r.url))
            page.goto(result.paths.html.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('div.plot').length > 0 && "
                "document.querySelectorAll('div.plot').length === "
                "document.querySelectorAll('div.plot.js-plotly-plot').length",
                timeout=30_000,
            )
            result.n_plot_divs = page.evaluate("document.querySelectorAll('div.plot').length")
            result.plots = page.evaluate(_PLOTS_JS)
            result.metrics = page.evaluate(_METRICS_JS)
        finally:
            browser.close()
    return result


def test_no_console_or_page_errors(loaded: Loaded) -> None:
    assert loaded.errors == []


def test_only_local_files_are_requested(loaded: Loaded) -> None:
    assert loaded.requests, "the page made no request at all: was it loaded?"
    assert [u for u in loaded.requests if not u.startswith(("file://", "data:", "blob:"))] == []
    assert any(u.endswith("/plotly.min.js") for u in loaded.requests)


def test_every_chart_is_drawn_with_data(loaded: Loaded) -> None:
    figures = [
        f
        for s in json.loads(loaded.paths.json.read_text("utf-8"))["sections"]
        for f in s["figures"]
    ]
    assert len(loaded.plots) == loaded.n_plot_divs == len(figures) >= 5
    for plot in loaded.plots:
        assert plot["traces"] >= 1, plot["id"]
        assert max(plot["points"]) > 0, plot["id"]
        assert plot["drawn"] >= 1, plot["id"]


def test_headline_numbers_on_the_page_equal_brief_json(loaded: Loaded) -> None:
    metrics = json.loads(loaded.paths.json.read_text("utf-8"))["metrics"]
    seen = {key for key, _, _ in loaded.metrics}
    assert set(HEADLINE_KEYS) <= seen
    headline = {key for key, _, element_id in loaded.metrics if element_id}
    assert headline == set(HEADLINE_KEYS)
    for key, text, _ in loaded.metrics:
        assert (float(text) if text else None) == metrics[key]["value"], key
    assert {k: v for k, v, i in loaded.metrics if i}["spread.us_jp.10y"] == "2.999"
