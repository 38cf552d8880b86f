"""Kalshi public market data: current YES prices and daily candlesticks (sources.md §7).

Endpoints (``https://api.elections.kalshi.com/trade-api/v2``, no authentication)
-------------------------------------------------------------------------------
* ``GET /markets?tickers=A,B`` → ``{"markets": [...], "cursor": "..."}``; paged by
  ``cursor``, an **empty string** meaning the last page [verified shape].
* ``GET /markets/<ticker>`` → ``{"market": {...}}`` [verified shape]; parsed too.
* ``GET /events?series_ticker=KXFED&status=open&with_nested_markets=true&limit=200``
  → ``{"events": [{"event_ticker", "series_ticker", "title", "strike_date", "markets":
  [...]}, ...], "cursor": "..."}`` [documented shape: Kalshi's OpenAPI ``GetEventsResponse``
  / ``EventData``; no recording]; discovery of the markets of a series
  (:meth:`Kalshi.plan_events`, :func:`kalshi_event_markets`). ``strike_date`` (the
  decision time for KXFED) is optional and may be null. ``/events/<ticker>`` answers
  ``{"event": {...}, "markets": [...]}``; parsed too.
* ``GET /series/<series>/markets/<ticker>/candlesticks?start_ts=&end_ts=&period_interval=1440``
  → ``{"candlesticks": [{"end_period_ts", "price": {...}, "yes_bid": {...},
  "yes_ask": {...}, ...}], "ticker": ...}`` [verified shape].

Format quirks
-------------
* Since 2026-03-12 prices are ``*_dollars`` decimal strings (``"0.1200"``) and counts
  ``*_fp`` fixed-point strings (``"94884.62"``); the legacy integer-cent fields
  (``yes_bid``, ``last_price``, ...) and integer counts were removed [reported]. Both are
  accepted, the ``*_dollars`` field first; cents go through :func:`cents_to_dollars`.
* CCXT's recordings stringify some integers (``end_period_ts``): int or digit string.

Units: prices are dollars per contract paying $1 on YES, i.e. probabilities in [0, 1]
(a price outside is a ``ParseError``, typically cents in a dollar field); counts are
contracts.

Remote codes and values
-----------------------
A remote code is a market ticker (``KXFED-26OCT-T4.25``); its series is the part before
the first ``-`` (``KXFED``), which is how Kalshi names series [reported].

* Snapshot (``/markets``, or the markets nested in ``/events``): value = ``last_price``;
  when the market has not traded (no last price, or 0: trades happen strictly between 0
  and 1) the mid of ``yes_bid`` and ``yes_ask``, provided both sides are quoted
  (0 < bid <= ask < 1; a side at 0 or 1 means no order there). ``obs_date`` = UTC date
  of ``updated_time``, or of the retrieval when absent.
* Candlesticks: value = ``price.close`` (last trade of the period), else the mid of the
  ``yes_bid``/``yes_ask`` closes. A candle belongs to the UTC day of its last second
  (``end_period_ts - 1``), so a daily candle ending at 00:00 UTC is dated the day it
  covers; intraday candles become daily by keeping the LAST candle of each UTC day.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from carrywatch.errors import CatalogError, FetchError, ParseError
from carrywatch.frames import (
    observations_frame,
    strike_outcome,
)
from carrywatch.sources.base import (
    MONTHS,
    Meeting,
    QuoteRow,
    Quotes,
    join_origin,
    last_per_day,
    load_json,
    meeting_in_month,
    parsed_quotes,
    to_float,
    unix_midnight,
    unix_seconds,
    utc_day,
)
from carrywatch.sources.http import display_url
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "PARSE_VERSION",
    "STRIKE_MATCH_DAYS",
    "Kalshi",
    "KalshiMarket",
    "cents_to_dollars",
    "kalshi_event_markets",
    "kalshi_markets",
    "kalshi_meeting",
]

PARSE_VERSION = 1

_NAME = "kalshi"
_API = "/trade-api/v2"
_TICKER = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,99}")
#: Tickers per ``/markets?tickers=`` request: the API's default page size is 100
#: [reported], so a batch normally fits one page; paging covers the rest.
_BATCH = 100
#: A guard against a provider that never ends its cursor chain.
_MAX_PAGES = 200
#: Events per ``/events`` page (the API's maximum [reported]).
_EVENTS_PAGE = "200"
_DAILY_MINUTES = "1440"
#: How far (days) an event's ``strike_date`` may lie from its meeting's decision day (UTC
#: dates; a decision late in the US evening or early in Japan's morning moves a day).
STRIKE_MATCH_DAYS = 1
_EVENT_TICKER = re.compile(r"^[A-Z0-9]+-(?P<yy>\d{2})(?P<mon>[A-Z]{3})(?:\d{2})?$")


def cents_to_dollars(cents: float) -> float:
    """Dollars from a legacy integer-cent price (``12`` → ``0.12``)."""
    return cents / 100.0


@dataclass(frozen=True, slots=True)
class KalshiMarket:
    """One Kalshi market as listed by ``/markets``.

    Prices (``yes_bid``, ``yes_ask``, ``last_price``) are dollars in [0, 1]; ``volume`` and
    ``open_interest`` are contracts; strikes are in the market's own unit (percent for
    KXFED). A field the provider left out is NaN, ``None`` or ``""``. ``strike_date`` is
    the ``strike_date`` of the event the market was nested in (``/events`` payloads only;
    for KXFED the decision time), ``None`` elsewhere.
    """

    ticker: str
    event_ticker: str
    floor_strike: float
    cap_strike: float
    strike_type: str | None
    yes_bid: float
    yes_ask: float
    last_price: float
    volume: float
    open_interest: float
    status: str
    close_time: datetime | None
    updated_time: datetime | None
    strike_date: datetime | None = None


def kalshi_markets(payload: RawPayload) -> list[KalshiMarket]:
    """The markets in a ``/markets`` (list) or ``/markets/<ticker>`` (single) payload, or
    the nested markets of an ``/events`` payload (see :func:`kalshi_event_markets`)."""
    data = _top_level(payload)
    if "events" in data or "event" in data:
        return _event_markets(data)
    if "markets" in data:
        return _market_list(data["markets"])
    if "market" in data:
        return [_kalshi_market(data["market"], where="market")]
    raise ParseError(f"not a markets payload ({_shape(data)})", source=_NAME)


def kalshi_event_markets(payload: RawPayload) -> list[KalshiMarket]:
    """The markets nested in an ``/events?with_nested_markets=true`` (list) or
    ``/events/<ticker>`` (single) payload, in the provider's order.

    Each market carries its ``event_ticker`` (the event's, when the market leaves it out)
    and the event's ``strike_date``. An event listed without markets contributes none.
    Raises ``ParseError`` when the payload is not an events payload, or when a market
    names another event than the one it is nested in.
    """
    return _event_markets(_top_level(payload))


class Kalshi:
    """Kalshi market prices: snapshots from ``/markets``, history from candlesticks."""

    name = _NAME
    default_origin = "https://api.elections.kalshi.com"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """Snapshot or history, depending on the window.

        Without ``window.start``: batched ``/markets?tickers=`` requests (current prices).
        With it: one daily-candlestick request per ticker from ``window.start`` to
        ``window.end`` (today, UTC, when open), both days included.
        """
        tickers = list(dict.fromkeys(wanted))
        for ticker in tickers:
            if not _TICKER.fullmatch(ticker):
                raise CatalogError(
                    f"{self.name}: {ticker!r} is not a Kalshi market ticker "
                    "(upper case, e.g. 'KXFED-26OCT-T4.25')"
                )
        if window.start is None:
            return [
                FetchRequest(
                    source=self.name,
                    url=join_origin(self.origin, f"{_API}/markets"),
                    params=(("tickers", ",".join(batch)),),
                    remote_codes=tuple(batch),
                )
                for batch in (tickers[i : i + _BATCH] for i in range(0, len(tickers), _BATCH))
            ]
        last_day = window.end or utc_now().date()
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(
                    self.origin,
                    f"{_API}/series/{ticker.split('-', 1)[0]}/markets/{ticker}/candlesticks",
                ),
                params=(
                    ("start_ts", str(unix_midnight(window.start))),
                    ("end_ts", str(unix_midnight(last_day + timedelta(days=1)))),
                    ("period_interval", _DAILY_MINUTES),
                ),
                remote_codes=(ticker,),
            )
            for ticker in tickers
        ]

    def plan_discovery(self, key: str) -> list[FetchRequest]:
        """Discovery: the open events of the series ``key`` (``KXFED``) with their markets.

        One ``/events`` request (``status=open``, nested markets, 200 events a page);
        :meth:`fetch` follows the cursor. The request names no remote codes: every market
        of the answer is wanted.
        """
        if not _TICKER.fullmatch(key) or "-" in key:
            raise CatalogError(
                f"{self.name}: {key!r} is not a Kalshi series ticker "
                "(upper case, no '-', e.g. 'KXFED')"
            )
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(self.origin, f"{_API}/events"),
                params=(
                    ("series_ticker", key),
                    ("status", "open"),
                    ("with_nested_markets", "true"),
                    ("limit", _EVENTS_PAGE),
                ),
            )
        ]

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """Every page: follows ``cursor`` until it is empty (bytes untouched)."""
        payload = http.get(request)
        yield payload
        seen: set[str] = set()
        while cursor := _next_cursor(payload.body):
            if cursor in seen or len(seen) >= _MAX_PAGES:
                raise FetchError(
                    f"paging did not end (cursor repeated or more than {_MAX_PAGES} pages)",
                    source=self.name,
                    url=display_url(request),
                )
            seen.add(cursor)
            payload = http.get(request.with_params(cursor=cursor))
            yield payload

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Rows from a markets list, a single market, an events (nested markets) or a
        candlesticks payload."""
        data = _top_level(payload)
        if "candlesticks" in data:
            return self._candles(data, payload)
        kind = "markets"
        if "events" in data or "event" in data:
            # Discovery answers: a page holds the events it holds, none is "missing".
            markets, complete, kind = _event_markets(data), False, "events"
            if not isinstance(data.get("cursor", ""), str):
                raise ParseError(f"'cursor' is {data['cursor']!r}, not text", source=self.name)
        elif "markets" in data:
            markets = _market_list(data["markets"])
            cursor = data.get("cursor")
            if cursor is not None and not isinstance(cursor, str):
                raise ParseError(f"'cursor' is {cursor!r}, not text", source=self.name)
            # A page of a multi-page answer cannot hold every requested ticker.
            complete = not cursor and "cursor" not in dict(payload.request.params)
        elif "market" in data:
            markets, complete = [_kalshi_market(data["market"], where="market")], True
        else:
            raise ParseError(
                "expected 'markets', 'market' or 'candlesticks' (or 'events') at the top level, "
                f"found {_shape(data)}{_error_text(data)}",
                source=self.name,
            )
        wanted = payload.request.remote_codes
        found = [m.ticker for m in markets]
        missing = [code for code in wanted if code not in found] if complete else []
        if missing:
            raise ParseError(
                f"tickers {missing} are not in the answer (found: {found[:8]})", source=self.name
            )
        retrieved_day = payload.retrieved_at.astimezone(UTC).date()
        kept = [m for m in markets if not wanted or m.ticker in wanted]
        rows = observations_frame(
            self.name,
            [m.ticker for m in kept],
            [m.updated_time.date() if m.updated_time else retrieved_day for m in kept],
            [_snapshot_price(m) for m in kept],
        )
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={"kind": kind, "markets": str(len(markets))},
        )

    def parse_quotes(
        self, payload: RawPayload, meetings: Sequence[Meeting], *, bank: str
    ) -> Quotes:
        """The quotes of an ``/events`` answer: one per "above X%" market of each event
        placed on a meeting (:func:`kalshi_meeting`), outcome ``above_<X in bp>``.

        Each quote is the market as seen at the retrieval (``quoted_at``): probability the
        mid of a two-sided quote (0 < bid <= ask < 1), else the last trade when 0 < last
        < 1, else none (the market is left out, with a note); ``bid``/``ask`` where a side
        has an order (strictly inside (0, 1)), ``volume`` in contracts. Events that match
        no meeting and markets that are not "greater" strikes are left out with a note.
        An answer holding an event of another series than the request's
        ``series_ticker`` is refused (``ParseError``). ``bank`` is not read: the series
        asked for are ``bank``'s own list in ``markets.toml`` (no user names a Kalshi
        series), so the request already belongs to the bank.
        """
        markets = kalshi_event_markets(payload)
        by_event = _by_event(markets)
        _require_asked_series(payload, list(by_event))
        rows: list[QuoteRow] = []
        notes: list[str] = []
        placed = 0
        for ticker, group in by_event.items():
            strike = group[0].strike_date
            meeting = kalshi_meeting(ticker, strike, meetings)
            if meeting is None:
                when = f"strike date {strike.date()}" if strike else "no strike date"
                notes.append(f"{ticker}: no meeting in the catalog matches it ({when})")
                continue
            placed += 1
            for m in group:
                outcome = strike_outcome(m.floor_strike) if m.strike_type == "greater" else None
                price = _ladder_price(m)
                if outcome is None:
                    notes.append(
                        f"{m.ticker}: not an 'above X%' strike (strike_type "
                        f"{m.strike_type!r}, strike {m.floor_strike}); left out"
                    )
                elif math.isnan(price):
                    notes.append(f"{m.ticker}: no two-sided quote and no trade; left out")
                else:
                    rows.append(
                        (meeting, outcome, price, _side(m.yes_bid), _side(m.yes_ask), m.volume)
                    )
        if not markets:
            series = dict(payload.request.params).get("series_ticker", "the answer")
            notes.append(f"{series}: no open event with markets")
        parsed = parsed_quotes(
            self.name,
            "kalshi",
            payload,
            rows,
            parse_version=PARSE_VERSION,
            meta={"markets": str(len(markets))},
        )
        return Quotes(parsed=parsed, n_events=placed, notes=tuple(notes))

    def _candles(self, data: Mapping[str, object], payload: RawPayload) -> ParsedFrame:
        candles = data["candlesticks"]
        if not isinstance(candles, list):
            raise ParseError("'candlesticks' is not a list", source=self.name)
        ticker = data.get("ticker")
        wanted = payload.request.remote_codes
        if wanted and isinstance(ticker, str) and ticker not in wanted:
            raise ParseError(
                f"asked for {list(wanted)} but the candlesticks are for {ticker!r}",
                source=self.name,
            )
        code = wanted[0] if len(wanted) == 1 else ticker
        if not isinstance(code, str) or not code:
            raise ParseError("neither the request nor the payload names the ticker", source=_NAME)
        points: list[tuple[int, date, float]] = []
        for i, candle in enumerate(candles):
            where = f"candlesticks[{i}]"
            if not isinstance(candle, dict) or "end_period_ts" not in candle:
                raise ParseError(f"{where} has no 'end_period_ts' ({_shape(candle)})", source=_NAME)
            end = unix_seconds(
                candle["end_period_ts"], source=_NAME, where=f"{where}.end_period_ts"
            )
            value = _candle_close(candle, where=where)
            if not math.isnan(value):
                points.append(
                    (end, utc_day(end - 1, source=_NAME, where=f"{where}.end_period_ts"), value)
                )
        daily = last_per_day(points)
        rows = observations_frame(self.name, [code] * len(daily), list(daily), list(daily.values()))
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={"kind": "candlesticks", "ticker": code, "candles": str(len(candles))},
        )


