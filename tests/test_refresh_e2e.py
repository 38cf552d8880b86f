"""End to end: the ``carrywatch`` CLI against a local server that replays real payloads.

Every source's origin is pointed at a :class:`~tests.helpers.replay_server.ReplayServer`
(``CARRYWATCH_<SOURCE>_ORIGIN``), which answers the provider's own paths with the files of
``tests/payloads/<source>/`` -- byte-exact real recordings, or files whose README marks
them as constructed -- and injects faults. The CLI runs in-process (``cli.main``).

What the payloads are, and what a refresh of them does to a store seeded from the
embedded snapshot (which was built from the same real data):

=============  ==============================================  =========================
source         served (provider path)                          outcome
=============  ==============================================  =========================
fred           real DGS10 download (``/graph/fredgraph.csv``)  ok, 0 rows: = snapshot
japan_mof      real ``jgbcm_all.csv`` 1974-2022 (CP932) and    ok, 0 rows: = snapshot
               the constructed current-month ``jgbcm.csv``
ustreasury     real par-curve CSV, for every year path         ok, 0 rows: = snapshot
tic            real ``mfhhis01.txt``                           ok, 0 rows: = snapshot
fiscaldata     constructed pages 1 and 2                       ok, 2 rows (2021 dates)
coinbase       constructed daily candles 2026-06-03..05        ok, 3 rows
boj            constructed "no data" answer (M181030I)         ok, 0 rows
cftc           real Socrata answer for contract 239747         fails: we ask for 097741
yahoo          real 404 answer of the chart API                fails: no data
=============  ==============================================  =========================

A real payload that reproduces the snapshot adding nothing is itself a check: the live
parsers and the snapshot builder agree on the same bytes. Derived variants (a value
revised, a header renamed, a re-encoding) are made in memory in the test that uses them.

One seeded home is built per module (seeding takes seconds) and copied per test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.cli import main
from carrywatch.store.sqlite import StoredFetch
from tests.helpers.replay_server import ReplayServer, Reply, replayed_home
from tests.helpers.tables import table_rows

PAYLOADS = Path(__file__).parent / "payloads"

# The provider paths each source's ``plan`` requests (kept by the origin override).
FRED_PATH = "/graph/fredgraph.csv"
MOF_HISTORY_PATH = "/jgbs/reference/interest_rate/data/jgbcm_all.csv"
MOF_CURRENT_PATH = "/jgbs/reference/interest_rate/jgbcm.csv"
UST_PATH = "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/{year}/all"
TIC_PATH = "/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"
CFTC_PATH = "/resource/6dca-aqww.json"
BOJ_PATH = "/api/v1/getDataCode"
FISCAL_PATH = "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"
YAHOO_PATH = "/v8/finance/chart/JPY=X"
COINBASE_PATH = "/products/BTC-USD/candles"

LIVE_SOURCES = (
    "fred",
    "japan_mof",
    "ustreasury",
    "tic",
    "cftc",
    "boj",
    "fiscaldata",
    "yahoo",
    "coinbase",
)

#: The catalog series each scenario refreshes (fred and yahoo: the one series whose
#: real payload we hold; the other sources: all their series).
ONLY_SERIES = {"fred": ("us.ust.10y",), "yahoo": ("fx.usdjpy.yahoo",)}

SUMMARY_COLUMNS = ("source", "requests", "failed", "rows added", "first error")

Route = tuple[str, Mapping[str, str] | None, Reply]


# -- payloads -------------------------------------------------------------------------


def payload_bytes(relative: str) -> bytes:
    """A payload file's bytes (``.gz`` files are stored compressed: decompressed here)."""
    path = PAYLOADS / relative
    body = path.read_bytes()
    return gzip.decompress(body) if path.suffix == ".gz" else body


def ok(relative: str, content_type: str = "text/csv") -> Reply:
    return Reply.payload(payload_bytes(relative), content_type=content_type)


