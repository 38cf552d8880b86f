"""The claim check: the grammar on real commentary, the judge against the real store, the
``check`` command end to end on the seed article (tests/payloads/articles/README.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.claims.article import read_article
from carrywatch.claims.grammar import Claim, find_claims
from carrywatch.claims.numbers import find_numbers
from carrywatch.claims.structured import read_claims_file
from carrywatch.claims.verdicts import Judgement, judge, series_needed
from carrywatch.claims.windows import Window
from carrywatch.cli import main
from carrywatch.errors import ConfigError
from carrywatch.store.sqlite import Store

PAYLOADS = Path(__file__).parent / "payloads" / "articles"
SEED = PAYLOADS / "000_fb0d42cc606751de.txt"
SEED_DATE = date(2025, 12, 5)  # the page's own timestamp, "2025/12/05 10:09"

# --- numbers as commentary writes them ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit", "rounding"),
    [
        ("at 3.72%", 3.72, "percent", 0.005),
        ("a target of 3-3/4%", 3.75, "percent", 0.125),  # quarters: exact to an eighth
        ("holding $11.89 trillion in", 11890.0, "usd", 5.0),  # usd_bn
        ("to 1.81 percentage points", 1.81, "pp", 0.005),
        ("a 25 basis point cut", 25.0, "bp", 0.5),
        ("up 10 bps", 10.0, "bp", 0.5),
        ("the 43rd consecutive month", 43.0, "count", 0.5),
        ("$9 trillion", 9000.0, "usd", 500.0),
        ("0.75 per cent", 0.75, "percent", 0.005),
    ],
)
def test_numbers_keep_their_unit_and_rounding(
    text: str, value: float, unit: str, rounding: float
) -> None:
    (number,) = find_numbers(text)
    assert number.value == pytest.approx(value)
    assert number.unit == unit
    assert number.rounding == pytest.approx(rounding)


def test_years_tenors_and_ranges() -> None:
    assert find_numbers("the 10-year yield since 2015 in Q3") == []
    (band,) = find_numbers("in the range of 3.7%-3.9% by year-end")
    assert (band.value, band.upper, band.unit) == (3.7, 3.9, "percent")


# --- the grammar on real sentences of other commentary ------------------------------------


def _claims(text: str, day: date) -> list[tuple[str, str, float, str]]:
    return [(c.quantity, c.kind, round(c.claimed, 6), c.written) for c in find_claims(text, day)]


def test_grammar_on_forexlive_2022_12_19() -> None:
    # forexlive.com, "10 year yield higher and leading to more stock woes", 2022-12-19.
    # The move is a change in points ("about": to a whole basis point), the level a level.
    text = "US 10 year yields are up about 10 basis points to 3.58%."
    assert _claims(text, date(2022, 12, 19)) == [
        ("us.ust.10y", "change_abs", 0.1, "10 basis points"),
        ("us.ust.10y", "level", 3.58, "3.58%"),
    ]


def test_grammar_on_nbc_2025_04_21() -> None:
    # nbcmiami.com (CNBC), "10-year Treasury yield rises as investors weigh Trump's
    # criticism of Powell", Monday 2025-04-21. The moves in bp are not levels of a yield
    # and no change verb precedes them: only the two levels are claims.
    text = (
        "The benchmark 10-year Treasury yield was 8 basis points higher at 4.409%. "
        "The 2-year Treasury yield was 3 basis points lower to 3.764%."
    )
    assert _claims(text, date(2025, 4, 21)) == [
        ("us.ust.10y", "level", 4.409, "4.409%"),
        ("us.ust.2y", "level", 3.764, "3.764%"),
    ]


def test_grammar_on_cnbc_2023_10_03() -> None:
    # infotechorlando.com citing CNBC, "More than 100 points are lost by the Dow as
    # Treasury rates reach multi-year highs", Tuesday 2023-10-03.
    text = "The Nasdaq Composite fell 0.7%, and the S&P 500 fell 0.5%."
    assert _claims(text, date(2023, 10, 3)) == [
        ("us.nasdaq", "change_pct", -0.7, "0.7%"),
        ("us.sp500", "change_pct", -0.5, "0.5%"),
    ]


def test_grammar_on_ians_2025_12_19() -> None:
    # ianslive.in (IANS), "BOJ hikes interest rates to 30-year high at 0.75 pc", 2025-12-19.
    text = (
        "The Bank of Japan (BOJ) has raised its key policy interest rate to 0.75 per cent, "
        "the highest level seen since September 1995."
    )
    assert _claims(text, date(2025, 12, 19)) == [
        ("jp.boj.policy_rate", "level", 0.75, "0.75 per cent")
    ]


def test_grammar_on_tjt_capital_2024_08() -> None:
    # tjtcapital.com, a market review of August 2024 (published after the month's end).
    day = date(2024, 9, 3)
    text = (
        "The catalyst was the Bank of Japan (BOJ) raising interest rates to 25 basis points "
        "(0.25%)—the highest in seventeen years. Despite the early decline, the S&P 500 "
        "index ended August with a 2.2 percent gain."
    )
    claims = find_claims(text, day)
    assert [(c.quantity, c.kind, c.unit, round(c.claimed, 6)) for c in claims] == [
        ("jp.boj.policy_rate", "level", "percent", 0.25),  # "to 25 basis points": a level
        ("jp.boj.policy_rate", "level", "percent", 0.25),
        ("us.sp500", "change_pct", "percent", 2.2),
    ]
    assert claims[-1].window is not None
    assert (claims[-1].window.start, claims[-1].window.end) == (date(2024, 8, 1), date(2024, 8, 31))


def test_grammar_on_ibafin_2024_08_06() -> None:
    # ibafin.com, "A volatile week kicks off with historic moves in Japanese markets",
    # 2024-08-06: an intraday extreme is said to be one, not checked against closes.
    text = (
        "This has manifested in a sharp drop in the USD/JPY pair, which briefly fell below "
        "the 142 mark."
    )
    (claim,) = find_claims(text, date(2024, 8, 6))
    assert claim.quantity == "fx.usdjpy"
    assert claim.ambiguity == "an intraday value; the store holds daily closes"


def test_a_rate_decision_in_points_and_its_level(store: Store) -> None:
    # trends.glance.com (News18), Friday 2025-12-19: "The Bank of Japan (BoJ) on Friday
    # raised its key policy interest rate by 25 basis points to 0.75%, marking its highest
    # level since 1995". events.toml: 0.50 -> 0.75 on 2025-12-19 (+0.25 pp); the store's
    # BOJ rate starts in 2008, so the rank since 1995 cannot be checked.
    text = (
        "The Bank of Japan (BoJ) on Friday raised its key policy interest rate by 25 basis "
        "points to 0.75%, marking its highest level since 1995."
    )
    day = date(2025, 12, 19)
    claims = find_claims(text, day)
    assert [(c.kind, c.unit, c.claimed) for c in claims] == [
        ("change_abs", "pp", 0.25),
        ("level", "percent", 0.75),
        ("rank_high", "year", 1995.0),
    ]
    judged = judge(claims, store.read(series_needed(claims)), load_catalog().series, day)
    assert [j.verdict for j in judged] == ["supported", "supported", "unverifiable"]
    assert "starts on 2008-10-31, after 1995" in judged[2].reason


def test_a_target_range_is_checked_end_by_end(store: Store) -> None:
    # marketpulse.com, "US Federal Reserve cuts rates by 25 bps", 2025-12-10, as first
    # published: "bringing the policy rate target range to 3.50% - 4.75%" (a misprint: the
    # FOMC set 3.50-3.75%). DFEDTARL/DFEDTARU from 2025-12-11 (the range is in force the
    # day after the decision): 3.50 and 3.75, so the lower end holds and the upper does not.
    text = (
        "Breaking: The Federal Reserve has voted to cut rates by 25 basis points in its "
        "December 2025 decision, bringing the policy rate target range to 3.50% - 4.75%, "
        "meeting market expectations."
    )
    day = date(2025, 12, 10)
    claims = find_claims(text, day)
    assert [(c.kind, c.claimed, c.upper) for c in claims] == [
        ("change_abs", -0.25, None),
        ("level", 3.5, 4.75),
    ]
    judged = judge(claims, store.read(series_needed(claims)), load_catalog().series, day)
    assert [j.verdict for j in judged] == ["supported", "contradicted"]
    assert "found 3.75 (us.fed.target_upper, 2026-01-01); claim 4.75" in judged[1].reason


def test_conditionals_and_questions_state_nothing() -> None:
    text = (
        "If the spread narrows to 1.5 percentage points, carry trades unwind. "
        "Is Japan's rate hike to 0.75% considered a tightening?"
    )
    assert find_claims(text, SEED_DATE) == []


def test_an_undated_baseline_is_said_to_be_ambiguous() -> None:
    text = "The Fed's balance sheet is still $2.5 trillion higher than pre-pandemic levels."
    (claim,) = find_claims(text, SEED_DATE)
    assert claim.ambiguity == "a difference from a baseline the text does not date"


# --- the seed article, end to end ---------------------------------------------------------

# Each claim found, in order: (quantity, as written, verdict). The value carrywatch finds is
# derived from the real files (the seeded store holds the same numbers):
EXPECTED_SEED = [
    # Fed cut in December, 25 bp: FOMC 2025-12-10 lowered the range to 3.50-3.75
    # (DFEDTARU 4.00 -> 3.75): a change of -0.25 pp; after the article's date, so judged
    # in hindsight.
    ("us.fed.policy_rate", "25 basis point", "supported"),
    # BOJ at 0.75% in December: calendar/boj_policy_decisions.csv 2025-12-19 "raised to
    # around 0.75%" (hindsight; on 5 December the rate was still 0.5).
    ("jp.boj.policy_rate", "0.75%", "supported"),
    # "a new high since 1995": the store's BOJ rate starts on 2008-10-31.
    ("jp.boj.policy_rate", "high since 1995", "unverifiable"),
    ("carry_trade_size", "$5 trillion", "unverifiable"),
    ("market_probability", "80%", "unverifiable"),  # no Polymarket history of this market
    # BOJ hike of 25 bp in December: 0.50 -> 0.75 on 2025-12-19.
    ("jp.boj.policy_rate", "25 basis point", "supported"),
    ("market_probability", "50%", "unverifiable"),
    ("market_probability", "85%", "unverifiable"),
    ("jp.tokyo_cpi", "3%", "unverifiable"),  # no Tokyo CPI series
    ("jp.tokyo_cpi", "43rd", "unverifiable"),
    ("jp.wages", "5%", "unverifiable"),
    ("us.fed.policy_rate", "25 basis points", "supported"),  # the same December cut
    # Fed balance sheet peak: WALCL max 8,965,487 $mn on 2022-04-13 = $8.97tn, "$9
    # trillion" holds to ±0.5.
    ("us.fed.assets", "$9 trillion", "supported"),
    # "$6.6 trillion as of November": WALCL 2025-11-26 = 6,552,419 $mn = 6,552 $bn, within
    # 6,600 ± 50.
    ("us.fed.assets", "$6.6 trillion", "supported"),
    ("us.ism_pmi", "47.8", "unverifiable"),
    # Core PCE "2.8%": PCEPILFE, the latest month published by 2025-12-05 under the 61-day
    # lag rule is October: 100 * (127.6xx / 124.2xx - 1) = 2.75, within 2.8 ± 0.05
    # (September's 126.954 / 123.466 = 2.83 would hold as well).
    ("us.core_pce_inflation", "2.8%", "supported"),
    ("us.consumer_confidence", "2.7 percentage points", "unverifiable"),
    # Federal debt "$38 trillion": GFDEBTN 2025-07-01 = 37,637,553 $mn = 37.64 $tn, ±0.5.
    ("us.federal_debt", "$38 trillion", "supported"),
    # M2 November 2025 (not yet published on 5 December; hindsight): M2SL 2025-11-01 =
    # 22,279.8 $bn, "22.3 trillion" ± 50 holds; the increase from October is 22,279.8 -
    # 22,249.8 = 30 $bn, not 130; year on year 22,279.8 / 21,454.8 - 1 = 3.85%, not 1.4%.
    ("us.m2", "$22.3 trillion", "supported"),
    ("us.m2", "$0.13 trillion", "contradicted"),
    ("us.m2", "1.4%", "contradicted"),
    ("us.equity_fundamentals", "21%", "unverifiable"),
    ("us.equity_fundamentals", "18.7%", "unverifiable"),
    # "Japan raising interest rates to 0.75%": on 2025-12-05 the BOJ rate was 0.5
    # (decided 2025-01-24, held at 2025-10-30).
    ("jp.boj.policy_rate", "0.75%", "contradicted"),
    # JGB 10y on 2025-12-05: jgbcm_all.csv R7.12.5 = 1.951, not 1.910.
    ("jp.jgb.10y", "1.910%", "contradicted"),
    # UST 10y on 2025-12-05: DGS10 = 4.14, not 3.72.
    ("us.ust.10y", "3.72%", "contradicted"),
    # Spread: 4.14 - 1.951 = 2.189 pp, not 1.81; and not the lowest since 2015: the spread
    # was 0.501 on 2020-08-04 (DGS10 0.52 - JGB 0.019).
    ("spread.us_jp.10y", "1.81 percentage points", "contradicted"),
    ("spread.us_jp.10y", "lowest level since 2015", "contradicted"),
    # Japan's Treasury holdings "$11.89 trillion": TIC mfhhis01.txt Japan September 2025
    # (the newest month out by 5 December under the 80-day lag) = 1,189.3 $bn = $1.19 tn.
    ("tic.japan.holdings", "$11.89 trillion", "contradicted"),
    ("tic.japan.net_transactions", "$12.7 billion", "unverifiable"),
    ("carry_trade_size", "$5 trillion", "unverifiable"),
    # Nasdaq on 1 December: NASDAQCOM 23,275.92 / 23,365.69 (28 Nov) - 1 = -0.38%, not -1.2%.
    ("us.nasdaq", "1.2%", "contradicted"),
    ("single_stocks", "2%", "unverifiable"),
    # Bitcoin "dropped by over 23% in the past month": Yahoo BTC-USD close 2025-12-05
    # 89,387.76 / 2025-11-05 103,891.84 - 1 = -13.96%, not beyond -23%.
    ("crypto.btcusd", "23%", "contradicted"),
    ("crypto.btc_etf_flows", "$3.45 billion", "unverifiable"),
    ("crypto.btc_etf_flows", "38%", "unverifiable"),
    # UST 10y "from 3.5% to 3.72% in November": DGS10 2025-10-31 = 4.11, 2025-11-28 = 4.02.
    ("us.ust.10y", "3.5%", "contradicted"),
    ("us.ust.10y", "3.72%", "contradicted"),
    ("us.treasury_yield", "3.7%-3.9%", "unverifiable"),  # tenor not stated
    ("neutral_rate", "1%-2.5%", "unverifiable"),
    ("jp.government_debt_ratio", "229.6%", "unverifiable"),
    ("jp.tokyo_cpi", "3%", "unverifiable"),
    ("jp.tokyo_cpi", "43", "unverifiable"),
    # Japan GDP Q3 2025 "fell by 1.8% annually": JPNRGDPEXP 592,347.5 / 595,016.8 (Q2),
    # compounded over four quarters: -1.78%, within -1.8 ± 0.05.
    ("jp.gdp.real", "1.8%", "supported"),
    ("jp.consumption", "0.4%", "unverifiable"),
    ("jp.consumption", "0.1%", "unverifiable"),
    ("jp.wages", "5%", "unverifiable"),
    ("jp.government_debt_ratio", "229.6%", "unverifiable"),
    ("carry_trade_size", "$50 trillion", "unverifiable"),
    ("market_probability", "50%", "unverifiable"),
    ("market_probability", "85%", "unverifiable"),
    ("market_probability", "80%", "unverifiable"),
]


@pytest.fixture(scope="module")
def store(seeded: Path) -> Iterator[Store]:
    opened = carrywatch.open_store(seeded)
    yield opened
    opened.close()


def test_the_seed_article_end_to_end(store: Store) -> None:
    article = read_article(SEED.read_bytes(), SEED.name, None)
    assert article.date == SEED_DATE
    claims = find_claims(article.text, SEED_DATE)
    judged = judge(claims, store.read(series_needed(claims)), load_catalog().series, SEED_DATE)
    assert [(j.claim.quantity, j.claim.written, j.verdict) for j in judged] == EXPECTED_SEED
    checkable = [j for j in judged if j.verdict != "unverifiable"]
    assert len(checkable) >= 20
    by_written: dict[tuple[str, str], Judgement] = {}
    for j in judged:  # the first claim of each (quantity, number)
        by_written.setdefault((j.claim.quantity, j.claim.written), j)
    ust = by_written[("us.ust.10y", "3.72%")]
    assert (ust.asof.value, ust.asof.obs_date, ust.asof.source) == (4.14, date(2025, 12, 5), "fred")
    tic = by_written[("tic.japan.holdings", "$11.89 trillion")]
    # TIC September 2025 (the newest month out by 5 December under the 80-day lag):
    # mfhhis01.txt Japan Sep = 1189.3 $bn = $1.19 trillion, a tenth of the claim.
    assert (tic.verdict, tic.asof.value, tic.asof.obs_date) == (
        "contradicted",
        1189.3,
        date(2025, 9, 1),
    )


def test_check_command_prints_json_in_the_issue_shape(
    seeded: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    assert main(["check", str(SEED), "--json", "--out", str(tmp_path / "out")]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"article", "claims", "summary"}
    assert payload["article"]["date"] == "2025-12-05"
    assert set(payload["claims"][0]) == {
        "id", "sentence", "span", "quantity", "claimed", "unit", "refers_to", "verdict",
        "asof_value", "hindsight_value", "series", "obs_date", "tolerance", "reason",
    }  # fmt: skip
    text = SEED.read_text(encoding="utf-8")
    for claim in payload["claims"]:
        start, end = claim["span"]
        assert text[start:end].strip()  # each span points into the article
    assert payload["summary"]["claims"] == len(EXPECTED_SEED)
    page = (tmp_path / "out" / "claims.html").read_text(encoding="utf-8")
    assert page.count('<mark id="t-') == len(EXPECTED_SEED)
    assert "<script" not in page
    assert json.loads((tmp_path / "out" / "claims.json").read_text()) == payload


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        (b"", "empty.txt", "has no text to check"),
        (b"\xff\xfe\x00bad", "bad.txt", "is not UTF-8"),
        (b"The yield was 4%.", "undated.txt", "states no date"),
        (b"x" * 4_000_001, "huge.txt", "bytes; the claim check reads articles up to"),
    ],
)
def test_bad_articles_get_one_clear_line(raw: bytes, name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_article(raw, name, None)


def test_saved_html_is_read_as_its_text() -> None:
    page = (
        b"<html><head><title>A note</title><script>var x = '9.99%';</script></head>"
        b"<body><p>On 2025-12-05 the US 10-year Treasury yield was 4.14%.</p></body></html>"
    )
    article = read_article(page, "note.html", None)
    assert (article.title, article.date) == ("A note", SEED_DATE)
    assert [c.written for c in find_claims(article.text, SEED_DATE)] == ["4.14%"]


# --- claims.toml --------------------------------------------------------------------------


def test_a_claims_file_is_judged_by_the_same_engine(store: Store) -> None:
    text = (
        '[[claim]]\nquantity = "us.ust.10y"\nvalue = "4.14%"\ndate = 2025-12-05\n\n'
        '[[claim]]\nquantity = "us.nasdaq"\nkind = "change_pct"\nvalue = "-0.38%"\n'
        "date = 2025-12-05\nwindow = { start = 2025-12-01, end = 2025-12-01 }\n"
    )
    dated = read_claims_file(text, "claims.toml")
    frame = store.read(series_needed([c for c, _ in dated]))
    verdicts = [judge([c], frame, load_catalog().series, d)[0].verdict for c, d in dated]
    assert verdicts == ["supported", "supported"]  # DGS10 4.14; Nasdaq -0.384% on 1 Dec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[claim]]\nquantity = 'nope'\nvalue = '1%'\ndate = 2025-12-05\n", "is not one of"),
        ("[[claim]]\nquantity = 'us.ust.10y'\nvalue = '1%'\ndate = '2025-13-45'\n", "TOML date"),
        (
            "[[claim]]\nquantity = 'us.ust.10y'\nvalue = 'high'\ndate = 2025-12-05\n",
            "not one number",
        ),
        ("[[claim]\n", "not valid TOML"),
    ],
)
def test_a_malformed_claims_file_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_claims_file(text, "claims.toml")


# --- properties ---------------------------------------------------------------------------

DAILY = ["us.ust.10y", "jp.jgb.10y", "us.nasdaq"]


@pytest.fixture(scope="module")
def daily(store: Store) -> pd.DataFrame:
    return store.read(DAILY, start=date(2024, 1, 1), end=date(2025, 12, 31))


def _level_claim(quantity: str, value: float, decimals: int, day: date) -> Claim:
    written = f"{value:.{decimals}f}%"
    (number,) = find_numbers(written)
    return Claim(
        id="p",
        sentence=written,
        span=(0, len(written)),
        quantity=quantity,
        kind="level",
        claimed=number.value,
        unit="percent",
        written=written,
        pattern="property",
        tolerance=number.rounding,
        window=Window("on", day, day),
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_stores_own_value_is_supported_and_beyond_its_rounding_contradicted(
    daily: pd.DataFrame, data: st.DataObject
) -> None:
    sid = data.draw(st.sampled_from(DAILY))
    rows = daily[daily["series_id"] == sid].dropna(subset=["value"])
    row = rows.iloc[data.draw(st.integers(0, len(rows) - 1))]
    day, value = pd.Timestamp(row["obs_date"]).date(), float(row["value"])
    decimals = data.draw(st.integers(0, 2))
    specs = load_catalog().series
    own = _level_claim(sid, round(value, decimals), decimals, day)
    assert judge([own], daily, specs, day)[0].verdict == "supported"
    # Moved beyond its rounding (and the data's own): contradicted.
    step = 10.0**-decimals
    moved = _level_claim(sid, round(value, decimals) + 2 * step, decimals, day)
    assert judge([moved], daily, specs, day)[0].verdict == "contradicted"


def test_check_command_judges_a_claims_file(
    seeded: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    path = tmp_path / "claims.toml"
    # DGS10 on 2025-12-05 was 4.14: "4.14%" holds, "3.72%" does not.
    path.write_text(
        '[[claim]]\nquantity = "us.ust.10y"\nvalue = "4.14%"\ndate = 2025-12-05\n\n'
        '[[claim]]\nquantity = "us.ust.10y"\nvalue = "3.72%"\ndate = 2025-12-05\n',
        encoding="utf-8",
    )
    assert main(["check", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in payload["claims"]] == ["supported", "contradicted"]


def test_check_command_refuses_bad_input_in_one_line(
    seeded: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CARRYWATCH_HOME", str(seeded))
    undated = tmp_path / "undated.txt"
    undated.write_text("The 10-year Treasury yield was 4.14%.", encoding="utf-8")
    assert main(["check", str(undated)]) == 1
    assert main(["check", str(undated), "--date", "2025-02-30"]) == 1
    assert main(["check", str(tmp_path / "absent.txt")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert "give the article's date with --date" in lines[0]
    assert "is not a date" in lines[1]
    assert "cannot read" in lines[2]


def test_bad_input_leaves_the_home_untouched(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "claims.toml"
    bad.write_text("[[claim]]\nquantity = 'nope'\nvalue = '1%'\ndate = 2025-12-05\n")
    assert main(["check", str(bad)]) == 1
    assert not home.exists()  # no store was created, seeded or opened
