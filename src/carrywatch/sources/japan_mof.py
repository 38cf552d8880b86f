"""Japan Ministry of Finance: JGB constant-maturity yields (国債金利情報), two CSV files.

Endpoints (sources.md §3)::

    https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv   history
    https://www.mof.go.jp/jgbs/reference/interest_rate/jgbcm.csv            current month

The history file runs from 1974-09-24 to the end of a past month (typically the previous
one); the current file holds the current month to date. Both are planned (history only
when the window starts before the current month, Japan time); de-duplicating the
overlap is the store's business. No authentication.

Remote codes are the tenors: ``1Y`` ... ``10Y``, ``15Y``, ``20Y``, ``25Y``, ``30Y``,
``40Y``; values are yields in percent (up to 3 decimals, negative 2016-2023).

Format (both files):

* **CP932** (Shift-JIS) with **CRLF** line endings (LF is tolerated); a payload that is
  UTF-8 text, does not decode as CP932, or whose header is not the Japanese one is a
  ``ParseError`` -- never mojibake;
* line 1 a title, ``国債金利情報,,,...,(単位 : %)`` or, in ``jgbcm.csv``,
  ``国債金利情報 (令和8年6月),...``; line 2 the header
  ``基準日,1年,2年,...,10年,15年,20年,25年,30年,40年``. Columns are mapped by name; a
  requested tenor without its column is a ``ParseError``, other header cells are ignored;
* dates in Japanese eras, ``<E><y>.<m>.<d>`` without zero padding: ``S`` Shōwa
  (year 1925 + y, last day S64.1.7 = 1989-01-07), ``H`` Heisei (1988 + y, 1989-01-08 to
  2019-04-30), ``R`` Reiwa (2018 + y, from 2019-05-01). A date outside its era (e.g.
  ``R1.4.30`` or ``H31.5.7``) is a ``ParseError``;
* missing = ``-`` (the tenor was not issued yet);
* ``jgbcm.csv`` ends with footer lines (``,,,,...`` and a note starting ``※``): rows whose
  first cell is not an era date are skipped -- but a first cell that *looks* like a date
  (starts with a letter or digit) and does not parse is a ``ParseError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Final

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import (
    decode_text,
    join_origin,
    reject_html,
    require_final_newline,
    to_float,
)
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["PARSE_VERSION", "REMOTE_CODES", "JapanMof", "era_date"]

PARSE_VERSION: Final = 1

_SOURCE: Final = "japan_mof"
_HISTORY_PATH: Final = "/jgbs/reference/interest_rate/data/jgbcm_all.csv"
_CURRENT_PATH: Final = "/jgbs/reference/interest_rate/jgbcm.csv"

#: Header cell -> remote code.
_HEADER_CODES: Final[dict[str, str]] = {
    f"{years}年": f"{years}Y" for years in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)
}
REMOTE_CODES: Final[tuple[str, ...]] = tuple(_HEADER_CODES.values())

_DATE_HEADER: Final = "基準日"
_TITLE: Final = "国債金利情報"

#: Era letter -> (Gregorian year of era year 0, first day, last day).
_ERAS: Final[dict[str, tuple[int, date, date | None]]] = {
    "S": (1925, date(1926, 12, 25), date(1989, 1, 7)),
    "H": (1988, date(1989, 1, 8), date(2019, 4, 30)),
    "R": (2018, date(2019, 5, 1), None),
}
_ERA_DATE: Final = re.compile(r"^([SHR])(\d{1,2})\.(\d{1,2})\.(\d{1,2})$")
#: A first cell starting like this is meant to be a date; anything else is a footer.
_DATE_LIKE: Final = re.compile(r"^[A-Za-z0-9]")

_JST: Final = timedelta(hours=9)


def _today_jst() -> date:
    """Today's date in Tokyo, where MOF's months turn (a seam for tests)."""
    return (datetime.now(UTC) + _JST).date()


def era_date(text: str) -> date:
    """The Gregorian date of a Japanese-era date such as ``R6.7.31`` (2024-07-31).

    Raises ``ValueError`` when ``text`` is not ``<S|H|R><y>.<m>.<d>``, is not a calendar
    date, or lies outside its era.
    """
    match = _ERA_DATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an era date like R6.7.31")
    era, year, month, day = match[1], int(match[2]), int(match[3]), int(match[4])
    offset, first, last = _ERAS[era]
    if year < 1:
        raise ValueError(f"{text!r}: era year 0 does not exist")
    try:
        gregorian = date(offset + year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from exc
    if gregorian < first or (last is not None and gregorian > last):
        raise ValueError(
            f"{text!r} = {gregorian} lies outside the {era} era ({first} to {last or 'today'})"
        )
    return gregorian


class JapanMof:
    """JGB constant-maturity yields, ``jgbcm_all.csv`` (history) and ``jgbcm.csv``."""

    name: str = _SOURCE
    default_origin: str = "https://www.mof.go.jp"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """History file when ``window`` starts before this month (Japan time, or has no
        start), current-month file unless ``window`` ends before this month."""
        unknown = sorted(set(wanted) - set(REMOTE_CODES))
        if unknown:
            raise CatalogError(
                f"japan_mof: unknown remote code(s) {unknown}; expected JGB tenors "
                f"{', '.join(REMOTE_CODES)}"
            )
        if not wanted:
            return []
        if window.start is not None and window.end is not None and window.start > window.end:
            raise ConfigError(f"window starts ({window.start}) after it ends ({window.end})")
        wanted_set = set(wanted)
        codes = tuple(code for code in REMOTE_CODES if code in wanted_set)
        month_start = _today_jst().replace(day=1)
        requests = []
        if window.start is None or window.start < month_start:
            requests.append(self._request(_HISTORY_PATH, codes))
        if window.end is None or window.end >= month_start:
            requests.append(self._request(_CURRENT_PATH, codes))
        return requests

    def _request(self, path: str, codes: tuple[str, ...]) -> FetchRequest:
        return FetchRequest(
            source=self.name,
            url=join_origin(self.origin, path),
            remote_codes=codes,
            timeout_s=60.0,
        )

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The CSV file, bytes untouched (no paging)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Yields in percent, one row per (tenor, business day) with a value.

        Raises ``ParseError`` for an HTML page, bytes that are not CP932, a missing or
        mangled title/header, a requested tenor without a column, a data row whose length
        differs from the header, an invalid or out-of-era date, and a non-numeric value.
        """
        reject_html(payload.body, source=self.name)
        if _is_utf8_text(payload.body):
            # Real MOF files are never valid UTF-8 (their kanji are CP932 byte pairs).
            raise ParseError(
                "payload is UTF-8 text, but MOF publishes CP932 (Shift-JIS); "
                "the file was re-encoded somewhere",
                source=self.name,
            )
        text = decode_text(payload.body, encoding="cp932", source=self.name)
        require_final_newline(payload.body, source=self.name)
        lines = text.splitlines()
        header_at = self._header_line(lines)
        header = [cell.strip() for cell in lines[header_at].split(",")]
        columns: dict[int, str] = {}
        for position, cell in enumerate(header[1:], start=1):
            code = _HEADER_CODES.get(cell)
            if code is None:
                continue
            if code in columns.values():
                raise ParseError(f"tenor column {cell} appears twice", source=self.name)
            columns[position] = code
        requested = payload.request.remote_codes
        missing = [code for code in requested if code not in columns.values()]
        if missing or not columns:
            raise ParseError(
                f"tenor column(s) {missing or list(REMOTE_CODES)} not in the header; "
                f"found {','.join(header)[:120]!r}",
                source=self.name,
            )

        codes: list[str] = []
        obs_dates: list[date] = []
        values: list[float] = []
        n_rows = 0
        for line_no, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
            cells = [cell.strip() for cell in line.split(",")]
            if not _DATE_LIKE.match(cells[0]):
                continue  # footer: an all-commas row, the ※ note
            try:
                day = era_date(cells[0])
            except ValueError as exc:
                raise ParseError(f"line {line_no}: {exc}", source=self.name) from exc
            if len(cells) != len(header):
                raise ParseError(
                    f"line {line_no} has {len(cells)} fields, the header has {len(header)}",
                    source=self.name,
                )
            n_rows += 1
            for position, code in columns.items():
                codes.append(code)
                obs_dates.append(day)
                values.append(
                    to_float(cells[position], source=self.name, where=f"line {line_no} {code}")
                )
        frame = observations_frame(self.name, codes, obs_dates, values)
        if requested:
            frame = frame[frame["remote_code"].isin(requested)].reset_index(drop=True)
        meta = {
            "title": lines[0].split(",")[0].strip() if header_at else "",
            "rows": str(n_rows),
            "first_date": min(obs_dates).isoformat() if obs_dates else "",
            "last_date": max(obs_dates).isoformat() if obs_dates else "",
        }
        return ParsedFrame(source=self.name, rows=frame, parse_version=PARSE_VERSION, meta=meta)

    def _header_line(self, lines: list[str]) -> int:
        """Index of the ``基準日,...`` header: line 2 after the title (line 1 tolerated)."""
        for index in range(min(2, len(lines))):
            if lines[index].split(",")[0].strip() == _DATE_HEADER:
                if index == 1 and not lines[0].startswith(_TITLE):
                    raise ParseError(
                        f"line 1 is not the {_TITLE} title: {lines[0][:60]!r}", source=self.name
                    )
                return index
        if not lines:
            raise ParseError("empty payload: expected the MOF JGB CSV", source=self.name)
        raise ParseError(
            f"header {_DATE_HEADER},1年,2年,... not found in the first two lines "
            f"(first line {lines[0][:60]!r}); is this the MOF CP932 file?",
            source=self.name,
        )


def _is_utf8_text(body: bytes) -> bool:
    """Whether ``body`` is valid UTF-8 with non-ASCII characters (not what MOF sends)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.isascii()
