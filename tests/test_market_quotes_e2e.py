"""End to end: ``carrywatch markets refresh fed|boj`` against the replay server.

Kalshi and Polymarket Gamma point at a :class:`~tests.helpers.replay_server.ReplayServer`
(``CARRYWATCH_KALSHI_ORIGIN``, ``CARRYWATCH_POLYMARKET_GAMMA_ORIGIN``), which answers the
providers' own paths with:

* ``/trade-api/v2/events``: the CONSTRUCTED KXFED events answer
  (tests/payloads/kalshi/README.md);
* ``/events/slug/who-will-trump-nominate-as-fed-chair``: the real Gamma event
  (tests/payloads/polymarket_gamma/README.md), which is not a rate decision.

The quotes the CLI stores are then read back as the brief and ``odds`` read them
(:class:`~carrywatch.report.market_quotes.StoredMarkets`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from carrywatch.analytics.odds.distribution import OddsDistribution
from carrywatch.cli import main
from carrywatch.report.market_quotes import StoredMarkets
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import Store, StoredFetch
from carrywatch.types import sha256_hex
from carrywatch.workspace import catalog_of
from tests.helpers.replay_server import ReplayServer, Reply, replayed_home
from tests.helpers.tables import table_rows

PAYLOADS = Path(__file__).parent / "payloads"
EVENTS_PATH = "/trade-api/v2/events"
CHAIR = "who-will-trump-nominate-as-fed-chair"
CHAIR_PATH = f"/events/slug/{CHAIR}"
KALSHI_EVENTS = (PAYLOADS / "kalshi" / "constructed_events_KXFED_nested_markets.json").read_bytes()
FED_CHAIR = (
    PAYLOADS / "polymarket_gamma" / f"gamma_events_slug_{CHAIR}_2026-01-17_indent2.json"
).read_bytes()
COLUMNS = ("source", "requests", "failed", "payloads", "events", "quotes added", "first error")
FED_RANGE = (3.50, 3.75)
#: The moment every replayed answer is retrieved: before the constructed KXFED events'
#: 2026-12-09 decision, so that the test reads the same whatever day it runs on.
RETRIEVED_AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def market_home(
    home: Path, seeded: Path, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the seeded home; Kalshi and Polymarket Gamma at the replay server, every
    answer retrieved at :data:`RETRIEVED_AT` (the HTTP client's clock)."""
    monkeypatch.setattr("carrywatch.sources.http.utc_now", lambda: RETRIEVED_AT)
    return replayed_home(home, seeded, replay.origin, ("kalshi", "polymarket_gamma"), monkeypatch)


