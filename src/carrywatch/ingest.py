"""Plan -> fetch -> archive -> parse -> validate -> append: the only writer of live data.

``refresh`` brings catalog series up to date; ``refresh_markets`` stores the current
prediction markets on one bank's decisions (``carrywatch markets refresh fed|boj``): the
markets ``markets.toml`` (and the caller's slugs) name are fetched the same way, each
answer parsed into quotes placed on the bank's meetings
(:meth:`~carrywatch.sources.base.QuoteSource.parse_quotes`), and every quote appended as
an ordinary observation of its odds series (:mod:`carrywatch.catalog.odds_series`),
defined in the store on its first quote.

Both fetch concurrently (a thread pool; the HTTP client bounds requests per
host) and writes from the calling thread only, one transaction per request, so that:

* one failing source never blocks another: each request ends in an outcome, good or bad;
* a payload that fails to parse or validate writes nothing: the store holds exactly what
  it held before for that request;
* raw bodies are archived before their fetch row is written, so every fetch row can be
  re-parsed offline (``reparse``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.catalog.market_discovery import MarketDiscovery, check_slugs, load_market_discovery
from carrywatch.catalog.odds_series import bank_meetings, quote_series_spec
from carrywatch.catalog.plausibility import check_bounds, check_not_after, check_same_unit
from carrywatch.catalog.spec import Catalog, SeriesSpec
from carrywatch.errors import (
    CarrywatchError,
    CatalogError,
    ConfigError,
    ParseError,
)
from carrywatch.files import read_user_file
from carrywatch.sources.base import QuoteSource, Source
from carrywatch.sources.http import HttpClient, display_url
from carrywatch.sources.table import PARSE_VERSION as TABLE_PARSE_VERSION
from carrywatch.sources.table import parse_table_csv
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import (
    SNAPSHOT_KIND,
    SNAPSHOTS_READ,
    AppendResult,
    FetchRecord,
    SeriesRow,
    Store,
    StoredFetch,
    iso_utc,
)
from carrywatch.types import FetchRequest, Origin, ParsedFrame, RawPayload, Window, sha256_hex
from carrywatch.types import utc_now as _utc_now

__all__ = [
    "PlannedRequest",
    "RefreshReport",
    "RequestOutcome",
    "SourceSummary",
    "append_parsed",
    "convert_market_snapshots",
    "import_csv",
    "plan_markets",
    "plan_refresh",
    "refresh",
    "refresh_markets",
    "reparse",
]

#: How far before the newest stored observation an incremental refresh starts, so that
#: recent revisions (FRED, TIC, CFTC all revise) are picked up.
REVISION_LOOKBACK = timedelta(days=120)

ProgressCallback = Callable[[str, int, int], None]

#: What a request that ran out of memory reports (a transaction is all or nothing).
OUT_OF_MEMORY = (
    "ran out of memory while reading or parsing the answer; nothing of it was written. "
    "Lower CARRYWATCH_HTTP_MAX_BODY_MB, or refresh fewer sources at once (--source)"
)

#: Sources that serve series catalogued under another source, with the same codes.
SERVES: Mapping[str, str] = {"fred_api": "fred"}


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """A request and the series its remote codes feed."""

    source: str
    request: FetchRequest
    series_by_code: Mapping[str, tuple[str, ...]]
    #: A market request's bank and discovery key (series ticker or event slug), else "".
    bank: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """How one request ended; a market request also counts the events it placed on a
    meeting and notes what it left out."""

    source: str
    url: str
    n_payloads: int = 0
    n_added: int = 0
    error: str | None = None
    n_events: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """Per-source totals of a refresh."""

    source: str
    n_requests: int
    n_failed: int
    n_added: int
    errors: tuple[str, ...] = ()
    n_payloads: int = 0
    n_events: int = 0
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.n_failed == 0


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """The outcome of a refresh, per source (empty: nothing to fetch)."""

    summaries: tuple[SourceSummary, ...]
    outcomes: tuple[RequestOutcome, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.summaries)


def _selected_specs(
    catalog: Catalog,
    sources: Mapping[str, Source],
    source_names: Sequence[str],
    series_ids: Sequence[str],
    route: Mapping[str, str],
) -> list[SeriesSpec]:
    unknown_sources = [s for s in source_names if s not in sources]
    if unknown_sources:
        raise ConfigError(f"unknown source {unknown_sources[0]!r}; `carrywatch sources` lists them")
    specs = catalog.specs(series_ids) if series_ids else list(catalog.series.values())
    if source_names:
        specs = [s for s in specs if route.get(s.source, s.source) in source_names]
    live = [s for s in specs if route.get(s.source, s.source) in sources]
    if series_ids and not live:
        raise CatalogError(
            "none of the requested series has a live source (they are built from the catalog)"
        )
    return live


def plan_refresh(
    catalog: Catalog,
    sources: Mapping[str, Source],
    store: Store,
    *,
    source_names: Sequence[str] = (),
    series_ids: Sequence[str] = (),
    window: Window | None = None,
    route: Mapping[str, str] | None = None,
) -> list[PlannedRequest]:
    """The requests a refresh will send, grouped by source.

    Without an explicit ``window`` each source starts :data:`REVISION_LOOKBACK` before
    the oldest of its series' newest observations (full history for an empty series).
    ``route`` sends a catalog source's series through another source that serves the
    same codes (``{"fred": "fred_api"}`` when a FRED API key is configured).
    """
    routing = dict(route or {})
    by_source: dict[str, list[SeriesSpec]] = defaultdict(list)
    for spec in _selected_specs(catalog, sources, source_names, series_ids, routing):
        by_source[routing.get(spec.source, spec.source)].append(spec)
    status = store.series_status().set_index("series_id")
    planned: list[PlannedRequest] = []
    for name, specs in by_source.items():
        source_window = window or _incremental_window(specs, status)
        series_by_code: dict[str, list[str]] = defaultdict(list)
        for spec in specs:
            series_by_code[spec.remote_code].append(spec.id)
        codes = sorted(series_by_code)
        for request in sources[name].plan(codes, source_window):
            wanted = request.remote_codes or tuple(codes)
            mapping = {c: tuple(series_by_code[c]) for c in wanted if c in series_by_code}
            planned.append(PlannedRequest(source=name, request=request, series_by_code=mapping))
    return planned


def _incremental_window(specs: Sequence[SeriesSpec], status: pd.DataFrame) -> Window:
    newest: list[str] = []
    for spec in specs:
        last = status["last_obs"].get(spec.id) if spec.id in status.index else None
        if not isinstance(last, str):
            return Window()  # an empty series: fetch its whole history
        newest.append(last)
    start = datetime.fromisoformat(min(newest)).date() - REVISION_LOOKBACK
    return Window(start=start)


def _series_rows(
    parsed: ParsedFrame, series_by_code: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Observation rows keyed by our series ids (codes we do not track are dropped; a
    code that feeds several series gives its rows once to each).

    ``series_id`` is categorical: the rows of a full-history payload number in the
    hundreds of thousands, and the store codes them anyway (a text column would be
    one Python string per row, made here and taken apart again by the store)."""
    rows = parsed.rows
    names = list(dict.fromkeys(sid for ids in series_by_code.values() for sid in ids))
    code_of_row = pd.Index(list(series_by_code)).get_indexer(pd.Index(rows["remote_code"]))
    taken: list[npt.NDArray[np.intp]] = []
    labels: list[npt.NDArray[np.intp]] = []
    for position, ids in enumerate(series_by_code.values()):
        chosen = np.flatnonzero(code_of_row == position)
        for sid in ids:
            taken.append(chosen)
            labels.append(np.full(len(chosen), names.index(sid), dtype=np.intp))
    every = np.concatenate(taken) if taken else np.array([], dtype=np.intp)
    out = rows.iloc[every].drop(columns="remote_code").reset_index(drop=True)
    label = np.concatenate(labels) if labels else np.array([], dtype=np.intp)
    keyed = pd.Categorical.from_codes(label, dtype=pd.CategoricalDtype(names))
    out.insert(0, "series_id", pd.Series(keyed, copy=False))
    return out