DGS10 = "fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv"
MOF_HISTORY = "japan_mof/jgbcm_all_1974-09_to_2022-05_cp932.csv"
MOF_CURRENT = "japan_mof/constructed_jgbcm_R8-06.csv"
UST_REAL = "ustreasury/daily-treasury-rates.csv"
TIC_REAL = "tic/mfhhis01_through_2025-12.txt"
CFTC_REAL = "cftc/socrata_jun7-fc8e_legacy_combined_239747_2024-08-20.json"
BOJ_NO_DATA = "boj/constructed_getDataCode_no_data_M181030I.json"
BOJ_ERROR = "boj/constructed_getDataCode_error_M181013E.json"
FISCAL_PAGE1 = "fiscaldata/constructed_operating_cash_balance_page1.json"
FISCAL_PAGE2 = "fiscaldata/constructed_operating_cash_balance_page2.json"
YAHOO_404 = "yahoo/v8_chart_ESZ23.CME_404_not_found_2023-12-22.json"
YAHOO_ES_CHART = "yahoo/v8_chart_ESH24.CME_interval1d_range1d_2023-12-22.json"
COINBASE_DAILY = (
    "coinbase/constructed_candles_BTC-USD_1d_2026-06-03_to_05_values_from_yahoo_btc.json"
)
COINBASE_HOURLY = "coinbase/coinbase_exchange_candles_BTC-USDT_1h_2024-03-13_via_ccxt.json"


def default_routes(source: str) -> list[Route]:  # noqa: PLR0911 -- one branch per source
    """The healthy answers for ``source``: one route per path (and page) it requests."""
    if source == "fred":
        return [(FRED_PATH, {"id": "DGS10"}, ok(DGS10))]
    if source == "japan_mof":
        return [
            (MOF_HISTORY_PATH, None, ok(MOF_HISTORY)),
            (MOF_CURRENT_PATH, None, ok(MOF_CURRENT)),
        ]
    if source == "ustreasury":
        # The plan asks one file per calendar year up to the current one; the real
        # (re-saved, 2021-2025) file answers each of them.
        this_year = datetime.now(UTC).year
        real = ok(UST_REAL)
        return [(UST_PATH.format(year=y), None, real) for y in range(2021, this_year + 2)]
    if source == "tic":
        return [(TIC_PATH, None, ok(TIC_REAL, "text/plain"))]
    if source == "cftc":
        return [(CFTC_PATH, None, ok(CFTC_REAL, "application/json"))]
    if source == "boj":
        return [(BOJ_PATH, None, ok(BOJ_NO_DATA, "application/json"))]
    if source == "fiscaldata":
        return [
            (FISCAL_PATH, {"page[number]": "1"}, ok(FISCAL_PAGE1, "application/json")),
            (FISCAL_PATH, {"page[number]": "2"}, ok(FISCAL_PAGE2, "application/json")),
        ]
    if source == "yahoo":
        return [(YAHOO_PATH, None, Reply.error(404, body=payload_bytes(YAHOO_404)))]
    if source == "coinbase":
        return [(COINBASE_PATH, None, ok(COINBASE_DAILY, "application/json"))]
    raise AssertionError(f"no routes for {source}")


def install(
    server: ReplayServer,
    source: str,
    script: Callable[[Reply], Sequence[Reply]] | None = None,
) -> list[Route]:
    """Serve ``source``'s routes, each through ``script`` (a fault) when given."""
    routes = default_routes(source)
    for path, query, reply in routes:
        replies = list(script(reply)) if script is not None else [reply]
        server.route(path, *replies, query=query)
    return routes


def series_of(source: str) -> tuple[str, ...]:
    return ONLY_SERIES.get(source) or tuple(s.id for s in load_catalog().by_source(source))


def refresh_args(*sources: str, extra: Sequence[str] = ()) -> list[str]:
    args = ["refresh"]
    for source in sources:
        for series_id in series_of(source):
            args += ["--series", series_id]
    return [*args, *extra]


# -- the store, before and after --------------------------------------------------------


@dataclass(frozen=True)
class SourceState:
    """Everything the store holds about one source's series."""

    frame: pd.DataFrame
    status: pd.DataFrame
    fetches: list[StoredFetch]
    counts: tuple[int, int]


