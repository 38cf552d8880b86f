"""Japan CPI, nationwide, 2020 base: the Statistics Bureau's long-term file ``zmi2020s.csv``.

Endpoint::

    GET https://www.e-stat.go.jp/stat-search/file-download?statInfId=000032103842&fileKind=1

e-Stat (the Government of Japan's statistics portal) serves the Statistics Bureau's
"消費者物価指数 全国 1 中分類指数" (nationwide middle-class indices, January 1970 to
the latest month) under ``statInfId=000032103842``; several public programs
download ``zmi2020s.csv`` from exactly this address, and the copy in
``/work/shared/data/japan_stat/`` links to the same e-Stat table (tclass4
``000001150156``). When the CPI is rebased the file gets a new ``statInfId``; pass it as
``stat_inf_id``. Data: © Statistics Bureau of Japan, Government of Japan Standard
Terms of Use 2.0 (attribution required).

Format quirks (``/work/shared/data/PROVENANCE.md`` §4)
-----------------------------------------------------
* Shift_JIS (**CP932**), CRLF, comma-separated.
* Six header rows before the data: Japanese item names (first cell ``類・品目``),
  English names (``Group/Item``), **item codes** (``類・品目符号(Group/Item code)``), serial
  numbers, weights, weights per 10 000.
* Data rows ``YYYYMM,v1,v2,...`` from 197001; an empty cell where an item did not exist.
* Index, **2020 = 100**, not seasonally adjusted. The file proves its base: each item
  with twelve months of 2020 must average 100 within rounding (0.05), else the file is
  on another base (a rebase keeps item codes and months) and is refused.

Remote codes
------------
The e-Stat item codes of the code row, four digits: ``0001`` all items (総合),
``0161`` all items less fresh food (the "core" CPI), ``0178`` all items less fresh food
and energy. Columns are found by these codes, never by position; a code the file
prints without its leading zeros (a spreadsheet re-save) is zero-padded to four
digits. ``obs_date`` is the first day of the month.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date

import pandas as pd

from carrywatch.errors import CatalogError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import (
    ascii_digits,
    decode_text,
    join_origin,
    require_final_newline,
    to_float,
)
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

__all__ = ["ALL_ITEMS", "CORE", "CORE_CORE", "PARSE_VERSION", "EStatCpi", "item_code"]

PARSE_VERSION = 1

#: Item codes of the headline measures.
ALL_ITEMS = "0001"
CORE = "0161"
CORE_CORE = "0178"

_SOURCE = "estat"
_PATH = "/stat-search/file-download"
_FIRST_CELL = "類・品目"
_CODE_ROW_MARK = "Group/Item code"
_NAME_ROW_MARK = "Group/Item"
_MAX_HEADER_ROWS = 12
_ITEM_CODE = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})(\d{2})$")
#: The index reference period: each index averages 100 over this year.
BASE_YEAR = 2020
#: Half the published precision (0.1): how far the mean of the rounded monthly values of
#: the base year may lie from 100 (the real file: at most 0.034 over its 78 full items).
BASE_YEAR_TOLERANCE = 0.05 + 1e-9


def item_code(text: str) -> str:
    """An item code as printed, normalised to four digits (``1`` -> ``0001``)."""
    code = text.strip()
    return code.zfill(4) if ascii_digits(code) else code


class EStatCpi:
    """Japan CPI middle-class indices (2020 = 100), monthly, from the long-term file."""

    name: str = _SOURCE
    default_origin: str = "https://www.e-stat.go.jp"

    def __init__(self, origin: str | None = None, *, stat_inf_id: str = "000032103842") -> None:
        self.origin = origin or self.default_origin
        self.stat_inf_id = stat_inf_id

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One request for the whole file (it carries every item and month).

        The file has no date filter, so ``window`` does not narrow it.
        """
        codes = tuple(dict.fromkeys(wanted))
        for code in codes:
            if not _ITEM_CODE.match(code):
                raise CatalogError(
                    f"e-Stat CPI remote code {code!r} is not a four-digit item code "
                    f"(e.g. {ALL_ITEMS} all items, {CORE} less fresh food)"
                )
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(self.origin, _PATH),
                params=(("statInfId", self.stat_inf_id), ("fileKind", "1")),
                remote_codes=codes,
                timeout_s=60.0,
            )
        ]

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The file, bytes untouched."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Index values per item code and month."""
        text = decode_text(payload.body, encoding="cp932", source=self.name)
        require_final_newline(payload.body, source=self.name)
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise ParseError(f"not a CSV file ({exc})", source=self.name) from exc
        if not rows or not rows[0] or rows[0][0].strip() != _FIRST_CELL:
            found = rows[0][0][:30] if rows and rows[0] else ""
            raise ParseError(
                f"first cell should be {_FIRST_CELL!r} (the e-Stat CPI layout), found {found!r}",
                source=self.name,
            )
        first_data = next(
            (i for i, row in enumerate(rows) if row and _MONTH.match(row[0].strip())), len(rows)
        )
        if first_data > _MAX_HEADER_ROWS:
            raise ParseError(
                f"no YYYYMM data row within the first {_MAX_HEADER_ROWS} lines", source=self.name
            )
        header = rows[:first_data]
        code_row = next((row for row in header if row and _CODE_ROW_MARK in row[0]), None)
        if code_row is None:
            raise ParseError(
                f"no item-code row (first cell containing {_CODE_ROW_MARK!r}) in the header",
                source=self.name,
            )
        columns = _columns(code_row, payload.request.remote_codes)
        names = next((row for row in header if row and row[0].strip() == _NAME_ROW_MARK), [])
        codes: list[str] = []
        dates: list[date] = []
        values: list[float] = []
        for line_no, row in enumerate(rows[first_data:], start=first_data + 1):
            if not any(cell.strip() for cell in row):
                continue
            month = _month(row[0], line_no)
            if len(row) != len(code_row):
                raise ParseError(
                    f"line {line_no} ({row[0].strip()}) has {len(row)} fields, "
                    f"the header has {len(code_row)}",
                    source=self.name,
                )
            for code, position in columns.items():
                codes.append(code)
                dates.append(month)
                values.append(
                    to_float(row[position], source=self.name, where=f"{row[0].strip()} {code}")
                )
        frame = observations_frame(self.name, codes, dates, values)
        _require_2020_base(frame)
        meta = {"base": "2020=100", "unit": "index"}
        for code, position in columns.items():
            if position < len(names):
                meta[f"name:{code}"] = names[position].strip()
        return ParsedFrame(source=self.name, rows=frame, parse_version=PARSE_VERSION, meta=meta)


