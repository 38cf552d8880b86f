"""US Treasury Daily Treasury Par Yield Curve Rates (the "par curve"), one CSV per year.

Endpoint (sources.md §2)::

    https://home.treasury.gov/resource-center/data-chart-center/interest-rates/
        daily-treasury-rates.csv/<YYYY>/all
        ?type=daily_treasury_yield_curve&field_tdr_date_value=<YYYY>&page&_format=csv

No authentication; responses can take tens of seconds, hence a 60 s read timeout.

Remote codes are the field names of Treasury's XML feed, one per tenor:
``BC_1MONTH``, ``BC_1_5MONTH``, ``BC_2MONTH``, ``BC_3MONTH``, ``BC_4MONTH``, ``BC_6MONTH``,
``BC_1YEAR``, ``BC_2YEAR``, ``BC_3YEAR``, ``BC_5YEAR``, ``BC_7YEAR``, ``BC_10YEAR``,
``BC_20YEAR``, ``BC_30YEAR``. Values are par yields in percent (2 decimals).

Format quirks handled by :meth:`TreasuryParCurve.parse`:

* header ``Date,"1 Mo","2 Mo",...,"30 Yr"``; columns are mapped by name after normalising
  (quotes and spaces removed, lower case), so ``"1 Mo"``, ``"1Mo"``, ``"1.5 Month"`` and
  ``"1.5 Mo"`` are all understood, whatever their position;
* dates ``MM/DD/YYYY`` in the live files, ISO ``YYYY-MM-DD`` in the re-saved history file
  (``data/treasury/daily-treasury-rates.csv``); rows newest first;
* missing value = empty field;
* business days only: a row dated on a Saturday or Sunday (a date column shifted by a
  day) is a ``ParseError``.

Column-set rule (columns appear over time: 1 Mo 2001-07-31, 2 Mo 2018-10-16, 4 Mo
2022-10-19, 1.5 Mo 2025-02-18; 20 Yr absent until 1993-10-01, 30 Yr absent 2002-02-19 to
2006-02-08 -- dates partly unverified, see sources.md): a requested tenor whose column is
absent is *not* an error when every date in the file lies outside the period that tenor was
published; it simply yields no rows. It is a ``ParseError`` when the file's dates need the
column, when the header has none of the known tenor columns, or when a column that looks
like a tenor (a number followed by a unit, e.g. ``"6 Wk"``) has a name this module does not
know -- Treasury renamed something, and silently dropping it would lose a series.
A file with rows must also have every tenor published since 1990 (3 months to 10 years,
:data:`_CORE_TENORS`), requested or not: the real (TIPS) yield curve, served from the same
address with another ``type`` and headed ``"5 YR"`` ... ``"30 YR"``, would otherwise read as
the nominal 5 to 30 years.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import decode_text, join_origin, require_final_newline, to_float
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["PARSE_VERSION", "REMOTE_CODES", "TreasuryParCurve"]

PARSE_VERSION: Final = 1

_SOURCE: Final = "ustreasury"
_PATH: Final = (
    "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/{year}/all"
)

#: Normalised header name (quotes and spaces removed, lower case) -> remote code.
_HEADER_CODES: Final[dict[str, str]] = {
    **{f"1{unit}": "BC_1MONTH" for unit in ("mo", "month")},
    **{f"1.5{unit}": "BC_1_5MONTH" for unit in ("mo", "month")},
    **{f"2{unit}": "BC_2MONTH" for unit in ("mo", "month")},
    **{f"3{unit}": "BC_3MONTH" for unit in ("mo", "month")},
    **{f"4{unit}": "BC_4MONTH" for unit in ("mo", "month")},
    **{f"6{unit}": "BC_6MONTH" for unit in ("mo", "month")},
    **{f"1{unit}": "BC_1YEAR" for unit in ("yr", "year")},
    **{f"2{unit}": "BC_2YEAR" for unit in ("yr", "year")},
    **{f"3{unit}": "BC_3YEAR" for unit in ("yr", "year")},
    **{f"5{unit}": "BC_5YEAR" for unit in ("yr", "year")},
    **{f"7{unit}": "BC_7YEAR" for unit in ("yr", "year")},
    **{f"10{unit}": "BC_10YEAR" for unit in ("yr", "year")},
    **{f"20{unit}": "BC_20YEAR" for unit in ("yr", "year")},
    **{f"30{unit}": "BC_30YEAR" for unit in ("yr", "year")},
}

#: Every remote code, shortest tenor first.
REMOTE_CODES: Final[tuple[str, ...]] = tuple(dict.fromkeys(_HEADER_CODES.values()))

#: A header that reads like a tenor ("6 Wk", "1.5 Months", "2 Years"): must be known.
_TENOR_LIKE: Final = re.compile(r"^\d+(\.\d+)?[a-z]+$")

#: ``date.weekday()`` of Saturday: a row dated on a weekend is refused (no par yield is
#: published then; none of FRED's DGS10 days since 1962 is one).
_SATURDAY: Final = 5
_WEEKEND: Final = ("Saturday", "Sunday")  # named here, not by the locale's strftime

#: The par curve starts in 1990; no earlier file exists.
_FIRST_YEAR: Final = 1990

#: Tenors that were not published over the whole history: (first day, gaps as
#: (first missing day, last missing day)). From sources.md §2 (partly unverified).
_PUBLISHED_FROM: Final[dict[str, date]] = {
    "BC_1MONTH": date(2001, 7, 31),
    "BC_1_5MONTH": date(2025, 2, 18),
    "BC_2MONTH": date(2018, 10, 16),
    "BC_4MONTH": date(2022, 10, 19),
    "BC_20YEAR": date(1993, 10, 1),
}
_PUBLICATION_GAPS: Final[dict[str, tuple[date, date]]] = {
    "BC_30YEAR": (date(2002, 2, 19), date(2006, 2, 8)),
}
#: The tenors published on every day since 1990 (3 months to 10 years): a file with rows
#: but without one of them is not the nominal par curve.
_CORE_TENORS: Final[tuple[str, ...]] = tuple(
    code for code in REMOTE_CODES if code not in _PUBLISHED_FROM and code not in _PUBLICATION_GAPS
)

_US_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _today() -> date:
    """Today's date in New York, where Treasury publishes (a seam for tests)."""
    return datetime.now(ZoneInfo("America/New_York")).date()


