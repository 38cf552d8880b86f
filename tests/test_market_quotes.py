"""Prediction-market quotes through the ordinary ingest (``carrywatch.ingest.
refresh_markets``): discovery, parse into quotes, store as odds series; then distributions
read back from the series as of a date (``carrywatch.report.market_quotes``), and the
snapshot rows of the earlier pipeline read once into series.

Payloads (tests/payloads/kalshi/README.md, tests/payloads/polymarket_gamma/README.md):

* ``KALSHI_EVENTS``: CONSTRUCTED KXFED events answer; quotes invented, every other market
  field copied from the real KXELONMARS-99 object;
* ``FED_CHAIR``: the real Gamma event "Who will Trump nominate as Fed Chair?" (not a rate
  decision: archived, gives no distribution);
* ``fed_decision_event()``: derived in memory from the real Gamma event (title, dates,
  outcome labels and prices replaced; every other field real), since no recording of a
  "Fed decision in <Month>" event exists offline.

The HTTP client runs on ``httpx.MockTransport``; retrieval times are set by patching the
client's clock.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from carrywatch.analytics.odds.distribution import OddsDistribution
from carrywatch.catalog.market_discovery import BankMarkets, MarketDiscovery
from carrywatch.catalog.spec import load_catalog
from carrywatch.errors import CatalogError
from carrywatch.ingest import RefreshReport, plan_markets, refresh_markets
from carrywatch.report.market_quotes import StoredMarkets
from carrywatch.sources.http import HttpClient, RetryPolicy
from carrywatch.sources.kalshi import kalshi_meeting
from carrywatch.sources.polymarket import polymarket_meeting
from carrywatch.sources.registry import build_sources
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import SNAPSHOTS_READ, Store
from carrywatch.types import sha256_hex
from carrywatch.workspace import catalog_of, open_store

PAYLOADS = Path(__file__).resolve().parent / "payloads"
KALSHI_EVENTS = (PAYLOADS / "kalshi" / "constructed_events_KXFED_nested_markets.json").read_bytes()
CHAIR_SLUG = "who-will-trump-nominate-as-fed-chair"
FED_CHAIR = (
    PAYLOADS / "polymarket_gamma" / f"gamma_events_slug_{CHAIR_SLUG}_2026-01-17_indent2.json"
).read_bytes()
DECISION_SLUG = "fed-decision-in-december-derived"
EVENTS_PATH = "/trade-api/v2/events"
FED_RANGE = (3.50, 3.75)
DEC, JAN = date(2026, 12, 9), date(2027, 1, 27)
T_DEC1 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
T_DEC10 = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
CATALOG = load_catalog()
FED_MEETINGS = [(m.date, m.kind) for m in CATALOG.fomc]


def fed_decision_event() -> bytes:
    """The real Gamma event with four of its markets turned into rate outcomes.

    Replaced: event ``slug``, ``title``, ``endDate``; per kept market ``groupItemTitle``,
    ``outcomePrices``, ``bestBid``/``bestAsk`` (price -/+ 0.005), ``updatedAt``. Prices
    (invented) sum to 1.01.
    """
    data = json.loads(FED_CHAIR)
    data.update(
        slug=DECISION_SLUG,
        title="Fed decision in December?",
        endDate="2026-12-09T00:00:00Z",
        updatedAt="2026-12-01T14:00:00Z",
    )
    outcomes = [
        ("50+ bps decrease", 0.02),
        ("25 bps decrease", 0.30),
        ("No change", 0.66),
        ("25+ bps increase", 0.03),
    ]
    markets = []
    for market, (label, price) in zip(data["markets"], outcomes, strict=False):
        market.update(
            groupItemTitle=label,
            outcomePrices=json.dumps([f"{price}", f"{1 - price:.3f}"]),
            bestBid=round(price - 0.005, 3),
            bestAsk=round(price + 0.005, 3),
            updatedAt="2026-12-01T13:30:00Z",
        )
        markets.append(market)
    data["markets"] = markets
    return json.dumps(data, indent=2).encode()


# --- fixtures ------------------------------------------------------------------------------


Handler = Callable[[httpx.Request], httpx.Response]


def answer(
    kalshi: list[bytes] | int = 200,
    gamma: dict[str, bytes] | None = None,
    seen: list[httpx.URL] | None = None,
) -> Handler:
    """Kalshi's events pages (page i+1 asked with cursor "p<i>") or an error status;
    Gamma events by slug (unknown slug: 404)."""
    pages = [KALSHI_EVENTS] if kalshi == 200 else kalshi
    bodies = gamma or {}

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url)
        if request.url.path == EVENTS_PATH:
            if isinstance(pages, int):
                return httpx.Response(pages, content=b"error")
            cursor = request.url.params.get("cursor")
            index = 0 if cursor is None else int(cursor[1:]) + 1
            return httpx.Response(200, content=pages[index])
        slug = request.url.path.rpartition("/")[2]
        if slug in bodies:
            return httpx.Response(200, content=bodies[slug])
        return httpx.Response(404, content=b'{"error":"not found"}')

    return handler


def paged(body: bytes) -> list[bytes]:
    """``body`` split into one page per event, chained by cursors p0, p1, ..."""
    data = json.loads(body)
    events = data["events"]
    return [
        json.dumps({"cursor": f"p{i}" if i < len(events) - 1 else "", "events": [event]}).encode()
        for i, event in enumerate(events)
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "carrywatch.sqlite") as opened:
        yield opened


@pytest.fixture
def archive(tmp_path: Path) -> RawArchive:
    return RawArchive(tmp_path / "raw")


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Every payload fetched from now on is retrieved at ``moment``."""
    monkeypatch.setattr("carrywatch.sources.http.utc_now", lambda: moment)


