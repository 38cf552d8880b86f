"""Bank of Japan time series: the Time-Series Data Search API and the legacy flat files.

Endpoints (``/work/shared/sources.md`` §4)
-----------------------------------------
API (launched 2026-02-18)::

    GET https://www.stat-search.boj.or.jp/api/v1/getDataCode
        ?db=MD01&code=MABS1AN11,MABS1AN113&format=json&lang=en
        &startDate=YYYYMM&endDate=YYYYMM[&startPosition=N]

* ``code`` takes up to 250 comma-separated codes of **one** database and **one**
  frequency, written *without* the ``DB'`` prefix (a prefix is error ``M181001E``; mixed
  frequencies are ``M181014E``). ``startDate``/``endDate`` are ``YYYYMM`` for monthly,
  weekly and daily series, ``YYYYQQ`` quarterly, ``YYYYHH`` half-yearly, ``YYYY`` annual.
* Paging: when ``NEXTPOSITION`` is an integer, the same request is repeated with
  ``startPosition=NEXTPOSITION`` (a 1-based index into the list of requested codes), so a
  page carries a contiguous slice of the requested codes; ``fetch`` yields one payload
  per page.
* Response: a pretty-printed JSON object ``STATUS``, ``MESSAGEID``, ``MESSAGE``, ``DATE``,
  ``PARAMETER`` (echo, upper-case string values), ``NEXTPOSITION``, ``RESULTSET``: a list of
  ``{SERIES_CODE, FREQUENCY, VALUES: {SURVEY_DATES: [int], VALUES: [number|null]}}``.
  ``SURVEY_DATES`` are integers whose layout depends on the ``FREQUENCY`` word:
  ``YYYYMMDD`` (``DAILY``, ``WEEKLY(...)``), ``YYYYMM`` (``MONTHLY``), ``YYYYQQ``
  (``QUARTERLY``; ``202401`` is Q1), ``YYYYHH`` (``SEMIANNUAL``, ``SEMIANNUAL(SEP)``),
  ``YYYY`` (``ANNUAL``, ``ANNUAL(MAR)``).
* Errors: ``STATUS`` 400/500/503 with ``MESSAGEID`` ``M1810..E``/``..S``; sources disagree
  on whether the HTTP status mirrors it, so both are checked. ``M181030I`` means success
  without data and gives an empty frame.

Legacy flat files ("Main Time-series Statistics", §4b)::

    https://www.stat-search.boj.or.jp/ssi/mtshtml/csv/md01_m_1_en.csv

English CSV, no BOM: line 1 ``BOJ's Main Time-series Statistics``, line 2 a timestamp,
line 3 group titles, then labelled rows (``Name of time-series``, ``Series code`` whose
cells carry the ``DB'`` prefix, ``Unit``, ``Start of the time-series``, ...), then data
rows ``YYYY/MM,v1,...`` (daily files ``YYYY/MM/DD``); a missing value is an empty field.
:func:`parse_flat_file` reads them; :meth:`BojTimeSeries.parse` dispatches to it when a
payload's first line is the flat-file title. ``plan`` never asks for flat files.

Remote codes
------------
``DB'CODE`` exactly as BOJ writes it, e.g. ``FM01'STRDCLUCON`` (uncollateralised overnight
call rate, % p.a., daily) or ``MD01'MABS1AN11`` (monetary base, average amounts
outstanding, 100 million yen, monthly). Units are the provider's own (the API's ``UNIT``).

Dates
-----
``obs_date`` is the first day of the period: the day itself for daily and weekly series,
the first of the month, quarter (Jan/Apr/Jul/Oct), half (Jan/Jul) or year. Japanese
fiscal periods (``ANNUAL(MAR)``, ``SEMIANNUAL(SEP)``) are taken to be labelled by the
calendar year in which they start (FY2024 = April 2024 to March 2025, so its obs_date is
2024-04-01) -- the Japanese convention, **unverified** against a live response.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import (
    ascii_digits,
    decode_text,
    join_origin,
    load_json,
    reject_html,
    require_final_newline,
    to_float,
)
from carrywatch.sources.http import HttpClient, display_url
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

__all__ = ["DEFAULT_FREQUENCIES", "PARSE_VERSION", "BojTimeSeries", "parse_flat_file"]

PARSE_VERSION = 1

_SOURCE = "boj"
_API_PATH = "/api/v1/getDataCode"
_MAX_CODES_PER_REQUEST = 250
#: A runaway NEXTPOSITION chain is a provider fault, not a reason to loop for ever.
_MAX_PAGES = 100
_OK = "M181000I"
_NO_DATA = "M181030I"
_FLAT_FILE_TITLE = "BOJ's Main Time-series Statistics"

#: ``DB'CODE``: the database name, an apostrophe, the series code. Series codes use ASCII
#: letters, digits and a few symbols (``MABS1AN11@``); the API rejects ``< > " ! | \\ ; '``.
_REMOTE_CODE = re.compile(r"^([A-Z]{2,4}[0-9]{0,2})'([A-Za-z0-9@#$%&()*+\-./:=?^_~]{1,64})$")

#: Request frequency codes (``CY FY CH FH Q M W D``) of the series carrywatch knows.
#: The API refuses codes of mixed frequency in one request, so ``plan`` groups by it.
DEFAULT_FREQUENCIES: Mapping[str, str] = {
    "FM01'STRDCLUCON": "D",
    "FM01'STRDCLUCONH": "D",
    "FM01'STRDCLUCONL": "D",
    "MD01'MABS1AN11": "M",
    "MD01'MABS1AN11@": "M",
    "MD01'MABS1AN113": "M",
    "MD01'MABS1AA11X12": "M",
    "BS01'MABJMTA": "M",
    "BS01'MABJMA5": "M",
    "BS01'MABJMA5B": "M",
}
_FREQUENCY_CODES = frozenset({"CY", "FY", "CH", "FH", "Q", "M", "W", "D"})

_FLAT_DATE = re.compile(r"^(\d{4})/(\d{2})(?:/(\d{2}))?$")


class BojTimeSeries:
    """Bank of Japan Time-Series Data Search (API, and legacy flat files when parsing).

    Parameters
    ----------
    origin:
        ``scheme://host[:port]`` standing in for ``https://www.stat-search.boj.or.jp``.
    frequencies:
        Remote code -> request frequency code (``D``, ``W``, ``M``, ``Q``, ``CH``, ``FH``,
        ``CY``, ``FY``); defaults to :data:`DEFAULT_FREQUENCIES`. A code not listed is
        grouped with the other unlisted codes of its database and asked for with
        ``YYYYMM`` dates (right for daily, weekly and monthly series); list quarterly or
        annual codes here so that their dates are written ``YYYYQQ``/``YYYY``.
    """

    name: str = _SOURCE
    default_origin: str = "https://www.stat-search.boj.or.jp"

    def __init__(
        self, origin: str | None = None, *, frequencies: Mapping[str, str] | None = None
    ) -> None:
        self.origin = origin or self.default_origin
        self.frequencies = dict(DEFAULT_FREQUENCIES if frequencies is None else frequencies)

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One ``getDataCode`` request per (database, frequency) and 250 codes."""
        groups: dict[tuple[str, str], list[str]] = {}
        for remote_code in dict.fromkeys(wanted):
            match = _REMOTE_CODE.match(remote_code)
            if match is None:
                raise CatalogError(
                    f"BOJ remote code {remote_code!r} is not of the form DB'CODE "
                    "(e.g. FM01'STRDCLUCON, MD01'MABS1AN11)"
                )
            frequency = self.frequencies.get(remote_code, "")
            if frequency and frequency not in _FREQUENCY_CODES:
                raise CatalogError(
                    f"BOJ frequency {frequency!r} for {remote_code} is not one of "
                    f"{', '.join(sorted(_FREQUENCY_CODES))}"
                )
            groups.setdefault((match.group(1), frequency), []).append(remote_code)
        url = join_origin(self.origin, _API_PATH)
        requests: list[FetchRequest] = []
        for (db, frequency), codes in groups.items():
            for at in range(0, len(codes), _MAX_CODES_PER_REQUEST):
                chunk = codes[at : at + _MAX_CODES_PER_REQUEST]
                params = [
                    ("db", db),
                    ("code", ",".join(code.split("'", 1)[1] for code in chunk)),
                    ("format", "json"),
                    ("lang", "en"),
                ]
                if window.start is not None:
                    params.append(("startDate", _period_param(window.start, frequency)))
                if window.end is not None:
                    params.append(("endDate", _period_param(window.end, frequency)))
                requests.append(
                    FetchRequest(
                        source=self.name,
                        url=url,
                        params=tuple(params),
                        remote_codes=tuple(chunk),
                        timeout_s=60.0,
                    )
                )
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The pages answering ``request``, following ``NEXTPOSITION``."""
        current = request
        position = 1
        for _ in range(_MAX_PAGES):
            payload = http.get(current)
            yield payload
            next_position = _next_position(payload.body)
            if next_position is None:
                return
            if next_position <= position:
                raise FetchError(
                    f"NEXTPOSITION {next_position} does not advance past {position}",
                    source=self.name,
                    url=display_url(current),
                )
            position = next_position
            current = request.with_params(startPosition=str(next_position))
        raise FetchError(
            f"more than {_MAX_PAGES} pages; ask for fewer codes per request",
            source=self.name,
            url=display_url(current),
        )

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Observations from an API JSON page or, by its first line, a legacy flat file."""
        head = payload.body[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"{"):
            return _parse_api(payload)
        if head.startswith(_FLAT_FILE_TITLE.encode("ascii")):
            return parse_flat_file(payload)
        if not head:
            raise ParseError("empty payload", source=self.name)
        reject_html(payload.body, source=self.name)
        raise ParseError(
            "neither BOJ API JSON nor a BOJ flat file "
            f"(expected '{{' or {_FLAT_FILE_TITLE!r}, found {head[:40]!r})",
            source=self.name,
        )


