"""Plan -> fetch -> archive -> parse -> validate -> append: the only writer of live data.

``refresh`` fetches concurrently (a thread pool; the HTTP client bounds requests per
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from carrywatch.catalog.plausibility import check_bounds
from carrywatch.catalog.spec import Catalog, SeriesSpec
from carrywatch.errors import CarrywatchError, CatalogError, ConfigError, ParseError
from carrywatch.files import read_user_file
from carrywatch.sources.base import Source
from carrywatch.sources.http import HttpClient, display_url
from carrywatch.sources.table import PARSE_VERSION as TABLE_PARSE_VERSION
from carrywatch.sources.table import parse_table_csv
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import AppendResult, FetchRecord, Store
from carrywatch.types import FetchRequest, Origin, ParsedFrame, RawPayload, Window, sha256_hex
from carrywatch.types import utc_now as _utc_now

__all__ = [
    "PlannedRequest",
    "RefreshReport",
    "RequestOutcome",
    "SourceSummary",
    "append_parsed",
    "import_csv",
    "plan_refresh",
    "refresh",
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


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """How one request ended."""

    source: str
    url: str
    n_payloads: int = 0
    n_added: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """Per-source totals of a refresh."""

    source: str
    n_requests: int
    n_failed: int
    n_added: int
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.n_failed == 0


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """The outcome of a refresh, per source."""

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
    """Observation rows keyed by our series ids (codes we do not track are dropped)."""
    rows = parsed.rows
    parts: list[pd.DataFrame] = []
    for code, ids in series_by_code.items():
        chosen = rows[rows["remote_code"] == code]
        parts.extend(chosen.assign(series_id=sid) for sid in ids)
    if not parts:
        return pd.DataFrame(columns=["series_id", "obs_date", "value"])
    return pd.concat(parts, ignore_index=True).drop(columns="remote_code")


def append_parsed(
    store: Store,
    payload: RawPayload,
    parsed: ParsedFrame,
    series_by_code: Mapping[str, tuple[str, ...]],
    *,
    origin: Origin = Origin.LIVE,
    provenance: Mapping[str, object] | None = None,
) -> AppendResult:
    """Append one parsed payload with its provenance (one transaction)."""
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
    return store.append(record, _series_rows(parsed, series_by_code), checked=confirmed)


def _fetch_and_parse(
    source: Source,
    planned: PlannedRequest,
    http: HttpClient,
    bounds: Mapping[str, SeriesSpec] | None,
) -> list[tuple[RawPayload, ParsedFrame]]:
    """Runs in a worker thread: network, pure parsing and the plausibility check only,
    no store access. ``bounds`` is ``None`` when the user allows outliers."""
    results = []
    for payload in source.fetch(planned.request, http):
        parsed = source.parse(payload)
        if parsed.source != planned.source:
            raise ParseError(f"parser reported source {parsed.source!r}", source=planned.source)
        if bounds is not None:
            rows = _series_rows(parsed, planned.series_by_code)
            check_bounds(rows, bounds, source=planned.source)
        results.append((payload, parsed))
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
        futures: dict[Future[list[tuple[RawPayload, ParsedFrame]]], PlannedRequest] = {
            pool.submit(_fetch_and_parse, sources[p.source], p, http, bounds): p for p in planned
        }
        for future in as_completed(futures):
            job = futures[future]
            outcomes.append(_write_outcome(store, archive, job, future))
            if on_progress is not None:
                on_progress(job.source, len(outcomes), total)
    return RefreshReport(summaries=_summarise(outcomes, planned), outcomes=tuple(outcomes))


def _write_outcome(
    store: Store,
    archive: RawArchive,
    job: PlannedRequest,
    future: Future[list[tuple[RawPayload, ParsedFrame]]],
) -> RequestOutcome:
    url = display_url(job.request)
    try:
        results = future.result()
        for payload, _ in results:
            archive.put(payload.body)
        added = 0
        with store.transaction():
            for payload, parsed in results:
                added += append_parsed(store, payload, parsed, job.series_by_code).n_added
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
    return RequestOutcome(source=job.source, url=url, n_payloads=len(results), n_added=added)


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
) -> RefreshReport:
    """Re-run today's parsers on every archived live payload, without network.

    Values that the current parser reads differently are appended as revisions known
    from the original retrieval time; unchanged values add nothing. A payload with a
    value outside its series' bounds adds nothing unless ``allow_outliers``.
    """
    unknown = [s for s in source_names if s not in sources]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r}; `carrywatch sources` lists them")
    outcomes: list[RequestOutcome] = []
    planned: list[PlannedRequest] = []
    for stored in store.fetches(origin=str(Origin.LIVE)):
        if stored.source not in sources or (source_names and stored.source not in source_names):
            continue
        codes = tuple(str(c) for c in stored.provenance.get("remote_codes", []))
        request = FetchRequest(
            source=stored.source, url=stored.url, params=stored.params, remote_codes=codes
        )
        mapping: dict[str, tuple[str, ...]] = defaultdict(tuple)
        catalog_source = SERVES.get(stored.source, stored.source)
        for spec in catalog.by_source(catalog_source):
            mapping[spec.remote_code] = (*mapping[spec.remote_code], spec.id)
        job = PlannedRequest(source=stored.source, request=request, series_by_code=dict(mapping))
        planned.append(job)
        try:
            body = archive.get(stored.sha256)
            payload = RawPayload(
                request=request,
                body=body,
                status=stored.http_status or 200,
                media_type=str(stored.provenance.get("media_type", "")),
                retrieved_at=datetime.fromisoformat(stored.retrieved_at.replace("Z", "+00:00")),
                sha256=stored.sha256,
            )
            parsed = sources[stored.source].parse(payload)
            if not allow_outliers:
                rows = _series_rows(parsed, job.series_by_code)
                check_bounds(rows, catalog.series, source=stored.source)
            added = append_parsed(store, payload, parsed, job.series_by_code).n_added
        except CarrywatchError as exc:
            outcomes.append(RequestOutcome(source=stored.source, url=stored.url, error=str(exc)))
            continue
        outcomes.append(
            RequestOutcome(source=stored.source, url=stored.url, n_payloads=1, n_added=added)
        )
    return RefreshReport(summaries=_summarise(outcomes, planned), outcomes=tuple(outcomes))


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
    if not allow_outliers:
        check_bounds(_series_rows(parsed, {code: (spec.id,)}), {spec.id: spec}, source="import")
    archive.put(body)
    payload = RawPayload(
        request=FetchRequest(source="import", url=f"file:{path.name}", remote_codes=(code,)),
        body=body,
        status=200,
        media_type="text/csv",
        retrieved_at=_utc_now(),
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
