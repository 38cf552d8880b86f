"""Prediction-market odds: ladder repair, outcome labels, quality and side-by-side.

Real inputs: the Kalshi and Polymarket Gamma payloads in tests/payloads (parsed with the
source parsers, which a test may import) and the Fed / BOJ policy rates of the embedded
snapshot. Constructed inputs are labelled where they are built.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.analytics.alignment import latest_asof
from carrywatch.analytics.odds import distribution
from carrywatch.analytics.odds import prediction_markets as market_odds
from carrywatch.analytics.odds.comparison import compare
from carrywatch.analytics.odds.distribution import OddsDistribution, RangeProbability, odds_json
from carrywatch.analytics.odds.prediction_markets import (
    LadderQuote,
    OutcomeQuote,
    isotonic_non_increasing,
    ladder_distribution,
    outcome_distribution,
)
from carrywatch.errors import AnalyticsError
from carrywatch.sources.kalshi import KalshiMarket, kalshi_markets
from carrywatch.sources.polymarket import GammaMarket, gamma_event_markets
from carrywatch.types import FetchRequest, RawPayload
from tests.analytics.snapshot_data import snapshot_frame, snapshot_series

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
KXFED = PAYLOADS / "kalshi" / "constructed_markets_KXFED-26OCT-T4.25_strike.json"
KALSHI_REAL = PAYLOADS / "kalshi" / "get_markets_two_tickers_via_ccxt.json"
FED_CHAIR = (
    PAYLOADS
    / "polymarket_gamma"
    / "gamma_events_slug_who-will-trump-nominate-as-fed-chair_2026-01-17_indent2.json"
)
RETRIEVED = datetime(2026, 4, 9, 12, 0, tzinfo=UTC)
MEETING = date(2026, 10, 28)
FED_RANGE = (3.50, 3.75)
NAN = math.nan


def _payload(path: Path, source: str) -> RawPayload:
    request = FetchRequest(source=source, url=f"https://example.invalid/{source}")
    return RawPayload(
        request=request,
        body=path.read_bytes(),
        status=200,
        media_type="application/json",
        retrieved_at=RETRIEVED,
    )


def _ladder_quotes(markets: list[KalshiMarket]) -> list[LadderQuote]:
    """What the report layer does: a source market becomes this module's quote."""
    return [
        LadderQuote(
            m.floor_strike,
            m.strike_type,
            m.yes_bid,
            m.yes_ask,
            m.last_price,
            m.volume,
            m.open_interest,
            m.updated_time,
            m.ticker,
        )
        for m in markets
    ]


def _outcome_quotes(markets: list[GammaMarket], updated: datetime | None) -> list[OutcomeQuote]:
    return [
        OutcomeQuote(
            m.group_item_title or m.question,
            m.yes_price,
            m.best_bid,
            m.best_ask,
            m.volume_usd,
            m.liquidity_usd,
            updated,
        )
        for m in markets
    ]


def _quote(strike: float, survival: float, half_spread: float = 0.01) -> LadderQuote:
    return LadderQuote(
        strike,
        "greater",
        survival - half_spread,
        survival + half_spread,
        NAN,
        20_000.0,
        5_000.0,
        RETRIEVED - timedelta(hours=1),
        f"KXFED-26OCT-T{strike:.2f}",
    )


def _outcome(label: str, price: float, half_spread: float = 0.005) -> OutcomeQuote:
    return OutcomeQuote(
        label,
        price,
        price - half_spread,
        price + half_spread,
        1e6,
        1e5,
        RETRIEVED - timedelta(hours=2),
    )


def _fed_range_asof(day: date) -> tuple[float, float]:
    """The Fed target range on ``day`` from the embedded snapshot (DFEDTARL, DFEDTARU)."""
    frame = snapshot_frame()
    bounds = []
    for series_id in ("us.fed.target_lower", "us.fed.target_upper"):
        point = latest_asof(snapshot_series(frame, series_id), day, timedelta(days=7))
        assert point.value is not None, point.reason
        bounds.append(point.value)
    return bounds[0], bounds[1]