class TreasuryParCurve:
    """Daily Treasury par yield curve rates, one CSV request per calendar year."""

    name: str = _SOURCE
    default_origin: str = "https://home.treasury.gov"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One request per calendar year of ``window`` carrying all wanted tenors.

        ``window.start`` None means only the year of ``window.end`` (default: the current
        year). Years before 1990 (no par curve yet) and after the current year are skipped.
        """
        unknown = sorted(set(wanted) - set(REMOTE_CODES))
        if unknown:
            raise CatalogError(
                f"ustreasury: unknown remote code(s) {unknown}; expected Treasury tenor field "
                f"names such as BC_3MONTH or BC_10YEAR (one of {', '.join(REMOTE_CODES)})"
            )
        if not wanted:
            return []
        if window.start is not None and window.end is not None and window.start > window.end:
            raise ConfigError(f"window starts ({window.start}) after it ends ({window.end})")
        wanted_set = set(wanted)
        codes = tuple(code for code in REMOTE_CODES if code in wanted_set)
        this_year = _today().year
        last = min((window.end or _today()).year, this_year)
        first = max(window.start.year if window.start is not None else last, _FIRST_YEAR)
        return [self._year_request(year, codes) for year in range(first, last + 1)]

    def _year_request(self, year: int, codes: tuple[str, ...]) -> FetchRequest:
        return FetchRequest(
            source=self.name,
            url=join_origin(self.origin, _PATH.format(year=year)),
            params=(
                ("type", "daily_treasury_yield_curve"),
                ("field_tdr_date_value", str(year)),
                ("page", ""),
                ("_format", "csv"),
            ),
            remote_codes=codes,
            timeout_s=60.0,
        )

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The year's CSV, bytes untouched (no paging)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Par yields in percent: one row per (tenor, business day) with a value.

        Raises ``ParseError`` for an HTML page, a header not starting with ``Date``, a
        header without any known tenor, an unknown tenor-like column, a duplicated tenor,
        a row whose length differs from the header, an unparsable date or value, and a
        requested tenor absent although the file's dates need it (see module docstring).
        """
        text = decode_text(payload.body, encoding="utf-8-sig", source=self.name)
        require_final_newline(payload.body, source=self.name)
        try:
            table = list(csv.reader(text.splitlines()))
        except csv.Error as exc:
            raise ParseError(f"CSV is malformed ({exc})", source=self.name) from exc
        table = [row for row in table if any(cell.strip() for cell in row)]
        if not table:
            raise ParseError("empty payload: expected a CSV with a Date header", source=self.name)
        header, rows = table[0], table[1:]
        columns = self._tenor_columns(header)

        dates: list[date] = []
        codes: list[str] = []
        obs_dates: list[date] = []
        values: list[float] = []
        for line_no, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise ParseError(
                    f"row {line_no} has {len(row)} fields, the header has {len(header)}: "
                    f"{','.join(row)[:80]!r}",
                    source=self.name,
                )
            day = self._row_date(row[0], line_no)
            if day.weekday() >= _SATURDAY:
                weekday = _WEEKEND[day.weekday() - _SATURDAY]
                raise ParseError(
                    f"row {line_no} is dated {day} ({weekday}): par yields are published for "
                    "business days only, so the file's dates are shifted or it is not the "
                    "par curve; nothing was read; try again later",
                    source=self.name,
                )
            dates.append(day)
            for position, code in columns.items():
                codes.append(code)
                obs_dates.append(day)
                values.append(
                    to_float(row[position], source=self.name, where=f"row {line_no} {code}")
                )

        present = set(columns.values())
        requested = payload.request.remote_codes
        if dates:
            _require_nominal_curve(present, header)
            for code in requested:
                if code not in present and not _may_be_absent(code, min(dates), max(dates)):
                    raise ParseError(
                        f"requested tenor {code} has no column although the file covers "
                        f"{min(dates)} to {max(dates)}; header found: {','.join(header)}",
                        source=self.name,
                    )
        frame = observations_frame(self.name, codes, obs_dates, values)
        if requested:
            frame = frame[frame["remote_code"].isin(requested)].reset_index(drop=True)
        meta = {
            "columns": ",".join(code for code in REMOTE_CODES if code in present),
            "first_date": min(dates).isoformat() if dates else "",
            "last_date": max(dates).isoformat() if dates else "",
            "rows": str(len(dates)),
        }
        return ParsedFrame(source=self.name, rows=frame, parse_version=PARSE_VERSION, meta=meta)

    def _tenor_columns(self, header: list[str]) -> dict[int, str]:
        """Column position -> remote code, validated (see the module docstring)."""
        if not header or _normalised(header[0]) != "date":
            raise ParseError(
                f"first line is not the par-curve header 'Date,\"1 Mo\",...': "
                f"{','.join(header)[:80]!r}",
                source=self.name,
            )
        columns: dict[int, str] = {}
        for position, name in enumerate(header[1:], start=1):
            key = _normalised(name)
            code = _HEADER_CODES.get(key)
            if code is None:
                if _TENOR_LIKE.match(key):
                    raise ParseError(
                        f"unknown tenor column {name!r}; Treasury may have added or renamed "
                        f"a tenor (known: {', '.join(sorted(set(_HEADER_CODES)))})",
                        source=self.name,
                    )
                continue
            if code in columns.values():
                raise ParseError(f"tenor {code} appears twice in the header", source=self.name)
            columns[position] = code
        if not columns:
            raise ParseError(
                f"header has no known tenor column: {','.join(header)[:120]!r}", source=self.name
            )
        return columns

    def _row_date(self, cell: str, line_no: int) -> date:
        text = cell.strip()
        us, iso = _US_DATE.match(text), _ISO_DATE.match(text)
        try:
            if us:
                return date(int(us[3]), int(us[1]), int(us[2]))
            if iso:
                return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError as exc:
            raise ParseError(f"row {line_no}: invalid date {text!r}", source=self.name) from exc
        raise ParseError(
            f"row {line_no}: date {text[:20]!r} is neither MM/DD/YYYY nor YYYY-MM-DD",
            source=self.name,
        )


