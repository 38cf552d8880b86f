"""Render the brief as of a date and save a full-page screenshot (``docs/brief.png``).

Builds the brief from a fresh store seeded from the embedded snapshot (no network),
writes it into a temporary folder, opens ``brief.html`` in headless Chromium (Debian's
``/usr/bin/chromium``, driven by Playwright) 1400 px wide, waits until every chart is
drawn, and saves a full-page PNG. Console errors are printed and make the exit code 1.

Needs the ``playwright`` Python package (dev extras) and Debian's ``chromium`` package;
Playwright's own browser download is not used.

Usage::

    python scripts/screenshot_brief.py [--asof 2024-08-05] [--out docs/brief.png]
                                       [--chromium /usr/bin/chromium] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.report.render import build_report, write_report

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
WIDTH = 1400


def screenshot(html: Path, out: Path, *, chromium: Path) -> list[str]:
    """Open ``html``, wait for every chart, save a full-page PNG to ``out``; returns the
    console errors and page errors seen."""
    sync_api: Any = importlib.import_module("playwright.sync_api")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('div.plot').length === "
                "document.querySelectorAll('div.plot.js-plotly-plot').length",
                timeout=30_000,
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asof", type=date.fromisoformat, default=date(2024, 8, 5))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "brief.png")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--keep", type=Path, help="write the brief here instead of a temp folder")
    args = parser.parse_args(argv)
    if not args.chromium.is_file():
        print(f"no Chromium at {args.chromium}: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="carrywatch-shot-") as tmp:
        folder = args.keep or Path(tmp) / "brief"
        with carrywatch.open_store(Path(tmp) / "home") as store:
            report = build_report(store, load_catalog(), args.asof)
        paths = write_report(report, folder)
        errors = screenshot(paths.html, args.out, chromium=args.chromium)
    for error in errors:
        print(f"console error: {error}", file=sys.stderr)
    print(f"{args.out} (brief as of {args.asof})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