def parse_flat_file(payload: RawPayload) -> ParsedFrame:
    """Observations from a legacy English flat file (``md01_m_1_en.csv`` style).

    Columns are mapped by the ``Series code`` row (``DB'CODE``), never by position;
    dates ``YYYY/MM`` become the first of the month, ``YYYY/MM/DD`` the day itself.
    """
    text = decode_text(payload.body, encoding="utf-8-sig", source=_SOURCE)
    require_final_newline(payload.body, source=_SOURCE)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ParseError(f"flat file is not valid CSV ({exc})", source=_SOURCE) from exc
    if not rows or not rows[0] or rows[0][0].strip() != _FLAT_FILE_TITLE:
        found = rows[0][0][:60] if rows and rows[0] else ""
        raise ParseError(
            f"first line should start with {_FLAT_FILE_TITLE!r}, found {found!r}",
            source=_SOURCE,
        )
    codes: list[str] | None = None
    out_codes: list[str] = []
    out_dates: list[date] = []
    out_values: list[float] = []
    in_data = False
    for line_no, row in enumerate(rows[1:], start=2):
        first = row[0].strip() if row else ""
        match = _FLAT_DATE.match(first)
        if match is None:
            if in_data and any(cell.strip() for cell in row):
                raise ParseError(
                    f"line {line_no}: expected a YYYY/MM date, found {first[:30]!r}",
                    source=_SOURCE,
                )
            if first == "Series code":
                codes = [cell.strip() for cell in row[1:]]
            continue
        in_data = True
        if codes is None:
            raise ParseError("no 'Series code' row before the data rows", source=_SOURCE)
        obs_date = _flat_date(match, line_no)
        cells = row[1:]
        if len(cells) < len(codes) or any(cell.strip() for cell in cells[len(codes) :]):
            raise ParseError(
                f"line {line_no} ({first}) has {len(cells)} values for {len(codes)} series",
                source=_SOURCE,
            )
        for code, cell in zip(codes, cells, strict=False):
            if not code:
                continue
            out_codes.append(code)
            out_dates.append(obs_date)
            out_values.append(to_float(cell, source=_SOURCE, where=f"{first} {code}"))
    if codes is None:
        raise ParseError("no 'Series code' row and no data rows", source=_SOURCE)
    present = [code for code in codes if code]
    if len(set(present)) != len(present):
        raise ParseError(
            f"duplicate series codes in the 'Series code' row: {present}", source=_SOURCE
        )
    frame = observations_frame(
        _SOURCE, *_keep_requested(payload, out_codes, out_dates, out_values, present)
    )
    return ParsedFrame(
        source=_SOURCE,
        rows=frame,
        parse_version=PARSE_VERSION,
        meta={
            "format": "flat_file",
            "generated": rows[1][0].strip() if len(rows) > 1 and rows[1] else "",
        },
    )


