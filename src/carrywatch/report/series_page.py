"""Pages of one series for ``serve``'s ``/api/series/{id}``, with provenance by reference.

A page is at most ``limit`` observations (default :data:`DEFAULT_LIMIT`, at most
:data:`MAX_LIMIT`) of the newest revision per date, oldest first, in columns::

    {"series_id": ..., "unit": ..., "asof": ..., "start": ..., "end": ..., "limit": ...,
     "observations": {"obs_date": [...], "value": [...], "fetch_id": [...],
                      "released": [...], "release_rule": [...]},
     "fetches": [{"fetch_id", "source", "origin", "retrieved_at", "url", "href"}, ...],
     "next": "<cursor>" | null}

Each observation names the fetch that delivered it; the page lists each of its fetches
once (``href`` is ``/api/fetches/{id}``, the full provenance). ``released`` and
``release_rule`` say when and by which rule each value was published (the point-in-time
rule of ``asof``). The CSV form has one row per observation with the fetch's source,
origin, retrieval and URL written out, and the next page in a ``Link`` header.

**Cursors.** ``next`` is opaque to clients: it encodes the query (series, ``start``,
``end``, ``asof``), the last date served and the store state of the first page, the
greatest fetch id then (:meth:`~carrywatch.store.sqlite.Store.last_fetch_id`). Observations
are append-only and fetch ids only grow, so every later page is read as of that state
(``Store.read(through_fetch=)``): pages concatenated are one consistent read even while a
refresh appends, and a cursor never expires. A checksum refuses cursors that were cut or
edited.

**Columns, not rows.** The read is kept per (series, ``asof``, store state) as Python
lists of text and numbers made once from the store's arrays; a page is a slice of each
list, encoded by ``json``'s C encoder: no object per observation is built on a request.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.store.sqlite import StoredFetch

__all__ = [
    "CSV_FIELDS",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PageQuery",
    "PageRequestError",
    "SeriesColumns",
    "decode_cursor",
    "encode_cursor",
    "fetch_json",
    "page_csv",
    "page_json",
    "parse_limit",
]

#: Observations per page unless ``limit`` says otherwise, and the most one page holds.
DEFAULT_LIMIT: Final = 1_000
MAX_LIMIT: Final = 10_000

#: Columns of the CSV form (one row per observation, provenance written out).
CSV_FIELDS: Final = (
    "obs_date",
    "value",
    "source",
    "origin",
    "retrieved_at",
    "url",
    "released",
    "release_rule",
)

_CURSOR_VERSION: Final = 1
_CHECK_CHARS: Final = 12


class PageRequestError(ValueError):
    """A ``limit`` or cursor that cannot be used (the server answers 400)."""


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One page's question: the series and bounds, the store state, where to go on."""

    series_id: str
    start: date | None
    end: date | None
    asof: date | None
    through_fetch: int
    after: date | None = None  # the last date of the previous page


def parse_limit(text: str | None) -> int:
    """``limit`` from the query string: 1 ... :data:`MAX_LIMIT`, default :data:`DEFAULT_LIMIT`."""
    if not text:
        return DEFAULT_LIMIT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise PageRequestError(f"limit={text[:20]!r}: give a whole number from 1 to {MAX_LIMIT:,}")
    return int(text)


def encode_cursor(query: PageQuery) -> str:
    """The opaque ``next`` cursor of ``query`` (see the module docstring)."""
    fields = [
        _CURSOR_VERSION,
        query.series_id,
        *(d.isoformat() if d is not None else "" for d in (query.start, query.end, query.asof)),
        query.through_fetch,
        query.after.isoformat() if query.after is not None else "",
    ]
    text = json.dumps(fields, separators=(",", ":")).encode("utf-8")
    check = hashlib.sha256(text).hexdigest()[:_CHECK_CHARS].encode("ascii")
    return base64.urlsafe_b64encode(check + text).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> PageQuery:
    """The query a cursor of :func:`encode_cursor` continues; :class:`PageRequestError` for
    anything else."""
    refused = PageRequestError("cursor is not one this server gave: start again without it")
    if not 16 <= len(cursor) <= 400 or not cursor.isascii():
        raise refused
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        check, text = raw[:_CHECK_CHARS], raw[_CHECK_CHARS:]
        if hashlib.sha256(text).hexdigest()[:_CHECK_CHARS].encode("ascii") != check:
            raise refused
        version, series_id, start, end, asof, through_fetch, after = json.loads(text)
        if version != _CURSOR_VERSION or not isinstance(through_fetch, int):
            raise refused
        days = [date.fromisoformat(d) if d else None for d in (start, end, asof, after)]
        if not isinstance(series_id, str) or after == "":
            raise refused
    except (binascii.Error, ValueError, TypeError):
        raise refused from None
    return PageQuery(series_id, days[0], days[1], days[2], through_fetch, days[3])