# --- markets -----------------------------------------------------------------------------


def _top_level(payload: RawPayload) -> dict[str, object]:
    data = load_json(payload.body, source=_NAME)
    if not isinstance(data, dict):
        raise ParseError(f"expected a JSON object, found {_shape(data)}", source=_NAME)
    return data


def _market_list(raw: object) -> list[KalshiMarket]:
    if not isinstance(raw, list):
        raise ParseError(f"'markets' is a {type(raw).__name__}, not a list", source=_NAME)
    return [_kalshi_market(m, where=f"markets[{i}]") for i, m in enumerate(raw)]


def _event_markets(data: Mapping[str, object]) -> list[KalshiMarket]:
    """Nested markets of ``{"events": [...]}`` or ``{"event": {...}, "markets": [...]}``."""
    if "events" in data:
        events = data["events"]
        if not isinstance(events, list):
            raise ParseError(f"'events' is a {type(events).__name__}, not a list", source=_NAME)
        out: list[KalshiMarket] = []
        for i, event in enumerate(events):
            out += _one_event(event, None, where=f"events[{i}]")
        return out
    if "event" in data:
        # /events/<ticker>: the markets sit beside the event (deprecated) or inside it.
        return _one_event(data["event"], data.get("markets"), where="event")
    raise ParseError(f"not an events payload ({_shape(data)})", source=_NAME)


