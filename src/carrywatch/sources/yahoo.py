"""Yahoo Finance chart API: daily closes of fed funds futures and other symbols (sources.md §9).

Endpoint (no authentication, not an official API)
-------------------------------------------------
``GET https://query1.finance.yahoo.com/v8/finance/chart/<SYMBOL>?interval=1d&period1=<unix s>
&period2=<unix s>`` (or ``&range=max``) →
``{"chart": {"result": [{"meta": {...}, "timestamp": [...], "indicators": {"quote":
[{"close": [...], ...}]}}], "error": null}}`` [verified]. Yahoo wants a browser-like
``User-Agent`` and often answers HTTP 429 from cloud IPs [reported]: this source is
optional. An expired or unknown symbol is HTTP 404 with
``{"chart": {"result": null, "error": {"code": "Not Found", "description": "No data
found, symbol may be delisted"}}}`` [verified].

Symbols: ``ZQ=F`` (continuous front month), ``ZQ<month code><YY>.CBT`` for one contract
(``ZQZ25.CBT``), indices such as ``^VIX`` [reported].

Format quirks and dates
-----------------------
* ``timestamp`` holds unix seconds; the quote arrays run parallel to it and may hold
  ``null`` (no trade): such bars give no row.
* A daily bar is stamped with a moment of its trading session (the recorded ES bar at
  19:45 UTC = 14:45 New York), so its date is taken in the EXCHANGE's time zone
  (``meta.exchangeTimezoneName`` through :mod:`zoneinfo`): in UTC an evening US stamp or
  a morning Tokyo stamp would land on the neighbouring day. Without a known zone name the
  fixed ``meta.gmtoffset`` is used (it ignores daylight saving, so it is only a fallback).
* When two stamps fall on the same exchange date (Yahoo may append the live bar) the
  later one wins.
* ``meta.symbol`` and ``meta.dataGranularity`` echo the query [verified]: a chart of
  another symbol, or of other bars than the ``interval`` asked (weekly, intraday), is a
  ``ParseError``.

Units: the symbol's price (ZQ: 100 minus the average EFFR of the contract month, in
percent; see :func:`implied_rate_pct`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import (
    join_origin,
    last_per_day,
    load_json,
    to_float,
    unix_midnight,
    unix_seconds,
)
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["BROWSER_USER_AGENT", "PARSE_VERSION", "YahooChart", "implied_rate_pct"]

PARSE_VERSION = 1

_NAME = "yahoo"
_SYMBOL = re.compile(r"[A-Za-z0-9^][A-Za-z0-9^=._-]{0,31}")

#: Yahoo rejects non-browser clients more often than browsers (sources.md §9).
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


def implied_rate_pct(price: float) -> float:
    """The average effective fed funds rate (percent) implied by a ZQ futures price.

    Notes
    -----
    CME 30-Day Federal Funds futures are quoted as ``100 - R`` where ``R`` is the average
    daily EFFR over the contract month, so ``R = 100 - price`` (sources.md §9). A price of
    95.6625 implies an average rate of 4.3375 %.
    """
    return 100.0 - price


class YahooChart:
    """Daily closes from Yahoo's v8 chart API (one request per symbol)."""

    name = _NAME
    default_origin = "https://query1.finance.yahoo.com"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One daily-bar request per symbol.

        ``period1``/``period2`` are UTC midnights around the window (end day included,
        today when open); a window without a start asks ``range=max``.
        """
        requests = []
        for symbol in dict.fromkeys(wanted):
            if not _SYMBOL.fullmatch(symbol):
                raise CatalogError(
                    f"{self.name}: {symbol!r} is not a Yahoo symbol (e.g. 'ZQZ25.CBT', 'ZQ=F', "
                    "'^VIX')"
                )
            params: list[tuple[str, str]] = [("interval", "1d")]
            if window.start is None:
                params.append(("range", "max"))
            else:
                last_day = window.end or utc_now().date()
                params += [
                    ("period1", str(unix_midnight(window.start))),
                    ("period2", str(unix_midnight(last_day + timedelta(days=1)))),
                ]
            requests.append(
                FetchRequest(
                    source=self.name,
                    # '^' must be escaped in a path; '=' and '.' are fine as they are.
                    url=join_origin(self.origin, f"/v8/finance/chart/{quote(symbol, safe='=')}"),
                    params=tuple(params),
                    remote_codes=(symbol,),
                    headers=(("User-Agent", BROWSER_USER_AGENT),),
                )
            )
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The chart, bytes untouched; a 404 says the symbol has no data."""
        try:
            payload = http.get(request)
        except FetchError as exc:
            if exc.status == 404:
                raise FetchError(
                    "no data (symbol may be delisted or expired)",
                    source=self.name,
                    url=exc.url,
                    status=404,
                ) from exc
            raise
        yield payload

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Daily closes dated in the exchange's time zone (see the module docstring)."""
        result = _chart_result(load_json(payload.body, source=self.name))
        meta = result.get("meta")
        if not isinstance(meta, dict):
            raise ParseError(f"the chart result has no 'meta' ({_shape(result)})", source=_NAME)
        symbol = meta.get("symbol")
        wanted = payload.request.remote_codes
        code = wanted[0] if len(wanted) == 1 else symbol
        if not isinstance(code, str) or not code:
            raise ParseError("neither the request nor meta.symbol names the symbol", source=_NAME)
        if isinstance(symbol, str) and symbol.upper() != code.upper():
            raise ParseError(f"asked for {code!r} but the chart is for {symbol!r}", source=_NAME)
        interval = dict(payload.request.params).get("interval")
        granularity = meta.get("dataGranularity")
        if interval and isinstance(granularity, str) and granularity != interval:
            # Weekly bars would read as the closes of the weeks' first days, intraday
            # ones as a day's close taken at some moment of it.
            raise ParseError(
                f"asked for {interval} bars but the chart has {granularity} bars "
                "(meta.dataGranularity); nothing was read; try again later",
                source=_NAME,
            )
        zone = _exchange_zone(meta)
        stamps, closes = _stamps_and_closes(result)
        points: list[tuple[int, date, float]] = []
        for i, (stamp, raw_close) in enumerate(zip(stamps, closes, strict=True)):
            close = to_float(raw_close, source=_NAME, where=f"close[{i}]")
            if math.isnan(close):
                continue
            t = unix_seconds(stamp, source=_NAME, where=f"timestamp[{i}]", allow_text=False)
            try:
                day = datetime.fromtimestamp(t, zone).date()
            except (OverflowError, OSError, ValueError) as exc:
                raise ParseError(
                    f"timestamp[{i}] {t} is not a representable time", source=_NAME
                ) from exc
            points.append((t, day, close))
        daily = last_per_day(points)
        rows = observations_frame(_NAME, [code] * len(daily), list(daily), list(daily.values()))
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={
                "symbol": code,
                "exchange": str(meta.get("exchangeName", "")),
                "currency": str(meta.get("currency", "")),
                "timezone": str(zone),
            },
        )