def _probabilities(d: OddsDistribution) -> dict[tuple[float, float], float]:
    return {(r.lower_pct, r.upper_pct): r.probability for r in d.probabilities}


# --- monotonicity repair ---------------------------------------------------------------------


def test_pav_repairs_a_hand_made_violating_ladder() -> None:
    # "Above X%" mids (bid/ask +-0.01) at X = 3.00, 3.25, 3.50, 3.75, 4.00:
    #   S = 0.90, 0.60, 0.70, 0.30, 0.35   -- rises at 3.50 and at 4.00: not a survival fn.
    # Pool adjacent violators (equal weights), left to right:
    #   0.60 then 0.70 > 0.60 -> pool (0.60 + 0.70)/2 = 0.65 (<= 0.90, stop)
    #   0.30 then 0.35 > 0.30 -> pool (0.30 + 0.35)/2 = 0.325
    #   S* = 0.90, 0.65, 0.65, 0.325, 0.325
    # Buckets (a strike is the upper bound; adjacent strikes bound one 25bp range):
    #   U <= 3.00 : 1 - 0.90     = 0.100 -> [2.75, 3.00] lumped below
    #   3.00-3.25 : 0.90 - 0.65  = 0.250
    #   3.25-3.50 : 0.65 - 0.65  = 0
    #   3.50-3.75 : 0.65 - 0.325 = 0.325
    #   3.75-4.00 : 0.325 - 0.325 = 0
    #   U > 4.00  : 0.325        -> [4.00, 4.25] lumped above;   total 1.000
    raw = [0.90, 0.60, 0.70, 0.30, 0.35]
    assert isotonic_non_increasing(raw) == pytest.approx([0.90, 0.65, 0.65, 0.325, 0.325])
    quotes = [_quote(x, s) for x, s in zip([3.0, 3.25, 3.5, 3.75, 4.0], raw, strict=True)]
    d = ladder_distribution(quotes[::-1], MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert d.repaired
    got = [(r.lower_pct, r.upper_pct, r.lumped) for r in d.probabilities]
    assert got == [
        (2.75, 3.0, "below"),
        (3.0, 3.25, None),
        (3.25, 3.5, None),
        (3.5, 3.75, None),
        (3.75, 4.0, None),
        (4.0, 4.25, "above"),
    ]
    assert [r.probability for r in d.probabilities] == pytest.approx(
        [0.10, 0.25, 0.0, 0.325, 0.0, 0.325], abs=1e-12
    )
    repaired = [f for f in d.flags if f.startswith("repaired:")]
    assert len(repaired) == 1
    assert "P(>3.5)=0.700 > P(>3.25)=0.600" in repaired[0]
    assert "largest change 5.0pp" in repaired[0]  # 0.70 -> 0.65 and 0.35 -> 0.325
    assert d.summary() == (
        "kalshi 2026-10-28: most likely 3.5-3.75% at 32.5% over 6 ranges (repaired, 3 flags)"
    )


def test_a_monotone_ladder_is_not_repaired() -> None:
    quotes = [_quote(3.25, 0.9), _quote(3.5, 0.6), _quote(3.75, 0.1)]
    d = ladder_distribution(quotes, MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert not d.repaired
    assert not [f for f in d.flags if f.startswith("repaired")]
    # 1 - 0.9, 0.9 - 0.6, 0.6 - 0.1, 0.1
    assert [r.probability for r in d.probabilities] == pytest.approx([0.1, 0.3, 0.5, 0.1])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12).flatmap(
        lambda v: st.tuples(
            st.just(v), st.lists(st.floats(0.1, 10.0), min_size=len(v), max_size=len(v))
        )
    )
)
def test_pav_properties(case: tuple[list[float], list[float]]) -> None:
    values, weights = case
    fit = isotonic_non_increasing(values, weights)
    assert all(a >= b for a, b in itertools.pairwise(fit))
    assert min(values) - 1e-12 <= min(fit)
    assert max(fit) <= max(values) + 1e-12
    # The weighted mean is kept, and a fit is its own fit.
    total = math.fsum(w * v for w, v in zip(weights, values, strict=True))
    assert math.fsum(w * f for w, f in zip(weights, fit, strict=True)) == pytest.approx(total)
    assert isotonic_non_increasing(fit, weights) == pytest.approx(fit)