def _require_2020_base(frame: pd.DataFrame) -> None:
    """Raise ``ParseError`` when an item's twelve months of 2020 do not average 100.

    The 2020-base index is 100 over its reference year, the annual average computed from
    unrounded monthly indices; the published monthly values are rounded to 0.1, so their
    mean lies within :data:`BASE_YEAR_TOLERANCE` of 100:

        |(I_2020-01 + ... + I_2020-12) / 12 - 100| <= 0.05

    A file on another base (after a rebase, the same item codes and months) fails it.
    Items without all twelve months of 2020 (a file cut before the end of 2020, an item
    introduced later) are not checked. References: Statistics Bureau of Japan, "Q&A about
    the Consumer Price Index", A-3 (index reference period); "Notes for users" (annual
    averages from unrounded monthly indices since the 2015 base).
    """
    in_base_year = frame[frame["obs_date"].dt.year == BASE_YEAR]
    for code, group in in_base_year.groupby("remote_code", sort=False):
        if len(group) != 12:
            continue
        mean = float(group["value"].mean())
        if abs(mean - 100.0) > BASE_YEAR_TOLERANCE:
            raise ParseError(
                f"the {BASE_YEAR} average of {code} is {mean:.1f}, not 100: the file is not on "
                f"the {BASE_YEAR} base of the catalog's CPI series (was the CPI rebased?); "
                "nothing was read; a new base needs new series, not revisions of these",
                source=_SOURCE,
            )


def _columns(code_row: list[str], wanted: Sequence[str]) -> dict[str, int]:
    """Item code -> column position, for the requested codes (or every code)."""
    positions: dict[str, list[int]] = {}
    for position, cell in enumerate(code_row[1:], start=1):
        code = item_code(cell)
        if code:
            positions.setdefault(code, []).append(position)
    if wanted:
        missing = [code for code in wanted if code not in positions]
        if missing:
            raise ParseError(
                f"item codes {missing} not in the code row (found {sorted(positions)[:12]} ...)",
                source=_SOURCE,
            )
        selected = list(wanted)
    else:
        selected = list(positions)
    ambiguous = [code for code in selected if len(positions[code]) > 1]
    if ambiguous:
        raise ParseError(f"item codes {ambiguous} appear in several columns", source=_SOURCE)
    return {code: positions[code][0] for code in selected}


def _month(cell: str, line_no: int) -> date:
    match = _MONTH.match(cell.strip())
    if match is None:
        raise ParseError(f"line {line_no}: expected YYYYMM, found {cell[:20]!r}", source=_SOURCE)
    try:
        return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise ParseError(f"line {line_no}: {cell.strip()} is not a month", source=_SOURCE) from exc
