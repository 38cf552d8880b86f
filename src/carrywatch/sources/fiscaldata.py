"""US Treasury Fiscal Data: Daily Treasury Statement, Table I (operating cash balance).

Endpoint (sources.md §12)::

    https://api.fiscaldata.treasury.gov/services/api/fiscal_service/v1/accounting/dts/
        operating_cash_balance?fields=record_date,account_type,open_today_bal,close_today_bal
        &filter=record_date:gte:YYYY-MM-DD&sort=record_date&page[size]=N&page[number]=K

No authentication. The answer is JSON ``{"data": [rows], "meta": {..., "total-pages"},
"links": {...}}``; pages are fetched with ``page[number]`` = 1, 2, ... until
``meta["total-pages"]``. Every value is a string in **millions of US dollars**; missing is
the string ``"null"``.

One remote code, ``TGA_CLOSE``: the Treasury General Account closing balance (USD
millions), assembled from three row types because the labels changed over time:

* until 2021-09-30: ``account_type = "Federal Reserve Account"``, value in
  ``close_today_bal``;
* from 2021-10-01 for a short time: ``"Treasury General Account (TGA)"``, value in
  ``close_today_bal``;
* since then: ``"Treasury General Account (TGA) Closing Balance"``, whose value sits in
  ``open_today_bal`` (the "today" column of the new table layout; ``close_today_bal`` is
  ``"null"``).

All other rows -- ``... Opening Balance``, deposits, withdrawals, short-term investments --
are other quantities and are never used. Should two of the three labels cover the same
date (a transition day), the newer label wins (Closing Balance over TGA over Federal
Reserve Account); two rows of the same label on one date are a ``ParseError``.
Observations are dated by ``record_date`` (the business day the balance closes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Final

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import join_origin, load_json, require_count, to_float
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["PARSE_VERSION", "REMOTE_CODES", "FiscalDataTga"]

PARSE_VERSION: Final = 1

_SOURCE: Final = "fiscaldata"
_PATH: Final = "/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance"
_FIELDS: Final = ("record_date", "account_type", "open_today_bal", "close_today_bal")
_PAGE_SIZE: Final = 10_000
#: A guard against a provider that keeps announcing more pages.
_MAX_PAGES: Final = 500

TGA_CLOSE: Final = "TGA_CLOSE"
REMOTE_CODES: Final[tuple[str, ...]] = (TGA_CLOSE,)

#: account_type -> (field holding the closing balance, precedence: higher wins on a date).
_TGA_ROWS: Final[dict[str, tuple[str, int]]] = {
    "Federal Reserve Account": ("close_today_bal", 0),
    "Treasury General Account (TGA)": ("close_today_bal", 1),
    "Treasury General Account (TGA) Closing Balance": ("open_today_bal", 2),
}

_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FiscalDataTga:
    """The Treasury General Account closing balance from the Daily Treasury Statement."""

    name: str = _SOURCE
    default_origin: str = "https://api.fiscaldata.treasury.gov"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One (paged) request for the operating cash balance over ``window``.

        All account types are requested (the rows are selected in :meth:`parse`), sorted by
        date ascending, 10 000 rows per page; an open window side sends no filter for it.
        """
        unknown = sorted(set(wanted) - set(REMOTE_CODES))
        if unknown:
            raise CatalogError(
                f"fiscaldata: unknown remote code(s) {unknown}; the only code is {TGA_CLOSE} "
                "(TGA closing balance, USD millions)"
            )
        if not wanted:
            return []
        if window.start is not None and window.end is not None and window.start > window.end:
            raise ConfigError(f"window starts ({window.start}) after it ends ({window.end})")
        filters = []
        if window.start is not None:
            filters.append(f"record_date:gte:{window.start.isoformat()}")
        if window.end is not None:
            filters.append(f"record_date:lte:{window.end.isoformat()}")
        params = [("fields", ",".join(_FIELDS))]
        if filters:
            params.append(("filter", ",".join(filters)))
        params += [
            ("sort", "record_date"),
            ("page[size]", str(_PAGE_SIZE)),
            ("page[number]", "1"),
        ]
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(self.origin, _PATH),
                params=tuple(params),
                remote_codes=(TGA_CLOSE,),
                timeout_s=60.0,
            )
        ]

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """Every page, bytes untouched: page 1, then 2 ... up to ``meta["total-pages"]``.

        When the first page's ``total-pages`` cannot be read, only that page is yielded; its
        parse then reports what is wrong with it.
        """
        first = http.get(request.with_params(**{"page[number]": "1"}))
        yield first
        for number in range(2, min(_total_pages(first.body), _MAX_PAGES) + 1):
            yield http.get(request.with_params(**{"page[number]": str(number)}))

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """``TGA_CLOSE`` observations (USD millions) from one page.

        Raises ``ParseError`` for an HTML page, a JSON error object, missing ``data`` or
        ``meta``, a row missing one of the requested fields, an unparsable date or value,
        two rows of one label on one date, and a page spanning several dates that has
        none of the three TGA labels (the labels were renamed again).
        """
        document = load_json(payload.body, source=self.name)
        if not isinstance(document, dict):
            raise ParseError(
                f"expected a JSON object with 'data' and 'meta', got {type(document).__name__}",
                source=self.name,
            )
        if "data" not in document or "meta" not in document:
            problem = document.get("message") or document.get("error")
            raise ParseError(
                f"expected top-level keys 'data' and 'meta', found {sorted(document)[:6]}"
                + (f"; the API says: {str(problem)[:160]}" if problem else ""),
                source=self.name,
            )
        rows, meta = document["data"], document["meta"]
        if not isinstance(rows, list) or not isinstance(meta, dict):
            raise ParseError("'data' must be a list and 'meta' an object", source=self.name)
        require_count(meta.get("count"), len(rows), source=self.name, what="meta.count")

        chosen: dict[date, tuple[int, float]] = {}
        seen: set[tuple[date, str]] = set()
        account_types: set[str] = set()
        dates: set[date] = set()
        for index, row in enumerate(rows):
            day, account_type, fields = self._row_fields(row, index)
            account_types.add(account_type)
            dates.add(day)
            rule = _TGA_ROWS.get(account_type)
            if rule is None:
                continue
            field, rank = rule
            if (day, account_type) in seen:
                raise ParseError(
                    f"two {account_type!r} rows for {day}; cannot tell which is the balance",
                    source=self.name,
                )
            seen.add((day, account_type))
            value = _amount(fields[field], where=f"data[{index}].{field}")
            if day not in chosen or rank > chosen[day][0]:
                chosen[day] = (rank, value)

        if not seen and len(dates) > 1:
            raise ParseError(
                f"no {TGA_CLOSE} row: none of the account types {sorted(_TGA_ROWS)} in "
                f"{len(rows)} rows over {len(dates)} dates; found {sorted(account_types)[:8]}",
                source=self.name,
            )
        days = sorted(chosen)
        frame = observations_frame(
            self.name, [TGA_CLOSE] * len(days), days, [chosen[day][1] for day in days]
        )
        requested = payload.request.remote_codes
        if requested:
            frame = frame[frame["remote_code"].isin(requested)].reset_index(drop=True)
        info = {
            "unit": "USD millions",
            "rows": str(len(rows)),
            "total_pages": str(meta.get("total-pages", "")),
            "page": dict(payload.request.params).get("page[number]", ""),
        }
        return ParsedFrame(source=self.name, rows=frame, parse_version=PARSE_VERSION, meta=info)

    def _row_fields(self, row: object, index: int) -> tuple[date, str, Mapping[str, object]]:
        """(record date, account type, the row) after checking the requested fields."""
        if not isinstance(row, dict):
            raise ParseError(f"data[{index}] is not an object", source=self.name)
        missing = [field for field in _FIELDS if field not in row]
        if missing:
            raise ParseError(
                f"data[{index}] lacks field(s) {missing} (renamed?); found {sorted(row)[:8]}",
                source=self.name,
            )
        account_type = row["account_type"]
        if not isinstance(account_type, str):
            raise ParseError(f"data[{index}].account_type is not a string", source=self.name)
        day = _row_day(row)
        if day is None:
            raise ParseError(
                f"data[{index}].record_date {str(row['record_date'])[:20]!r} is not YYYY-MM-DD",
                source=self.name,
            )
        return day, account_type, row


def _amount(raw: object, *, where: str) -> float:
    """A balance in USD millions; ``to_float`` plus a guard for JSON integers too large
    for a float (``float(10**400)`` raises ``OverflowError``)."""
    try:
        return to_float(raw, source=_SOURCE, where=where)
    except OverflowError as exc:
        raise ParseError(f"number too large at {where}", source=_SOURCE) from exc


def _row_day(row: object) -> date | None:
    """The row's ``record_date`` as a date, None when absent or ill-formed."""
    text = row.get("record_date") if isinstance(row, dict) else None
    if not isinstance(text, str) or not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _total_pages(body: bytes) -> int:
    """``meta["total-pages"]`` of a page, 1 when it cannot be read."""
    try:
        document = json.loads(body)
        pages = document["meta"]["total-pages"]
        return max(1, int(pages))
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
        return 1