@dataclass(frozen=True, slots=True)
class SeriesColumns:
    """One read of a series made ready for slicing into pages (see the module docstring)."""

    obs_day: npt.NDArray[np.datetime64]  # for bounds and cursors (datetime64[D])
    obs_date: list[str]
    value: list[float]
    fetch_id: list[int]
    released: list[str]
    release_rule: list[str]
    fetches: Mapping[int, dict[str, Any]]  # fetch id -> its entry in a page's "fetches"

    @classmethod
    def from_read(cls, frame: pd.DataFrame) -> SeriesColumns:
        """From one series' :meth:`~carrywatch.store.sqlite.Store.read`."""
        days = frame["obs_date"].to_numpy().astype("datetime64[D]")
        fetch_ids = frame["fetch_id"].to_numpy(dtype="int64")
        _, first = np.unique(fetch_ids, return_index=True)
        fetches = {
            int(fetch_ids[i]): {
                "fetch_id": int(fetch_ids[i]),
                "source": str(frame["source"].iat[i]),
                "origin": str(frame["origin"].iat[i]),
                "retrieved_at": str(frame["retrieved_at"].iat[i]),
                "url": str(frame["url"].iat[i]),
                "href": f"/api/fetches/{int(fetch_ids[i])}",
            }
            for i in first
        }
        return cls(
            obs_day=days,
            obs_date=days.astype(str).tolist(),
            value=frame["value"].to_numpy(dtype="float64").tolist(),
            fetch_id=fetch_ids.tolist(),
            released=frame["released"].to_numpy().astype("datetime64[D]").astype(str).tolist(),
            release_rule=frame["release_rule"].to_numpy(dtype=object).tolist(),
            fetches=fetches,
        )

    def bounds(self, query: PageQuery, limit: int) -> tuple[int, int, bool]:
        """Row positions ``[lo, hi)`` of the page and whether more rows follow."""
        lo = 0 if query.start is None else int(np.searchsorted(self.obs_day, _day(query.start)))
        if query.after is not None:
            lo = max(lo, int(np.searchsorted(self.obs_day, _day(query.after), side="right")))
        stop = len(self.obs_day)
        if query.end is not None:
            stop = int(np.searchsorted(self.obs_day, _day(query.end), side="right"))
        hi = min(stop, lo + limit)
        return lo, hi, hi < stop

    def next_query(self, query: PageQuery, hi: int, more: bool) -> PageQuery | None:
        """The query of the page after one ending before row ``hi``."""
        if not more or hi == 0:
            return None
        return PageQuery(
            query.series_id,
            query.start,
            query.end,
            query.asof,
            query.through_fetch,
            date.fromisoformat(self.obs_date[hi - 1]),
        )


def page_json(
    columns: SeriesColumns, query: PageQuery, *, unit: str, limit: int
) -> tuple[bytes, str | None]:
    """The JSON page and its ``next`` cursor."""
    lo, hi, more = columns.bounds(query, limit)
    following = columns.next_query(query, hi, more)
    cursor = None if following is None else encode_cursor(following)
    fetch_ids = columns.fetch_id[lo:hi]
    body = {
        "series_id": query.series_id,
        "unit": unit,
        "asof": _iso(query.asof),
        "start": _iso(query.start),
        "end": _iso(query.end),
        "limit": limit,
        "observations": {
            "obs_date": columns.obs_date[lo:hi],
            "value": columns.value[lo:hi],
            "fetch_id": fetch_ids,
            "released": columns.released[lo:hi],
            "release_rule": columns.release_rule[lo:hi],
        },
        "fetches": [columns.fetches[i] for i in sorted(set(fetch_ids))],
        "next": cursor,
    }
    return json.dumps(body, separators=(",", ":")).encode("utf-8"), cursor


def page_csv(columns: SeriesColumns, query: PageQuery, *, limit: int) -> tuple[bytes, str | None]:
    """The CSV page (:data:`CSV_FIELDS`) and its ``next`` cursor."""
    lo, hi, more = columns.bounds(query, limit)
    following = columns.next_query(query, hi, more)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    fetches = columns.fetches
    writer.writerows(
        (day, value, f["source"], f["origin"], f["retrieved_at"], f["url"], released, rule)
        for day, value, f, released, rule in zip(
            columns.obs_date[lo:hi],
            columns.value[lo:hi],
            (fetches[i] for i in columns.fetch_id[lo:hi]),
            columns.released[lo:hi],
            columns.release_rule[lo:hi],
            strict=True,
        )
    )
    cursor = None if following is None else encode_cursor(following)
    return buffer.getvalue().encode("utf-8"), cursor


def fetch_json(fetch: StoredFetch, *, archived: bool) -> dict[str, Any]:
    """The provenance of one fetch for ``/api/fetches/{id}``: where and when the payload
    came from, its sha256 and size, the parser version, and whether its raw body is in
    the archive beside the store (a snapshot fetch's body is the repository file its
    ``provenance`` names instead)."""
    return {
        "fetch_id": fetch.fetch_id,
        "source": fetch.source,
        "origin": fetch.origin,
        "url": fetch.url,
        "params": [list(p) for p in fetch.params],
        "retrieved_at": fetch.retrieved_at,
        "http_status": fetch.http_status,
        "sha256": fetch.sha256,
        "n_bytes": fetch.n_bytes,
        "parse_version": fetch.parse_version,
        "archived": archived,
        "provenance": dict(fetch.provenance),
    }


def _day(day: date) -> np.datetime64:
    return np.datetime64(day, "D")


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