def run(
    store: Store,
    archive: RawArchive,
    handler: Handler,
    *,
    bank: str = "fed",
    slugs: tuple[str, ...] = (),
    discovery: MarketDiscovery | None = None,
) -> RefreshReport:
    client = HttpClient(
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=2),
        sleep=lambda _: None,
    )
    with client as http:
        return refresh_markets(
            store,
            archive,
            catalog_of(store),
            build_sources(),
            http,
            bank,
            slugs=slugs,
            discovery=discovery,
        )


def run_decision_event(store: Store, archive: RawArchive) -> RefreshReport:
    """A refresh where Kalshi fails (HTTP 500) and Gamma answers the December event."""
    return run(
        store, archive, answer(500, {DECISION_SLUG: fed_decision_event()}), slugs=(DECISION_SLUG,)
    )


def market_distributions(
    store: Store, bank: str, day: date, *, current_range: tuple[float, float]
) -> list[OddsDistribution]:
    """The distributions the brief reads from the stored quotes as of the end of ``day``."""
    return StoredMarkets.load(store, catalog_of(store), day, 0)(bank, day, current_range)


def probabilities(d: OddsDistribution) -> dict[tuple[float, float], float]:
    return {(r.lower_pct, r.upper_pct): r.probability for r in d.probabilities}


# --- meetings ------------------------------------------------------------------------------


def test_kalshi_event_meeting_from_strike_date_then_ticker() -> None:
    strike = datetime(2026, 12, 9, 19, 0, tzinfo=UTC)
    assert kalshi_meeting("KXFED-26DEC", strike, FED_MEETINGS) == DEC
    # A strike time just past midnight UTC still finds the meeting (within a day).
    late = datetime(2026, 12, 10, 0, 30, tzinfo=UTC)
    assert kalshi_meeting("KXFED-26DEC", late, FED_MEETINGS) == DEC
    assert kalshi_meeting("KXFED-27JAN", None, FED_MEETINGS) == JAN
    assert kalshi_meeting("KXFED-26DEC09", None, FED_MEETINGS) == DEC
    # No meeting in the month, or an unreadable ticker without a strike date: none.
    assert kalshi_meeting("KXFED-26AUG", None, FED_MEETINGS) is None
    assert kalshi_meeting("KXFEDDECISION", None, FED_MEETINGS) is None
    # A strike date far from every meeting: not an event about this bank's meetings,
    # whatever its ticker says.
    assert kalshi_meeting("KXFED-26DEC", datetime(2026, 12, 20, tzinfo=UTC), FED_MEETINGS) is None
    # January 2008: the unscheduled 2008-01-22 cut and the scheduled 2008-01-30 meeting.
    # The strike date picks its meeting; the ticker alone picks the scheduled one.
    jan22 = datetime(2008, 1, 22, 13, 20, tzinfo=UTC)
    assert kalshi_meeting("KXFED-08JAN", jan22, FED_MEETINGS) == date(2008, 1, 22)
    assert kalshi_meeting("KXFED-08JAN", None, FED_MEETINGS) == date(2008, 1, 30)