def _one_event(raw: object, beside: object, *, where: str) -> list[KalshiMarket]:
    if not isinstance(raw, dict):
        raise ParseError(f"{where} is a {type(raw).__name__}, not an object", source=_NAME)
    ticker = raw.get("event_ticker")
    if not isinstance(ticker, str) or not ticker:
        raise ParseError(f"{where} has no 'event_ticker' ({_shape(raw)})", source=_NAME)
    where = f"event {ticker!r}"
    strike_date = _instant(raw.get("strike_date"), where=f"{where}.strike_date")
    nested = raw.get("markets")
    if nested is None:
        nested = beside
    if nested is None:
        return []  # listed without with_nested_markets=true
    if not isinstance(nested, list):
        raise ParseError(f"{where}.markets is a {type(nested).__name__}, not a list", source=_NAME)
    out = []
    for i, item in enumerate(nested):
        market = _kalshi_market(item, where=f"{where}.markets[{i}]")
        if market.event_ticker and market.event_ticker != ticker:
            raise ParseError(
                f"market {market.ticker!r} names event {market.event_ticker!r} but is nested "
                f"in {ticker!r}",
                source=_NAME,
            )
        out.append(replace(market, event_ticker=ticker, strike_date=strike_date))
    return out


def _kalshi_market(raw: object, *, where: str) -> KalshiMarket:
    if not isinstance(raw, dict):
        raise ParseError(f"{where} is a {type(raw).__name__}, not an object", source=_NAME)
    ticker = raw.get("ticker")
    if not isinstance(ticker, str) or not ticker:
        raise ParseError(f"{where} has no 'ticker' ({_shape(raw)})", source=_NAME)
    where = f"market {ticker!r}"
    return KalshiMarket(
        ticker=ticker,
        event_ticker=_text(raw.get("event_ticker"), where=f"{where}.event_ticker") or "",
        floor_strike=to_float(raw.get("floor_strike"), source=_NAME, where=f"{where}.floor_strike"),
        cap_strike=to_float(raw.get("cap_strike"), source=_NAME, where=f"{where}.cap_strike"),
        strike_type=_text(raw.get("strike_type"), where=f"{where}.strike_type"),
        yes_bid=_price(raw, "yes_bid", where=where),
        yes_ask=_price(raw, "yes_ask", where=where),
        last_price=_price(raw, "last_price", where=where),
        volume=_count(raw, "volume", where=where),
        open_interest=_count(raw, "open_interest", where=where),
        status=_text(raw.get("status"), where=f"{where}.status") or "",
        close_time=_instant(raw.get("close_time"), where=f"{where}.close_time"),
        updated_time=_instant(raw.get("updated_time"), where=f"{where}.updated_time"),
    )


