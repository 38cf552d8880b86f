"""Polymarket: event odds from the Gamma API, price history from the CLOB API (sources.md §6).

Endpoints (no authentication)
-----------------------------
``polymarket_gamma``
    ``GET https://gamma-api.polymarket.com/events/slug/<event-slug>`` → one event object
    whose ``markets`` array holds one binary (Yes/No) market per outcome [verified].
    ``GET /events?slug=<slug>`` answers the same event inside an array [reported]; both
    shapes are accepted.
``polymarket_clob``
    ``GET https://clob.polymarket.com/prices-history?market=<token id>&startTs=<unix s>
    &endTs=<unix s>&fidelity=<minutes>`` (or ``interval=max`` instead of the pair) →
    ``{"history": [{"t": <unix s>, "p": <price>}, ...]}``; ``market`` is a CLOB *token id*,
    not a condition id or a slug. An empty ``history`` is a valid answer (resolved
    markets often have none [reported: py-clob-client #189, #216]).

Format quirks
-------------
* ``outcomes``, ``outcomePrices`` and ``clobTokenIds`` are JSON arrays *encoded as
  strings* (``"[\\"Yes\\", \\"No\\"]"``): decoded with a second ``json.loads``. Index ``i``
  of each array is the same outcome; the YES price is taken at the index of ``"Yes"``.
* Placeholder markets that never opened carry no ``outcomePrices`` (12 of the 39 in the
  recorded event) and give no row; ``bestBid`` is absent when the book has no bid.
* Market ``volume``/``liquidity`` are decimal strings, ``volumeNum``/``liquidityNum``,
  ``bestBid``, ``bestAsk``, ``spread``, ``lastTradePrice`` numbers: every field goes
  through :func:`~carrywatch.sources.base.to_float`.
* Token ids are ~77-digit integers and stay strings (a float would lose them).
* prices-history ``t``/``p`` are JSON numbers live but strings in the only recording
  (CCXT's fixture): both are accepted.

Units: prices are probabilities in [0, 1] (USDC per share that pays 1 USDC on YES);
volume and liquidity are USD. A price outside [0, 1] is a ``ParseError``.

Remote codes and dates
----------------------
``polymarket_gamma``: an event slug (``who-will-trump-nominate-as-fed-chair``: every
market of the event) or ``<event-slug>/<market-slug>`` (one market); rows always carry
``<event-slug>/<market-slug>``. Gamma is a snapshot: ``obs_date`` is the UTC date of the
event's ``updatedAt``, or of the retrieval when the event has none (the snapshot is then
as of when we fetched it). The window is ignored.

``polymarket_clob``: a token id (the YES token, ``clobTokenIds[0]`` of a Gamma market).
Intraday points become daily: the LAST point of each UTC day (Polymarket trades 24/7, so
the UTC day is the natural bucket).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from carrywatch.errors import CatalogError, ParseError
from carrywatch.frames import label_move, move_outcome, observations_frame
from carrywatch.sources.base import (
    MONTHS,
    Meeting,
    QuoteRow,
    Quotes,
    ascii_digits,
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
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "MONTH_MATCH_DAYS",
    "PARSE_VERSION",
    "GammaEvent",
    "GammaMarket",
    "PolymarketClob",
    "PolymarketGamma",
    "gamma_event",
    "gamma_event_markets",
    "polymarket_meeting",
]

PARSE_VERSION = 1

_GAMMA = "polymarket_gamma"
_CLOB = "polymarket_clob"
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
# A token id is a uint256 in decimal: up to 78 digits. Requiring 30+ catches the usual
# mix-up with a Gamma market id ("572469") or a condition id ("0x61b6...").
_TOKEN_ID = re.compile(r"[0-9]{30,78}")
_YES = "Yes"
#: Minutes per prices-history point; hourly is plenty for a last-of-day series.
_FIDELITY_MIN = "60"
#: How far (days) an event's ``endDate`` may lie from the meeting its title names.
MONTH_MATCH_DAYS = 62
_DECISION = re.compile(
    r"\bdecision\s+in\s+(?P<month>[A-Za-z]+)\.?(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE
)
#: How an event's title names each bank ("Fed decision in December?", "Bank of Japan
#: decision in January?"), and the bank's short name in messages.
_BANK_TITLES = {
    "fed": (re.compile(r"\b(?:Fed|FOMC|Federal Reserve)\b", re.IGNORECASE), "Fed"),
    "boj": (re.compile(r"\b(?:BOJ|Bank of Japan)\b", re.IGNORECASE), "BOJ"),
}


@dataclass(frozen=True, slots=True)
class GammaMarket:
    """One binary market of a Gamma event.

    Prices (``yes_price``, ``best_bid``, ``best_ask``, ``spread``, ``last_trade_price``)
    are probabilities in [0, 1]; ``volume_usd`` and ``liquidity_usd`` are USD. A field the
    provider left out is NaN (numbers) or ``None`` (``end_date``, ``yes_token_id``,
    ``updated_at``). ``clob_token_ids`` keeps the provider's outcome order;
    ``yes_token_id`` is the one at the index of ``"Yes"`` (the remote code of
    ``polymarket_clob``). ``updated_at`` is the market's ``updatedAt`` (Gamma carries no
    last-trade time).
    """

    slug: str
    question: str
    group_item_title: str
    yes_price: float
    best_bid: float
    best_ask: float
    spread: float
    volume_usd: float
    liquidity_usd: float
    last_trade_price: float
    clob_token_ids: tuple[str, ...]
    closed: bool
    end_date: datetime | None
    yes_token_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GammaEvent:
    """A Gamma event: its identity, dates and binary markets (one per outcome).

    ``end_date`` and ``updated_at`` are the event's ``endDate`` and ``updatedAt`` (``None``
    when absent); ``closed`` is False when the field is absent.
    """

    slug: str
    title: str
    end_date: datetime | None
    updated_at: datetime | None
    closed: bool
    markets: tuple[GammaMarket, ...]


def gamma_event(payload: RawPayload) -> GammaEvent:
    """The Gamma event in ``payload`` with its markets (provider's order).

    Raises ``ParseError`` (source ``polymarket_gamma``) when the payload is not an event.
    """
    event = _gamma_event(payload)
    slug = event.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ParseError("the event has no 'slug'", source=_GAMMA)
    closed = event.get("closed", False)
    if not isinstance(closed, bool):
        raise ParseError(f"event.closed is {closed!r}, not true/false", source=_GAMMA)
    return GammaEvent(
        slug=slug,
        title=_text(event.get("title"), where="event.title"),
        end_date=_optional_instant(event.get("endDate"), where="event.endDate"),
        updated_at=_optional_instant(event.get("updatedAt"), where="event.updatedAt"),
        closed=closed,
        markets=tuple(_gamma_market(m, i) for i, m in enumerate(_event_markets(event))),
    )


def gamma_event_markets(payload: RawPayload) -> list[GammaMarket]:
    """The markets of the Gamma event in ``payload``, in the provider's order.

    Raises ``ParseError`` (source ``polymarket_gamma``) when the payload is not an event.
    """
    return [_gamma_market(m, i) for i, m in enumerate(_event_markets(_gamma_event(payload)))]


class PolymarketGamma:
    """Current YES prices of the markets of Polymarket events (Gamma API snapshot)."""

    name = _GAMMA
    default_origin = "https://gamma-api.polymarket.com"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One ``/events/slug/<slug>`` request per event; the window is ignored (snapshot)."""
        by_event: dict[str, list[str]] = {}
        for code in wanted:
            event, sep, market = code.partition("/")
            if not _SLUG.fullmatch(event) or (sep and not _SLUG.fullmatch(market)):
                raise CatalogError(
                    f"{self.name}: {code!r} is not an event slug or '<event-slug>/<market-slug>' "
                    "(e.g. 'who-will-trump-nominate-as-fed-chair')"
                )
            codes = by_event.setdefault(event, [])
            if code not in codes:
                codes.append(code)
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(self.origin, f"/events/slug/{event}"),
                remote_codes=tuple(codes),
            )
            for event, codes in by_event.items()
        ]

    def plan_discovery(self, key: str) -> list[FetchRequest]:
        """Discovery: the ``/events/slug/<key>`` request of one event (every market).

        The same request as :meth:`plan`, for a whole event only: a ``<event>/<market>``
        code is refused.
        """
        if "/" in key:
            raise CatalogError(
                f"{self.name}: {key!r} names a market; give the event slug alone "
                "(e.g. 'fed-decision-in-october')"
            )
        return self.plan([key], Window())

    def parse_quotes(
        self, payload: RawPayload, meetings: Sequence[Meeting], *, bank: str
    ) -> Quotes:
        """The quotes of a "Fed decision in <Month>" event placed on its meeting
        (:func:`polymarket_meeting`): one per outcome whose label is a rate move
        (:func:`~carrywatch.frames.label_move`; outcome ``hold``, ``cut_25``,
        ``hike_50_plus`` ...).

        Each quote is the market as seen at the retrieval (``quoted_at``): probability its
        ``outcomePrices`` YES price (the midpoint Polymarket displays), else the mid of a
        two-sided book; ``bid``/``ask`` its ``bestBid``/``bestAsk``; ``volume`` in USD.
        Any other event (a chair nomination, say), and outcomes that are not rate moves
        or carry no price, are left out with a note; an event other than the slug asked
        for, or one whose title names another bank than ``bank`` (a Fed decision asked for
        under ``markets refresh boj``), is refused (``ParseError``).
        """
        event = gamma_event(payload)
        # The event must be the one asked for: a Gamma event names its own meeting, so
        # another event's answer would be read as quotes nobody asked for.
        _selected_codes(
            payload.request.remote_codes,
            event.slug,
            [f"{event.slug}/{m.slug}" for m in event.markets],
        )
        self._require_bank(event, bank)
        meeting = polymarket_meeting(event.title, event.end_date, event.updated_at, meetings)
        if meeting is None:
            why = (
                f"no meeting in the catalog matches {event.title!r}"
                if _DECISION.search(event.title)
                else f"{event.title!r} is not a rate-decision event ('... decision in <Month>')"
            )
            return Quotes(
                parsed=self._parsed(payload, []),
                n_events=0,
                notes=(f"{event.slug}: {why}; no quote stored",),
            )
        rows: list[QuoteRow] = []
        notes: list[str] = []
        for m in event.markets:
            label = m.group_item_title or m.question
            move = label_move(label)
            outcome = None if move is None else move_outcome(move[0], or_more=move[1])
            price = _outcome_price(m)
            if outcome is None:
                notes.append(f"{event.slug}: {label!r} is not a rate move; left out")
            elif math.isnan(price):
                notes.append(f"{event.slug}: {label!r} has no price; left out")
            else:
                rows.append((meeting, outcome, price, m.best_bid, m.best_ask, m.volume_usd))
        return Quotes(parsed=self._parsed(payload, rows), n_events=1, notes=tuple(notes))

    def _require_bank(self, event: GammaEvent, bank: str) -> None:
        """Refuse an event whose title names another bank than ``bank`` and not ``bank``
        itself: its meeting would be looked up among ``bank``'s meetings, and a Fed
        decision in December would land on the BOJ's December meeting. A title naming
        no bank is taken as the bank asked for."""
        named = [b for b, (pattern, _) in _BANK_TITLES.items() if pattern.search(event.title)]
        if named and bank not in named:
            other, asked = _BANK_TITLES[named[0]][1], _BANK_TITLES[bank][1]
            raise ParseError(
                f"event {event.slug!r} ({event.title!r}) is about the {other}, not the "
                f"{asked} asked for; give a {asked} event's slug, or ask under "
                f"`markets refresh {named[0]}`",
                source=self.name,
            )

    def _parsed(self, payload: RawPayload, rows: Sequence[QuoteRow]) -> ParsedFrame:
        return parsed_quotes(self.name, "polymarket", payload, rows, parse_version=PARSE_VERSION)

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The event object, bytes untouched (one request, no paging)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """One row per priced market: ``<event>/<market>``, snapshot date, YES price."""
        event = _gamma_event(payload)
        event_slug = event.get("slug")
        if not isinstance(event_slug, str) or not event_slug:
            raise ParseError("the event has no 'slug'", source=self.name)
        markets = [_gamma_market(m, i) for i, m in enumerate(_event_markets(event))]
        codes = [f"{event_slug}/{m.slug}" for m in markets]
        selected = _selected_codes(payload.request.remote_codes, event_slug, codes)
        updated_at = event.get("updatedAt")
        if updated_at is None or updated_at == "":
            obs_day, basis = payload.retrieved_at.astimezone(UTC).date(), "retrieved_at"
        else:
            obs_day, basis = _utc_instant(updated_at, where="updatedAt").date(), "updatedAt"
        kept = [
            (code, m.yes_price)
            for code, m in zip(codes, markets, strict=True)
            if selected is None or code in selected
        ]
        rows = observations_frame(
            self.name, [c for c, _ in kept], [obs_day] * len(kept), [v for _, v in kept]
        )
        title = event.get("title")
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={
                "event_slug": event_slug,
                "event_title": title if isinstance(title, str) else "",
                "obs_date_basis": basis,
                "markets": str(len(markets)),
            },
        )