def append_parsed(
    store: Store,
    payload: RawPayload,
    parsed: ParsedFrame,
    series_by_code: Mapping[str, tuple[str, ...]],
    *,
    origin: Origin = Origin.LIVE,
    provenance: Mapping[str, object] | None = None,
    rows: pd.DataFrame | None = None,
) -> AppendResult:
    """Append one parsed payload with its provenance (one transaction).

    ``rows`` are the payload's rows keyed by our series ids when the caller has them
    already (a refresh worker makes them off the writing thread); by default they are
    made here from ``parsed`` and ``series_by_code``.
    """
    request = payload.request
    record = FetchRecord(
        source=request.source,
        url=request.url,
        params=request.params,
        retrieved_at=payload.retrieved_at,
        http_status=payload.status,
        sha256=payload.sha256,
        n_bytes=payload.n_bytes,
        parse_version=parsed.parse_version,
        origin=origin,
        provenance={
            "media_type": payload.media_type,
            "remote_codes": list(request.remote_codes),
            **dict(provenance or {}),
        },
    )
    confirmed = [sid for ids in series_by_code.values() for sid in ids]
    if rows is None:
        rows = _series_rows(parsed, series_by_code)
    return store.append(record, rows, checked=confirmed)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One payload read: its rows, the series they feed (with the specs of series defined
    by this payload, see :func:`refresh_markets`), and notes for the report."""

    payload: RawPayload
    parsed: ParsedFrame
    series_by_code: Mapping[str, tuple[str, ...]]
    new_specs: tuple[SeriesSpec, ...] = ()
    n_events: int = 0
    notes: tuple[str, ...] = ()
    provenance: Mapping[str, object] = field(default_factory=dict)
    #: The rows keyed by our series ids, made by the worker (see :func:`_fetch_and_parse`).
    rows: pd.DataFrame | None = None


#: How a worker reads one payload of a planned request.
_Reader = Callable[[PlannedRequest, RawPayload], _Parsed]


def _read_series(source: Source, planned: PlannedRequest, payload: RawPayload) -> _Parsed:
    """A catalog request's payload: the source's parser, the plan's series."""
    return _Parsed(payload, source.parse(payload), planned.series_by_code)


