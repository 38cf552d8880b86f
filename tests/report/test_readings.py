"""Readings that find the story, change colours that follow meaning, and the fiscal table
written as MOF writes it, on real dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.report.formats import YEN_MEANING, change_meaning
from carrywatch.report.model import Report
from carrywatch.report.render import build_report, render_html

DEC5 = date(2025, 12, 5)
AUG5 = date(2024, 8, 5)


@pytest.fixture(scope="module")
def reports(seeded: Path) -> dict[date, Report]:
    with carrywatch.open_store(seeded) as store:
        return {day: build_report(store, load_catalog(), day) for day in (DEC5, AUG5)}


def _card(report: Report, section: str, key: str) -> str:
    return next(c.reading for c in report.section(section).cards if c.key == key)


def test_the_spread_card_of_2025_12_05_leads_with_the_multi_year_low(
    reports: dict[date, Report],
) -> None:
    # The spread was 2.163 pp on 2025-12-03 (DGS10 4.06 - JGB 10y 1.897), the lowest
    # since 2022-03-31; the card used to say "highest since 2025-12-02".
    for section in ("headline", "rates"):
        reading = _card(reports[DEC5], section, "spread.us_jp.10y")
        assert reading.startswith("2.163 pp on 2025-12-03 was the lowest since 2022-03-31")
        assert "now 2.189 pp" in reading
        assert "highest since 2025-12-02" not in reading


def test_the_crash_day_reads_the_lows_and_the_yen_move(reports: dict[date, Report]) -> None:
    spread = _card(reports[AUG5], "headline", "spread.us_jp.10y")
    assert spread.startswith("2.826 pp on 2024-08-02 was the lowest since 2022-08-26")
    yen = _card(reports[AUG5], "headline", "fx.usdjpy")
    # 153.96 (2024-07-29) to 143.95 yen per dollar: the yen 7.0 % stronger in five days.
    assert yen.startswith("yen 7.0% stronger in 5 days")
    assert "yen strongest since 2024-01-08" in yen


def test_yen_words_and_percentile_speak_of_the_same_quantity(
    reports: dict[date, Report],
) -> None:
    # As of 2025-12-05 USD/JPY 155.30 is high in its history: the yen is weak, so the
    # yen's strength percentile is low (it was printed as the 96th, USD/JPY's own).
    yen = _card(reports[DEC5], "headline", "fx.usdjpy")
    assert "yen strength: 1st percentile since 2000-01-03" in yen
    assert "strongest since 2025-11-14" in yen


def test_colours_follow_meaning_not_sign() -> None:
    # A falling spread narrows the gap (teal); a falling USD/JPY is a stronger yen (teal);
    # a rising BOJ rate narrows the gap (teal); a rising Fed rate widens it (red).
    assert change_meaning(-0.13, "spread.us_jp.10y") == "yen-firmer"
    assert change_meaning(-10.0, "fx.usdjpy") == "yen-firmer"
    assert change_meaning(+0.25, "policy.boj.rate") == "yen-firmer"
    assert change_meaning(+0.25, "policy.fed.upper") == "yen-softer"
    assert change_meaning(+5.0, "fx.usdjpy") == "yen-softer"
    assert change_meaning(+100.0, "liquidity.net") == ""
    assert change_meaning(0.0, "fx.usdjpy") == ""
    assert change_meaning(None, "fx.usdjpy") == ""
    assert set(YEN_MEANING.values()) == {-1, +1}


def test_the_page_colours_by_meaning_and_shows_the_legend(reports: dict[date, Report]) -> None:
    html = render_html(reports[AUG5])
    assert 'class="legend"' in html
    assert "Colours of changes follow their meaning" in html
    # The 10y spread fell 13 bp in the week to 2024-08-05: a narrowing, in teal.
    start = html.index('data-metric="spread.us_jp.10y"')
    card = html[start : html.index('<div class="reading">', start)]
    assert '<span class="yen-firmer">-13 bp</span>' in card
    assert 'class="up"' not in html
    assert 'class="down"' not in html


def test_the_fiscal_table_shows_mofs_two_pp_year_one(reports: dict[date, Report]) -> None:
    # MOF (January 2023, the source the section cites): +2 pp adds 1.5, 4.0, 7.2 tn yen.
    # The table showed 1.40 for year 1; it is now 1.475 written to MOF's 0.1 tn: 1.5.
    table = reports[DEC5].section("fiscal").tables[0]
    row = next(r for r in table.rows if r[0] == "+2 pp (MOF case)")
    written = [format(cell, spec) for cell, spec in zip(row[2:], table.formats[2:], strict=True)]
    assert written == ["1.5", "4.0", "7.2"]
    assert "MOF case" in render_html(reports[DEC5])