def kalshi_meeting(
    event_ticker: str, strike_date: datetime | None, meetings: Sequence[Meeting]
) -> date | None:
    """The meeting a Kalshi event is about, or None.

    The meeting within :data:`STRIKE_MATCH_DAYS` of the event's ``strike_date`` (the
    decision time [reported]); without a strike date, the meeting in the month of its
    ticker ``<SERIES>-<YY><MON>`` (``KXFED-26OCT``). A strike date far from every meeting
    places the event nowhere: it is not about a meeting of this bank.
    """
    if strike_date is not None:
        day = strike_date.astimezone(UTC).date()
        close = [d for d, _ in meetings if abs((d - day).days) <= STRIKE_MATCH_DAYS]
        return min(close, key=lambda d: abs((d - day).days)) if close else None
    match = _EVENT_TICKER.match(event_ticker)
    if match is None or match["mon"].lower() not in MONTHS:
        return None
    return meeting_in_month(meetings, 2000 + int(match["yy"]), MONTHS[match["mon"].lower()], None)


def _require_asked_series(payload: RawPayload, event_tickers: Sequence[str]) -> None:
    """Raise ``ParseError`` when an event of a discovery answer belongs to another series
    than the request's ``series_ticker``.

    An event's series is the part of its ticker before the first ``-`` (``KXFED`` of
    ``KXFED-26DEC``). The events describe their own meetings, so the answer of another
    series with "greater" strikes (an inflation ladder settling near a meeting) would
    otherwise be read as policy odds.
    """
    asked = dict(payload.request.params).get("series_ticker")
    if not asked:
        return
    others = [t for t in event_tickers if t.partition("-")[0] != asked]
    if others:
        raise ParseError(
            f"asked for series {asked!r} but the answer holds events of another series "
            f"({', '.join(others[:4])}{' ...' if len(others) > 4 else ''}); nothing of it "
            "was stored; try again later, and check CARRYWATCH_KALSHI_ORIGIN if it is set",
            source=_NAME,
        )