# --- Kalshi ladders on payloads ----------------------------------------------------------------


def test_kxfed_strike_payload_gives_a_valid_distribution_on_the_real_fed_range() -> None:
    # The only KXFED file is CONSTRUCTED (tests/payloads/kalshi/README.md): one strike,
    # "Above 4.25%", bid 0.08 / ask 0.12 copied from the real KXELONMARS-99 quote, no trade.
    # Current range: the real DFEDTARL/DFEDTARU on 2026-04-09, 3.50-3.75% (snapshot).
    # S(4.25) = (0.08 + 0.12)/2 = 0.10, so
    #   P(U <= 4.25) = 0.90 -> [4.00, 4.25] lumped below (holds 3.50-3.75, no change)
    #   P(U >  4.25) = 0.10 -> [4.25, 4.50] lumped above
    current = _fed_range_asof(date(2026, 4, 9))
    assert current == (3.5, 3.75)
    markets = kalshi_markets(_payload(KXFED, "kalshi"))
    d = ladder_distribution(_ladder_quotes(markets), MEETING, current_range=current, asof=RETRIEVED)
    assert d.source == "kalshi"
    assert not d.refused
    assert not d.repaired
    assert [(r.lower_pct, r.upper_pct, r.lumped) for r in d.probabilities] == [
        (4.0, 4.25, "below"),
        (4.25, 4.5, "above"),
    ]
    assert [r.probability for r in d.probabilities] == pytest.approx([0.9, 0.1])
    assert math.fsum(r.probability for r in d.probabilities) == pytest.approx(1.0, abs=1e-9)
    assert any(f.startswith("tail: the current range 3.5-3.75%") for f in d.flags)
    quality = d.quality
    assert quality is not None
    # updated 2026-04-09T09:31Z, 2.5 h before the cut-off: fresh; no volume field: thin.
    assert not quality.stale
    assert quality.thin
    assert quality.volume is None
    assert quality.mean_spread_pp == pytest.approx(4.0)  # 0.12 - 0.08
    assert d.to_json()["distribution"] == [
        {"lower": 4.0, "upper": 4.25, "probability": pytest.approx(0.9)},
        {"lower": 4.25, "upper": 4.5, "probability": pytest.approx(0.1)},
    ]


def test_real_kalshi_markets_are_not_a_rate_ladder() -> None:
    # Real recording (CCXT fixture): KXELONMARS-99 and KXCOLONIZEMARS-50, binary markets
    # without strikes. Refused, each market flagged; the quality is still measured:
    #   volume 94,884.62 + 21,043.39 = 115,928.01 contracts
    #   spreads 0.1200 - 0.0800 = 4.0pp and 0.1950 - 0.1630 = 3.2pp: mean 3.6, max 4.0
    #   last update 2026-04-09T10:33:10Z, more than 24 h before the end of 2026-04-11.
    markets = kalshi_markets(_payload(KALSHI_REAL, "kalshi"))
    d = ladder_distribution(
        _ladder_quotes(markets), MEETING, current_range=FED_RANGE, asof=date(2026, 4, 11)
    )
    assert d.refused
    assert d.probabilities == ()
    assert d.reason == "none of the 2 markets is a priced 'above X%' strike on the grid"
    assert sum(f.startswith("strike-type: KX") for f in d.flags) == 2
    q = d.quality
    assert q is not None
    assert q.volume_contracts == pytest.approx(115_928.01)
    assert q.mean_spread_pp == pytest.approx(3.6)
    assert q.max_spread_pp == pytest.approx(4.0)
    assert q.last_update_at == datetime(2026, 4, 9, 10, 33, 10, 234054, tzinfo=UTC)
    assert q.stale
    assert not q.thin
    with pytest.raises(AnalyticsError, match="no distribution"):
        d.to_json()
    assert d.summary().startswith("kalshi 2026-10-28: refused: none of the 2 markets")