class PolymarketClob:
    """Daily YES-token prices from the CLOB ``/prices-history`` endpoint."""

    name = _CLOB
    default_origin = "https://clob.polymarket.com"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One request per token id.

        A closed window asks ``startTs``/``endTs`` (UTC midnights, end day included);
        an open one asks ``interval=max``, as the API takes one or the other [reported].
        """
        requests = []
        for token in dict.fromkeys(wanted):
            if not _TOKEN_ID.fullmatch(token):
                raise CatalogError(
                    f"{self.name}: {token!r} is not a CLOB token id (a decimal integer of up "
                    "to 78 digits from a Gamma market's clobTokenIds; not a condition id, "
                    "market id or slug)"
                )
            params: list[tuple[str, str]] = [("market", token)]
            if window.start is not None and window.end is not None:
                params += [
                    ("startTs", str(unix_midnight(window.start))),
                    ("endTs", str(unix_midnight(window.end + timedelta(days=1)) - 1)),
                ]
            else:
                params.append(("interval", "max"))
            params.append(("fidelity", _FIDELITY_MIN))
            requests.append(
                FetchRequest(
                    source=self.name,
                    url=join_origin(self.origin, "/prices-history"),
                    params=tuple(params),
                    remote_codes=(token,),
                )
            )
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The history, bytes untouched (one request, no paging)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Daily rows: the last price of each UTC day for the requested token."""
        data = load_json(payload.body, source=self.name)
        if not isinstance(data, dict) or "history" not in data:
            raise ParseError(
                f"expected {{'history': [...]}}, found {_shape(data)}{_error_text(data)}",
                source=self.name,
            )
        history = data["history"]
        if not isinstance(history, list):
            raise ParseError(
                f"'history' is a {type(history).__name__}, not a list", source=self.name
            )
        token = _requested_token(payload.request)
        points: list[tuple[int, date, float]] = []
        for i, point in enumerate(history):
            where = f"history[{i}]"
            if not isinstance(point, dict) or "t" not in point or "p" not in point:
                raise ParseError(
                    f"{where} is not a {{'t', 'p'}} point: {_shape(point)}", source=_CLOB
                )
            price = _probability(point["p"], source=self.name, where=f"{where}.p")
            if math.isnan(price):
                continue
            t = unix_seconds(point["t"], source=self.name, where=f"{where}.t")
            points.append((t, utc_day(t, source=self.name, where=f"{where}.t"), price))
        daily = last_per_day(points)
        rows = observations_frame(
            self.name, [token] * len(daily), list(daily), list(daily.values())
        )
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={"token_id": token, "points": str(len(points))},
        )