def _by_event(markets: Sequence[KalshiMarket]) -> dict[str, list[KalshiMarket]]:
    grouped: dict[str, list[KalshiMarket]] = {}
    for market in markets:
        grouped.setdefault(market.event_ticker or market.ticker, []).append(market)
    return grouped


def _ladder_price(market: KalshiMarket) -> float:
    """The mid of a two-sided quote, else the last trade strictly inside (0, 1), else NaN
    (a ladder prices a strike by its book first: a last trade may be old)."""
    mid = _two_sided_mid(market.yes_bid, market.yes_ask)
    if not math.isnan(mid):
        # Prices are whole tenths of a cent at most: their mid's float noise
        # (0.060000000000000005) is not information.
        return round(mid, 6)
    return market.last_price if 0.0 < market.last_price < 1.0 else math.nan


def _side(price: float) -> float:
    """A book side's price, NaN where it has no order (0 or 1 means none)."""
    return price if 0.0 < price < 1.0 else math.nan


def _snapshot_price(market: KalshiMarket) -> float:
    """Last trade, else the mid of a two-sided quote, else NaN (see module docstring)."""
    if market.last_price > 0:
        return market.last_price
    return _two_sided_mid(market.yes_bid, market.yes_ask)


def _two_sided_mid(bid: float, ask: float) -> float:
    if 0 < bid <= ask < 1:
        return (bid + ask) / 2
    return math.nan