def _parse_api(payload: RawPayload) -> ParsedFrame:
    document = load_json(payload.body, source=_SOURCE)
    if not isinstance(document, dict) or "STATUS" not in document:
        keys = sorted(document)[:8] if isinstance(document, dict) else type(document).__name__
        raise ParseError(
            f"expected a getDataCode object with STATUS, MESSAGEID, RESULTSET; found {keys}",
            source=_SOURCE,
        )
    status = document["STATUS"]
    message_id = str(document.get("MESSAGEID", ""))
    message = str(document.get("MESSAGE", ""))[:200]
    # str(): STATUS is an integer, but a damaged body may hold any JSON value here.
    if (
        str(status).strip() != "200"
        or not 200 <= payload.status < 300
        or message_id[-1:] in {"E", "S"}
    ):
        raise ParseError(
            f"BOJ API error (STATUS {status}, HTTP {payload.status}) {message_id}: {message}",
            source=_SOURCE,
        )
    parameter = document.get("PARAMETER")
    meta = {"format": "api_json", "message_id": message_id, "date": str(document.get("DATE", ""))}
    if message_id == _NO_DATA:
        return ParsedFrame(
            source=_SOURCE,
            rows=observations_frame(_SOURCE, [], [], []),
            parse_version=PARSE_VERSION,
            meta=meta,
        )
    db = _parameter(parameter, "DB") or dict(payload.request.params).get("db", "")
    if not db:
        raise ParseError("PARAMETER has no DB and the request names none", source=_SOURCE)
    db = db.upper()
    result_set = document.get("RESULTSET")
    if not isinstance(result_set, list):
        raise ParseError(
            f"RESULTSET should be a list, found {type(result_set).__name__}", source=_SOURCE
        )
    out_codes: list[str] = []
    out_dates: list[date] = []
    out_values: list[float] = []
    present: list[str] = []
    for series in result_set:
        remote_code, frequency, dates, values = _series_fields(series, db)
        present.append(remote_code)
        if len(dates) != len(values):
            raise ParseError(
                f"{remote_code}: {len(dates)} SURVEY_DATES but {len(values)} VALUES",
                source=_SOURCE,
            )
        for survey_date, value in zip(dates, values, strict=True):
            out_codes.append(remote_code)
            out_dates.append(_period_start(survey_date, frequency, remote_code))
            out_values.append(to_float(value, source=_SOURCE, where=f"{remote_code} {survey_date}"))
    expected = _codes_on_page(payload, document.get("NEXTPOSITION"))
    missing = [code for code in expected if code not in present]
    if missing:
        raise ParseError(
            f"series {missing} missing from RESULTSET (found {present[:10]})", source=_SOURCE
        )
    frame = observations_frame(
        _SOURCE, *_keep_requested(payload, out_codes, out_dates, out_values, None)
    )
    return ParsedFrame(source=_SOURCE, rows=frame, parse_version=PARSE_VERSION, meta=meta)