def test_ladder_price_rules_grid_and_duplicates() -> None:
    base = [_quote(3.5, 0.8), _quote(3.75, 0.3)]
    last_only = LadderQuote(4.0, "greater", 0.0, 1.0, 0.12, 10.0, 1.0, None, "T4.00")
    unpriced = LadderQuote(4.25, "greater", 0.0, 0.05, NAN, 0.0, 0.0, None, "T4.25")
    off_grid = _quote(3.60, 0.5)
    d = ladder_distribution(
        [*base, last_only, unpriced, off_grid], MEETING, current_range=FED_RANGE, asof=RETRIEVED
    )
    assert "last-trade: T4.00 priced at its last trade 0.1200" in d.flags
    assert "no-price: T4.25 has no two-sided quote and no trade" in d.flags
    assert any(f.startswith("off-grid: KXFED-26OCT-T3.60") for f in d.flags)
    # Strikes 3.50, 3.75, 4.00 with S = 0.8, 0.3, 0.12
    assert list(_probabilities(d).values()) == pytest.approx([0.2, 0.5, 0.18, 0.12])
    gap = ladder_distribution(
        [_quote(3.0, 0.9), _quote(3.5, 0.2)], MEETING, current_range=FED_RANGE, asof=RETRIEVED
    )
    assert _probabilities(gap)[(3.0, 3.5)] == pytest.approx(0.7)
    assert any(f.startswith("wide-bucket") for f in gap.flags)
    twice = ladder_distribution(
        [_quote(3.5, 0.8), _quote(3.5, 0.7)], MEETING, current_range=FED_RANGE, asof=RETRIEVED
    )
    assert twice.refused
    assert "more than once" in (twice.reason or "")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(0.011, 0.989), min_size=1, max_size=12),
    st.integers(-8, 8),
)
def test_ladder_probabilities_sum_to_one(survival: list[float], offset: int) -> None:
    strikes = [3.75 + 0.25 * (offset + i) for i in range(len(survival))]
    d = ladder_distribution(
        [_quote(x, s) for x, s in zip(strikes, survival, strict=True)],
        MEETING,
        current_range=FED_RANGE,
        asof=RETRIEVED,
    )
    probabilities = [r.probability for r in d.probabilities]
    assert abs(math.fsum(probabilities) - 1.0) <= 1e-9
    assert all(p >= 0 for p in probabilities)
    assert len(probabilities) == len(survival) + 1
    assert d.repaired == any(b > a for a, b in itertools.pairwise(survival))


# --- Polymarket outcomes ---------------------------------------------------------------------


def test_fed_chair_event_is_refused_with_every_outcome_flagged() -> None:
    # Real Gamma event "Who will Trump nominate as Fed Chair?": 39 markets named after
    # people ("Kevin Warsh" ...) and "Other": no label is a rate move.
    event = json.loads(FED_CHAIR.read_bytes())
    updated = datetime.fromisoformat(event["updatedAt"])
    markets = gamma_event_markets(_payload(FED_CHAIR, "polymarket_gamma"))
    assert len(markets) == 39
    d = outcome_distribution(
        _outcome_quotes(markets, updated),
        date(2026, 1, 28),
        current_range=_fed_range_asof(date(2026, 1, 17)),
        asof=datetime(2026, 1, 18, 4, 0, tzinfo=UTC),
    )
    assert d.refused
    assert d.probabilities == ()
    assert d.reason == "none of the 39 outcomes is a priced rate move (see flags)"
    unparsed = [f for f in d.flags if f.startswith("unparsed:")]
    assert len(unparsed) == 39
    assert "unparsed: 'Kevin Warsh' is not a rate move" in unparsed
    q = d.quality
    assert q is not None
    assert q.volume_usd is not None
    assert q.volume_usd > 100e6
    assert not q.thin
    assert not q.stale