def test_polymarket_event_meeting_from_title_and_end_date() -> None:
    end = datetime(2026, 12, 9, tzinfo=UTC)
    assert polymarket_meeting("Fed decision in December?", end, None, FED_MEETINGS) == DEC
    assert polymarket_meeting("Fed Decision in Dec", None, end, FED_MEETINGS) == DEC
    assert polymarket_meeting("Fed decision in January 2027?", None, None, FED_MEETINGS) == JAN
    assert polymarket_meeting("Fed decision in Sept. 2026", None, None, FED_MEETINGS) == date(
        2026, 9, 16
    )
    # The year comes from the nearest meeting of that month to the end date.
    jan_end = datetime(2027, 1, 28, tzinfo=UTC)
    assert polymarket_meeting("Fed decision in January?", jan_end, None, FED_MEETINGS) == JAN
    # Not a decision event, no month, no date to place it, or a month far from its end date.
    assert (
        polymarket_meeting("Who will Trump nominate as Fed Chair?", end, None, FED_MEETINGS) is None
    )
    assert polymarket_meeting("Fed decision in Q4?", end, None, FED_MEETINGS) is None
    assert polymarket_meeting("Fed decision in December?", None, None, FED_MEETINGS) is None
    assert polymarket_meeting("Fed decision in June?", end, None, FED_MEETINGS) is None


# --- refresh -------------------------------------------------------------------------------


def test_plan_covers_the_banks_series_and_slugs() -> None:
    jobs = plan_markets(build_sources(), "fed", slugs=(CHAIR_SLUG, CHAIR_SLUG))
    assert [(j.source, j.bank, j.key) for j in jobs] == [
        ("kalshi", "fed", "KXFED"),
        ("polymarket_gamma", "fed", CHAIR_SLUG),
    ]
    assert plan_markets(build_sources(), "boj") == []
    only_gamma = {k: v for k, v in build_sources().items() if k != "kalshi"}
    assert [j.source for j in plan_markets(only_gamma, "fed", slugs=("a",))] == ["polymarket_gamma"]
    with pytest.raises(CatalogError, match="unknown bank"):
        plan_markets(build_sources(), "ecb")
    with pytest.raises(CatalogError, match="not a Polymarket event slug"):
        plan_markets(build_sources(), "fed", slugs=("fed decision",))