def source_state(home: Path, source: str) -> SourceState:
    """The refreshed series' observations; status and fetch rows of all ``source``'s."""
    ids = sorted(s.id for s in load_catalog().by_source(source))
    with carrywatch.open_store(home) as store:
        frame = store.read(sorted(series_of(source)))
        status = store.series_status()
        status = status[status["series_id"].isin(ids)].reset_index(drop=True)
        return SourceState(
            frame=frame, status=status, fetches=store.fetches(source=source), counts=store.counts()
        )


def assert_unchanged(before: SourceState, after: SourceState) -> None:
    pd.testing.assert_frame_equal(before.frame, after.frame)
    pd.testing.assert_frame_equal(before.status, after.status)
    assert before.fetches == after.fetches


def observations_per_fetch(home: Path) -> dict[int, int]:
    uri = f"file:{home / 'carrywatch.sqlite'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = db.execute("SELECT fetch_id, COUNT(*) FROM observations GROUP BY fetch_id")
        return {int(fetch_id): int(n) for fetch_id, n in rows}


def raw_files(home: Path) -> set[str]:
    root = home / "raw"
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def archived(home: Path, body: bytes) -> bool:
    digest = hashlib.sha256(body).hexdigest()
    path = home / "raw" / digest[:2] / digest
    return path.is_file() and path.read_bytes() == body


# -- the CLI's output -------------------------------------------------------------------


