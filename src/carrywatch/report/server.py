"""``carrywatch serve``: a read-only local web app over the store.

Routes (GET, and one POST that reads and writes nothing but its answer):

``/?asof=D``               the brief as of ``D`` (default: the default date), rebuilt when
                           the store changed, with a date picker above it
``/?asof=D1&compare=D2``   the headline metrics of both dates side by side and the alert
                           events recorded (:mod:`carrywatch.report.compare_page`)
``/plotly.min.js``         plotly, served from the installed package (no CDN)
``/api/metrics?asof=D``    the headline metrics JSON of :mod:`carrywatch.report.metrics`
``/api/series/{id}?start=&end=&asof=&format=json|csv``  one series with provenance and
                           the day and rule that dated each observation's release
``/check``                 a form to upload a commentary; ``POST /check?date=&name=`` with
                           the article as the body (or the form's ``article`` field), at
                           most 1 MB, answers the claim check's page; nothing is stored

``asof`` means one thing on every route: what was published by that day, by the
catalog's release calendar (:mod:`carrywatch.catalog.releases`), the rule of the CLI and
the library too. Every request opens its own read connection: SQLite in WAL mode gives
each reader a consistent snapshot, so a refresh writing at the same time never breaks a
request. Unknown ids, malformed or impossible dates, days outside the range carrywatch
can represent and anything but these paths get a 4xx with a one-line JSON message.
Nothing secret is ever served: the store holds no keys, and no settings are exposed. It
binds to loopback unless told otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from carrywatch.catalog.releases import asof_day
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import CarrywatchError, CatalogError, ConfigError
from carrywatch.report.claims_page import check_document, render_claims_page
from carrywatch.report.compare_page import compare_page, date_bar
from carrywatch.report.metrics import default_asof, headline_metrics
from carrywatch.report.render import MarketReader, build_report, write_report
from carrywatch.store.alert_state import fired_events
from carrywatch.store.sqlite import Store
from carrywatch.types import utc_now

__all__ = ["MAX_UPLOAD_BYTES", "BriefCache", "make_server"]

_SERIES_PATH: Final = re.compile(r"^/api/series/([a-z0-9_.]{1,80})$")
_MAX_QUERY: Final = 2048
#: The largest article ``POST /check`` reads (a long saved page); larger ones get 413.
MAX_UPLOAD_BYTES: Final = 1_000_000
_UPLOAD_FORM: Final = (
    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>carrywatch claim "
    b"check</title></head><body><h1>Check a commentary</h1><form method='post' "
    b"action='/check' enctype='application/x-www-form-urlencoded'><p><label>Date "
    b"<input name='date' placeholder='YYYY-MM-DD'></label></p><p><textarea name='article' "
    b"rows='20' cols='100' placeholder='Paste the article'></textarea></p><p><button>Check"
    b"</button></p></form></body></html>"
)
#: Briefs kept rendered for as-of days other than the default (oldest dropped first).
_MAX_PAGES: Final = 8

StoreFactory = Callable[[], Store]

#: Fields of each observation ``/api/series/{id}`` returns (the CSV header).
_SERIES_FIELDS: Final = (
    "obs_date",
    "value",
    "source",
    "origin",
    "retrieved_at",
    "url",
    "released",
    "release_rule",
)


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


class BriefCache:
    """The rendered brief, rebuilt only when the store has changed since the last build."""

    def __init__(
        self,
        open_store: StoreFactory,
        catalog: Catalog,
        folder: Path,
        *,
        template_cache: Path | None = None,
        market_odds: MarketReader | None = None,
    ) -> None:
        self._open_store = open_store
        self._market_odds = market_odds
        self._catalog = catalog
        self._folder = folder
        self._template_cache = template_cache
        self._lock = threading.Lock()
        # Per as-of day (None: the default day), the store version its page was built for.
        self._built_for: dict[date | None, tuple[int, int]] = {}

    def page(self, asof: date | None = None) -> bytes:
        """The brief.html as of ``asof`` (default: :func:`default_asof`), rebuilding it
        first if the store changed since it was built."""
        folder = self._folder if asof is None else self._folder / asof.isoformat()
        with self._lock:
            with self._open_store() as store:
                version = store.counts()
                if self._built_for.get(asof) != version or not (folder / "brief.html").exists():
                    day = asof or default_asof(store, utc_now().date())
                    report = build_report(store, self._catalog, day, market_odds=self._market_odds)
                    write_report(report, folder, template_cache=self._template_cache)
                    self._built_for.pop(asof, None)
                    self._built_for[asof] = version
                    self._forget_oldest()
            return (folder / "brief.html").read_bytes()

    def _forget_oldest(self) -> None:
        """Keep at most :data:`_MAX_PAGES` dated briefs besides the default one."""
        dated = [day for day in self._built_for if day is not None]
        for day in dated[: max(0, len(dated) - _MAX_PAGES)]:
            del self._built_for[day]
            shutil.rmtree(self._folder / day.isoformat(), ignore_errors=True)

    def asset(self, name: str) -> bytes:
        self.page()  # make sure the folder has been written
        return (self._folder / name).read_bytes()


def _with_date_bar(page: bytes, asof: date | None) -> bytes:
    """The brief with the served app's date bar after its ``<body>`` tag (the written,
    offline page has none: its form would need this server)."""
    start = page.find(b"<body")
    end = page.find(b">", start) + 1 if start >= 0 else 0
    if not end:
        return page
    return page[:end] + date_bar(asof).encode("utf-8") + page[end:]


def _handler(
    open_store: StoreFactory, catalog: Catalog, cache: BriefCache
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "carrywatch"
        sys_version = ""

        def do_GET(self) -> None:
            try:
                self._route()
            except _ClientError as exc:
                self._json({"error": str(exc)}, exc.status)
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
            result = check_document(body, name, given, open_store, catalog.series)
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
                if other is not None:
                    self._compare(asof, other)
                else:
                    page = _with_date_bar(cache.page(asof), asof)
                    self._send(page, "text/html; charset=utf-8")
            elif path == "/plotly.min.js":
                self._send(cache.asset("plotly.min.js"), "text/javascript; charset=utf-8")
            elif path == "/check":
                self._send(_UPLOAD_FORM, "text/html; charset=utf-8")
            elif path == "/api/metrics":
                self._metrics(query)
            elif (match := _SERIES_PATH.match(path)) is not None:
                self._series(match.group(1), query)
            else:
                raise _ClientError(HTTPStatus.NOT_FOUND, f"no such page: {path[:80]}")

        def _compare(self, asof: date | None, other: date) -> None:
            """The headline metrics of two dates side by side and the alerts recorded."""
            with open_store() as store:
                day = asof or default_asof(store, utc_now().date())
                page = compare_page(
                    headline_metrics(store, catalog, day),
                    headline_metrics(store, catalog, other),
                    fired_events(store),
                )
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")

        def _metrics(self, query: dict[str, list[str]]) -> None:
            asof = _query_date(query, "asof")  # 400 for a day outside the representable range
            with open_store() as store:
                day = asof or default_asof(store, utc_now().date())
                self._json(headline_metrics(store, catalog, day).to_json())

        def _series(self, series_id: str, query: dict[str, list[str]]) -> None:
            spec = catalog.spec(series_id)
            start, end = _query_date(query, "start"), _query_date(query, "end")
            asof = _query_date(query, "asof")
            fmt = (query.get("format") or ["json"])[0]
            if fmt not in {"json", "csv"}:
                raise _ClientError(HTTPStatus.BAD_REQUEST, f"format={fmt[:20]!r}: use json or csv")
            with open_store() as store:
                frame = store.read(
                    [spec.id],
                    start=start,
                    end=end,
                    asof=asof,
                    releases=catalog.calendar.release_dates,
                )
            records: list[dict[str, Any]] = [
                {
                    "obs_date": day.strftime("%Y-%m-%d"),
                    "value": float(value),
                    "source": source,
                    "origin": origin,
                    "retrieved_at": retrieved,
                    "url": url,
                    "released": released.strftime("%Y-%m-%d"),
                    "release_rule": rule,
                }
                for day, value, source, origin, retrieved, url, released, rule in zip(
                    frame["obs_date"],
                    frame["value"],
                    frame["source"],
                    frame["origin"],
                    frame["retrieved_at"],
                    frame["url"],
                    frame["released"],
                    frame["release_rule"],
                    strict=True,
                )
            ]
            if fmt == "json":
                self._json(
                    {
                        "series_id": spec.id,
                        "unit": spec.unit,
                        "asof": None if asof is None else asof.isoformat(),
                        "observations": records,
                    }
                )
                return
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(_SERIES_FIELDS))
            writer.writeheader()
            writer.writerows(records)
            self._send(buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8")

        def _json(self, payload: object, status: HTTPStatus = HTTPStatus.OK) -> None:
            self._send(json.dumps(payload).encode("utf-8"), "application/json", status)

        def _send(self, body: bytes, media_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
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
    catalog: Catalog,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    cache_dir: Path | None = None,
    template_cache: Path | None = None,
    market_odds: MarketReader | None = None,
) -> ThreadingHTTPServer:
    """A server ready to ``serve_forever()``; ``port=0`` picks a free port. ``cache_dir``
    holds the rendered brief (default: a new temporary folder); ``template_cache`` the
    compiled page template (see :func:`~carrywatch.report.render.render_html`);
    ``market_odds`` reads prediction-market odds for the brief (see
    :func:`~carrywatch.report.render.build_report`)."""
    folder = cache_dir or Path(tempfile.mkdtemp(prefix="carrywatch-serve-"))
    cache = BriefCache(
        open_store, catalog, folder, template_cache=template_cache, market_odds=market_odds
    )
    server = ThreadingHTTPServer((host, port), _handler(open_store, catalog, cache))
    server.daemon_threads = True
    return server
