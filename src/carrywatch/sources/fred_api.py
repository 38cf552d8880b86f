"""FRED keyed JSON API: ``GET https://api.stlouisfed.org/fred/series/observations``.

Reference: ``sources.md`` section 1b.

Request
    ``series_id=<ID>&file_type=json`` (the API's default is XML), optionally
    ``observation_start`` / ``observation_end`` (``YYYY-MM-DD``). One series per request.
    The key (``api_key``, 32 lower-case alphanumerics) is never part of a
    :class:`~carrywatch.types.FetchRequest`: ``secret_param=("api_key", "fred_api_key")``
    lets :class:`~carrywatch.sources.http.HttpClient` add it when sending, so stored
    requests, logs and error messages never contain it. Limit: 120 requests/minute per
    key, HTTP 429 beyond [reported].

Vintages (ALFRED)
    ``FredApi(vintages=True)`` asks for ``realtime_start=1776-07-04&realtime_end=9999-12-31``:
    one row per (date, real-time period), ``realtime_start`` being the day that value
    became current (3 201 rows for GDP) [verified]. :meth:`FredApi.plan_first_release`
    asks for ``output_type=4``: the first published value of each date [verified].
    For both, :meth:`FredApi.parse` emits ``known_from`` = the row's ``realtime_start``
    at 00:00 UTC (FRED gives a date, not a time). A payload is read as a vintage payload
    when its echoed top-level ``realtime_start`` differs from ``realtime_end`` or its
    ``output_type`` is 4; a current-values payload (both echoes the same day) gets no
    ``known_from``.

Format
    ``{"realtime_start", "realtime_end", ..., "output_type", "count", "offset", "limit",
    "observations": [{"realtime_start", "realtime_end", "date", "value"}, ...]}``.
    ``value`` is always a string in the series' native units; ``"."`` is missing.
    ``count`` is the total number of rows: when it exceeds the rows returned,
    :meth:`FredApi.fetch` asks again with ``offset`` and yields one payload per page.
    ``output_type`` 2 and 3 use a wide layout [unverified] and are rejected.
    The top level echoes the query [verified]; an answer whose ``units`` (default
    ``lin``), ``output_type`` (default 1) or asked ``realtime_start``/``realtime_end``
    differ from the request's answers another query and is refused.
    Errors come as ``{"error_code": <int>, "error_message": "..."}`` with a matching
    HTTP status; :meth:`FredApi.parse` turns such a body into a :class:`ParseError`.

Withdrawals
    In a vintage payload, ``"."`` means the date had no value in that real-time period
    (e.g. GDP 1946-01-01 between 1996-01-19 and 1997-05-06, and again from 1999-10-28): it
    is emitted as a row with ``withdrawn`` True (value NaN; see :mod:`carrywatch.frames`),
    so that a view as known during such a period shows no value rather than the previous
    vintage's. In a current-values payload ``"."`` is simply missing and dropped.

Notes
    ``series`` and ``series/observations`` echo the series' last update as their
    real-time date, not the download date [verified]; ``retrieved_at`` is the download time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from carrywatch.errors import FetchError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import ascii_digits, join_origin, load_json, require_count, to_float
from carrywatch.sources.fred import checked_series_ids, iso_date
from carrywatch.sources.http import display_url
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "PARSE_VERSION",
    "REALTIME_MAX",
    "REALTIME_MIN",
    "FredApi",
    "series_metadata",
]

#: 2: vintage payloads keep withdrawals (``"."``) as rows flagged ``withdrawn``.
PARSE_VERSION = 2

SOURCE: Final = "fred_api"

#: The widest real-time period the API accepts: every vintage ever published.
REALTIME_MIN: Final = "1776-07-04"
REALTIME_MAX: Final = "9999-12-31"

#: The settings key of the credential, and the query parameter that carries it.
_SECRET: Final = ("api_key", "fred_api_key")

_FIRST_RELEASE: Final = 4
_WIDE_OUTPUT_TYPES: Final = frozenset({2, 3})

#: Anything shaped like a FRED key; scrubbed from provider text before it is shown.
_KEY_LIKE: Final = re.compile(r"(?i)(api_key=)?\b[a-z0-9]{32}\b")

_OBSERVATION_KEYS: Final = ("date", "value")
#: The real-time period of a query, echoed by the answer as asked.
_REALTIME_KEYS: Final = ("realtime_start", "realtime_end")


class FredApi:
    """FRED's keyed JSON API (``fred/series/observations``); remote codes are FRED ids.

    Parameters
    ----------
    origin:
        ``scheme://host[:port]`` standing in for ``https://api.stlouisfed.org``.
    vintages:
        Ask for every vintage (ALFRED) and emit ``known_from`` per row.
    """

    name: str = SOURCE
    default_origin: str = "https://api.stlouisfed.org"

    def __init__(self, origin: str | None = None, vintages: bool = False) -> None:
        self.origin = origin or self.default_origin
        self.vintages = vintages

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One ``series/observations`` request per series id (all vintages if ``vintages``)."""
        realtime = (
            (("realtime_start", REALTIME_MIN), ("realtime_end", REALTIME_MAX))
            if self.vintages
            else ()
        )
        return [self._observations_request(code, window, realtime) for code in self._ids(wanted)]

    def plan_first_release(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """Requests for the first-release value of each date (``output_type=4``)."""
        extra = (
            ("realtime_start", REALTIME_MIN),
            ("realtime_end", REALTIME_MAX),
            ("output_type", str(_FIRST_RELEASE)),
        )
        return [self._observations_request(code, window, extra) for code in self._ids(wanted)]

    def series_request(self, series_id: str) -> FetchRequest:
        """The ``fred/series`` metadata request of one series (see :func:`series_metadata`)."""
        (code,) = self._ids([series_id])
        return FetchRequest(
            source=self.name,
            url=join_origin(self.origin, "/fred/series"),
            params=(("series_id", code), ("file_type", "json")),
            remote_codes=(code,),
            secret_param=_SECRET,
        )

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """Every page of the answer, bytes untouched.

        A page whose ``count`` exceeds ``offset`` plus its rows is followed by a request
        with ``offset`` advanced by the rows received. A page that is not a readable
        observations object ends the paging (its parse reports the problem).
        """
        page = http.get(request)
        yield page
        asked_offset = _int_param(request, "offset")
        while True:
            position = _page_position(page.body)
            if position is None:
                return
            offset, count, n_rows = position
            if offset != asked_offset:
                raise FetchError(
                    f"asked for rows from offset {asked_offset}, the API answered "
                    f"offset {offset}; paging stopped to avoid repeating rows",
                    source=self.name,
                    url=display_url(page.request),
                )
            if n_rows == 0 or offset + n_rows >= count:
                return
            asked_offset = offset + n_rows
            page = http.get(request.with_params(offset=str(asked_offset)))
            yield page

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Observation rows of the series the request named.

        Raises :class:`ParseError` for an API error object, an HTML page, a payload
        without the ``series/observations`` keys, the wide ``output_type`` 2/3 layout,
        a row without ``date``/``value`` (or ``realtime_start`` in a vintage payload),
        a malformed date or a non-numeric value.
        """
        doc = _observations_document(payload.body)
        series_id = _requested_series(payload.request)
        output_type = _output_type(doc.get("output_type", 1))
        if output_type in _WIDE_OUTPUT_TYPES:
            raise ParseError(
                f"output_type {output_type} (one column per vintage) is not supported; "
                "request output_type 1 or 4",
                source=self.name,
            )
        vintage = output_type == _FIRST_RELEASE or doc["realtime_start"] != doc["realtime_end"]
        needed = (*_OBSERVATION_KEYS, "realtime_start") if vintage else _OBSERVATION_KEYS
        observations = doc["observations"]
        if not isinstance(observations, list):
            raise ParseError(
                f"'observations' is a {type(observations).__name__}, expected a list",
                source=self.name,
            )
        count, offset, limit = doc.get("count"), doc.get("offset", 0), doc.get("limit")
        if isinstance(count, int) and isinstance(offset, int) and isinstance(limit, int):
            # A page holds min(limit, count - offset) rows (FRED's own paging contract).
            page_rows = min(limit, count - offset)
            require_count(page_rows, len(observations), source=self.name, what="the page")
        dates: list[date] = []
        values: list[float] = []
        known_from: list[datetime] = []
        withdrawn: list[bool] = []
        for index, row in enumerate(observations):
            where = f"observations[{index}]"
            if not isinstance(row, dict):
                raise ParseError(
                    f"{where} is a {type(row).__name__}, expected an object", source=self.name
                )
            absent = [key for key in needed if key not in row]
            if absent:
                raise ParseError(
                    f"{where} lacks key(s) {', '.join(absent)}; "
                    f"found {', '.join(sorted(map(str, row)))[:120]}",
                    source=self.name,
                )
            obs_date = iso_date(row["date"], source=self.name, where=f"{where}.date")
            dates.append(obs_date)
            values.append(_value(row["value"], where=f"{where} ({obs_date})"))
            withdrawn.append(vintage and math.isnan(values[-1]))  # "." in a vintage
            if vintage:
                start = iso_date(
                    row["realtime_start"], source=self.name, where=f"{where}.realtime_start"
                )
                known_from.append(datetime(start.year, start.month, start.day, tzinfo=UTC))
        # A well-formed answer, but to this query? (after the shape checks, which say more)
        _require_echoes(payload.request, doc, output_type)
        rows = observations_frame(
            self.name,
            [series_id] * len(dates),
            dates,
            values,
            known_from=known_from if vintage else None,
            withdrawn=withdrawn if vintage else None,
        )
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={
                "series_id": series_id,
                "output_type": str(output_type),
                "realtime_start": str(doc["realtime_start"]),
                "realtime_end": str(doc["realtime_end"]),
                "count": str(doc.get("count", "")),
                "offset": str(doc.get("offset", "")),
                "vintages": "true" if vintage else "false",
            },
        )

    def _ids(self, wanted: Sequence[str]) -> list[str]:
        return checked_series_ids(wanted, source=self.name)

    def _observations_request(
        self, code: str, window: Window, extra: tuple[tuple[str, str], ...]
    ) -> FetchRequest:
        params = [("series_id", code), ("file_type", "json")]
        if window.start is not None:
            params.append(("observation_start", window.start.isoformat()))
        if window.end is not None:
            params.append(("observation_end", window.end.isoformat()))
        return FetchRequest(
            source=self.name,
            url=join_origin(self.origin, "/fred/series/observations"),
            params=(*params, *extra),
            remote_codes=(code,),
            secret_param=_SECRET,
        )


def series_metadata(payload: RawPayload) -> dict[str, str]:
    """Title, units, frequency and last update of the series in a ``fred/series`` answer.

    Keys: ``id``, ``title``, ``units``, ``frequency``, ``last_updated`` (ISO 8601 in UTC,
    converted from FRED's ``2024-12-19 07:55:01-06``) and, when present,
    ``units_short``, ``frequency_short``, ``seasonal_adjustment_short``,
    ``observation_start``, ``observation_end``. Use ``last_updated`` to decide whether
    a refetch can bring anything new.
    """
    doc = _api_object(payload.body)
    entries = doc.get("seriess")  # sic: FRED's key has a double s
    if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
        raise ParseError(
            f"expected a non-empty 'seriess' list; found keys {', '.join(sorted(doc))[:120]}",
            source=SOURCE,
        )
    entry: dict[str, object] = entries[0]
    required = ("id", "title", "units", "frequency", "last_updated")
    absent = [key for key in required if not isinstance(entry.get(key), str)]
    if absent:
        raise ParseError(f"series metadata lacks text field(s) {absent}", source=SOURCE)
    meta = {key: str(entry[key]) for key in required}
    try:
        updated = datetime.fromisoformat(meta["last_updated"])
    except ValueError as exc:
        raise ParseError(
            f"last_updated {meta['last_updated'][:40]!r} is not a timestamp", source=SOURCE
        ) from exc
    if updated.tzinfo is None:
        raise ParseError(f"last_updated {meta['last_updated']!r} has no UTC offset", source=SOURCE)
    meta["last_updated"] = updated.astimezone(UTC).isoformat()
    optional = (
        "units_short",
        "frequency_short",
        "seasonal_adjustment_short",
        "observation_start",
        "observation_end",
    )
    meta.update({key: str(entry[key]) for key in optional if isinstance(entry.get(key), str)})
    return meta


def _api_object(body: bytes) -> dict[str, object]:
    """The top-level JSON object of an API answer; an error object is a ParseError."""
    doc = load_json(body, source=SOURCE)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object, found a {type(doc).__name__}", source=SOURCE)
    if "error_code" in doc or "error_message" in doc:
        message = _scrubbed(str(doc.get("error_message", "(no message)")))
        raise ParseError(f"FRED API error {doc.get('error_code', '?')}: {message}", source=SOURCE)
    return doc


def _observations_document(body: bytes) -> dict[str, object]:
    doc = _api_object(body)
    absent = [key for key in ("realtime_start", "realtime_end", "observations") if key not in doc]
    if absent:
        raise ParseError(
            f"not a series/observations answer: key(s) {', '.join(absent)} missing; "
            f"found {', '.join(sorted(doc))[:120]}",
            source=SOURCE,
        )
    return doc


def _requested_series(request: FetchRequest) -> str:
    """The series id of a request: the API's rows do not repeat it."""
    if len(request.remote_codes) == 1:
        return request.remote_codes[0]
    named = [value for key, value in request.params if key == "series_id"]
    if not request.remote_codes and len(named) == 1:
        return named[0]
    raise ParseError(
        "the request must name exactly one series (remote_codes or series_id); "
        f"found {list(request.remote_codes) or named}",
        source=SOURCE,
    )


def _value(raw: object, *, where: str) -> float:
    try:
        return to_float(raw, source=SOURCE, where=where)
    except OverflowError as exc:  # a JSON integer beyond float range
        raise ParseError(f"number out of range at {where}", source=SOURCE) from exc


def _require_echoes(request: FetchRequest, doc: Mapping[str, object], output_type: int) -> None:
    """Raise ``ParseError`` when the answer's echo of the query differs from ``request``.

    An observations answer echoes ``units`` (FRED's default ``lin``), ``output_type``
    (default 1) and, when the request sets them, ``realtime_start``/``realtime_end``. Rows
    carry neither the transformation nor the vintage rule, so another query's answer
    (percent changes, today's values for first releases) would read as this one's.
    """
    params = dict(request.params)
    asked: list[tuple[str, object, object]] = [
        ("units", params.get("units", "lin"), doc.get("units", "lin")),
        ("output_type", int(params.get("output_type", "1")), output_type),
    ]
    asked += [(key, params[key], doc.get(key)) for key in _REALTIME_KEYS if key in params]
    for key, wanted, echoed in asked:
        if echoed != wanted:
            raise ParseError(
                f"the answer is to another query: {key} asked {wanted!r}, the answer echoes "
                f"{echoed!r}; nothing was read; check CARRYWATCH_FRED_API_ORIGIN if it is set, "
                "else try again later",
                source=SOURCE,
            )


def _output_type(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and ascii_digits(raw.strip()):
        return int(raw.strip())
    raise ParseError(f"output_type {str(raw)[:20]!r} is not an integer", source=SOURCE)


def _scrubbed(text: str) -> str:
    """Provider text with anything key-shaped removed, cut to a readable length."""
    return _KEY_LIKE.sub("<redacted>", text)[:300]


def _int_param(request: FetchRequest, key: str) -> int:
    for name, value in request.params:
        if name == key and ascii_digits(value):
            return int(value)
    return 0


def _page_position(body: bytes) -> tuple[int, int, int] | None:
    """``(offset, count, rows on this page)`` of an observations page, None if unreadable."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, Mapping):
        return None
    offset, count, rows = doc.get("offset", 0), doc.get("count"), doc.get("observations")
    if not (isinstance(offset, int) and isinstance(count, int) and isinstance(rows, list)):
        return None
    return offset, count, len(rows)
