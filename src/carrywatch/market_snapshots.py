"""Prediction markets on Fed and BOJ decisions: discover, fetch and archive snapshots, then
read them back as distributions over target ranges.

``snapshot_markets`` (discover -> fetch -> check -> archive -> record)
    For one bank, the Kalshi series and Polymarket event slugs of ``markets.toml`` (plus the
    caller's slugs) are fetched concurrently: Kalshi ``/events?series_ticker=...&status=open
    &with_nested_markets=true`` (every page), Polymarket ``/events/slug/<slug>``. Each
    answer must parse with the source's market parser; then every body goes to the raw
    archive and every page becomes a snapshot row (:meth:`Store.record_snapshot`), all
    pages of one answer in one transaction. One failing request never blocks another and
    writes nothing; its error is in the report, as with :func:`carrywatch.ingest.refresh`.

``market_distributions`` (archive -> parse -> quotes -> distributions)
    Per source and discovery key (series ticker or slug) of the bank, the newest snapshot
    retrieved on or before the end of the as-of day (UTC) is read back from the archive,
    so a market that has closed since, and is no longer listed by its provider, still
    gives its odds as they were. Kalshi events become ladders
    (:func:`~carrywatch.analytics.odds.prediction_markets.ladder_distribution`, with monotonicity
    repair), Polymarket events multi-outcome distributions
    (:func:`~carrywatch.analytics.odds.prediction_markets.outcome_distribution`), each with its
    market quality (volume, spreads, last update; stale and thin flags).

Meetings
--------
An event is placed on the catalog meeting (``events.toml``) it is about:

* Kalshi: the meeting within :data:`STRIKE_MATCH_DAYS` of the event's ``strike_date``
  (the decision time [reported]); without a strike date, the meeting in the month of its
  ticker ``<SERIES>-<YY><MON>`` (``KXFED-26OCT``). A strike date far from every meeting
  places the event nowhere: it is not about a meeting of this bank.
* Polymarket: the month named by a title "... decision in <Month>[ <year>]"; the year is
  the title's, else that of the meeting in that month nearest to the event's ``endDate``
  (``updatedAt`` when absent), within :data:`MONTH_MATCH_DAYS`. Any other title (a chair
  nomination, say) is not a rate decision: archived, but it gives no distribution.

Where a month has several meetings (an unscheduled one), the one nearest the event's date
wins, else the scheduled one. Events that match no meeting give no distribution; the
refresh report names them.

Polymarket outcomes are changes *at* the meeting ("25 bps decrease"); they are placed on
``current_range``. For any meeting but the first one on or after the as-of date, another
decision may move the range first: such distributions carry an ``anchor`` flag.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Final

from carrywatch.analytics.odds.distribution import SOURCES, OddsDistribution
from carrywatch.analytics.odds.prediction_markets import (
    LadderQuote,
    OutcomeQuote,
    ladder_distribution,
    outcome_distribution,
)
from carrywatch.catalog.market_discovery import MarketDiscovery, check_slugs, load_market_discovery
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import CarrywatchError, CatalogError, ConfigError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient, display_url
from carrywatch.sources.kalshi import PARSE_VERSION as KALSHI_PARSE_VERSION
from carrywatch.sources.kalshi import Kalshi, KalshiMarket, kalshi_event_markets
from carrywatch.sources.polymarket import PARSE_VERSION as GAMMA_PARSE_VERSION
from carrywatch.sources.polymarket import GammaEvent, PolymarketGamma, gamma_event
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import FetchRecord, Store, StoredFetch
from carrywatch.types import FetchRequest, Origin, RawPayload

__all__ = [
    "MARKET_SOURCES",
    "MONTH_MATCH_DAYS",
    "STRIKE_MATCH_DAYS",
    "SnapshotJob",
    "SnapshotOutcome",
    "SnapshotReport",
    "SnapshotSummary",
    "kalshi_meeting",
    "market_distributions",
    "plan_snapshots",
    "polymarket_meeting",
    "snapshot_markets",
]

KALSHI: Final = "kalshi"
GAMMA: Final = "polymarket_gamma"
#: The sources whose snapshots this module records and reads, in report order.
MARKET_SOURCES: Final = (KALSHI, GAMMA)
#: How far (days) a Polymarket event's ``endDate`` may lie from the meeting its title names.
MONTH_MATCH_DAYS: Final = 62
#: How far (days) a Kalshi event's ``strike_date`` may lie from its meeting's decision day
#: (UTC dates; a decision late in the US evening or early in Japan's morning moves a day).
STRIKE_MATCH_DAYS: Final = 1

_MONTH_NAMES: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS: Final = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_KALSHI_EVENT: Final = re.compile(r"^[A-Z0-9]+-(?P<yy>\d{2})(?P<mon>[A-Z]{3})(?:\d{2})?$")
_DECISION: Final = re.compile(
    r"\bdecision\s+in\s+(?P<month>[A-Za-z]+)\.?(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE
)
_PARSE_VERSIONS: Final = {KALSHI: KALSHI_PARSE_VERSION, GAMMA: GAMMA_PARSE_VERSION}

Meeting = tuple[date, str]  # (decision day, kind)


# --- reports -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotJob:
    """One discovery request: its source, its key (series ticker or slug) and the request."""

    source: str
    key: str
    request: FetchRequest


@dataclass(frozen=True, slots=True)
class SnapshotOutcome:
    """How one discovery request ended.

    ``n_payloads`` pages were fetched (and archived), ``n_recorded`` of them were new
    snapshots; ``n_events`` events were placed on a meeting; ``notes`` name the events
    that were not.
    """

    source: str
    key: str
    url: str
    n_payloads: int = 0
    n_recorded: int = 0
    n_events: int = 0
    notes: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SnapshotSummary:
    """Per-source totals of a snapshot run."""

    source: str
    n_requests: int
    n_failed: int
    n_payloads: int
    n_recorded: int
    n_events: int
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.n_failed == 0


@dataclass(frozen=True, slots=True)
class SnapshotReport:
    """The outcome of :func:`snapshot_markets`, per source (empty: nothing to fetch)."""

    bank: str
    summaries: tuple[SnapshotSummary, ...]
    outcomes: tuple[SnapshotOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.summaries)


# --- discovery and snapshots -----------------------------------------------------------------


def plan_snapshots(
    sources: Mapping[str, Source],
    bank: str,
    *,
    slugs: Sequence[str] = (),
    discovery: MarketDiscovery | None = None,
) -> list[SnapshotJob]:
    """The discovery requests for ``bank``: its Kalshi series, then its Polymarket slugs
    (``markets.toml``'s, then ``slugs``). A market source absent from ``sources`` is
    skipped; ``CatalogError`` for an unknown bank or a malformed slug."""
    config = (discovery or load_market_discovery()).for_bank(bank)
    wanted_slugs = check_slugs([*config.polymarket_slugs, *slugs])
    jobs: list[SnapshotJob] = []
    kalshi = sources.get(KALSHI)
    if kalshi is not None and config.kalshi_series:
        if not isinstance(kalshi, Kalshi):
            raise ConfigError(f"source {KALSHI!r} is a {type(kalshi).__name__}, not Kalshi")
        for series in config.kalshi_series:
            jobs += [SnapshotJob(KALSHI, series, r) for r in kalshi.plan_events(series)]
    gamma = sources.get(GAMMA)
    if gamma is not None and wanted_slugs:
        if not isinstance(gamma, PolymarketGamma):
            raise ConfigError(f"source {GAMMA!r} is a {type(gamma).__name__}, not Gamma")
        for slug in wanted_slugs:
            jobs += [SnapshotJob(GAMMA, slug, r) for r in gamma.plan_slugs([slug])]
    return jobs


def snapshot_markets(  # noqa: PLR0917 -- the call shape of ingest.refresh, plus the bank
    store: Store,
    archive: RawArchive,
    sources: Mapping[str, Source],
    http: HttpClient,
    catalog: Catalog,
    bank: str,
    *,
    slugs: Sequence[str] = (),
    discovery: MarketDiscovery | None = None,
    max_workers: int = 4,
) -> SnapshotReport:
    """Fetch, archive and record the current markets on ``bank``'s decisions.

    Never raises for a provider's failure: each request's outcome is in the report, and a
    failed request archives and records nothing. Raises ``CatalogError``/``ConfigError``
    for an unknown bank or a malformed slug, before any network.
    """
    meetings = _meetings(catalog, bank)
    jobs = plan_snapshots(sources, bank, slugs=slugs, discovery=discovery)
    outcomes: list[SnapshotOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        futures: dict[Future[_Fetched], SnapshotJob] = {
            pool.submit(_fetch_and_check, sources[job.source], job, http, meetings): job
            for job in jobs
        }
        for future in as_completed(futures):
            outcomes.append(_write(store, archive, bank, futures[future], future))
    order = {(job.source, job.key): i for i, job in enumerate(jobs)}
    outcomes.sort(key=lambda o: order[(o.source, o.key)])
    return SnapshotReport(bank=bank, summaries=_summarise(outcomes, jobs), outcomes=tuple(outcomes))


@dataclass(frozen=True, slots=True)
class _Fetched:
    payloads: tuple[RawPayload, ...]
    n_events: int
    notes: tuple[str, ...]


def _fetch_and_check(
    source: Source, job: SnapshotJob, http: HttpClient, meetings: Sequence[Meeting]
) -> _Fetched:
    """Runs in a worker thread: network and pure parsing only, no store access."""
    payloads = tuple(source.fetch(job.request, http))
    if not payloads:
        raise ParseError("the provider returned no payload", source=job.source)
    placed, notes = 0, []
    if job.source == KALSHI:
        markets = [m for p in payloads for m in kalshi_event_markets(p)]
        for ticker, group in _by_event(markets).items():
            strike = group[0].strike_date
            if kalshi_meeting(ticker, strike, meetings) is None:
                when = f"strike date {strike.date()}" if strike else "no strike date"
                notes.append(f"{ticker}: no meeting in the catalog matches it ({when})")
            else:
                placed += 1
        if not markets:
            notes.append(f"{job.key}: no open event with markets")
    else:
        for payload in payloads:
            event = gamma_event(payload)
            if polymarket_meeting(event.title, event.end_date, event.updated_at, meetings):
                placed += 1
            elif _DECISION.search(event.title):
                notes.append(f"{event.slug}: no meeting in the catalog matches {event.title!r}")
            else:
                notes.append(
                    f"{event.slug}: {event.title!r} is not a rate-decision event "
                    "('... decision in <Month>'); archived, gives no distribution"
                )
    return _Fetched(payloads=payloads, n_events=placed, notes=tuple(notes))


def _write(
    store: Store,
    archive: RawArchive,
    bank: str,
    job: SnapshotJob,
    future: Future[_Fetched],
) -> SnapshotOutcome:
    url = display_url(job.request)
    try:
        fetched = future.result()
        for payload in fetched.payloads:
            archive.put(payload.body)
        pages = [p.sha256 for p in fetched.payloads]
        recorded = 0
        with store.transaction():
            known = {s.sha256 for s in store.snapshots(job.source)}
            for page, payload in enumerate(fetched.payloads):
                store.record_snapshot(_record(payload, bank, job, page, pages))
                recorded += payload.sha256 not in known
                known.add(payload.sha256)
    except CarrywatchError as exc:
        return SnapshotOutcome(source=job.source, key=job.key, url=url, error=str(exc))
    except Exception as exc:
        return SnapshotOutcome(
            source=job.source,
            key=job.key,
            url=url,
            error=f"internal error {type(exc).__name__}: {exc} (please report it)",
        )
    return SnapshotOutcome(
        source=job.source,
        key=job.key,
        url=url,
        n_payloads=len(fetched.payloads),
        n_recorded=recorded,
        n_events=fetched.n_events,
        notes=fetched.notes,
    )


def _record(
    payload: RawPayload, bank: str, job: SnapshotJob, page: int, pages: Sequence[str]
) -> FetchRecord:
    request = payload.request
    return FetchRecord(
        source=request.source,
        url=request.url,
        params=request.params,
        retrieved_at=payload.retrieved_at,
        http_status=payload.status,
        sha256=payload.sha256,
        n_bytes=payload.n_bytes,
        parse_version=_PARSE_VERSIONS[job.source],
        origin=Origin.LIVE,
        provenance={
            "media_type": payload.media_type,
            "remote_codes": list(request.remote_codes),
            "bank": bank,
            "key": job.key,
            "request": display_url(job.request),
            "page": page,
            "pages": list(pages),
        },
    )


def _summarise(
    outcomes: Sequence[SnapshotOutcome], jobs: Sequence[SnapshotJob]
) -> tuple[SnapshotSummary, ...]:
    grouped: dict[str, list[SnapshotOutcome]] = {
        name: [] for name in dict.fromkeys(j.source for j in jobs)
    }
    for outcome in outcomes:
        grouped[outcome.source].append(outcome)
    return tuple(
        SnapshotSummary(
            source=name,
            n_requests=len(items),
            n_failed=sum(o.error is not None for o in items),
            n_payloads=sum(o.n_payloads for o in items),
            n_recorded=sum(o.n_recorded for o in items),
            n_events=sum(o.n_events for o in items),
            errors=tuple(o.error for o in items if o.error is not None),
            notes=tuple(n for o in items for n in o.notes),
        )
        for name, items in grouped.items()
    )


# --- reading snapshots back ----------------------------------------------------------------


def market_distributions(
    store: Store,
    archive: RawArchive,
    catalog: Catalog,
    bank: str,
    asof: date,
    *,
    current_range: tuple[float, float],
) -> list[OddsDistribution]:
    """The market-implied distributions of ``bank``'s meetings as of the end of ``asof``.

    For each market source and discovery key, the newest snapshot retrieved on or before
    ``asof`` 23:59:59 UTC (see the module docstring); a snapshot that can no longer be
    read (raw file gone, parser refuses it) is skipped with a warning for the one before.
    ``current_range`` (percent, lower <= upper; equal for a point target) anchors Kalshi's
    strike grid and Polymarket's moves. One distribution per (source, meeting), from the
    newest snapshot holding it; refused ones (``reason``) are included. Sorted by meeting,
    then source (``kalshi`` before ``polymarket``). Nothing found: an empty list.
    """
    meetings = _meetings(catalog, bank)
    day = asof.date() if isinstance(asof, datetime) else asof
    until = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    upcoming = next((d for d, _ in meetings if d >= day), None)
    chosen: dict[tuple[str, date], tuple[str, OddsDistribution]] = {}
    for source in MARKET_SOURCES:
        by_key: dict[str, list[StoredFetch]] = defaultdict(list)
        for row in store.snapshots(source, until=until):
            if row.provenance.get("bank") == bank:
                by_key[str(row.provenance.get("key", row.url))].append(row)
        for rows in by_key.values():
            read = _newest_readable(archive, source, rows)
            if read is None:
                continue
            retrieved, payloads = read
            for found in _distributions(source, payloads, meetings, day, current_range):
                dist = found
                if dist.source == "polymarket" and dist.meeting != upcoming:
                    dist = _anchor_flagged(dist, day, current_range)
                slot = (dist.source, dist.meeting)
                if slot not in chosen or chosen[slot][0] < retrieved:
                    chosen[slot] = (retrieved, dist)
    return sorted(
        (dist for _, dist in chosen.values()),
        key=lambda d: (d.meeting, SOURCES.index(d.source)),
    )


def _newest_readable(
    archive: RawArchive, source: str, rows: Sequence[StoredFetch]
) -> tuple[str, list[RawPayload]] | None:
    """``(retrieved_at, pages)`` of the newest snapshot whose pages all load and parse."""
    tried: set[tuple[str, ...]] = set()
    for row in reversed(rows):
        pages = tuple(str(p) for p in row.provenance.get("pages") or [row.sha256])
        if pages in tried:
            continue
        tried.add(pages)
        request = FetchRequest(
            source=row.source,
            url=row.url,
            params=row.params,
            remote_codes=tuple(str(c) for c in row.provenance.get("remote_codes", [])),
        )
        retrieved = datetime.fromisoformat(row.retrieved_at.replace("Z", "+00:00"))
        try:
            payloads = [
                RawPayload(
                    request=request,
                    body=archive.get(sha),
                    status=row.http_status or 200,
                    media_type=str(row.provenance.get("media_type", "")),
                    retrieved_at=retrieved,
                    sha256=sha,
                )
                for sha in pages
            ]
            for payload in payloads:  # fail here, not halfway through the distributions
                _ = kalshi_event_markets(payload) if source == KALSHI else gamma_event(payload)
        except CarrywatchError as exc:
            warnings.warn(
                f"{source} snapshot {row.fetch_id} ({row.retrieved_at}) cannot be read: {exc}; "
                "using the one before it (`carrywatch markets refresh` records a new one)",
                stacklevel=3,
            )
            continue
        return row.retrieved_at, payloads
    return None


def _distributions(
    source: str,
    payloads: Sequence[RawPayload],
    meetings: Sequence[Meeting],
    asof: date,
    current_range: tuple[float, float],
) -> list[OddsDistribution]:
    out: list[OddsDistribution] = []
    if source == KALSHI:
        markets = [m for p in payloads for m in kalshi_event_markets(p)]
        for ticker, group in _by_event(markets).items():
            meeting = kalshi_meeting(ticker, group[0].strike_date, meetings)
            if meeting is not None:
                ladder = [_ladder_quote(m) for m in group]
                out.append(
                    ladder_distribution(ladder, meeting, current_range=current_range, asof=asof)
                )
        return out
    for payload in payloads:
        event = gamma_event(payload)
        meeting = polymarket_meeting(event.title, event.end_date, event.updated_at, meetings)
        if meeting is not None:
            outcomes = _outcome_quotes(event)
            out.append(
                outcome_distribution(outcomes, meeting, current_range=current_range, asof=asof)
            )
    return out


def _ladder_quote(m: KalshiMarket) -> LadderQuote:
    return LadderQuote(
        strike_pct=m.floor_strike,
        strike_type=m.strike_type,
        yes_bid=m.yes_bid,
        yes_ask=m.yes_ask,
        last_price=m.last_price,
        volume=m.volume,
        open_interest=m.open_interest,
        updated_at=m.updated_time,
        ticker=m.ticker,
    )


def _outcome_quotes(event: GammaEvent) -> list[OutcomeQuote]:
    """One quote per market; Gamma has no last-trade time: the market's ``updatedAt``
    (else the event's) stands for it."""
    return [
        OutcomeQuote(
            label=m.group_item_title or m.question,
            yes_price=m.yes_price,
            best_bid=m.best_bid,
            best_ask=m.best_ask,
            volume_usd=m.volume_usd,
            liquidity_usd=m.liquidity_usd,
            last_trade_at=m.updated_at or event.updated_at,
        )
        for m in event.markets
    ]


def _anchor_flagged(
    dist: OddsDistribution, asof: date, current_range: tuple[float, float]
) -> OddsDistribution:
    lo, hi = current_range
    flag = (
        f"anchor: outcomes are changes at the {dist.meeting} meeting, placed on the range "
        f"{lo:g}-{hi:g}% given as current on {asof}; another decision may move it first"
    )
    return replace(dist, flags=(*dist.flags, flag))


# --- meetings ------------------------------------------------------------------------------


def _meetings(catalog: Catalog, bank: str) -> list[Meeting]:
    if bank == "fed":
        return [(m.date, m.kind) for m in catalog.fomc]
    if bank == "boj":
        return [(m.date, m.kind) for m in catalog.boj]
    raise CatalogError(f"unknown bank {bank!r}: use 'fed' or 'boj'")


def _by_event(markets: Sequence[KalshiMarket]) -> dict[str, list[KalshiMarket]]:
    grouped: dict[str, list[KalshiMarket]] = {}
    for market in markets:
        grouped.setdefault(market.event_ticker or market.ticker, []).append(market)
    return grouped


def _in_month(meetings: Sequence[Meeting], year: int, month: int, near: date | None) -> date | None:
    found = [(d, kind) for d, kind in meetings if (d.year, d.month) == (year, month)]
    if not found:
        return None
    if near is not None:
        return min(found, key=lambda m: (abs((m[0] - near).days), m[1] != "scheduled"))[0]
    return min(found, key=lambda m: (m[1] != "scheduled", m[0]))[0]


def kalshi_meeting(
    event_ticker: str, strike_date: datetime | None, meetings: Sequence[Meeting]
) -> date | None:
    """The meeting a Kalshi event is about (see the module docstring), or None.

    ``meetings`` are ``(decision day, kind)`` pairs of one bank.
    """
    if strike_date is not None:
        day = strike_date.astimezone(UTC).date()
        close = [d for d, _ in meetings if abs((d - day).days) <= STRIKE_MATCH_DAYS]
        return min(close, key=lambda d: abs((d - day).days)) if close else None
    match = _KALSHI_EVENT.match(event_ticker)
    if match is None or match["mon"].lower() not in _MONTHS:
        return None
    return _in_month(meetings, 2000 + int(match["yy"]), _MONTHS[match["mon"].lower()], None)


def polymarket_meeting(
    title: str,
    end_date: datetime | None,
    updated_at: datetime | None,
    meetings: Sequence[Meeting],
) -> date | None:
    """The meeting a Polymarket "... decision in <Month>" event is about, or None."""
    match = _DECISION.search(title)
    month = _MONTHS.get(match["month"].lower()) if match is not None else None
    if match is None or month is None:
        return None
    reference = end_date or updated_at
    near = reference.astimezone(UTC).date() if reference is not None else None
    if match["year"]:
        return _in_month(meetings, int(match["year"]), month, near)
    if near is None:
        return None
    found = [(d, kind) for d, kind in meetings if d.month == month]
    if not found:
        return None
    best, _ = min(found, key=lambda m: (abs((m[0] - near).days), m[1] != "scheduled"))
    return best if abs((best - near).days) <= MONTH_MATCH_DAYS else None
