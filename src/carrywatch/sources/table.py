"""A user's own CSV of dated values (a terminal export), for ``carrywatch import``.

Accepted shape: a header row, a date column and one or more value columns; comma,
semicolon or tab delimited (sniffed); UTF-8 with or without BOM; read by the one reader of
users' CSV files (:func:`carrywatch.files.user_csv_rows`, with its limits). The date column is the
one named ``--date-column`` or else the first column; the value column is the one named
``--value-column`` or else the only other column. Dates: ISO ``YYYY-MM-DD`` (time part
ignored), ``YYYY/MM/DD``, ``MM/DD/YYYY`` or ``YYYYMMDD``. Numbers may carry thousands
separators; empty, ``.``, ``-``, ``NA`` and ``null`` are missing and skipped.

Every problem is a :class:`~carrywatch.errors.ParseError` that names the line, so the
user can fix the file: an unparseable date or number, a duplicate date, a missing column.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from carrywatch.errors import ConfigError, ParseError
from carrywatch.files import user_csv_rows
from carrywatch.frames import observations_frame
from carrywatch.sources.base import MISSING_MARKERS, reject_html, to_float
from carrywatch.types import ParsedFrame

__all__ = ["PARSE_VERSION", "parse_table_csv"]

PARSE_VERSION = 1

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%Y%m%d")
_TIME_SUFFIX = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def _parse_date(text: str, *, source: str, line: int) -> date:
    cleaned = _TIME_SUFFIX.sub("", text.strip())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()  # noqa: DTZ007 -- a calendar date
        except ValueError:
            continue
    raise ParseError(f"line {line}: {text[:40]!r} is not a date (use YYYY-MM-DD)", source=source)


def parse_table_csv(
    body: bytes,
    *,
    source: str = "import",
    date_column: str | None = None,
    value_column: str | None = None,
    remote_code: str | None = None,
) -> ParsedFrame:
    """Rows ``(remote_code, obs_date, value)`` from a two-or-more column CSV.

    ``remote_code`` defaults to the value column's header.
    """
    reject_html(body, source=source)
    try:
        rows = user_csv_rows(body, what="the file")
    except ConfigError as exc:
        raise ParseError(str(exc), source=source) from None
    if not rows:
        raise ParseError("the file is empty", source=source)
    header = rows[0][1]
    if len(header) < 2:
        raise ParseError(
            f"the header {header!r} needs a date column and a value column", source=source
        )
    date_idx = _column(header, date_column, default=0, source=source, role="date")
    if value_column is None:
        others = [i for i in range(len(header)) if i != date_idx and header[i]]
        if len(others) != 1:
            raise ParseError(
                f"several value columns {[header[i] for i in others]}: name one with "
                "--value-column",
                source=source,
            )
        value_idx = others[0]
    else:
        value_idx = _column(header, value_column, default=None, source=source, role="value")
    code = remote_code or header[value_idx]
    dates: list[date] = []
    values: list[float] = []
    seen: dict[date, int] = {}
    for line_no, row in rows[1:]:
        if len(row) <= max(date_idx, value_idx):
            raise ParseError(f"line {line_no}: expected {len(header)} fields", source=source)
        cell = row[value_idx].strip()
        if cell in MISSING_MARKERS:
            continue
        day = _parse_date(row[date_idx], source=source, line=line_no)
        if day in seen:
            raise ParseError(
                f"line {line_no}: date {day} already appears on line {seen[day]}; "
                "keep one value per date",
                source=source,
            )
        seen[day] = line_no
        dates.append(day)
        values.append(to_float(cell, source=source, where=f"line {line_no}"))
    frame = observations_frame(source, [code] * len(dates), dates, values)
    return ParsedFrame(source=source, rows=frame, parse_version=PARSE_VERSION)


def _column(
    header: list[str], name: str | None, *, default: int | None, source: str, role: str
) -> int:
    if name is None:
        assert default is not None
        return default
    lowered = [h.lower() for h in header]
    if name.lower() not in lowered:
        raise ParseError(f"no {role} column named {name!r}; the header has {header}", source=source)
    return lowered.index(name.lower())