def _constructed_fed_decision_event() -> bytes:
    """CONSTRUCTED: a Gamma "Fed decision in October" event in the shape of the real
    sample (markets with groupItemTitle, string-encoded outcomes/outcomePrices), with the
    outcome labels sources.md §6 describes. Prices are invented and sum to 1.02."""
    rows = [
        ("50+ bps decrease", "0.02"),
        ("25 bps decrease", "0.15"),
        ("No change", "0.80"),
        ("25 bps increase", "0.04"),
        ("50+ bps increase", "0.01"),
    ]
    markets = [
        {
            "slug": f"fed-decision-in-october-{i}",
            "question": f"Fed {label}?",
            "groupItemTitle": label,
            "outcomes": '["Yes", "No"]',
            "outcomePrices": json.dumps([price, f"{1 - float(price):.2f}"]),
            "bestBid": float(price) - 0.005,
            "bestAsk": float(price) + 0.005,
            "volumeNum": 2_000_000.0,
            "liquidityNum": 150_000.0,
            "closed": False,
        }
        for i, (label, price) in enumerate(rows)
    ]
    event = {
        "slug": "fed-decision-in-october",
        "updatedAt": "2026-04-09T11:00:00Z",
        "markets": markets,
    }
    return json.dumps(event).encode()


def test_constructed_fed_decision_event_normalises() -> None:
    # Raw prices 0.02 + 0.15 + 0.80 + 0.04 + 0.01 = 1.02 (an overround of 2%); each is
    # divided by 1.02. Around the real 3.50-3.75% range on 2026-04-09:
    #   50+ decrease [3.00, 3.25] lumped below  0.02/1.02 = 0.0196078...
    #   25 decrease  [3.25, 3.50]               0.15/1.02 = 0.1470588...
    #   no change    [3.50, 3.75]               0.80/1.02 = 0.7843137...
    #   25 increase  [3.75, 4.00]               0.04/1.02 = 0.0392156...
    #   50+ increase [4.00, 4.25] lumped above  0.01/1.02 = 0.0098039...
    payload = RawPayload(
        request=FetchRequest(source="polymarket_gamma", url="https://example.invalid/e"),
        body=_constructed_fed_decision_event(),
        status=200,
        media_type="application/json",
        retrieved_at=RETRIEVED,
    )
    markets = gamma_event_markets(payload)
    d = outcome_distribution(
        _outcome_quotes(markets, RETRIEVED - timedelta(hours=1)),
        MEETING,
        current_range=_fed_range_asof(date(2026, 4, 9)),
        asof=RETRIEVED,
    )
    assert [(r.lower_pct, r.upper_pct, r.lumped) for r in d.probabilities] == [
        (3.0, 3.25, "below"),
        (3.25, 3.5, None),
        (3.5, 3.75, None),
        (3.75, 4.0, None),
        (4.0, 4.25, "above"),
    ]
    expected = [0.02 / 1.02, 0.15 / 1.02, 0.80 / 1.02, 0.04 / 1.02, 0.01 / 1.02]
    assert [r.probability for r in d.probabilities] == pytest.approx(expected, abs=1e-12)
    assert "overround: raw prices of the outcomes sum to 1.0200; each divided by the sum" in (
        d.flags
    )
    assert sum(f.startswith("lumped: '50+ bps") for f in d.flags) == 2
    assert (
        d.summary()
        == "polymarket 2026-10-28: most likely 3.5-3.75% at 78.4% over 5 ranges (3 flags)"
    )


@pytest.mark.parametrize(
    ("label", "move"),
    [
        ("No change", (0.0, False)),
        ("  unchanged ", (0.0, False)),
        ("25 bps decrease", (-25.0, False)),
        ("50+ bps decrease", (-50.0, True)),
        ("25+ bps increase", (25.0, True)),
        ("Increase of 25 bps", (25.0, False)),
        ("Decrease of 50+ bps", (-50.0, True)),
        ("75 bp cut", (-75.0, False)),
        ("Kevin Warsh", None),
        ("Other", None),
        ("Rate cut", None),
        ("25 bps", None),
    ],
)
def test_outcome_labels(label: str, move: tuple[float, bool] | None) -> None:
    assert market_odds._move_bp(label) == move


