"""The ``Source`` protocol and the small parsing helpers every provider module shares.

A source does three things, kept apart so that raw bytes are never lost:

``plan(wanted, window)``
    which HTTP requests deliver the wanted remote codes (one file often carries many);
``fetch(request, http)``
    the bytes, untouched (several payloads when the provider pages its answers);
``parse(payload)``
    pure: bytes in, tidy observation rows out (see :mod:`carrywatch.frames`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from carrywatch.errors import ConfigError, ParseError
from carrywatch.frames import observations_from_quotes, quotes_frame
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "MISSING_MARKERS",
    "MONTHS",
    "Meeting",
    "QuoteRow",
    "QuoteSource",
    "Quotes",
    "Source",
    "ascii_digits",
    "decode_text",
    "join_origin",
    "last_per_day",
    "load_json",
    "meeting_in_month",
    "parsed_quotes",
    "reject_html",
    "require_count",
    "require_final_newline",
    "to_float",
    "unix_midnight",
    "unix_seconds",
    "utc_day",
]

#: Text that providers use for "no value": FRED's ``.``, MOF's ``-``, Fiscal Data's
#: ``null``, BOJ HTML's ``NA`` and the empty field.
MISSING_MARKERS = frozenset({"", ".", "-", "null", "NULL", "NA", "N/A", "n/a", "ND", "None"})


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DIGITS_AND_COMMAS = re.compile(r"^[+-]?[\d,]*\.?\d*$")


@runtime_checkable
class Source(Protocol):
    """What every provider module offers; see the module docstring."""

    name: str
    default_origin: str
    origin: str

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """The requests that deliver the remote codes in ``wanted`` over ``window``."""
        ...

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The payloads answering ``request``, bytes untouched."""
        ...

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Observation rows from one payload; raises ``ParseError`` on a bad shape."""
        ...


_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: Month numbers by English name and three-letter abbreviation (lower case; "sept" too).
MONTHS = {
    **{name: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}

#: A central-bank meeting as the market parsers place events on it: (decision day, kind).
Meeting = tuple[date, str]


@dataclass(frozen=True, slots=True)
class Quotes:
    """What a prediction-market answer quotes: a ``QUOTES`` frame as observations
    (:func:`~carrywatch.frames.observations_from_quotes`) in ``parsed``, the number of its
    events placed on a meeting, and a note for each event or outcome left out (why)."""

    parsed: ParsedFrame
    n_events: int
    notes: tuple[str, ...] = ()


#: One quote as a market parser reads it: (meeting, outcome code, probability, bid, ask,
#: volume); NaN where the venue says nothing.
QuoteRow = tuple[date, str, float, float, float, float]


def parsed_quotes(
    source: str,
    venue: str,
    payload: RawPayload,
    rows: Sequence[QuoteRow],
    *,
    parse_version: int,
    meta: dict[str, str] | None = None,
) -> ParsedFrame:
    """The observations of ``rows`` of ``venue``, each quoted at the payload's retrieval
    (:func:`~carrywatch.frames.quotes_frame`, then
    :func:`~carrywatch.frames.observations_from_quotes`)."""
    frame = quotes_frame(
        source,
        venues=[venue] * len(rows),
        meetings=[r[0] for r in rows],
        outcomes=[r[1] for r in rows],
        quoted_at=[payload.retrieved_at] * len(rows),
        probabilities=[r[2] for r in rows],
        fields={
            "bid": [r[3] for r in rows],
            "ask": [r[4] for r in rows],
            "volume": [r[5] for r in rows],
        },
    )
    return ParsedFrame(
        source=source,
        rows=observations_from_quotes(source, frame),
        parse_version=parse_version,
        meta={"kind": "quotes", **(meta or {})},
    )


@runtime_checkable
class QuoteSource(Source, Protocol):
    """A prediction-market provider: its markets on a bank's decisions are found by a
    discovery key (a Kalshi series ticker, a Polymarket event slug) and parsed into
    quotes placed on that bank's meetings."""

    def plan_discovery(self, key: str) -> list[FetchRequest]:
        """The requests that list every current market of ``key``."""
        ...

    def parse_quotes(
        self, payload: RawPayload, meetings: Sequence[Meeting], *, bank: str
    ) -> Quotes:
        """The quotes of one answer about ``bank`` (``fed`` or ``boj``), each event placed
        on one of ``meetings`` (that bank's); an answer about another bank is refused
        (``ParseError``)."""
        ...


def meeting_in_month(
    meetings: Sequence[Meeting], year: int, month: int, near: date | None
) -> date | None:
    """The meeting of ``year``-``month``: the one nearest ``near`` when given (an
    unscheduled one loses a tie), else the scheduled one; None when the month has none."""
    found = [(d, kind) for d, kind in meetings if (d.year, d.month) == (year, month)]
    if not found:
        return None
    if near is not None:
        return min(found, key=lambda m: (abs((m[0] - near).days), m[1] != "scheduled"))[0]
    return min(found, key=lambda m: (m[1] != "scheduled", m[0]))[0]


def join_origin(origin: str, path: str) -> str:
    """``origin`` (scheme://host[:port]) joined with a provider's real ``path``.

    Only scheme, host and port come from ``origin``, so a local server can stand in for
    a provider while receiving the provider's exact path and query.
    """
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"origin {origin!r} is not of the form scheme://host[:port], e.g. http://127.0.0.1:8765"
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def reject_html(body: bytes, *, source: str) -> None:
    """Raise ``ParseError`` when ``body`` is an HTML page (error pages often come with 200)."""
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise ParseError(
            "received an HTML/XML page where data was expected (the provider's error, login "
            f"or block page, even with status 200); try again later, and check "
            f"CARRYWATCH_{source.upper()}_ORIGIN if it is set",
            source=source,
        )