# --- Gamma helpers -----------------------------------------------------------------------


def _gamma_event(payload: RawPayload) -> dict[str, object]:
    data = load_json(payload.body, source=_GAMMA)
    if isinstance(data, list):
        # GET /events?slug=... answers an array of 0 or 1 events.
        if len(data) != 1:
            raise ParseError(f"expected one event, found an array of {len(data)}", source=_GAMMA)
        data = data[0]
    if not isinstance(data, dict) or "markets" not in data:
        raise ParseError(
            f"expected an event object with 'markets', found {_shape(data)}{_error_text(data)}",
            source=_GAMMA,
        )
    return data


def _event_markets(event: dict[str, object]) -> list[object]:
    markets = event["markets"]
    if not isinstance(markets, list):
        raise ParseError(f"'markets' is a {type(markets).__name__}, not a list", source=_GAMMA)
    return markets


def _gamma_market(raw: object, index: int) -> GammaMarket:
    where = f"markets[{index}]"
    if not isinstance(raw, dict):
        raise ParseError(f"{where} is a {type(raw).__name__}, not an object", source=_GAMMA)
    slug = raw.get("slug")
    if not isinstance(slug, str) or not slug:
        raise ParseError(f"{where} has no 'slug' (keys: {_shape(raw)})", source=_GAMMA)
    where = f"market {slug!r}"
    if "outcomes" not in raw:
        raise ParseError(f"{where} has no 'outcomes' (keys: {_shape(raw)})", source=_GAMMA)
    outcomes = _encoded_array(raw["outcomes"], where=f"{where}.outcomes")
    prices = _encoded_array(raw.get("outcomePrices"), where=f"{where}.outcomePrices")
    tokens = _encoded_array(raw.get("clobTokenIds"), where=f"{where}.clobTokenIds")
    if prices and len(prices) != len(outcomes):
        raise ParseError(
            f"{where}: {len(outcomes)} outcomes but {len(prices)} outcomePrices", source=_GAMMA
        )
    token_ids = tuple(_token_text(t, where=f"{where}.clobTokenIds") for t in tokens)
    yes = outcomes.index(_YES) if _YES in outcomes else None
    yes_price = math.nan
    if yes is not None and prices:
        yes_price = _probability(prices[yes], source=_GAMMA, where=f"{where}.outcomePrices")
    closed = raw.get("closed", False)
    if not isinstance(closed, bool):
        raise ParseError(f"{where}.closed is {closed!r}, not true/false", source=_GAMMA)
    return GammaMarket(
        slug=slug,
        question=_text(raw.get("question"), where=f"{where}.question"),
        group_item_title=_text(raw.get("groupItemTitle"), where=f"{where}.groupItemTitle"),
        yes_price=yes_price,
        best_bid=_probability(raw.get("bestBid"), source=_GAMMA, where=f"{where}.bestBid"),
        best_ask=_probability(raw.get("bestAsk"), source=_GAMMA, where=f"{where}.bestAsk"),
        spread=_probability(raw.get("spread"), source=_GAMMA, where=f"{where}.spread"),
        volume_usd=_first_number(raw, ("volumeNum", "volume"), where=where),
        liquidity_usd=_first_number(raw, ("liquidityNum", "liquidity"), where=where),
        last_trade_price=_probability(
            raw.get("lastTradePrice"), source=_GAMMA, where=f"{where}.lastTradePrice"
        ),
        clob_token_ids=token_ids,
        closed=closed,
        end_date=_optional_instant(raw.get("endDate"), where=f"{where}.endDate"),
        yes_token_id=token_ids[yes] if yes is not None and yes < len(token_ids) else None,
        updated_at=_optional_instant(raw.get("updatedAt"), where=f"{where}.updatedAt"),
    )