def _require_nominal_curve(present: set[str], header: Sequence[str]) -> None:
    """Raise ``ParseError`` when a file with rows lacks a tenor of :data:`_CORE_TENORS`.

    The real (TIPS) yield curve is served from the same address with another ``type``;
    its header ``Date,"5 YR","7 YR","10 YR","20 YR","30 YR"`` matches the nominal names
    without case, so without this check a request for the 10-year alone would read a
    real yield as the nominal one.
    """
    absent = [code for code in _CORE_TENORS if code not in present]
    if absent:
        raise ParseError(
            f"the file is not the nominal par curve: it has no column for {', '.join(absent)}, "
            "which the par curve has carried every day since 1990 (the real yield curve has "
            f"only 5 to 30 years); header found: {','.join(header)[:120]!r}; check "
            "CARRYWATCH_USTREASURY_ORIGIN if it is set, else try again later",
            source=_SOURCE,
        )


def _normalised(name: str) -> str:
    """Header cell without quotes, spaces or case: ``"1.5 Month"`` -> ``1.5month``."""
    return "".join(name.replace('"', "").split()).lower()


def _may_be_absent(code: str, first: date, last: date) -> bool:
    """Whether a file covering ``first``..``last`` may lack ``code``'s column."""
    published_from = _PUBLISHED_FROM.get(code)
    if published_from is not None and last < published_from:
        return True
    gap = _PUBLICATION_GAPS.get(code)
    return gap is not None and gap[0] <= first and last <= gap[1]