def test_refresh_stores_every_quote_as_a_series_with_provenance(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    pages = paged(KALSHI_EVENTS)
    seen: list[httpx.URL] = []
    report = run(
        store,
        archive,
        answer(pages, {CHAIR_SLUG: FED_CHAIR}, seen),
        slugs=(CHAIR_SLUG,),
    )
    assert report.ok
    kalshi, gamma = report.summaries
    assert (kalshi.source, kalshi.n_requests, kalshi.n_payloads, kalshi.n_events) == (
        "kalshi",
        1,
        2,
        2,
    )
    # 9 strikes: a probability, a bid, an ask and a volume each.
    assert kalshi.n_added == 9 * 4
    assert kalshi.notes == ()
    assert (gamma.n_payloads, gamma.n_added, gamma.n_events) == (1, 0, 0)
    assert gamma.notes == (
        f"{CHAIR_SLUG}: 'Who will Trump nominate as Fed Chair?' is not a rate-decision "
        "event ('... decision in <Month>'); no quote stored",
    )
    # Kalshi and Polymarket are fetched concurrently: Kalshi's first request is the first
    # to its events path, not necessarily the first request of all.
    first = next(url for url in seen if url.path == EVENTS_PATH)
    assert dict(first.params) == {
        "series_ticker": "KXFED",
        "status": "open",
        "with_nested_markets": "true",
        "limit": "200",
    }
    for body in pages:
        assert archive.get(sha256_hex(body)) == body
    # Each strike is an ordinary series of the catalog the store hands out, known from the
    # retrieval moment, its fetch row naming the bank and discovery key.
    catalog = catalog_of(store)
    sid = "us.fomc_odds.2026-12-09.kalshi.above_375"
    spec = catalog.spec(sid)
    assert (spec.unit, spec.source, spec.remote_code) == (
        "probability",
        "kalshi",
        "kalshi:2026-12-09:above_375",
    )
    assert catalog.spec(f"{sid}.volume").unit == "contracts"
    frame = store.read([sid, f"{sid}.bid", f"{sid}.ask", f"{sid}.volume"])
    values = dict(zip(frame["series_id"], frame["value"], strict=True))
    # KXFED-26DEC-T3.75: bid 0.05, ask 0.07 (constructed), mid 0.06; the real volume.
    assert values == pytest.approx(
        {sid: 0.06, f"{sid}.bid": 0.05, f"{sid}.ask": 0.07, f"{sid}.volume": 94884.62}
    )
    row = frame.iloc[0]
    assert row["known_from"] == "2026-12-01T15:00:00Z"
    assert row["origin"] == "live"
    (fetch,) = [f for f in store.fetches(source="kalshi") if f.fetch_id == row["fetch_id"]]
    assert (fetch.provenance["bank"], fetch.provenance["key"]) == ("fed", "KXFED")


def test_rerun_with_the_same_prices_adds_nothing(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    run(store, archive, answer())
    counts = store.counts()
    # Later the same day, the same prices: nothing new (the quote in force is unchanged).
    at(monkeypatch, T_DEC1 + timedelta(hours=2))
    again = run(store, archive, answer())
    (summary,) = again.summaries
    assert (summary.n_payloads, summary.n_added) == (1, 0)
    assert store.counts() == counts
    # Another day: each series has a value for that day (obs_date is the quote's UTC day).
    at(monkeypatch, T_DEC10)
    (summary,) = run(store, archive, answer()).summaries
    assert summary.n_added == 9 * 4


def test_a_failing_source_writes_nothing_and_blocks_nothing(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    report = run_decision_event(store, archive)
    assert not report.ok
    kalshi, gamma = report.summaries
    assert (kalshi.n_failed, kalshi.n_added) == (1, 0)
    assert "HTTP 500" in kalshi.errors[0]
    assert gamma.ok
    assert gamma.n_added == 4 * 4
    assert store.fetches(source="kalshi") == []
    # A body that is not an events answer is refused before anything is written.
    counts = store.counts()
    bad = run(store, archive, answer([FED_CHAIR]))
    (summary,) = bad.summaries
    assert "not an events payload" in summary.errors[0]
    assert store.counts() == counts


def test_an_absurd_price_is_refused_and_writes_nothing(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    data = json.loads(KALSHI_EVENTS)
    data["events"][0]["markets"][0]["yes_bid_dollars"] = "1.5000"
    counts = store.counts()
    report = run(store, archive, answer([json.dumps(data).encode()]))
    (summary,) = report.summaries
    assert "outside [0, 1]" in summary.errors[0]
    assert store.counts() == counts


def test_an_unknown_slug_fails_alone(store: Store, archive: RawArchive) -> None:
    report = run(store, archive, answer(), slugs=("fed-decision-in-never",))
    kalshi, gamma = report.summaries
    assert kalshi.ok
    assert gamma.n_failed == 1
    assert "HTTP 404" in gamma.errors[0]


# --- distributions -------------------------------------------------------------------------


def test_ladders_from_the_stored_quotes(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    run(store, archive, answer(paged(KALSHI_EVENTS)))
    dec, jan = market_distributions(store, "fed", date(2026, 12, 1), current_range=FED_RANGE)
    assert (dec.source, dec.meeting, jan.meeting) == ("kalshi", DEC, JAN)
    # KXFED-26DEC mids S(3.00..4.00) = 0.97, 0.90, 0.62, 0.06, 0.02 (monotone):
    # P(U<=3.00)=0.03, then 0.07, 0.28, 0.56, 0.04, and P(U>4.00)=0.02.
    assert probabilities(dec) == pytest.approx(
        {
            (2.75, 3.0): 0.03,
            (3.0, 3.25): 0.07,
            (3.25, 3.5): 0.28,
            (3.5, 3.75): 0.56,
            (3.75, 4.0): 0.04,
            (4.0, 4.25): 0.02,
        }
    )
    assert not dec.repaired
    assert [r.lumped for r in dec.probabilities] == ["below", None, None, None, None, "above"]
    quality = dec.quality
    assert quality is not None
    # Five markets of 94,884.62 contracts each (the real KXELONMARS-99 volume).
    assert quality.volume_contracts == pytest.approx(5 * 94884.62)
    assert not quality.thin
    # Spreads 2, 2, 4, 2, 2 pp; the quotes are as of their retrieval (15:00 UTC that day).
    assert (quality.max_spread_pp, quality.mean_spread_pp) == pytest.approx((4.0, 2.4))
    assert quality.last_update_at == T_DEC1
    assert not quality.stale
    # KXFED-27JAN: S = 0.95, 0.70, 0.74, 0.10; "above 3.50" > "above 3.25" is pooled:
    # (0.70 + 0.74) / 2 = 0.72 -> masses 0.05, 0.23, 0, 0.62, 0.10.
    assert jan.repaired
    assert probabilities(jan) == pytest.approx(
        {
            (2.75, 3.0): 0.05,
            (3.0, 3.25): 0.23,
            (3.25, 3.5): 0.0,
            (3.5, 3.75): 0.62,
            (3.75, 4.0): 0.10,
        }
    )
    assert any(f.startswith("repaired:") for f in jan.flags)
    # Two days on, no price has changed within 24 h: stale.
    (later, _) = market_distributions(store, "fed", date(2026, 12, 3), current_range=FED_RANGE)
    assert later.quality is not None
    assert later.quality.stale
    # Before the retrieval: nothing.
    assert market_distributions(store, "fed", date(2026, 11, 30), current_range=FED_RANGE) == []
    # The BOJ sees none of the Fed's quotes.
    assert market_distributions(store, "boj", date(2026, 12, 1), current_range=(0.75, 0.75)) == []


def test_a_closed_market_drops_out(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    run(store, archive, answer())
    # After the December meeting the provider no longer lists its event.
    data = json.loads(KALSHI_EVENTS)
    data["events"] = data["events"][1:]
    at(monkeypatch, T_DEC10)
    run(store, archive, answer([json.dumps(data).encode()]))
    before = market_distributions(store, "fed", date(2026, 12, 5), current_range=FED_RANGE)
    assert [d.meeting for d in before] == [DEC, JAN]
    # The December quotes are 9 days old on 2026-12-10: past a daily series' 7 days.
    after = market_distributions(store, "fed", date(2026, 12, 10), current_range=FED_RANGE)
    assert [d.meeting for d in after] == [JAN]


def test_a_polymarket_decision_event(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T_DEC1)
    report = run_decision_event(store, archive)
    gamma = report.summaries[1]
    assert (gamma.n_events, gamma.notes) == (1, ())
    assert sorted(
        s for s in catalog_of(store).series if ".polymarket." in s and "2026-12" in s
    ) == [
        f"us.fomc_odds.2026-12-09.polymarket.{outcome}{field}"
        for outcome in ("cut_25", "cut_50_plus", "hike_25_plus", "hold")
        for field in ("", ".ask", ".bid", ".volume")
    ]
    (poly,) = market_distributions(store, "fed", date(2026, 12, 1), current_range=FED_RANGE)
    assert (poly.source, poly.meeting) == ("polymarket", DEC)
    # Raw prices 0.02, 0.30, 0.66, 0.03 sum to 1.01: each divided by 1.01.
    assert probabilities(poly) == pytest.approx(
        {
            (3.0, 3.25): 0.02 / 1.01,
            (3.25, 3.5): 0.30 / 1.01,
            (3.5, 3.75): 0.66 / 1.01,
            (3.75, 4.0): 0.03 / 1.01,
        }
    )
    assert any(f.startswith("overround:") for f in poly.flags)
    assert poly.quality is not None
    assert poly.quality.volume_usd is not None
    assert poly.quality.last_update_at == T_DEC1
    assert not poly.quality.stale
    # December is the next meeting on 2026-12-01: the current range is the one before it.
    assert not any(f.startswith("anchor:") for f in poly.flags)


def test_a_later_polymarket_meeting_carries_the_anchor_caveat(
    store: Store, archive: RawArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, datetime(2026, 10, 1, tzinfo=UTC))
    run_decision_event(store, archive)
    (poly,) = market_distributions(store, "fed", date(2026, 10, 1), current_range=FED_RANGE)
    anchor = [f for f in poly.flags if f.startswith("anchor:")]
    assert anchor == [
        "anchor: outcomes are changes at the 2026-12-09 meeting, placed on the range "
        "3.5-3.75% given as current on 2026-10-01; another decision may move it first"
    ]


def test_boj_without_series_or_slugs_fetches_nothing(store: Store, archive: RawArchive) -> None:
    report = run(store, archive, answer(), bank="boj")
    assert report.summaries == ()
    assert report.ok
    assert store.counts() == (0, 0)
    configured = MarketDiscovery(
        banks={"fed": BankMarkets("fed"), "boj": BankMarkets("boj", ("KXFED",))}
    )
    boj = run(store, archive, answer(), bank="boj", discovery=configured)
    (summary,) = boj.summaries
    # KXFED-26DEC's strike date (2026-12-09) is no BOJ decision day; KXFED-27JAN has no
    # strike date and its ticker's month holds a BOJ meeting (2027-01-22): the
    # configuration, not the ticker, is what ties a series to a bank.
    assert summary.n_events == 1
    assert summary.notes == (
        "KXFED-26DEC: no meeting in the catalog matches it (strike date 2026-12-09)",
    )
    assert "jp.boj_odds.2027-01-22.kalshi.above_325" in catalog_of(store).series


# --- stores of the earlier pipeline ------------------------------------------------------------

#: A store made by the pipeline before this one (``market_snapshots.snapshot_markets`` on
#: this file's payloads at T_DEC1: the KXFED events, the derived December decision event and
#: the Fed-chair event): three ``market_snapshot`` fetch rows, no observations, their
#: bodies in ``raw/``; and the distributions that pipeline read from it as of 2026-12-02
#: (tests/payloads/market_snapshot_store/README.md).
LEGACY = PAYLOADS / "market_snapshot_store"


@pytest.fixture
def legacy_home(tmp_path: Path) -> Path:
    home = tmp_path / "legacy"
    shutil.copytree(LEGACY, home, ignore=shutil.ignore_patterns("*.json", "*.md"))
    return home


def test_a_store_of_the_earlier_pipeline_is_read_once_into_series(legacy_home: Path) -> None:
    with Store.open(legacy_home / "carrywatch.sqlite") as store:
        assert store.has_snapshots()
        assert store.counts() == (3, 0)
    with open_store(legacy_home, seed=False) as store:
        counts = store.counts()
        found = market_distributions(store, "fed", date(2026, 12, 2), current_range=FED_RANGE)
        assert store.get_meta(SNAPSHOTS_READ) is not None
    # 9 Kalshi strikes and 4 Polymarket outcomes, four series each (the chair event gives
    # none); each quote known from the snapshot's retrieval.
    assert counts == (3 + 2, (9 + 4) * 4)
    expected = json.loads((LEGACY / "distributions_asof_2026-12-02.json").read_text())
    assert [(d.meeting.isoformat(), d.source) for d in found] == [
        (e["meeting"], e["source"]) for e in expected
    ]
    for dist, old in zip(found, expected, strict=True):
        assert dist.repaired == old["repaired"]
        assert [(r.lower_pct, r.upper_pct, r.lumped) for r in dist.probabilities] == [
            (lo, hi, lumped) for lo, hi, _, lumped in old["distribution"]
        ]
        assert [r.probability for r in dist.probabilities] == pytest.approx(
            [p for _, _, p, _ in old["distribution"]], abs=1e-12
        )
    # Opened again: already read, nothing added.
    with open_store(legacy_home, seed=False) as store:
        assert store.counts() == counts


def test_a_snapshot_whose_body_is_gone_is_named_and_the_rest_read(legacy_home: Path) -> None:
    with Store.open(legacy_home / "carrywatch.sqlite") as store:
        (row,) = store.fetches(source="kalshi")
    RawArchive(legacy_home / "raw").path_for(row.sha256).unlink()
    with (
        pytest.warns(UserWarning, match="cannot be read: .*not in the archive"),
        open_store(legacy_home, seed=False) as store,
    ):
        counts = store.counts()
    assert counts == (3 + 1, 4 * 4)  # the Polymarket event only