def _fetch_and_parse(
    source: Source,
    planned: PlannedRequest,
    http: HttpClient,
    bounds: Mapping[str, SeriesSpec] | None,
    read: _Reader | None = None,
) -> list[_Parsed]:
    """Runs in a worker thread: network, pure parsing and the plausibility check only,
    no store access. ``bounds`` is ``None`` when the user allows outliers."""
    results = []
    for payload in source.fetch(planned.request, http):
        found = (read or partial(_read_series, source))(planned, payload)
        if found.parsed.source != planned.source:
            raise ParseError(
                f"parser reported source {found.parsed.source!r}", source=planned.source
            )
        # Keyed here, in the worker, so that the writing thread only writes.
        rows = _series_rows(found.parsed, found.series_by_code)
        check_not_after(
            rows["obs_date"],
            payload.retrieved_at.astimezone(UTC),
            source=planned.source,
            what="the answer",
            read_by="retrieval",
        )
        if bounds is not None:
            specs = {**bounds, **{s.id: s for s in found.new_specs}}
            check_bounds(rows, specs, source=planned.source)
        results.append(replace(found, rows=rows))
    if not results:
        raise ParseError("the provider returned no payload", source=planned.source)
    return results


def refresh(
    store: Store,
    archive: RawArchive,
    catalog: Catalog,
    sources: Mapping[str, Source],
    http: HttpClient,
    *,
    source_names: Sequence[str] = (),
    series_ids: Sequence[str] = (),
    window: Window | None = None,
    route: Mapping[str, str] | None = None,
    max_workers: int = 6,
    on_progress: ProgressCallback | None = None,
    allow_outliers: bool = False,
) -> RefreshReport:
    """Bring the selected series up to date from their live sources.

    Never raises for a provider's failure: each request's outcome is in the report. A
    payload with a value outside its series' bounds fails its request (nothing of it
    is written) unless ``allow_outliers``.
    Raises ``ConfigError``/``CatalogError`` for an unknown source or series.
    """
    planned = plan_refresh(
        catalog,
        sources,
        store,
        source_names=source_names,
        series_ids=series_ids,
        window=window,
        route=route,
    )
    outcomes: list[RequestOutcome] = []
    total = len(planned)
    bounds = None if allow_outliers else catalog.series
    if on_progress is not None:
        on_progress("", 0, total)
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        futures: dict[Future[list[_Parsed]], PlannedRequest] = {
            pool.submit(_fetch_and_parse, sources[p.source], p, http, bounds): p for p in planned
        }
        for future in as_completed(futures):
            job = futures[future]
            outcomes.append(_write_outcome(store, archive, job, future))
            if on_progress is not None:
                on_progress(job.source, len(outcomes), total)
    return RefreshReport(summaries=_summarise(outcomes, planned), outcomes=tuple(outcomes))


