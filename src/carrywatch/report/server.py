"""``carrywatch serve``: a read-only local web app over the store.

Routes (GET, and one POST that reads and writes nothing but its answer):

``/?asof=D``               the brief as of ``D`` (default: the default date), rebuilt when
                           the store changed, with a date picker above it
``/?asof=D1&compare=D2``   the headline metrics of both dates side by side and the alert
                           events recorded (:mod:`carrywatch.report.compare_page`)
``/plotly.min.js``         plotly, served from the installed package (no CDN)
``/api/metrics?asof=D``    the headline metrics JSON of :mod:`carrywatch.report.metrics`
``/api/series/{id}?start=&end=&asof=&limit=&cursor=&format=json|csv``  a page of one
                           series (at most ``limit`` observations, default 1,000, at most
                           10,000), each with its fetch id and the day and rule that dated
                           its release; the page's fetches listed once; ``next``, a cursor
                           to the following page (:mod:`carrywatch.report.series_page`)
``/api/fetches/{id}``      one fetch's provenance: source, URL, retrieval time, sha256,
                           bytes, origin, parser version, whether its raw body is archived
``/check``                 a form to upload a commentary; ``POST /check?date=&name=`` with
                           the article as the body (or the form's ``article`` field), at
                           most 1 MB, answers the claim check's page; nothing is stored

``asof`` means one thing on every route: what was published by that day, by the
catalog's release calendar (:mod:`carrywatch.catalog.releases`), the rule of the CLI and
the library too. Unknown ids, malformed or impossible dates, days outside the range
carrywatch can represent, a bad ``limit`` or cursor and anything but these paths get a
4xx with a one-line JSON message. Nothing secret is ever served: the store holds no keys,
and no settings are exposed. It binds to loopback unless told otherwise.

Concurrency: a thread per connection, at most :data:`MAX_CONNECTIONS` at once (further
connections wait in the listen queue), so a slow answer (a brief being rebuilt, a big
CSV) never holds up a fast one and the work in flight is bounded. Threads borrow read
connections from a pool (SQLite in WAL mode: readers never wait for a writer, and a
refresh writing at the same time never breaks a request). Built answers (the brief per
day, the metrics per day, each series' columns) are kept per store version
(:meth:`~carrywatch.store.sqlite.Store.data_version`, or for a series its last fetch id)
and built once however many ask at the same time (:mod:`carrywatch.report.page_cache`).
"""

from __future__ import annotations

import json
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlsplit

from carrywatch.catalog.releases import asof_day
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import CarrywatchError, CatalogError, ConfigError
from carrywatch.report.claims_page import check_document, render_claims_page
from carrywatch.report.compare_page import compare_page
from carrywatch.report.metrics import default_asof, headline_metrics
from carrywatch.report.page_cache import BriefCache, SharedCache
from carrywatch.report.series_page import (
    PageQuery,
    PageRequestError,
    SeriesColumns,
    decode_cursor,
    fetch_json,
    page_csv,
    page_json,
    parse_limit,
)
from carrywatch.store.alert_state import fired_events
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import Store
from carrywatch.types import utc_now

__all__ = ["MAX_CONNECTIONS", "MAX_UPLOAD_BYTES", "BriefCache", "Server", "make_server"]

_SERIES_PATH: Final = re.compile(r"^/api/series/([a-z0-9_.]{1,80})$")
_FETCH_PATH: Final = re.compile(r"^/api/fetches/([^/]{1,40})$")
_MAX_QUERY: Final = 2048
#: The largest article ``POST /check`` reads (a long saved page); larger ones get 413.
MAX_UPLOAD_BYTES: Final = 1_000_000
#: Connections served at once (one thread each); more wait in the listen queue.
MAX_CONNECTIONS: Final = 32
_UPLOAD_FORM: Final = (
    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>carrywatch claim "
    b"check</title></head><body><h1>Check a commentary</h1><form method='post' "
    b"action='/check' enctype='application/x-www-form-urlencoded'><p><label>Date "
    b"<input name='date' placeholder='YYYY-MM-DD'></label></p><p><textarea name='article' "
    b"rows='20' cols='100' placeholder='Paste the article'></textarea></p><p><button>Check"
    b"</button></p></form></body></html>"
)
#: Answers kept per kind: metrics and compare pages (a few kB each), and series reads
#: (up to ~3 MB each for a daily series since 1962).
_KEPT_ANSWERS: Final = 64
_KEPT_SERIES: Final = 16