def _series_fields(series: object, db: str) -> tuple[str, str, list[object], list[object]]:
    """``(DB'CODE, FREQUENCY, SURVEY_DATES, VALUES)`` of one RESULTSET entry."""
    if not isinstance(series, dict):
        raise ParseError("a RESULTSET entry is not an object", source=_SOURCE)
    code = series.get("SERIES_CODE")
    frequency = series.get("FREQUENCY")
    block = series.get("VALUES")
    if not isinstance(code, str) or not code.strip():
        raise ParseError(
            f"RESULTSET entry without SERIES_CODE: keys {sorted(series)[:8]}", source=_SOURCE
        )
    code = code.strip()
    remote_code = code if "'" in code else f"{db}'{code}"
    if not isinstance(frequency, str):
        raise ParseError(f"{remote_code}: FREQUENCY missing", source=_SOURCE)
    if not isinstance(block, dict):
        raise ParseError(f"{remote_code}: VALUES should be an object", source=_SOURCE)
    dates = block.get("SURVEY_DATES")
    values = block.get("VALUES")
    if not isinstance(dates, list) or not isinstance(values, list):
        raise ParseError(
            f"{remote_code}: VALUES needs SURVEY_DATES and VALUES lists, found {sorted(block)}",
            source=_SOURCE,
        )
    return remote_code, frequency.strip().upper(), dates, values


def _codes_on_page(payload: RawPayload, next_position: object) -> list[str]:
    """The requested codes this page must carry.

    ``startPosition`` is a 1-based index into the requested codes, so a page holds the
    slice from ``startPosition`` up to (not including) ``NEXTPOSITION``.
    """
    requested = list(payload.request.remote_codes)
    start = _positive_int(dict(payload.request.params).get("startPosition")) or 1
    stop = _positive_int(next_position)
    return requested[start - 1 : (stop - 1) if stop is not None else None]


