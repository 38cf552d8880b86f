"""Coinbase Exchange candles: daily closes of crypto products such as BTC-USD (sources.md §10).

Endpoint (no authentication)
----------------------------
``GET https://api.exchange.coinbase.com/products/<product>/candles?granularity=86400
&start=<ISO 8601>&end=<ISO 8601>``; at most 300 candles per request, so :meth:`plan`
splits long windows; about 10 requests/s per IP [unverified details].

Format quirks
-------------
* The answer is an array of arrays ``[time, low, high, open, close, volume]`` — **low
  before high, open fourth** [verified]. Columns are looked up by those names
  (:data:`CANDLE_COLUMNS`), and a candle whose open or close lies outside [low, high]
  is a ``ParseError``: it means the order changed.
* ``time`` is unix seconds, the START of the bucket in UTC; daily buckets are aligned on
  UTC midnight [reported], and a time not on the requested granularity is a
  ``ParseError``. Rows come newest first [unverified]: they are sorted.
* Errors come as ``{"message": "..."}``, which is a ``ParseError`` carrying the message.

Value and date: the close (quote currency per unit of base, USD per BTC for BTC-USD) of
the bucket; ``obs_date`` is the UTC date of the bucket start. Finer granularities become
daily by keeping the LAST candle of each UTC day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from carrywatch.errors import CatalogError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import (
    ascii_digits,
    join_origin,
    last_per_day,
    load_json,
    to_float,
    unix_seconds,
    utc_day,
)
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["CANDLE_COLUMNS", "PARSE_VERSION", "CoinbaseCandles"]

PARSE_VERSION = 1

_NAME = "coinbase"
_PRODUCT = re.compile(r"[A-Z0-9]{2,16}-[A-Z0-9]{2,16}")
_PRODUCT_IN_PATH = re.compile(r"/products/([^/]+)/candles$")

#: The provider's column order (sources.md §10).
CANDLE_COLUMNS: Final = ("time", "low", "high", "open", "close", "volume")
_DAY_S = 86_400
#: The provider's limit of candles per request.
_MAX_CANDLES = 300


class CoinbaseCandles:
    """Daily closes from Coinbase Exchange ``/products/<id>/candles``."""

    name = _NAME
    default_origin = "https://api.exchange.coinbase.com"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """Daily-candle requests of at most 300 days each.

        Each chunk runs from 00:00:00 UTC of its first day to 23:59:59 UTC of its last,
        so every bucket start of those days is inside whether or not the provider treats
        ``end`` as inclusive, and no chunk can exceed 300 buckets. Without
        ``window.start`` a single request without ``start``/``end`` gets the latest 300
        candles; an open end means today (UTC).
        """
        requests = []
        for product in dict.fromkeys(wanted):
            if not _PRODUCT.fullmatch(product):
                raise CatalogError(
                    f"{self.name}: {product!r} is not a Coinbase product id (e.g. 'BTC-USD')"
                )
            url = join_origin(self.origin, f"/products/{product}/candles")
            if window.start is None:
                chunks: list[tuple[tuple[str, str], ...]] = [(("granularity", str(_DAY_S)),)]
            else:
                chunks = [
                    (
                        ("granularity", str(_DAY_S)),
                        ("start", _iso(first, time(0, 0, 0))),
                        ("end", _iso(last, time(23, 59, 59))),
                    )
                    for first, last in _day_chunks(window.start, window.end or utc_now().date())
                ]
            requests += [
                FetchRequest(source=self.name, url=url, params=params, remote_codes=(product,))
                for params in chunks
            ]
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The candles, bytes untouched (one request, no paging)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Daily closes: one row per UTC day (the last candle of the day)."""
        data = load_json(payload.body, source=self.name)
        if isinstance(data, dict):
            message = data.get("message")
            detail = str(message)[:200] if message is not None else f"keys {sorted(data)[:8]}"
            raise ParseError(f"Coinbase answered an error object: {detail}", source=self.name)
        if not isinstance(data, list):
            raise ParseError(
                f"expected an array of candles, found a JSON {type(data).__name__}", source=_NAME
            )
        product = _requested_product(payload.request)
        granularity = _granularity(payload.request)
        points: list[tuple[int, date, float]] = []
        for i, raw in enumerate(data):
            t, prices = _candle(raw, where=f"candle {i}")
            if granularity and t % granularity:
                raise ParseError(
                    f"candle {i} time {t} is not on the {granularity} s granularity", source=_NAME
                )
            close = prices["close"]
            if math.isnan(close):
                continue
            day = utc_day(t, source=_NAME, where=f"candle {i} time")
            points.append((t, day, close))
        daily = last_per_day(points)
        rows = observations_frame(_NAME, [product] * len(daily), list(daily), list(daily.values()))
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={
                "product": product,
                "granularity_s": str(granularity or ""),
                "candles": str(len(data)),
            },
        )


def _candle(raw: object, *, where: str) -> tuple[int, dict[str, float]]:
    """One candle: its time and its prices by column name, the low/high order checked."""
    if not isinstance(raw, list) or len(raw) != len(CANDLE_COLUMNS):
        raise ParseError(
            f"{where} is {str(raw)[:60]!r}, expected [{', '.join(CANDLE_COLUMNS)}]",
            source=_NAME,
        )
    named = dict(zip(CANDLE_COLUMNS, raw, strict=True))
    prices = {
        column: to_float(named[column], source=_NAME, where=f"{where} {column}")
        for column in ("low", "high", "open", "close")
    }
    low, high = prices["low"], prices["high"]
    inner = (prices["open"], prices["close"])
    if all(math.isfinite(v) for v in (low, high, *inner)) and not (
        low <= min(inner) and max(inner) <= high
    ):
        raise ParseError(
            f"{where}: open/close outside [low, high] ({str(raw)[:120]}); the column order "
            f"is expected to be [{', '.join(CANDLE_COLUMNS)}]",
            source=_NAME,
        )
    return unix_seconds(named["time"], source=_NAME, where=f"{where} time"), prices


def _requested_product(request: FetchRequest) -> str:
    if len(request.remote_codes) == 1:
        return request.remote_codes[0]
    match = _PRODUCT_IN_PATH.search(request.url)
    if match is None:
        raise ParseError("the request names no product, and candles do not carry it", source=_NAME)
    return match.group(1)


def _granularity(request: FetchRequest) -> int | None:
    value = dict(request.params).get("granularity", "")
    return int(value) if ascii_digits(value) and int(value) > 0 else None


def _day_chunks(first: date, last: date) -> list[tuple[date, date]]:
    chunks = []
    while first <= last:
        end = min(first + timedelta(days=_MAX_CANDLES - 1), last)
        chunks.append((first, end))
        first = end + timedelta(days=1)
    return chunks


def _iso(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