def _chart_result(data: object) -> dict[str, object]:
    chart = data.get("chart") if isinstance(data, dict) else None
    if not isinstance(chart, dict):
        raise ParseError(f"expected {{'chart': {{...}}}}, found {_shape(data)}", source=_NAME)
    error = chart.get("error")
    if error is not None:
        if isinstance(error, dict):
            code, text = error.get("code"), error.get("description")
            raise ParseError(f"Yahoo reports {code!s}: {str(text)[:200]}", source=_NAME)
        raise ParseError(f"Yahoo reports an error: {str(error)[:200]}", source=_NAME)
    result = chart.get("result")
    if not isinstance(result, list) or not result or not isinstance(result[0], dict):
        raise ParseError(
            f"chart.result is {str(result)[:60]!r}, not a list of charts", source=_NAME
        )
    return result[0]


def _stamps_and_closes(result: Mapping[str, object]) -> tuple[list[object], list[object]]:
    """Parallel ``timestamp`` and ``close`` arrays; both absent means no bar in range."""
    indicators = result.get("indicators")
    quotes = indicators.get("quote") if isinstance(indicators, dict) else None
    if not isinstance(quotes, list) or not quotes or not isinstance(quotes[0], dict):
        raise ParseError(f"no indicators.quote in the chart ({_shape(result)})", source=_NAME)
    stamps, closes = result.get("timestamp"), quotes[0].get("close")
    if stamps is None and closes is None:
        # Yahoo leaves both out when the range holds no bar.
        return [], []
    if not isinstance(stamps, list) or not isinstance(closes, list):
        raise ParseError(
            f"expected 'timestamp' and indicators.quote[0].close arrays, found "
            f"{_shape(result)} and quote {_shape(quotes[0])}",
            source=_NAME,
        )
    if len(stamps) != len(closes):
        raise ParseError(f"{len(stamps)} timestamps but {len(closes)} closes", source=_NAME)
    return stamps, closes


def _exchange_zone(meta: Mapping[str, object]) -> tzinfo:
    name = meta.get("exchangeTimezoneName")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ValueError, OSError, KeyError):
            pass  # an unknown or malformed name: fall back to the fixed offset
    offset = meta.get("gmtoffset")
    if isinstance(offset, int) and not isinstance(offset, bool) and abs(offset) < 86_400:
        return timezone(timedelta(seconds=offset))
    raise ParseError(
        "meta has neither a known exchangeTimezoneName nor a gmtoffset: cannot date the bars",
        source=_NAME,
    )


def _shape(data: object) -> str:
    if isinstance(data, dict):
        keys = sorted(str(k) for k in data)
        return f"keys {keys[:12]}{' ...' if len(keys) > 12 else ''}"
    return f"a JSON {type(data).__name__}"