def summary(stdout: str) -> dict[str, dict[str, str]]:
    """The refresh/reparse table as {source: {column: text}}; wrapped cells are joined."""
    return table_rows(stdout, SUMMARY_COLUMNS)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def show(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "series", "show", *argv, "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    assert isinstance(records, list)
    return records


def utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(seeded: Path) -> Callable[[str], SourceState]:
    """A source's state in the seeded home (every test starts from a copy of it)."""
    cache: dict[str, SourceState] = {}

    def state(source: str) -> SourceState:
        if source not in cache:
            cache[source] = source_state(seeded, source)
        return cache[source]

    return state


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def cw_home(
    home: Path, seeded: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the seeded home; every live source points at the replay server."""
    return replayed_home(home, seeded, server.origin, LIVE_SOURCES, monkeypatch)


# -- each source, healthy ---------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    code: int
    added: int = 0
    fragments: tuple[str, ...] = ()
    #: Whether the payload holds rows of the refreshed series (which then count as
    #: checked now); BOJ's "no data" answer holds none.
    has_rows: bool = True


REAL_OUTCOMES = {
    "fred": Expect(0),
    "japan_mof": Expect(0),
    "ustreasury": Expect(0),
    "tic": Expect(0),
    "fiscaldata": Expect(0, added=2),
    "coinbase": Expect(0, added=3),
    "boj": Expect(0, has_rows=False),
    "cftc": Expect(3, fragments=("097741", "239747")),
    "yahoo": Expect(3, fragments=("no data", "delisted")),
}


@pytest.mark.parametrize("source", sorted(REAL_OUTCOMES))
def test_refresh_each_source_from_its_real_payload(
    source: str,
    cw_home: Path,
    server: ReplayServer,
    baseline: Callable[[str], SourceState],
    capsys: pytest.CaptureFixture[str],
) -> None:
    expect = REAL_OUTCOMES[source]
    routes = install(server, source)
    before = baseline(source)
    started = datetime.now(UTC).replace(microsecond=0)

    code, out, err = run(capsys, *refresh_args(source))

    assert code == expect.code, out + err
    row = summary(out)[source]
    assert row["rows added"] == str(expect.added)
    after = source_state(cw_home, source)
    served_paths = {path for path, _, _ in routes}
    asked = server.requests
    assert asked, "no request reached the replay server"
    assert {r.path for r in asked} <= served_paths  # the provider's own paths
    if expect.code == 0:
        assert row["failed"] == "0"
        assert "failed" not in err
        # Every body received is archived; every series was confirmed by this fetch.
        for path, _, reply in routes:
            if server.requests_for(path):
                assert archived(cw_home, reply.body), path
        if expect.has_rows:
            status = after.status.set_index("series_id")
            checked = status.loc[list(series_of(source)), "last_checked"]
            assert all(utc(str(c)) >= started for c in checked)
        n_new = after.counts[1] - before.counts[1]
        assert n_new == expect.added
        if expect.added == 0:
            # The live parser reads the real bytes exactly as the snapshot holds them.
            pd.testing.assert_frame_equal(before.frame, after.frame)
            assert before.fetches == after.fetches
    else:
        assert row["failed"] == row["requests"]
        for fragment in expect.fragments:
            assert fragment in row["first error"], row
        assert f"failed: {source}" in err
        assert_unchanged(before, after)
        assert after.counts == before.counts
        assert raw_files(cw_home) == set()


def test_requests_carry_the_provider_query(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only scheme, host and port are replaced: path and query are the provider's."""
    for source in ("fred", "ustreasury", "fiscaldata", "coinbase", "boj"):
        install(server, source)
    code, out, err = run(
        capsys, *refresh_args("fred", "ustreasury", "fiscaldata", "coinbase", "boj")
    )
    assert code == 0, out + err

    def params(path: str) -> list[dict[str, str]]:
        return [r.params for r in server.requests_for(path)]

    (fred,) = params(FRED_PATH)
    assert fred["id"] == "DGS10"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fred["cosd"])
    years = sorted(r.path for r in server.requests if "/interest-rates/" in r.path)
    assert years
    assert all(p.endswith("/all") for p in years)
    for year_path in years:
        (query,) = params(year_path)
        assert query["type"] == "daily_treasury_yield_curve"
        assert query["_format"] == "csv"
        assert year_path == UST_PATH.format(year=query["field_tdr_date_value"])
    pages = sorted(p["page[number]"] for p in params(FISCAL_PATH))
    assert pages == ["1", "2"]
    assert all(p["sort"] == "record_date" for p in params(FISCAL_PATH))
    assert all(p["granularity"] == "86400" for p in params(COINBASE_PATH))
    (boj,) = params(BOJ_PATH)
    assert (boj["db"], boj["code"], boj["format"]) == ("FM01", "STRDCLUCON", "json")


# -- faults: one source fails or recovers, another is written ----------------------------


def _renamed_fred_column(reply: Reply) -> list[Reply]:
    assert reply.body.startswith(b"observation_date,DGS10\n")
    return [replace(reply, body=reply.body.replace(b",DGS10\n", b",DGS10_PCT\n", 1))]


def _renamed_treasury_tenor(reply: Reply) -> list[Reply]:
    header, _, rest = reply.body.partition(b"\n")
    assert b",10 Yr," in header
    return [replace(reply, body=header.replace(b",10 Yr,", b",10 Yrs,") + b"\n" + rest)]


def _utf8_reencoded(reply: Reply) -> list[Reply]:
    # The kanji of the CP932 file become UTF-8 byte triples: what a careless mirror does.
    return [replace(reply, body=reply.body.decode("cp932").encode("utf-8"))]


@dataclass(frozen=True)
class Fault:
    source: str
    script: Callable[[Reply], Sequence[Reply]]
    code: int
    fragments: tuple[str, ...] = ()
    attempts: int | None = None  # requests per path the client must have sent
    timeout_s: str = "10"


FAULTS = {
    "timeout_then_ok": Fault(
        "fred",
        lambda r: [replace(r, delay_s=2.0), r],
        code=0,
        attempts=2,
        timeout_s="0.5",
    ),
    "429_retry_after_then_ok": Fault(
        "japan_mof", lambda r: [Reply.error(429, retry_after="1"), r], code=0, attempts=2
    ),
    "500_then_ok": Fault("tic", lambda r: [Reply.error(500), r], code=0, attempts=2),
    "503_then_ok": Fault("ustreasury", lambda r: [Reply.error(503), r], code=0, attempts=2),
    "truncated_then_ok": Fault(
        "japan_mof", lambda r: [replace(r, truncate_at=len(r.body) // 3), r], code=0, attempts=2
    ),
    "500_forever": Fault(
        "fred", lambda r: [Reply.error(500)], code=3, fragments=("HTTP 500", "4"), attempts=4
    ),
    "html_with_200": Fault(
        "ustreasury", lambda r: [Reply.html()], code=3, fragments=("HTML",), attempts=1
    ),
    "truncated_forever": Fault(
        "tic",
        lambda r: [replace(r, truncate_at=len(r.body) // 2)],
        code=3,
        fragments=("RemoteProtocolError",),
        attempts=4,
    ),
    "renamed_column_fred": Fault(
        "fred", _renamed_fred_column, code=3, fragments=("DGS10", "DGS10_PCT"), attempts=1
    ),
    "renamed_tenor_treasury": Fault(
        "ustreasury", _renamed_treasury_tenor, code=3, fragments=("10 Yrs",), attempts=1
    ),
    "utf8_reencoded_mof": Fault(
        "japan_mof", _utf8_reencoded, code=3, fragments=("UTF-8", "CP932"), attempts=1
    ),
    "html_with_200_fiscaldata": Fault(
        "fiscaldata", lambda r: [Reply.html()], code=3, fragments=("HTML",), attempts=1
    ),
    "500_forever_coinbase": Fault(
        "coinbase", lambda r: [Reply.error(500)], code=3, fragments=("HTTP 500",), attempts=4
    ),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_isolated_to_its_source(  # noqa: PLR0917 -- fixtures
    name: str,
    cw_home: Path,
    server: ReplayServer,
    baseline: Callable[[str], SourceState],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fault = FAULTS[name]
    healthy = "fiscaldata" if fault.source == "coinbase" else "coinbase"
    monkeypatch.setenv("CARRYWATCH_HTTP_TIMEOUT_S", fault.timeout_s)
    routes = install(server, fault.source, fault.script)
    install(server, healthy)
    before = baseline(fault.source)
    healthy_before = baseline(healthy)
    raw_before = raw_files(cw_home)
    started = datetime.now(UTC).replace(microsecond=0)

    code, out, err = run(capsys, *refresh_args(fault.source, healthy))

    assert code == fault.code, out + err
    table = summary(out)
    assert "Traceback" not in out + err

    # The healthy source is written whatever happened to the other one.
    assert table[healthy]["failed"] == "0"
    assert int(table[healthy]["rows added"]) > 0
    with carrywatch.open_store(cw_home) as store:
        healthy_after = store.fetches(source=healthy)
    new_fetches = [f for f in healthy_after if f not in healthy_before.fetches]
    assert new_fetches
    assert all(f.origin == "live" for f in new_fetches)

    # The client retried exactly as the policy says (or not at all for a bad body).
    for path, _, _ in routes:
        asked = server.requests_for(path)
        if fault.attempts is not None:
            attempts = Counter(r.query for r in asked)  # per request (query), not per path
            assert set(attempts.values()) <= {fault.attempts}, (path, attempts)
        if name == "429_retry_after_then_ok" and asked:
            first = [r for r in asked if r.query == asked[0].query]
            assert first[1].at - first[0].at >= 0.9  # Retry-After: 1 was honoured
    assert any(server.requests_for(path) for path, _, _ in routes)

    after = source_state(cw_home, fault.source)
    if fault.code == 0:
        assert table[fault.source]["failed"] == "0"
        checked = after.status.set_index("series_id").loc[
            list(series_of(fault.source)), "last_checked"
        ]
        assert all(utc(str(c)) >= started for c in checked)
        return

    row = table[fault.source]
    assert row["failed"] == row["requests"] != "0"
    assert row["rows added"] == "0"
    for fragment in fault.fragments:
        assert fragment in row["first error"], row
    assert f"failed: {fault.source}" in err
    # Exactly what it held before: values, provenance, checks and fetch rows.
    assert_unchanged(before, after)
    # Everything that changed in the store belongs to the healthy source's new fetches.
    per_fetch = observations_per_fetch(cw_home)
    new_obs = sum(per_fetch.get(f.fetch_id, 0) for f in new_fetches)
    assert after.counts == (before.counts[0] + len(new_fetches), before.counts[1] + new_obs)
    # What was archived is the healthy source's bodies, nothing of the failed one.
    healthy_bodies = {
        hashlib.sha256(reply.body).hexdigest()
        for path, query, reply in default_routes(healthy)
        if any(r.params.items() >= dict(query or {}).items() for r in server.requests_for(path))
    }
    assert raw_files(cw_home) - raw_before == healthy_bodies


def test_a_paged_request_is_all_or_nothing(
    cw_home: Path,
    server: ReplayServer,
    baseline: Callable[[str], SourceState],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Page 1 of Fiscal Data arrives, page 2 never does: page 1 is not written."""
    install(server, "fiscaldata")
    server.route(FISCAL_PATH, Reply.error(503), query={"page[number]": "2"})
    before = baseline("fiscaldata")

    code, out, err = run(capsys, *refresh_args("fiscaldata"))

    assert code == 3, out + err
    assert "HTTP 503" in summary(out)["fiscaldata"]["first error"]
    assert len(server.requests_for(FISCAL_PATH)) == 1 + 4
    after = source_state(cw_home, "fiscaldata")
    assert_unchanged(before, after)
    assert after.counts == before.counts


def test_failed_source_is_not_reported_untouched_when_it_was_written(
    cw_home: Path,
    server: ReplayServer,
    baseline: Callable[[str], SourceState],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A source with several requests where one succeeds and the others fail.

    Each request is its own transaction (ARCHITECTURE: "exactly as it was before that
    payload"), so the first Coinbase chunk is stored. The CLI must then not tell the user
    that the failed source's data is "untouched".
    """
    body = payload_bytes(COINBASE_DAILY)
    server.route(
        COINBASE_PATH, Reply.payload(body, content_type="application/json"), Reply.error(500)
    )
    before = baseline("coinbase")

    code, out, err = run(capsys, *refresh_args("coinbase", extra=["--start", "2025-01-01"]))

    assert code == 3, out + err
    row = summary(out)["coinbase"]
    assert int(row["requests"]) >= 2
    assert row["failed"] != "0"
    after = source_state(cw_home, "coinbase")
    assert after.counts != before.counts  # the successful chunk was written...
    assert row["rows added"] == "3"
    claims_untouched = re.search(r"failed: .*coinbase.*untouched", err) is not None
    assert not claims_untouched, (  # ...so the CLI must not say it was not
        f"the CLI says coinbase's data is untouched, but {row['rows added']} rows were "
        f"added to it: {err.strip()!r}"
    )


def test_provider_error_text_is_shown_verbatim(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error body is provider text, not console markup: square brackets must print as
    they are and must not crash the CLI."""
    server.route(FRED_PATH, Reply.error(404, body=b"Error: series [/DGS10] [bold]not found\n"))
    install(server, "coinbase")

    try:
        code, out, err = run(capsys, *refresh_args("fred", "coinbase"))
    except Exception as exc:  # the CLI must never let one escape
        pytest.fail(f"{type(exc).__name__} escaped cli.main: {exc}")

    assert code == 3, out + err
    assert "[/DGS10] [bold]not found" in summary(out)["fred"]["first error"]


# -- a successful refresh: provenance, archive, idempotence, revisions, reparse --------


def _revised_candles(body: bytes, day_start: int, close: float) -> bytes:
    candles = json.loads(body)
    for candle in candles:
        if candle[0] == day_start:
            candle[4] = close
    return json.dumps(candles, separators=(",", ":")).encode()


def test_refresh_provenance_idempotence_revision_and_reparse(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fred_body = payload_bytes(DGS10)
    coin_body = payload_bytes(COINBASE_DAILY)
    candles = json.loads(coin_body)
    closes = {datetime.fromtimestamp(c[0], UTC).strftime("%Y-%m-%d"): c[4] for c in candles}
    assert sorted(closes) == ["2026-06-03", "2026-06-04", "2026-06-05"]
    server.route(FRED_PATH, Reply.payload(fred_body), query={"id": "DGS10"})
    server.route(COINBASE_PATH, Reply.payload(coin_body, content_type="application/json"))
    args = refresh_args("fred", "coinbase")
    with carrywatch.open_store(cw_home) as store:
        counts0 = store.counts()
    started = datetime.now(UTC).replace(microsecond=0)

    # 1. First refresh: 3 new Coinbase days; the real DGS10 file matches the snapshot.
    code, out, err = run(capsys, *args)
    assert code == 0, out + err
    table = summary(out)
    assert table["coinbase"]["rows added"] == "3"
    assert table["fred"]["rows added"] == "0"

    records = show(capsys, "crypto.btcusd", "--start", "2026-06-03", "--end", "2026-06-05")
    assert {str(r["obs_date"]): r["value"] for r in records} == closes
    first_retrieved = str(records[0]["retrieved_at"])
    for r in records:
        assert r["origin"] == "live"
        assert r["source"] == "coinbase"
        # The provider's path and query under the local origin.
        assert str(r["url"]).startswith(server.origin + COINBASE_PATH + "?granularity=86400&start=")
        assert r["retrieved_at"] == first_retrieved == r["known_from"]
        assert started <= utc(first_retrieved) <= datetime.now(UTC)

    with carrywatch.open_store(cw_home) as store:
        (fetch,) = store.fetches(source="coinbase", origin="live")
        counts1 = store.counts()
        assert store.fetches(source="fred", origin="live") == []
    assert fetch.sha256 == hashlib.sha256(coin_body).hexdigest()
    assert (fetch.n_bytes, fetch.http_status) == (len(coin_body), 200)
    assert fetch.url == server.origin + COINBASE_PATH
    assert ("granularity", "86400") in fetch.params
    assert fetch.retrieved_at == first_retrieved
    assert counts1 == (counts0[0] + 1, counts0[1] + 3)
    raw = cw_home / "raw" / fetch.sha256[:2] / fetch.sha256
    assert raw.read_bytes() == coin_body
    assert archived(cw_home, fred_body)  # archived even though it added nothing

    # 2. The same refresh again adds nothing.
    code, out, err = run(capsys, *args)
    assert code == 0, out + err
    assert {s: row["rows added"] for s, row in summary(out).items()} == {
        "fred": "0",
        "coinbase": "0",
    }
    with carrywatch.open_store(cw_home) as store:
        assert store.counts() == counts1

    # 3. A revision: one Coinbase close and one real DGS10 value changed (made in
    #    memory from the payloads above). Timestamps have 1 s resolution: wait for the
    #    next second so the two retrievals are distinguishable.
    while datetime.now(UTC).replace(microsecond=0) <= utc(first_retrieved):
        time.sleep(0.05)
    day5 = int(datetime(2026, 6, 5, tzinfo=UTC).timestamp())
    coin_revised = _revised_candles(coin_body, day5, 61500.0)
    assert b"\n2024-08-05,3.78\n" in fred_body
    fred_revised = fred_body.replace(b"\n2024-08-05,3.78\n", b"\n2024-08-05,3.79\n")
    server.route(FRED_PATH, Reply.payload(fred_revised), query={"id": "DGS10"})
    server.route(COINBASE_PATH, Reply.payload(coin_revised, content_type="application/json"))
    code, out, err = run(capsys, *args)
    assert code == 0, out + err
    table = summary(out)
    assert (table["coinbase"]["rows added"], table["fred"]["rows added"]) == ("1", "1")

    newest = show(capsys, "crypto.btcusd", "--start", "2026-06-05", "--end", "2026-06-05")
    assert [r["value"] for r in newest] == [61500.0]
    assert utc(str(newest[0]["retrieved_at"])) > utc(first_retrieved)
    as_known = show(
        capsys,
        "crypto.btcusd",
        "--start",
        "2026-06-05",
        "--end",
        "2026-06-05",
        "--known-at",
        first_retrieved,
    )
    assert [r["value"] for r in as_known] == [closes["2026-06-05"]]
    assert as_known[0]["retrieved_at"] == first_retrieved
    unchanged_day = show(capsys, "crypto.btcusd", "--start", "2026-06-04", "--end", "2026-06-04")
    assert unchanged_day[0]["retrieved_at"] == first_retrieved  # not re-stored

    ust = show(capsys, "us.ust.10y", "--start", "2024-08-05", "--end", "2024-08-05")
    assert [(r["value"], r["origin"]) for r in ust] == [(3.79, "live")]
    assert str(ust[0]["url"]).startswith(server.origin + FRED_PATH + "?id=DGS10&")
    ust_then = show(
        capsys,
        "us.ust.10y",
        "--start",
        "2024-08-05",
        "--end",
        "2024-08-05",
        "--known-at",
        first_retrieved,
    )
    assert [(r["value"], r["origin"]) for r in ust_then] == [(3.78, "snapshot")]

    # 4. Reparse: the archived payloads, no network (the server is gone), nothing new.
    with carrywatch.open_store(cw_home) as store:
        counts2 = store.counts()
        frame2 = store.read(["crypto.btcusd", "us.ust.10y"])
        n_live = len(store.fetches(origin="live"))
    assert counts2 == (counts1[0] + 2, counts1[1] + 2)
    assert n_live == 3
    server.stop()
    code, out, err = run(capsys, "reparse")
    assert code == 0, out + err
    table = summary(out)
    assert table["coinbase"]["requests"] == "2"
    assert table["fred"]["requests"] == "1"
    assert all(row["rows added"] == "0" for row in table.values())
    with carrywatch.open_store(cw_home) as store:
        assert store.counts() == counts2
        pd.testing.assert_frame_equal(store.read(["crypto.btcusd", "us.ust.10y"]), frame2)


# -- usage and configuration errors -----------------------------------------------------


def _assert_one_clean_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert err.startswith("error: "), err
    flat = " ".join(err.split())
    for fragment in fragments:
        assert fragment in flat, err


MALFORMED_ORIGINS = {
    "no_scheme": "127.0.0.1:8765",
    "ftp_scheme": "ftp://127.0.0.1:8765",
    "no_host": "http://",
    "with_path": "http://127.0.0.1:8765/graph",
    "with_query": "http://127.0.0.1:8765?x=1",
    "port_not_a_number": "http://127.0.0.1:abc",
    "port_out_of_range": "http://127.0.0.1:99999",
    "broken_ipv6_literal": "http://[::1",
}


@pytest.mark.parametrize("name", list(MALFORMED_ORIGINS))
def test_malformed_origin_override_is_a_config_error(
    name: str,
    cw_home: Path,
    server: ReplayServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARRYWATCH_FRED_ORIGIN", MALFORMED_ORIGINS[name])
    install(server, "fred")
    try:
        code, out, err = run(capsys, *refresh_args("fred"))
    except Exception as exc:  # the CLI must never let one escape
        pytest.fail(f"{type(exc).__name__} escaped cli.main: {exc}")
    _assert_one_clean_error(code, out, err, "CARRYWATCH_FRED_ORIGIN")
    assert server.requests == []


def test_error_message_is_one_line_when_stderr_is_not_a_terminal(
    cw_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "The CLI prints one clear line per error": a long message must not be wrapped
    into several lines when stderr goes to a pipe or a log (80 columns there)."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("CARRYWATCH_FRED_ORIGIN", "http://127.0.0.1:8765/graph/fredgraph.csv")
    code, out, err = run(capsys, *refresh_args("fred"))
    _assert_one_clean_error(code, out, err, "CARRYWATCH_FRED_ORIGIN", "path")
    assert len(err.strip().splitlines()) == 1, err


UNKNOWN = {
    "source": (["refresh", "--source", "nope"], ("'nope'",)),
    "series": (["refresh", "--series", "us.nope"], ("'us.nope'",)),
    "one_bad_series_among_good": (
        ["refresh", "--series", "us.ust.10y", "--series", "jp.nope"],
        ("'jp.nope'",),
    ),
    "series_without_live_source": (["refresh", "--series", "jp.boj.policy_rate"], ("live",)),
    "start_not_a_date": (["refresh", "--source", "fred", "--start", "2026-13-01"], ("--start",)),
    "series_with_brackets": (["refresh", "--series", "[/x]"], ("'[/x]'",)),
}


@pytest.mark.parametrize("name", list(UNKNOWN))
def test_unknown_source_or_series_is_a_usage_error(
    name: str,
    cw_home: Path,
    server: ReplayServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv, fragments = UNKNOWN[name]
    for source in ("fred", "coinbase"):
        install(server, source)
    with carrywatch.open_store(cw_home) as store:
        counts = store.counts()
    try:
        code, out, err = run(capsys, *argv)
    except Exception as exc:  # the CLI must never let one escape
        pytest.fail(f"{type(exc).__name__} escaped cli.main: {exc}")
    _assert_one_clean_error(code, out, err, *fragments)
    assert server.requests == []  # rejected before any network
    with carrywatch.open_store(cw_home) as store:
        assert store.counts() == counts