def _keep_requested(
    payload: RawPayload,
    codes: list[str],
    dates: list[date],
    values: list[float],
    present: list[str] | None,
) -> tuple[list[str], list[date], list[float]]:
    """Only the requested codes when the request names some; a missing one is an error."""
    wanted = set(payload.request.remote_codes)
    if not wanted:
        return codes, dates, values
    if present is not None:
        missing = [code for code in payload.request.remote_codes if code not in present]
        if missing:
            raise ParseError(
                f"series {missing} not in the file (found {present[:10]})", source=_SOURCE
            )
    keep = [i for i, code in enumerate(codes) if code in wanted]
    return [codes[i] for i in keep], [dates[i] for i in keep], [values[i] for i in keep]


def _parameter(parameter: object, key: str) -> str:
    """A ``PARAMETER`` echo value, read case-insensitively (clients saw both cases)."""
    if not isinstance(parameter, dict):
        return ""
    for name, value in parameter.items():
        if isinstance(name, str) and name.upper() == key and isinstance(value, str):
            return value.strip()
    return ""


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and ascii_digits(value.strip()):
        number = int(value.strip())
        return number if number > 0 else None
    return None


def _next_position(body: bytes) -> int | None:
    """``NEXTPOSITION`` of a page, or ``None`` on the last page or an unreadable body
    (``parse`` reports the latter)."""
    try:
        document = load_json(body, source=_SOURCE)
    except ParseError:
        return None
    if not isinstance(document, dict) or str(document.get("STATUS")).strip() != "200":
        return None
    return _positive_int(document.get("NEXTPOSITION"))


def _period_param(day: date, frequency: str) -> str:
    """``startDate``/``endDate`` text for the period containing ``day``."""
    fiscal_year = day.year if day.month >= 4 else day.year - 1
    if frequency == "Q":
        return f"{day.year:04d}{(day.month - 1) // 3 + 1:02d}"
    if frequency == "CH":
        return f"{day.year:04d}{1 if day.month <= 6 else 2:02d}"
    if frequency == "FH":
        return f"{fiscal_year:04d}{1 if 4 <= day.month <= 9 else 2:02d}"
    if frequency == "CY":
        return f"{day.year:04d}"
    if frequency == "FY":
        return f"{fiscal_year:04d}"
    return f"{day.year:04d}{day.month:02d}"


def _period_start(survey_date: object, frequency: str, remote_code: str) -> date:
    """The first day of the period a ``SURVEY_DATES`` integer denotes under ``frequency``."""
    if isinstance(survey_date, bool) or not isinstance(survey_date, int | str):
        raise ParseError(
            f"{remote_code}: survey date {survey_date!r} is not an integer", source=_SOURCE
        )
    text = str(survey_date).strip()
    word = frequency.split("(", 1)[0]
    layout = {
        "DAILY": 8,
        "WEEKLY": 8,
        "MONTHLY": 6,
        "QUARTERLY": 6,
        "SEMIANNUAL": 6,
        "ANNUAL": 4,
    }.get(word)
    if layout is None:
        raise ParseError(f"{remote_code}: unknown FREQUENCY {frequency!r}", source=_SOURCE)
    if len(text) != layout or not ascii_digits(text):
        raise ParseError(
            f"{remote_code}: survey date {text!r} does not match {frequency} ({layout} digits)",
            source=_SOURCE,
        )
    year = int(text[:4])
    part = int(text[4:6]) if layout >= 6 else 0
    try:
        if word in {"DAILY", "WEEKLY"}:
            return date(year, part, int(text[6:8]))
        if word == "MONTHLY":
            return date(year, part, 1)
        if word == "QUARTERLY":
            if not 1 <= part <= 4:
                raise ValueError(f"quarter {part}")
            return date(year, 3 * part - 2, 1)
        fiscal = frequency.endswith(("(SEP)", "(MAR)"))
        if word == "SEMIANNUAL":
            if part not in {1, 2}:
                raise ValueError(f"half {part}")
            if fiscal:
                return date(year, 4 if part == 1 else 10, 1)
            return date(year, 1 if part == 1 else 7, 1)
        return date(year, 4 if fiscal else 1, 1)
    except ValueError as exc:
        raise ParseError(
            f"{remote_code}: survey date {text} is not a valid {frequency} period ({exc})",
            source=_SOURCE,
        ) from exc


def _flat_date(match: re.Match[str], line_no: int) -> date:
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        return date(int(year), int(month), int(day) if day else 1)
    except ValueError as exc:
        raise ParseError(f"line {line_no}: {match.group(0)} is not a date", source=_SOURCE) from exc