def _candle_close(candle: Mapping[str, object], *, where: str) -> float:
    def side(key: str) -> float:
        part = candle.get(key)
        if part is None:
            return math.nan
        if not isinstance(part, dict):
            raise ParseError(f"{where}.{key} is not an object", source=_NAME)
        return _price(part, "close", where=f"{where}.{key}")

    traded = side("price")
    if traded > 0:
        return traded
    return _two_sided_mid(side("yes_bid"), side("yes_ask"))


def _price(raw: Mapping[str, object], stem: str, *, where: str) -> float:
    """``<stem>_dollars`` (string dollars), else legacy ``<stem>`` (integer cents)."""
    value = to_float(raw.get(f"{stem}_dollars"), source=_NAME, where=f"{where}.{stem}_dollars")
    if math.isnan(value) and stem in raw:
        value = cents_to_dollars(to_float(raw[stem], source=_NAME, where=f"{where}.{stem}"))
    if not math.isnan(value) and not 0.0 <= value <= 1.0:
        raise ParseError(
            f"{where}.{stem} = {value!r} dollars, outside [0, 1] (cents in a dollar field?)",
            source=_NAME,
        )
    return value


def _count(raw: Mapping[str, object], stem: str, *, where: str) -> float:
    """``<stem>_fp`` (fixed-point string), else the legacy integer ``<stem>``."""
    value = to_float(raw.get(f"{stem}_fp"), source=_NAME, where=f"{where}.{stem}_fp")
    if math.isnan(value):
        value = to_float(raw.get(stem), source=_NAME, where=f"{where}.{stem}")
    return value


# --- small parsers -----------------------------------------------------------------------


def _text(value: object, *, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where} is a {type(value).__name__}, not text", source=_NAME)
    return value


def _instant(value: object, *, where: str) -> datetime | None:
    """An ISO-8601 timestamp as aware UTC; ``None`` when absent (naive = UTC)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where} is {str(value)[:40]!r}, not an ISO timestamp", source=_NAME)
    try:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ParseError(f"{where} {value[:40]!r} is not an ISO timestamp", source=_NAME) from exc


def _next_cursor(body: bytes) -> str | None:
    """The non-empty ``cursor`` of a page, if any (bad JSON is left for ``parse``)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    cursor = data.get("cursor") if isinstance(data, dict) else None
    return cursor if isinstance(cursor, str) and cursor else None


def _shape(data: object) -> str:
    if isinstance(data, dict):
        keys = sorted(str(k) for k in data)
        return f"keys {keys[:12]}{' ...' if len(keys) > 12 else ''}"
    return f"a JSON {type(data).__name__}"


def _error_text(data: Mapping[str, object]) -> str:
    """The provider's own error message, when the body is an error object."""
    error = data.get("error", data.get("message"))
    if isinstance(error, dict):
        error = error.get("message", error.get("code"))
    return f" (provider says: {str(error)[:160]})" if isinstance(error, str) else ""
