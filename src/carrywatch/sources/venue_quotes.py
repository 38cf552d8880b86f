"""Sampled order-book quotes of one FOMC outcome on Polymarket and Kalshi (a CSV history).

The file is a public research project's sampler output: one row about every 30 minutes,
``timestamp_ms`` (unix milliseconds, UTC), ``timestamp_et`` (the same moment as US/Eastern
wall-clock time), then per venue the mid price of the outcome's "yes" side
(``poly_mid``, ``kalshi_mid``: the implied probability, 0-1), its spread, best bids,
depth and imbalance columns, and first differences ``d_*``. Only the mids are read: they
are the venues' prices; the rest are the sampler's own statistics.

Which outcome and meeting the file is about is not in the file (its folder says it: the
"no change" outcome of the FOMC decision of 2025-12-10); the caller passes them.

Checks, each a :class:`~carrywatch.errors.ParseError` naming the line: the header has the
columns read; every row has the header's number of fields (a cut-off body fails here);
``timestamp_et`` is ``timestamp_ms`` in US/Eastern (a file whose two clocks disagree is not
trusted); a mid is empty or a number in [0, 1]; moments increase. Mids are rounded to
1e-6: the sampler's float noise (``0.32999999999999996``) is not information, and venue
prices are whole cents or half-cent mids.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from carrywatch.errors import ParseError
from carrywatch.frames import observations_from_quotes, quotes_frame
from carrywatch.sources.base import to_float
from carrywatch.sources.csv_rows import csv_rows
from carrywatch.types import ParsedFrame

__all__ = ["MID_COLUMNS", "PARSE_VERSION", "SOURCE", "parse_venue_quotes", "venue_quotes"]

PARSE_VERSION: Final = 1
SOURCE: Final = "venue_quotes"
#: The column holding each venue's mid price of the outcome.
MID_COLUMNS: Final[Mapping[str, str]] = {"polymarket": "poly_mid", "kalshi": "kalshi_mid"}

_EASTERN: Final = ZoneInfo("America/New_York")
_DECIMALS: Final = 6


def venue_quotes(body: bytes, *, meeting: date, outcome: str) -> ParsedFrame:
    """The file's quotes as a :func:`~carrywatch.frames.quotes_frame` (``rows``)."""
    table = csv_rows(body, ("timestamp_ms", "timestamp_et", *MID_COLUMNS.values()), source=SOURCE)
    at = table.at
    venues: list[str] = []
    moments: list[datetime] = []
    mids: list[float] = []
    previous: datetime | None = None
    for line, row in table:
        moment = _moment(row[at["timestamp_ms"]], row[at["timestamp_et"]], line)
        if previous is not None and moment <= previous:
            raise ParseError(f"line {line}: {moment} does not follow {previous}", source=SOURCE)
        previous = moment
        for venue, column in MID_COLUMNS.items():
            mid = to_float(row[at[column]], source=SOURCE, where=f"line {line} {column}")
            venues.append(venue)
            moments.append(moment)
            mids.append(round(mid, _DECIMALS))
    frame = quotes_frame(
        SOURCE,
        venues=venues,
        meetings=[meeting] * len(venues),
        outcomes=[outcome] * len(venues),
        quoted_at=moments,
        probabilities=mids,
    )
    if frame.empty:
        raise ParseError("the file holds no quote", source=SOURCE)
    return ParsedFrame(source=SOURCE, rows=frame, parse_version=PARSE_VERSION)


def parse_venue_quotes(body: bytes, *, meeting: date, outcome: str) -> ParsedFrame:
    """Observations of the file's quotes (:func:`~carrywatch.frames.observations_from_quotes`):
    remote codes ``polymarket:<meeting>:<outcome>`` and ``kalshi:<meeting>:<outcome>``."""
    quotes = venue_quotes(body, meeting=meeting, outcome=outcome).rows
    return ParsedFrame(
        source=SOURCE,
        rows=observations_from_quotes(SOURCE, quotes),
        parse_version=PARSE_VERSION,
    )


def _moment(ms_text: str, eastern_text: str, line: int) -> datetime:
    """The row's moment (aware UTC), checked against its US/Eastern wall-clock time."""
    if not ms_text.strip().isdigit():
        raise ParseError(
            f"line {line}: timestamp_ms {ms_text[:20]!r} is not a number", source=SOURCE
        )
    try:
        moment = datetime.fromtimestamp(int(ms_text) / 1000.0, tz=UTC)
        wall = datetime.strptime(eastern_text.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 -- local by definition
    except (ValueError, OverflowError, OSError) as exc:
        raise ParseError(f"line {line}: unreadable time ({exc})", source=SOURCE) from exc
    expected = moment.astimezone(_EASTERN).replace(tzinfo=None, microsecond=0)
    if abs((expected - wall).total_seconds()) > 1.0:
        raise ParseError(
            f"line {line}: timestamp_et {eastern_text!r} is not timestamp_ms in US/Eastern "
            f"({expected:%Y-%m-%d %H:%M:%S})",
            source=SOURCE,
        )
    # The store keeps moments to the second; the sampler's milliseconds say nothing more.
    return moment.replace(microsecond=0)