def serve(replay: ReplayServer, kalshi: Reply | None = None) -> None:
    replay.route(
        EVENTS_PATH, kalshi or Reply.payload(KALSHI_EVENTS, content_type="application/json")
    )
    replay.route(CHAIR_PATH, Reply.payload(FED_CHAIR, content_type="application/json"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def summary(stdout: str) -> dict[str, dict[str, str]]:
    """The summary table as {source: {column: text}}; wrapped cells are joined."""
    return table_rows(stdout, COLUMNS)


def archived(home: Path, body: bytes) -> bool:
    return RawArchive(home / "raw").has(sha256_hex(body))


def market_fetches(store: Store, source: str) -> list[StoredFetch]:
    """The fetch rows a markets refresh wrote for ``source`` (they name their bank)."""
    return [f for f in store.fetches(source=source) if "bank" in f.provenance]


def market_distributions(store: Store, day: date) -> list[OddsDistribution]:
    return StoredMarkets.load(store, catalog_of(store), day, 0)("fed", day, FED_RANGE)


def test_markets_refresh_stores_quotes_and_reads_back(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(replay)
    with Store.open(market_home / "carrywatch.sqlite") as store:
        counts_before = store.counts()

    code, out, err = run(capsys, "markets", "refresh", "fed", "--slug", CHAIR)

    assert code == 0, out + err
    rows = summary(out)
    assert rows["kalshi"] == {
        "source": "kalshi",
        "requests": "1",
        "failed": "0",
        "payloads": "1",
        "events": "2",
        "quotes added": "36",
        "first error": "",
    }
    assert (rows["polymarket_gamma"]["quotes added"], rows["polymarket_gamma"]["events"]) == (
        "0",
        "0",
    )
    assert f"note: polymarket_gamma: {CHAIR}: 'Who will Trump nominate as Fed Chair?' is not" in err
    # The providers' own paths and query.
    (asked,) = replay.requests_for(EVENTS_PATH)
    assert asked.params == {
        "series_ticker": "KXFED",
        "status": "open",
        "with_nested_markets": "true",
        "limit": "200",
    }
    assert len(replay.requests_for(CHAIR_PATH)) == 1
    # Archived byte for byte; the Kalshi answer is one fetch row with its quotes (the
    # chair event quotes nothing: no row, as for any payload that adds nothing).
    assert archived(market_home, KALSHI_EVENTS)
    assert archived(market_home, FED_CHAIR)
    with Store.open(market_home / "carrywatch.sqlite") as store:
        (kalshi,) = market_fetches(store, "kalshi")
        assert market_fetches(store, "polymarket_gamma") == []
        assert kalshi.sha256 == sha256_hex(KALSHI_EVENTS)
        assert kalshi.url == f"{replay.origin}{EVENTS_PATH}"
        assert (kalshi.origin, kalshi.provenance["bank"]) == ("live", "fed")
        counts = store.counts()
    assert counts == (counts_before[0] + 1, counts_before[1] + 36)

    # The same prices again (the same day): nothing new.
    code, out, err = run(capsys, "markets", "refresh", "fed", "--slug", CHAIR)
    assert code == 0, out + err
    assert {r["quotes added"] for r in summary(out).values()} == {"0"}
    with Store.open(market_home / "carrywatch.sqlite") as store:
        assert store.counts() == counts

        # Read back as of the retrieval day: the constructed KXFED ladders.
        retrieved = datetime.fromisoformat(kalshi.retrieved_at.replace("Z", "+00:00"))
        assert retrieved == RETRIEVED_AT  # the quotes are known from the retrieval moment
        day = retrieved.date()
        found = market_distributions(store, day)
        assert [(d.source, d.meeting) for d in found] == [
            ("kalshi", date(2026, 12, 9)),
            ("kalshi", date(2027, 1, 27)),
        ]
        for d in found:
            assert not d.refused
            assert math.fsum(r.probability for r in d.probabilities) == pytest.approx(1.0)
        assert found[0].probabilities[3].probability == pytest.approx(0.56)  # 3.50-3.75%
        # The day before the retrieval: nothing was known.
        earlier = day - timedelta(days=1)
        assert market_distributions(store, earlier) == []


def test_a_failing_source_exits_3_and_writes_nothing_for_it(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(replay, kalshi=Reply.error(500))

    code, out, err = run(capsys, "markets", "refresh", "fed", "--slug", CHAIR)

    assert code == 3, out + err
    rows = summary(out)
    assert rows["kalshi"]["failed"] == "1"
    assert rows["kalshi"]["quotes added"] == "0"
    assert "HTTP 500" in rows["kalshi"]["first error"]
    assert rows["polymarket_gamma"]["failed"] == "0"
    assert "1 source(s) failed: kalshi (1 of 1 request(s))" in err
    assert len(replay.requests_for(EVENTS_PATH)) > 1  # retried before giving up
    with Store.open(market_home / "carrywatch.sqlite") as store:
        assert market_fetches(store, "kalshi") == []
    assert archived(market_home, FED_CHAIR)
    assert not archived(market_home, b"500 Internal Server Error\n")


def test_usage_errors_exit_1_before_any_request(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(replay)
    code, _, err = run(capsys, "markets", "refresh", "ecb")
    assert code == 1
    assert "error:" in err
    code, _, err = run(capsys, "markets", "refresh", "fed", "--slug", "fed decision")
    assert code == 1
    assert "not a Polymarket event slug" in err
    assert replay.requests == []


def test_boj_without_a_slug_is_an_error_that_says_where_slugs_come_from(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(replay)
    code, out, err = run(capsys, "markets", "refresh", "boj")
    assert code == 1, out + err
    assert "nothing to fetch for boj" in err
    assert "--slug" in err
    assert "polymarket.com/event/SLUG" in err
    assert replay.requests == []


def test_reparse_reads_the_market_answers_again(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Market answers are live fetch rows naming their bank: ``reparse`` reads them into
    quotes again and, the parsers unchanged, adds nothing."""
    serve(replay)
    code, out, err = run(capsys, "markets", "refresh", "fed", "--slug", CHAIR)
    assert code == 0, out + err
    with Store.open(market_home / "carrywatch.sqlite") as store:
        before = store.counts()
    code, out, err = run(capsys, "reparse", "--source", "kalshi", "--source", "polymarket_gamma")
    assert code == 0, out + err
    with Store.open(market_home / "carrywatch.sqlite") as store:
        assert store.counts() == before


def test_the_brief_shows_the_recorded_market_odds_by_meeting(
    market_home: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    serve(replay)
    code, out, err = run(capsys, "markets", "refresh", "fed", "--slug", CHAIR)
    assert code == 0, out + err
    with Store.open(market_home / "carrywatch.sqlite") as store:
        (kalshi,) = market_fetches(store, "kalshi")
    day = date.fromisoformat(kalshi.retrieved_at[:10])
    # The embedded target range ends in 2026 (FRED's DFEDTARL as collected), so it is stale
    # on the retrieval day; a desk would refresh FRED. Here the user's own file stands in:
    # FED_RANGE, the range the ladder test anchors on, imported for that day.
    for sid, value in (
        ("us.fed.target_lower", FED_RANGE[0]),
        ("us.fed.target_upper", FED_RANGE[1]),
    ):
        csv_file = tmp_path / f"{sid}.csv"
        csv_file.write_text(f"date,value\n{day.isoformat()},{value}\n", encoding="utf-8")
        code, out, err = run(capsys, "import", str(csv_file), "--series", sid)
        assert code == 0, out + err

    out_dir = tmp_path / "brief"
    code, out, err = run(capsys, "brief", "--asof", day.isoformat(), "--out", str(out_dir))

    assert code == 0, out + err
    brief = json.loads((out_dir / "brief.json").read_text(encoding="utf-8"))
    (odds,) = [s for s in brief["sections"] if s["key"] == "odds"]
    (table,) = odds["tables"]
    rows = {(r[0], r[1]): dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}
    december = rows[("FOMC", "2026-12-09")]
    # The constructed ladder (see test_markets_refresh_stores_quotes_and_reads_back):
    # 3.50-3.75% is its most likely range at 56%.
    assert str(december["markets"]).startswith("kalshi: 3.5-3.75% 56%"), odds["missing"]
    assert december["exchange"] is None
    (figure,) = odds["figures"]
    bars = [t for t in figure["spec"]["data"] if t["type"] == "bar"]
    assert bars, "the chart draws bars once a market prices a meeting"
    assert "FOMC 09 Dec 2026 · kalshi" in bars[0]["x"]
    assert any("Kalshi" in s for s in figure["sources"])
    # The bars of one meeting are that market's distribution, in percent.
    december_bars = [
        y for t in bars for x, y in zip(t["x"], t["y"], strict=True) if x.startswith("FOMC 09 Dec")
    ]
    assert math.fsum(december_bars) == pytest.approx(100.0), figure["spec"]["data"]
    # Colours follow the move (ColorBrewer RdBu): a cut red, darker the larger; a hike
    # blue; a hold grey; whichever meeting or order the outcome comes in.
    colour = {t["name"]: t["marker"]["color"] for t in bars}
    assert (colour["-25bp"], colour["-50bp"], colour["hold"], colour["+25bp"]) == (
        "#f4a582",
        "#d6604d",
        "#8a9099",
        "#92c5de",
    )
    assert not any(m.startswith("FOMC:") for m in odds["missing"])
    # No BOJ market was recorded: no BOJ odds, and the section says why instead of guessing
    # (the reason depends on the day the test runs, which sets whether the last recorded
    # BOJ decision is still in force: no range, or no quote pricing the meetings).
    assert not any(key[0] == "BOJ" and row["markets"] for key, row in rows.items())
    assert any(m.startswith("BOJ: ") for m in odds["missing"]), odds["missing"]