StoreFactory = Callable[[], Store]
#: The catalog with the series a store defines (user series, market quotes): the CLI gives
#: :func:`carrywatch.workspace.catalog_of`.
CatalogOf = Callable[[Store], Catalog]


class _Catalogs:
    """The catalog as of each store version, built once per version: a series first
    defined while the server runs (``carrywatch import --new-series``, ``markets
    refresh``) is served from the next request on."""

    def __init__(self, catalog: Catalog | CatalogOf) -> None:
        self._of = catalog if callable(catalog) else (lambda _store: catalog)
        self._kept: SharedCache[int, Catalog] = SharedCache(2)

    def of(self, store: Store) -> Catalog:
        return self._kept.get(store.data_version(), lambda: self._of(store))


class _ClientError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _query_date(query: dict[str, list[str]], name: str) -> date | None:
    """The day of query parameter ``name``, checked like every as-of day (400 if bad)."""
    values = query.get(name)
    if not values or not values[0]:
        return None
    try:
        return asof_day(values[0], name)
    except ConfigError as exc:
        raise _ClientError(HTTPStatus.BAD_REQUEST, str(exc)) from None


class _StorePool:
    """Read connections to the store, opened once and lent to one request at a time
    (opening one runs the schema check in a write transaction: too dear per request)."""

    def __init__(self, open_store: StoreFactory) -> None:
        self._open_store = open_store
        self._idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    @contextmanager
    def store(self) -> Iterator[Store]:
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            store = self._open_store()
            with self._lock:
                self._all.append(store)
        try:
            yield store
        finally:
            self._idle.put(store)

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