def plan_markets(
    sources: Mapping[str, Source],
    bank: str,
    *,
    slugs: Sequence[str] = (),
    discovery: MarketDiscovery | None = None,
) -> list[PlannedRequest]:
    """The discovery requests of ``bank``'s markets: each market source's keys in
    ``markets.toml`` (Kalshi series, Polymarket event slugs), then ``slugs`` (Polymarket
    event slugs). A market source absent from ``sources`` is skipped; ``CatalogError``
    for an unknown bank or a malformed slug."""
    config = (discovery or load_market_discovery()).for_bank(bank)
    keys = {
        "kalshi": config.kalshi_series,
        "polymarket_gamma": check_slugs([*config.polymarket_slugs, *slugs]),
    }
    planned: list[PlannedRequest] = []
    for name, wanted in keys.items():
        source = sources.get(name)
        if source is None or not wanted:
            continue
        if not isinstance(source, QuoteSource):
            raise ConfigError(f"source {name!r} is a {type(source).__name__}, not a market")
        for key in wanted:
            planned += [
                PlannedRequest(name, r, {}, bank=bank, key=key) for r in source.plan_discovery(key)
            ]
    return planned


def _read_quotes(
    source: QuoteSource, catalog: Catalog, planned: PlannedRequest, payload: RawPayload
) -> _Parsed:
    """A market answer's quotes, each code mapped to its odds series; the series the
    catalog does not define yet are defined by this payload. The fetch row keeps the
    bank and the key, so that ``reparse`` reads it again the same way."""
    quotes = source.parse_quotes(payload, bank_meetings(catalog, planned.bank), bank=planned.bank)
    codes = dict.fromkeys(str(c) for c in quotes.parsed.rows["remote_code"])
    specs = [quote_series_spec(planned.bank, planned.source, code) for code in codes]
    return _Parsed(
        payload,
        quotes.parsed,
        {s.remote_code: (s.id,) for s in specs},
        new_specs=tuple(s for s in specs if s.id not in catalog.series),
        n_events=quotes.n_events,
        notes=quotes.notes,
        provenance={"bank": planned.bank, "key": planned.key},
    )