def test_outcome_exclusions_and_refusals() -> None:
    mixed = [
        _outcome("No change", 0.7),
        _outcome("25 bps decrease", 0.25),
        _outcome("10 bps decrease", 0.02),
        _outcome("Other", 0.03),
    ]
    d = outcome_distribution(mixed, MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert "off-grid: '10 bps decrease' is not a multiple of 25 bp" in d.flags
    assert "unparsed: 'Other' is not a rate move" in d.flags
    assert "excluded: outcomes left out carried 0.0500 of raw price" in d.flags
    # Kept 0.70 + 0.25 = 0.95, normalised: 0.25/0.95 and 0.70/0.95
    assert list(_probabilities(d).values()) == pytest.approx([0.25 / 0.95, 0.70 / 0.95])
    same = [_outcome("25 bps increase", 0.5), _outcome("Increase of 25 bps", 0.5)]
    refused = outcome_distribution(same, MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert refused.refused
    assert "same move" in (refused.reason or "")
    inner_plus = [
        _outcome("25+ bps decrease", 0.3),
        _outcome("50 bps decrease", 0.1),
        _outcome("No change", 0.6),
    ]
    bad = outcome_distribution(inner_plus, MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert bad.refused
    assert "not the largest move" in (bad.reason or "")


def test_boj_point_target_from_the_snapshot() -> None:
    # Real: the BOJ raised its target to "around 0.25%" on 2024-07-31 (snapshot, lower =
    # upper = 0.25). CONSTRUCTED event for the 2024-09-20 meeting: no change 0.9, 25 bps
    # increase 0.1 -> {0.25%: 0.9, 0.50%: 0.1} as point "ranges".
    frame = snapshot_frame()
    upper = latest_asof(
        snapshot_series(frame, "jp.boj.policy_rate"), date(2024, 8, 1), timedelta(days=120)
    )
    lower = latest_asof(
        snapshot_series(frame, "jp.boj.policy_rate_lower"), date(2024, 8, 1), timedelta(days=120)
    )
    assert (lower.value, upper.value) == (0.25, 0.25)
    d = outcome_distribution(
        [_outcome("No change", 0.9), _outcome("25 bps increase", 0.1)],
        date(2024, 9, 20),
        current_range=(0.25, 0.25),
        asof=date(2024, 8, 1),
    )
    assert _probabilities(d) == {(0.25, 0.25): 0.9, (0.5, 0.5): 0.1}
    assert odds_json("boj", date(2024, 8, 1), [d]) == {
        "bank": "boj",
        "asof": "2024-08-01",
        "meetings": [
            {
                "date": "2024-09-20",
                "source": "polymarket",
                "distribution": [
                    {"lower": 0.25, "upper": 0.25, "probability": 0.9},
                    {"lower": 0.5, "upper": 0.5, "probability": 0.1},
                ],
            }
        ],
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=7).filter(lambda p: sum(p) > 1e-6))
def test_outcome_probabilities_sum_to_one(prices: list[float]) -> None:
    labels = ["No change"] + [
        f"{25 * ((i + 1) // 2)} bps {'decrease' if i % 2 else 'increase'}"
        for i in range(1, len(prices))
    ]
    d = outcome_distribution(
        [_outcome(lab, p, 0.0) for lab, p in zip(labels, prices, strict=True)],
        MEETING,
        current_range=FED_RANGE,
        asof=RETRIEVED,
    )
    assert abs(math.fsum(r.probability for r in d.probabilities) - 1.0) <= 1e-9
    entry = d.to_json()
    assert entry["source"] == "polymarket"
    assert entry["date"] == "2026-10-28"


# --- quality ---------------------------------------------------------------------------------


def test_quality_thresholds_are_parameters() -> None:
    quotes = [_quote(3.5, 0.8), _quote(3.75, 0.3)]  # 2 x 20,000 contracts, 1 h old
    fresh = ladder_distribution(quotes, MEETING, current_range=FED_RANGE, asof=RETRIEVED)
    assert fresh.quality is not None
    assert not fresh.quality.stale
    assert not fresh.quality.thin
    strict = ladder_distribution(
        quotes,
        MEETING,
        current_range=FED_RANGE,
        asof=RETRIEVED,
        stale_after=timedelta(minutes=30),
        thin_below_contracts=50_000,
    )
    assert strict.quality is not None
    assert strict.quality.stale
    assert strict.quality.thin
    assert "thin: volume 40,000 below 50,000" in strict.flags
    assert strict.quality.summary() == (
        "volume 40,000 contracts; spread mean 2.0pp max 2.0pp (2/2 two-sided); "
        "last update 2026-04-09T11:00:00+00:00 [stale, thin]"
    )
    with pytest.raises(AnalyticsError, match="timezone-aware"):
        ladder_distribution(quotes, MEETING, current_range=FED_RANGE, asof=datetime(2026, 4, 9, 12))  # noqa: DTZ001


# --- the result type -------------------------------------------------------------------------


def test_distribution_checks_its_sum_and_shape() -> None:
    with pytest.raises(AnalyticsError, match="sum to"):
        OddsDistribution(MEETING, "futures", (RangeProbability(3.5, 3.75, 0.5),), (), False, None)
    with pytest.raises(AnalyticsError, match="not one of"):
        OddsDistribution(MEETING, "cme", (RangeProbability(3.5, 3.75, 1.0),), (), False, None)
    with pytest.raises(AnalyticsError, match="distinct and sorted"):
        OddsDistribution(
            MEETING,
            "path",
            (RangeProbability(3.5, 3.75, 0.5), RangeProbability(3.25, 3.5, 0.5)),
            (),
            False,
            None,
        )
    ok = OddsDistribution(MEETING, "path", (RangeProbability(3.5, 3.75, 1.0),), (), False, None)
    assert odds_json("fed", datetime(2026, 4, 9, 12, tzinfo=UTC), [ok])["asof"] == "2026-04-09"


# --- side by side ----------------------------------------------------------------------------


def _futures(*rows: tuple[float, float, float]) -> OddsDistribution:
    """A futures-implied distribution as the futures module would hand it over (made up)."""
    ranges = tuple(RangeProbability(lo, hi, p) for lo, hi, p in rows)
    return OddsDistribution(MEETING, "futures", ranges, (), False, None)


def test_compare_against_futures_merges_tails() -> None:
    futures = _futures((2.75, 3.0, 0.04), (3.0, 3.25, 0.06), (3.25, 3.5, 0.30), (3.5, 3.75, 0.60))
    # Kalshi: S(3.25, 3.50, 3.75) = 0.88, 0.62, 0.04 (spread 4pp) ->
    #   <= 3.25: 0.12 | 3.25-3.50: 0.26 | 3.50-3.75: 0.58 | >= 3.75-4.00: 0.04
    kalshi = ladder_distribution(
        [_quote(3.25, 0.88, 0.02), _quote(3.5, 0.62, 0.02), _quote(3.75, 0.04, 0.02)],
        MEETING,
        current_range=FED_RANGE,
        asof=RETRIEVED,
    )
    # Polymarket (spread 1pp): 50+ cut 0.05, 25 cut 0.25, hold 0.65, 25 hike 0.05 ->
    #   <= 3.00-3.25: 0.05 | 3.25-3.50: 0.25 | 3.50-3.75: 0.65 | 3.75-4.00: 0.05
    poly = outcome_distribution(
        [
            _outcome("50+ bps decrease", 0.05),
            _outcome("25 bps decrease", 0.25),
            _outcome("No change", 0.65),
            _outcome("25 bps increase", 0.05),
        ],
        MEETING,
        current_range=FED_RANGE,
        asof=RETRIEVED,
    )
    c = compare(futures, [kalshi, poly])
    k, p = c.differences
    # The futures' 2.75-3.00 and 3.00-3.25 are merged into the "<= 3.25" tail: 0.04 + 0.06.
    #   Kalshi - futures: 0.12 - 0.10 = +2, 0.26 - 0.30 = -4, 0.58 - 0.60 = -2, 0.04 - 0 = +4
    #   Polymarket - futures: 0.05 - 0.10 = -5, -5, +5, +5
    assert [(b.lower_pct, b.upper_pct, b.lumped) for b in k.buckets] == [
        (3.0, 3.25, "below"),
        (3.25, 3.5, None),
        (3.5, 3.75, None),
        (3.75, 4.0, "above"),
    ]
    assert [b.difference_pp for b in k.buckets] == pytest.approx([2.0, -4.0, -2.0, 4.0])
    assert [b.difference_pp for b in p.buckets] == pytest.approx([-5.0, -5.0, 5.0, 5.0])
    assert k.buckets[0].reference_probability == pytest.approx(0.10)
    assert k.max_abs_difference_pp == pytest.approx(4.0)
    assert p.max_abs_difference_pp == pytest.approx(5.0)
    assert c.thinner == "kalshi"
    assert c.thinner_basis.startswith("the reference is exchange futures")
    assert "kalshi 4.0pp, polymarket 1.0pp" in c.thinner_basis
    assert c.summary() == (
        "2026-10-28 vs futures: kalshi max |diff| 4.0pp, polymarket max |diff| 5.0pp; "
        "thinner: kalshi"
    )


def test_compare_unaligned_overlapping_tails_and_refusals() -> None:
    futures = _futures((3.0, 3.25, 0.2), (3.25, 3.5, 0.3), (3.5, 3.75, 0.5))
    wide = ladder_distribution(
        [_quote(3.0, 0.9), _quote(3.5, 0.2)], MEETING, current_range=FED_RANGE, asof=RETRIEVED
    )
    pair = compare(futures, [wide]).differences[0]
    assert any("3-3.5%" in u for u in pair.unaligned)  # Kalshi's 3.00-3.50 vs two ranges
    assert (3.25, 3.5) not in {(b.lower_pct, b.upper_pct) for b in pair.buckets}
    low = OddsDistribution(
        MEETING, "kalshi", (RangeProbability(3.75, 4.0, 1.0, "below"),), (), False, None
    )
    high = OddsDistribution(
        MEETING, "polymarket", (RangeProbability(3.5, 3.75, 1.0, "above"),), (), False, None
    )
    overlap = compare(low, [high]).differences[0]
    assert overlap.buckets == ()
    assert overlap.unaligned[0].startswith("tails overlap")
    refused = OddsDistribution(
        MEETING, "polymarket", (), ("unparsed: 'x'",), False, None, "nothing parsed"
    )
    c = compare(futures, [refused])
    assert c.differences == ()
    assert c.notes == ("polymarket: no distribution (nothing parsed)",)
    assert c.thinner is None
    with pytest.raises(AnalyticsError, match="is for"):
        compare(
            futures,
            [OddsDistribution(date(2026, 12, 9), "path", futures.probabilities, (), False, None)],
        )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0.02, 0.98), min_size=2, max_size=8),
    st.lists(st.floats(0.02, 0.98), min_size=2, max_size=8),
)
def test_compare_differences_sum_to_zero(a: list[float], b: list[float]) -> None:
    def ladder(survival: list[float]) -> OddsDistribution:
        quotes = [_quote(3.0 + 0.25 * i, s) for i, s in enumerate(survival)]
        return ladder_distribution(quotes, MEETING, current_range=FED_RANGE, asof=RETRIEVED)

    pair = compare(ladder(a), [ladder(b)]).differences[0]
    assert pair.unaligned == ()
    assert math.fsum(x.difference_pp for x in pair.buckets) == pytest.approx(0.0, abs=1e-7)
    assert pair.max_abs_difference_pp == max(abs(x.difference_pp) for x in pair.buckets)


def test_public_names() -> None:
    assert all(hasattr(market_odds, name) for name in market_odds.__all__)
    assert all(hasattr(distribution, name) for name in distribution.__all__)