class Server(ThreadingHTTPServer):
    """A thread per connection, at most ``max_connections`` at once."""

    daemon_threads = True
    request_queue_size = 128  # the listen backlog: clients beyond the threads wait here

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        pool: _StorePool,
        brief_cache: BriefCache,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        self.pool = pool
        self.brief_cache = brief_cache
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()  # the accept loop waits here while every thread is busy
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def _handler(
    pool: _StorePool,
    open_store: StoreFactory,
    catalogs: _Catalogs,
    cache: BriefCache,
    archive: RawArchive | None,
) -> type[BaseHTTPRequestHandler]:
    metrics_answers: SharedCache[tuple[date | None, date | None, int], bytes] = SharedCache(
        _KEPT_ANSWERS
    )
    compare_answers: SharedCache[tuple[date | None, date | None, date, int], bytes] = SharedCache(
        _KEPT_ANSWERS
    )
    series_reads: SharedCache[tuple[str, date | None, int], SeriesColumns] = SharedCache(
        _KEPT_SERIES
    )

    class Handler(BaseHTTPRequestHandler):
        server_version = "carrywatch"
        sys_version = ""

        def do_GET(self) -> None:
            try:
                self._route()
            except _ClientError as exc:
                self._json({"error": str(exc)}, exc.status)
            except PageRequestError as exc:
                self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
            except CatalogError as exc:
                self._json({"error": str(exc)}, HTTPStatus.NOT_FOUND)
            except CarrywatchError as exc:
                self._json({"error": str(exc)}, HTTPStatus.SERVICE_UNAVAILABLE)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/check" or len(self.path) > _MAX_QUERY:
                self._json(
                    {"error": "read-only: only GET is served (and POST /check)"},
                    HTTPStatus.METHOD_NOT_ALLOWED,
                )
                return
            try:
                self._check()
            except _ClientError as exc:
                self._json({"error": str(exc)}, exc.status)
            except CarrywatchError as exc:
                self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)

        def _check(self) -> None:
            """The claim check of the uploaded article: read at most MAX_UPLOAD_BYTES, judge,
            answer the page. The upload is never written anywhere."""
            length_text = self.headers.get("Content-Length")
            if length_text is None or not length_text.isdigit():
                raise _ClientError(
                    HTTPStatus.LENGTH_REQUIRED, "send the article with a Content-Length"
                )
            length = int(length_text)
            if length > MAX_UPLOAD_BYTES:
                raise _ClientError(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"the article is {length:,} bytes; upload at most {MAX_UPLOAD_BYTES:,}",
                )
            body = self.rfile.read(length)
            query = parse_qs(urlsplit(self.path).query)
            fields: dict[str, list[str]] = {}
            if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                fields = parse_qs(body.decode("utf-8", errors="replace"))
                body = (fields.get("article") or [""])[0].encode("utf-8")
            name = (query.get("name") or ["upload.txt"])[0]
            if not re.fullmatch(r"[\w.-]{1,80}\.(?:txt|md|html?)", name):
                name = "upload.txt"  # the name only tells text from HTML; it is never a path
            given = _query_date(query, "date") or _query_date(fields, "date")
            with pool.store() as store:
                series = catalogs.of(store).series
            result = check_document(body, name, given, open_store, series)
            self._send(render_claims_page(result).encode("utf-8"), "text/html; charset=utf-8")

        def do_PUT(self) -> None:
            self.do_POST()

        def do_DELETE(self) -> None:
            self.do_POST()

        def _route(self) -> None:
            if len(self.path) > _MAX_QUERY:
                raise _ClientError(HTTPStatus.REQUEST_URI_TOO_LONG, "request line too long")
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            path = parts.path
            if path in {"/", "/index.html", "/brief.html"}:
                asof, other = _query_date(query, "asof"), _query_date(query, "compare")
                with pool.store() as store:
                    if other is not None:
                        page = self._compare(store, asof, other)
                    else:
                        page = cache.page(store, asof)
                self._send(page, "text/html; charset=utf-8")
            elif path == "/plotly.min.js":
                with pool.store() as store:
                    script = cache.plotly_js(store)
                self._send(script, "text/javascript; charset=utf-8")
            elif path == "/check":
                self._send(_UPLOAD_FORM, "text/html; charset=utf-8")
            elif path == "/api/metrics":
                self._metrics(query)
            elif (match := _SERIES_PATH.match(path)) is not None:
                self._series(match.group(1), query)
            elif (match := _FETCH_PATH.match(path)) is not None:
                self._fetch(match.group(1))
            else:
                raise _ClientError(HTTPStatus.NOT_FOUND, f"no such page: {path[:80]}")

        def _compare(self, store: Store, asof: date | None, other: date) -> bytes:
            """The headline metrics of two dates side by side and the alerts recorded."""
            today = utc_now().date() if asof is None else None

            def build() -> bytes:
                day = asof or default_asof(store, utc_now().date())
                catalog = catalogs.of(store)
                return compare_page(
                    headline_metrics(store, catalog, day),
                    headline_metrics(store, catalog, other),
                    fired_events(store),
                ).encode("utf-8")

            return compare_answers.get((asof, today, other, store.data_version()), build)

        def _metrics(self, query: dict[str, list[str]]) -> None:
            asof = _query_date(query, "asof")  # 400 for a day outside the representable range
            today = utc_now().date() if asof is None else None
            with pool.store() as store:

                def build() -> bytes:
                    day = asof or default_asof(store, utc_now().date())
                    payload = headline_metrics(store, catalogs.of(store), day).to_json()
                    return json.dumps(payload).encode("utf-8")

                body = metrics_answers.get((asof, today, store.data_version()), build)
            self._send(body, "application/json")

        def _series(self, series_id: str, query: dict[str, list[str]]) -> None:
            with pool.store() as store:
                catalog = catalogs.of(store)
            spec = catalog.spec(series_id)
            start, end = _query_date(query, "start"), _query_date(query, "end")
            if start is not None and end is not None and start > end:
                raise _ClientError(
                    HTTPStatus.BAD_REQUEST, f"start={start} is after end={end}: swap them"
                )
            asof = _query_date(query, "asof")
            limit = parse_limit((query.get("limit") or [""])[0])
            fmt = (query.get("format") or ["json"])[0]
            if fmt not in {"json", "csv"}:
                raise _ClientError(HTTPStatus.BAD_REQUEST, f"format={fmt[:20]!r}: use json or csv")
            cursor = (query.get("cursor") or [""])[0]
            with pool.store() as store:
                if cursor:
                    page_query = decode_cursor(cursor)
                    given = {"start": start, "end": end, "asof": asof}
                    if page_query.series_id != spec.id or any(
                        value is not None and value != getattr(page_query, name)
                        for name, value in given.items()
                    ):
                        raise PageRequestError(
                            "the cursor belongs to another query: pass it alone "
                            "(with limit and format if you like)"
                        )
                else:
                    page_query = PageQuery(spec.id, start, end, asof, store.last_fetch_id())

                def build() -> SeriesColumns:
                    frame = store.read(
                        [spec.id],
                        asof=page_query.asof,
                        releases=catalog.calendar.release_dates,
                        through_fetch=page_query.through_fetch,
                    )
                    return SeriesColumns.from_read(frame)

                key = (spec.id, page_query.asof, page_query.through_fetch)
                columns = series_reads.get(key, build)
            if fmt == "json":
                body, following = page_json(columns, page_query, unit=spec.unit, limit=limit)
                self._send(body, "application/json")
                return
            body, following = page_csv(columns, page_query, limit=limit)
            link = None
            if following is not None:
                target = f"/api/series/{spec.id}?format=csv&limit={limit}&cursor={quote(following)}"
                link = f'<{target}>; rel="next"'
            self._send(body, "text/csv; charset=utf-8", link=link)

        def _fetch(self, text: str) -> None:
            if not text.isascii() or not text.isdigit() or len(text) > 18:
                raise _ClientError(
                    HTTPStatus.BAD_REQUEST, f"fetch id {text[:20]!r}: give a whole number"
                )
            with pool.store() as store:
                fetch = store.fetch(int(text))
            if fetch is None:
                raise _ClientError(HTTPStatus.NOT_FOUND, f"no fetch {int(text)} in the store")
            archived = archive is not None and archive.has(fetch.sha256)
            self._json(fetch_json(fetch, archived=archived))

        def _json(self, payload: object, status: HTTPStatus = HTTPStatus.OK) -> None:
            self._send(json.dumps(payload).encode("utf-8"), "application/json", status)

        def _send(
            self,
            body: bytes,
            media_type: str,
            status: HTTPStatus = HTTPStatus.OK,
            *,
            link: str | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            if link is not None:
                self.send_header("Link", link)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the CLI prints one line per request it cares about; keep stderr quiet

    return Handler


def make_server(
    open_store: StoreFactory,
    catalog: Catalog | CatalogOf,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    cache_dir: Path | None = None,
    template_cache: Path | None = None,
    archive: RawArchive | None = None,
    max_connections: int = MAX_CONNECTIONS,
) -> Server:
    """A server ready to ``serve_forever()``; ``port=0`` picks a free port. ``open_store``
    opens a read connection (called once per pooled connection, closed by
    ``server_close()``); ``catalog`` is the catalog, or what gives it for a store (then
    built again when the store changes, so a series defined while serving is served);
    ``cache_dir`` holds the rendered brief (default: a new temporary folder);
    ``template_cache`` the compiled page template (see
    :func:`~carrywatch.report.render.render_html`); ``archive`` the raw payloads, for
    ``/api/fetches/{id}``'s ``archived``."""
    folder = cache_dir or Path(tempfile.mkdtemp(prefix="carrywatch-serve-"))
    catalogs = _Catalogs(catalog)
    cache = BriefCache(catalogs.of, folder, template_cache=template_cache)
    pool = _StorePool(open_store)
    handler = _handler(pool, open_store, catalogs, cache, archive)
    return Server(
        (host, port), handler, pool=pool, brief_cache=cache, max_connections=max_connections
    )