def refresh_markets(  # noqa: PLR0917 -- the call shape of refresh, plus the bank
    store: Store,
    archive: RawArchive,
    catalog: Catalog,
    sources: Mapping[str, Source],
    http: HttpClient,
    bank: str,
    *,
    slugs: Sequence[str] = (),
    discovery: MarketDiscovery | None = None,
    max_workers: int = 4,
    allow_outliers: bool = False,
) -> RefreshReport:
    """Store the current quotes of the markets on ``bank``'s decisions (module docstring).

    Never raises for a provider's failure: each request's outcome is in the report, and a
    failed request writes nothing. An empty report: nothing to fetch (no market source
    has a key for ``bank``). Raises ``CatalogError``/``ConfigError`` for an unknown bank
    or a malformed slug, before any network.
    """
    bank_meetings(catalog, bank)  # an unknown bank fails here, before any network
    planned = plan_markets(sources, bank, slugs=slugs, discovery=discovery)
    bounds = None if allow_outliers else catalog.series
    outcomes: list[RequestOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        futures: dict[Future[list[_Parsed]], PlannedRequest] = {}
        for job in planned:
            source = sources[job.source]
            assert isinstance(source, QuoteSource)  # plan_markets checked it
            read = partial(_read_quotes, source, catalog)
            futures[pool.submit(_fetch_and_parse, source, job, http, bounds, read)] = job
        for future in as_completed(futures):
            outcomes.append(_write_outcome(store, archive, futures[future], future))
    rank = {(p.source, display_url(p.request)): i for i, p in enumerate(planned)}
    outcomes.sort(key=lambda o: rank.get((o.source, o.url), len(rank)))
    return RefreshReport(summaries=_summarise(outcomes, planned), outcomes=tuple(outcomes))


def _write_outcome(
    store: Store,
    archive: RawArchive,
    job: PlannedRequest,
    future: Future[list[_Parsed]],
) -> RequestOutcome:
    url = display_url(job.request)
    try:
        results = future.result()
        for found in results:
            archive.put(found.payload.body)
        added = 0
        with store.transaction():
            for found in results:
                _define(store, found.new_specs)
                added += append_parsed(
                    store,
                    found.payload,
                    found.parsed,
                    found.series_by_code,
                    provenance=found.provenance,
                    rows=found.rows,
                ).n_added
    except CarrywatchError as exc:
        return RequestOutcome(source=job.source, url=url, error=str(exc))
    except MemoryError:
        return RequestOutcome(source=job.source, url=url, error=OUT_OF_MEMORY)
    except Exception as exc:
        return RequestOutcome(
            source=job.source,
            url=url,
            error=f"internal error {type(exc).__name__}: {exc} (please report it)",
        )
    return RequestOutcome(
        source=job.source,
        url=url,
        n_payloads=len(results),
        n_added=added,
        n_events=sum(r.n_events for r in results),
        notes=tuple(n for r in results for n in r.notes),
    )


def _define(store: Store, specs: Sequence[SeriesSpec]) -> None:
    """Define the series a payload's quotes are the first of (``series`` rows; the
    workspace adds them to the catalog it hands out)."""
    if specs:
        store.register_series(
            SeriesRow(s.id, s.source, s.remote_code, s.unit, s.frequency, s.title) for s in specs
        )


def _summarise(
    outcomes: Iterable[RequestOutcome], planned: Sequence[PlannedRequest]
) -> tuple[SourceSummary, ...]:
    grouped: dict[str, list[RequestOutcome]] = defaultdict(list)
    for name in dict.fromkeys(p.source for p in planned):
        grouped[name] = []
    for outcome in outcomes:
        grouped[outcome.source].append(outcome)
    return tuple(
        SourceSummary(
            source=name,
            n_requests=len(items),
            n_failed=sum(o.error is not None for o in items),
            n_added=sum(o.n_added for o in items),
            errors=tuple(o.error for o in items if o.error is not None),
            n_payloads=sum(o.n_payloads for o in items),
            n_events=sum(o.n_events for o in items),
            notes=tuple(n for o in items for n in o.notes),
        )
        for name, items in grouped.items()
    )


def reparse(
    store: Store,
    archive: RawArchive,
    catalog: Catalog,
    sources: Mapping[str, Source],
    *,
    source_names: Sequence[str] = (),
    allow_outliers: bool = False,
    only: Callable[[StoredFetch], bool] | None = None,
) -> RefreshReport:
    """Re-run today's parsers on every archived live payload (``only`` those it keeps),
    without network.

    Values that the current parser reads differently are appended as revisions known
    from the original retrieval time; unchanged values add nothing. A market answer (its
    fetch row names a ``bank``) is read into quotes as ``markets refresh`` reads it. A
    payload with a value outside its series' bounds adds nothing unless
    ``allow_outliers``.
    """
    unknown = [s for s in source_names if s not in sources]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r}; `carrywatch sources` lists them")
    bounds = None if allow_outliers else catalog.series
    outcomes: list[RequestOutcome] = []
    planned: list[PlannedRequest] = []
    for stored in store.fetches(origin=str(Origin.LIVE)):
        if stored.source not in sources or (source_names and stored.source not in source_names):
            continue
        if only is not None and not only(stored):
            continue
        source = sources[stored.source]
        job = _replanned(catalog, source, stored)
        planned.append(job)
        try:
            payload = _stored_payload(archive, job.request, stored)
            found = (
                _read_quotes(source, catalog, job, payload)
                if job.bank and isinstance(source, QuoteSource)
                else _read_series(source, job, payload)
            )
            if bounds is not None:
                rows = _series_rows(found.parsed, found.series_by_code)
                specs = {**bounds, **{s.id: s for s in found.new_specs}}
                check_bounds(rows, specs, source=stored.source)
            with store.transaction():
                _define(store, found.new_specs)
                added = append_parsed(
                    store, payload, found.parsed, found.series_by_code, provenance=found.provenance
                ).n_added
        except CarrywatchError as exc:
            outcomes.append(RequestOutcome(source=stored.source, url=stored.url, error=str(exc)))
            continue
        outcomes.append(
            RequestOutcome(
                source=stored.source,
                url=stored.url,
                n_payloads=1,
                n_added=added,
                n_events=found.n_events,
                notes=found.notes,
            )
        )
    return RefreshReport(summaries=_summarise(outcomes, planned), outcomes=tuple(outcomes))