def require_final_newline(body: bytes, *, source: str) -> None:
    """Raise ``ParseError`` when a non-empty text payload does not end with a line break.

    For formats whose every line, the last included, ends with ``\n`` (or ``\r\n``):
    FRED's graph CSV, MOF's and Treasury's CSVs, e-Stat's and BOJ's flat files. A body
    cut in transfer (with a matching ``Content-Length``) then ends inside a line, often
    inside a number (``2024-08-02,3`` for ``3.80``), and must not be read as data.
    """
    if body and not body.endswith(b"\n"):
        tail = body[-24:].decode("utf-8", errors="replace")
        raise ParseError(
            f"the file ends inside a line (...{tail!r}), without the final line break this "
            "format always has: it was cut off in transfer; try again later",
            source=source,
        )


def require_count(declared: object, found: int, *, source: str, what: str) -> None:
    """Raise ``ParseError`` when a payload's own row count ``declared`` (an int) is not
    the ``found`` rows; a count that is absent or not an integer is not checked."""
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != found:
        raise ParseError(
            f"{what} declares {declared} row(s) but holds {found}: the answer is incomplete; "
            "try again later",
            source=source,
        )


def decode_text(body: bytes, *, encoding: str, source: str) -> str:
    """Decode ``body`` strictly; a wrongly encoded file is a ``ParseError``, not mojibake."""
    reject_html(body, source=source)
    is_utf8 = encoding.lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}
    if is_utf8 and body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"payload is not valid {encoding} "
            f"(byte {exc.start}: {body[exc.start : exc.start + 4]!r})",
            source=source,
        ) from exc


def load_json(body: bytes, *, source: str) -> object:
    """Parse JSON strictly (no NaN/Infinity literals); errors become ``ParseError``."""
    reject_html(body, source=source)

    def _reject_constant(token: str) -> object:
        raise ValueError(f"non-standard JSON constant {token}")

    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise ParseError(f"payload is not UTF-8 JSON ({exc.reason})", source=source) from exc
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"payload is not valid JSON ({exc})", source=source) from exc


def to_float(text: object, *, source: str, where: str = "") -> float:
    """A provider's numeric field as float; missing markers give NaN.

    Accepts numbers, numeric strings (with thousands separators) and the markers in
    :data:`MISSING_MARKERS`. Anything else is a ``ParseError`` naming ``where``.
    """
    if text is None:
        return math.nan
    if isinstance(text, bool):
        raise ParseError(f"boolean where a number was expected{_at(where)}", source=source)
    if isinstance(text, int | float):
        try:
            value = float(text)
        except OverflowError as exc:  # a JSON integer too large for a double
            raise ParseError(f"number too large{_at(where)}", source=source) from exc
    elif isinstance(text, str):
        cleaned = text.strip().strip('"')
        if cleaned in MISSING_MARKERS:
            return math.nan
        if "," in cleaned:
            # Only thousands separators in groups of three: "3,78" (a decimal comma) must
            # not silently become 378.
            if _THOUSANDS.match(cleaned):
                cleaned = cleaned.replace(",", "")
            elif _DIGITS_AND_COMMAS.match(cleaned):
                raise ParseError(
                    f"ambiguous number {text[:40]!r}{_at(where)}: use '.' as the decimal separator",
                    source=source,
                )
        try:
            value = float(cleaned)
        except ValueError as exc:
            raise ParseError(f"not a number: {text[:40]!r}{_at(where)}", source=source) from exc
    else:
        raise ParseError(
            f"{type(text).__name__} where a number was expected{_at(where)}", source=source
        )
    if not math.isfinite(value):
        raise ParseError(f"non-finite number {text!r}{_at(where)}", source=source)
    return value


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits (``str.isdigit`` also accepts ``'¹'``
    and other characters that ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def _at(where: str) -> str:
    return f" at {where}" if where else ""


def utc_day(t: int, *, source: str, where: str) -> date:
    """The UTC calendar day of unix time ``t`` (seconds); out-of-range is a ``ParseError``."""
    try:
        return datetime.fromtimestamp(t, UTC).date()
    except (OverflowError, OSError, ValueError) as exc:
        raise ParseError(f"{where} {t} is not a representable time", source=source) from exc


def unix_seconds(value: object, *, source: str, where: str, allow_text: bool = True) -> int:
    """Unix seconds given as an integer, an integral float or (``allow_text``) a string of
    digits, as CCXT-recorded payloads carry them; anything else is a ``ParseError``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if allow_text and isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value.strip()):
        return int(value.strip())
    raise ParseError(f"{where} is {str(value)[:40]!r}, not unix seconds", source=source)


def unix_midnight(day: date) -> int:
    """Unix seconds of 00:00 UTC on ``day`` (the start of a daily bucket in a query)."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def last_per_day(points: Iterable[tuple[int, date, float]]) -> dict[date, float]:
    """Intraday points ``(unix seconds, day, value)`` as daily values: the latest point of
    each day wins, whatever order the points come in; days in ascending order."""
    daily: dict[date, float] = {}
    for _, day, value in sorted(points, key=lambda p: p[0]):
        daily[day] = value
    return dict(sorted(daily.items()))