def _encoded_array(value: object, *, where: str) -> list[object]:
    """A JSON array that Gamma ships as a string; absent or null gives ``[]``."""
    if value is None or value == "":
        return []
    decoded = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"{where} is not a JSON-encoded array ({exc})", source=_GAMMA) from exc
    if not isinstance(decoded, list):
        raise ParseError(f"{where} is not an array: {str(value)[:40]!r}", source=_GAMMA)
    return decoded


def _reject_constant(token: str) -> object:
    raise ValueError(f"non-standard JSON constant {token}")


def _token_text(value: object, *, where: str) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not ascii_digits(text):
        raise ParseError(f"{where} holds {str(value)[:40]!r}, not a token id", source=_GAMMA)
    return text


def _text(value: object, *, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ParseError(f"{where} is a {type(value).__name__}, not text", source=_GAMMA)
    return value


def _first_number(raw: dict[str, object], keys: Iterable[str], *, where: str) -> float:
    """The first of ``keys`` that holds a number (numeric twin before decimal string)."""
    for key in keys:
        value = to_float(raw.get(key), source=_GAMMA, where=f"{where}.{key}")
        if not math.isnan(value):
            return value
    return math.nan


def _selected_codes(
    wanted: Sequence[str], event_slug: str, codes: Sequence[str]
) -> set[str] | None:
    """The market codes to keep (``None``: all), checking each wanted code is here."""
    keep_all = not wanted
    selected: set[str] = set()
    present = set(codes)
    for code in wanted:
        event, _, market = code.partition("/")
        if event != event_slug:
            raise ParseError(
                f"asked for event {event!r} but the payload is event {event_slug!r}", source=_GAMMA
            )
        if not market:
            keep_all = True
        elif code not in present:
            sample = ", ".join(c.partition("/")[2] for c in codes[:5])
            raise ParseError(
                f"market {market!r} is not in event {event_slug!r} "
                f"({len(codes)} markets found: {sample}{', ...' if len(codes) > 5 else ''})",
                source=_GAMMA,
            )
        else:
            selected.add(code)
    return None if keep_all else selected


def polymarket_meeting(
    title: str,
    end_date: datetime | None,
    updated_at: datetime | None,
    meetings: Sequence[Meeting],
) -> date | None:
    """The meeting a Polymarket "... decision in <Month>[ <year>]" event is about, or None.

    The month is the title's; the year is the title's, else that of the meeting in that
    month nearest to the event's ``endDate`` (``updatedAt`` when absent), within
    :data:`MONTH_MATCH_DAYS`. Any other title is not a rate decision.
    """
    match = _DECISION.search(title)
    month = MONTHS.get(match["month"].lower()) if match is not None else None
    if match is None or month is None:
        return None
    reference = end_date or updated_at
    near = reference.astimezone(UTC).date() if reference is not None else None
    if match["year"]:
        return meeting_in_month(meetings, int(match["year"]), month, near)
    if near is None:
        return None
    found = [(d, kind) for d, kind in meetings if d.month == month]
    if not found:
        return None
    best, _ = min(found, key=lambda m: (abs((m[0] - near).days), m[1] != "scheduled"))
    return best if abs((best - near).days) <= MONTH_MATCH_DAYS else None


def _outcome_price(market: GammaMarket) -> float:
    """The YES price, else the mid of a two-sided book, else NaN."""
    if 0.0 <= market.yes_price <= 1.0:
        return market.yes_price
    if 0.0 < market.best_bid <= market.best_ask < 1.0:
        return (market.best_bid + market.best_ask) / 2.0
    return math.nan


# --- CLOB helpers ------------------------------------------------------------------------


def _requested_token(request: FetchRequest) -> str:
    """The token id the history belongs to: the answer itself does not name it."""
    token = dict(request.params).get("market")
    if token is None and len(request.remote_codes) == 1:
        token = request.remote_codes[0]
    if not token:
        raise ParseError(
            "the request names no token id ('market' parameter), and prices-history "
            "answers do not carry it",
            source=_CLOB,
        )
    return token


# --- shared small parsers ----------------------------------------------------------------


def _probability(value: object, *, source: str, where: str) -> float:
    """A price in [0, 1]; NaN when missing."""
    price = to_float(value, source=source, where=where)
    if not math.isnan(price) and not 0.0 <= price <= 1.0:
        raise ParseError(f"price {price!r} outside [0, 1] at {where}", source=source)
    return price


def _utc_instant(value: object, *, where: str) -> datetime:
    """An ISO-8601 timestamp as aware UTC (naive ones are taken as UTC)."""
    if not isinstance(value, str):
        raise ParseError(f"{where} is {str(value)[:40]!r}, not an ISO timestamp", source=_GAMMA)
    try:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ParseError(f"{where} {value[:40]!r} is not an ISO timestamp", source=_GAMMA) from exc


def _optional_instant(value: object, *, where: str) -> datetime | None:
    """:func:`_utc_instant`, with ``None`` for an absent, null or empty field."""
    return None if value is None or value == "" else _utc_instant(value, where=where)


def _shape(data: object) -> str:
    if isinstance(data, dict):
        keys = sorted(str(k) for k in data)
        return f"keys {keys[:12]}{' ...' if len(keys) > 12 else ''}"
    return f"a JSON {type(data).__name__}"


def _error_text(data: object) -> str:
    """The provider's own error message, when the body is an error object."""
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(data.get(key), str):
                return f" (provider says: {str(data[key])[:160]})"
    return ""