def _replanned(catalog: Catalog, source: Source, stored: StoredFetch) -> PlannedRequest:
    """The request of a stored fetch, with the catalog series its codes feed (a market
    answer: its bank and key instead)."""
    codes = tuple(str(c) for c in stored.provenance.get("remote_codes", []))
    request = FetchRequest(
        source=stored.source, url=stored.url, params=stored.params, remote_codes=codes
    )
    bank = str(stored.provenance.get("bank", ""))
    if bank and isinstance(source, QuoteSource):
        key = str(stored.provenance.get("key", ""))
        return PlannedRequest(stored.source, request, {}, bank=bank, key=key)
    mapping: dict[str, tuple[str, ...]] = defaultdict(tuple)
    for spec in catalog.by_source(SERVES.get(stored.source, stored.source)):
        mapping[spec.remote_code] = (*mapping[spec.remote_code], spec.id)
    return PlannedRequest(stored.source, request, dict(mapping))


def _stored_payload(archive: RawArchive, request: FetchRequest, stored: StoredFetch) -> RawPayload:
    """The archived body of a stored fetch, as it was retrieved."""
    return RawPayload(
        request=request,
        body=archive.get(stored.sha256),
        status=stored.http_status or 200,
        media_type=str(stored.provenance.get("media_type", "")),
        retrieved_at=datetime.fromisoformat(stored.retrieved_at.replace("Z", "+00:00")),
        sha256=stored.sha256,
    )


def convert_market_snapshots(
    store: Store, archive: RawArchive, catalog: Catalog, sources: Mapping[str, Source]
) -> RefreshReport | None:
    """Read, once, the market snapshots an earlier carrywatch archived (fetch rows of kind
    ``market_snapshot`` with no observations) into odds series, as ``markets refresh``
    reads a live answer today; each quote known from the snapshot's retrieval. The
    store's ``meta`` then marks them read (:data:`SNAPSHOTS_READ`); None when there was
    nothing to do. A snapshot that cannot be read (its raw file gone) is named in the
    report and left as it was.
    """
    if store.get_meta(SNAPSHOTS_READ) is not None:
        return None
    report = None
    if store.has_snapshots():
        report = reparse(
            store,
            archive,
            catalog,
            sources,
            only=lambda f: f.provenance.get("kind") == SNAPSHOT_KIND,
        )
    store.set_meta(SNAPSHOTS_READ, iso_utc(_utc_now()))
    return report


def import_csv(
    store: Store,
    archive: RawArchive,
    catalog: Catalog,
    path: Path,
    series_id: str,
    *,
    date_column: str | None = None,
    value_column: str | None = None,
    allow_outliers: bool = False,
) -> AppendResult:
    """Import a user's CSV into ``series_id`` (origin ``import``), all or nothing.

    A value outside the series' bounds refuses the whole file unless ``allow_outliers``.
    """
    spec = catalog.spec(series_id)
    body = read_user_file(path, what="import")
    parsed = parse_table_csv(body, date_column=date_column, value_column=value_column)
    if parsed.rows.empty:
        raise ParseError(f"{path.name} holds no values", source="import")
    code = str(parsed.rows["remote_code"].iloc[0])
    imported_at = _utc_now()
    rows = _series_rows(parsed, {code: (spec.id,)})
    check_not_after(
        rows["obs_date"], imported_at, source="import", what=path.name, read_by="import"
    )
    if not allow_outliers:
        check_bounds(rows, {spec.id: spec}, source="import")
        first, last = rows["obs_date"].min().date(), rows["obs_date"].max().date()
        stored = store.read([spec.id], start=first, end=last)
        check_same_unit(
            spec,
            pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["obs_date"])),
            pd.Series(stored["value"].to_numpy(), index=pd.DatetimeIndex(stored["obs_date"])),
            source="import",
        )
    archive.put(body)
    payload = RawPayload(
        request=FetchRequest(source="import", url=f"file:{path.name}", remote_codes=(code,)),
        body=body,
        status=200,
        media_type="text/csv",
        retrieved_at=imported_at,
        sha256=sha256_hex(body),
    )
    assert parsed.parse_version == TABLE_PARSE_VERSION
    return append_parsed(
        store,
        payload,
        parsed,
        {code: (spec.id,)},
        origin=Origin.IMPORT,
        provenance={"file_name": path.name, "column": code, "series_id": spec.id},
    )
