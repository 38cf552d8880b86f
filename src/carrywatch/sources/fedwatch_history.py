"""CME FedWatch's published probabilities, saved day by day (a CSV history).

A public tracker saved CME Group's FedWatch page once a day: per snapshot day, meeting and
target range, the probability CME published ``prob_now`` (percent) and the mid price of the
meeting month's 30-day fed funds future (``contract`` ``ZQN6``, ``mid_price``). Header::

    snapshot_date,meeting_date,rate_range,prob_now,prob_1d,prob_1w,prob_1m,is_most_likely,
    contract,mid_price,current_target_rate

Read into observations dated by the snapshot day:

``cme_fedwatch:<meeting>:<lower_bp>-<upper_bp>``
    CME's published probability (percent, as published) that the target range after the
    meeting is that range (``350-375`` is 3.50-3.75%; CME's "(Current)" mark is dropped);
``ZQ<month><yy>``
    the contract's mid price, with a two-digit year taken from the meeting (``ZQN6`` of the
    2026-07-29 meeting is ``ZQN26``).

Left out, on purpose: ``prob_1d``/``prob_1w``/``prob_1m`` (CME's values one day, week and
month earlier: their exact dates are not stated, and the days they stand for are mostly
snapshot days themselves); ``is_most_likely`` (derivable); ``current_target_rate`` (a label
glued to a number, ``350-37585``); rows without a range in basis points or without a
contract (the tracker's first day, ``NO CHANGE``/``HIKE`` repeated), counted in
``meta["skipped_rows"]``. A day the tracker saved twice (2026-07-13: every range again,
with other numbers) keeps its later capture, the one further down the file (the tracker
appends; repeated rows with the same numbers are common too);
``meta["superseded_values"]`` counts the values a later capture changed.

Checks (:class:`~carrywatch.errors.ParseError` naming the line): the header; dates; a
range ``LLL-UUU`` with ``LLL < UUU``; probabilities in [0, 100]; mids in (0, 100]; the
contract's month letter is the meeting's month; two mids of one contract in one capture; the
probabilities of each day and meeting sum to 100 within :data:`SUM_TOLERANCE_PCT`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import date
from typing import Final

from carrywatch.errors import ParseError
from carrywatch.frames import observations_frame, quote_code
from carrywatch.sources.base import to_float
from carrywatch.sources.csv_rows import csv_rows
from carrywatch.types import ParsedFrame

__all__ = ["PARSE_VERSION", "SOURCE", "SUM_TOLERANCE_PCT", "VENUE", "parse_fedwatch_history"]

PARSE_VERSION: Final = 1
SOURCE: Final = "cme_fedwatch"
VENUE: Final = "cme_fedwatch"
#: CME rounds each probability to 0.1 pp; nine ranges at most can miss 100 by 0.45.
SUM_TOLERANCE_PCT: Final = 0.5

_MONTH_CODES: Final = "FGHJKMNQUVXZ"  # CME month codes, January to December
_COLUMNS: Final = (
    "snapshot_date",
    "meeting_date",
    "rate_range",
    "prob_now",
    "contract",
    "mid_price",
)
_RANGE: Final = re.compile(r"^(\d{3})-(\d{3})(?: \(Current\))?$")
_CONTRACT: Final = re.compile(r"^ZQ([FGHJKMNQUVXZ])(\d)$")


def parse_fedwatch_history(body: bytes) -> ParsedFrame:
    """Observations of CME's published probabilities and the ZQ mids (module docstring)."""
    table = csv_rows(body, _COLUMNS, source=SOURCE)
    at = table.at
    # Per snapshot day, its captures in file order: (code -> (value, line)) each.
    captures: dict[date, list[dict[str, tuple[float, int]]]] = defaultdict(lambda: [{}])
    skipped = 0
    for line, row in table:
        band = _RANGE.match(row[at["rate_range"]].strip())
        contract = row[at["contract"]].strip()
        if band is None or not contract:
            skipped += 1
            continue
        day = _date(row[at["snapshot_date"]], line, "snapshot_date")
        meeting = _date(row[at["meeting_date"]], line, "meeting_date")
        lower_bp, upper_bp = int(band[1]), int(band[2])
        if lower_bp >= upper_bp:
            raise ParseError(f"line {line}: range {band[0]!r} is empty", source=SOURCE)
        probability = _number(row[at["prob_now"]], line, "prob_now", 0.0, 100.0)
        mid = _number(row[at["mid_price"]], line, "mid_price", 0.0, 100.0, open_low=True)
        code = _contract_code(contract, meeting, line)
        band_code = quote_code(VENUE, meeting, f"{lower_bp}-{upper_bp}")
        if band_code in captures[day][-1]:
            captures[day].append({})  # the same range again: the tracker ran again that day
        capture = captures[day][-1]
        capture[band_code] = (probability, line)
        seen = capture.setdefault(code, (mid, line))
        if seen[0] != mid:
            raise ParseError(
                f"line {line}: {code} on {day} is {mid:g} here and {seen[0]:g} on line {seen[1]}",
                source=SOURCE,
            )
    values, superseded = _latest_captures(captures)
    _check_sums(values)
    if not values:
        raise ParseError("the file holds no probability with a range and a contract", source=SOURCE)
    keys = sorted(values)
    frame = observations_frame(
        SOURCE, [c for c, _ in keys], [d for _, d in keys], [values[k] for k in keys]
    )
    return ParsedFrame(
        source=SOURCE,
        rows=frame,
        parse_version=PARSE_VERSION,
        meta={"skipped_rows": str(skipped), "superseded_values": str(superseded)},
    )


def _latest_captures(
    captures: dict[date, list[dict[str, tuple[float, int]]]],
) -> tuple[dict[tuple[str, date], float], int]:
    """Each (code, day)'s value from the day's last capture holding it, and how many
    values a later capture changed."""
    values: dict[tuple[str, date], float] = {}
    superseded = 0
    for day, found in captures.items():
        for capture in found:  # a later capture of the day replaces an earlier one
            for code, (value, _) in capture.items():
                superseded += values.get((code, day), value) != value
                values[(code, day)] = value
    return values, superseded


def _check_sums(values: dict[tuple[str, date], float]) -> None:
    sums: dict[tuple[date, str], float] = defaultdict(float)
    for (code, day), value in values.items():
        if code.startswith(f"{VENUE}:"):
            sums[(day, code.split(":")[1])] += value
    for (day, meeting), total in sorted(sums.items()):
        if abs(total - 100.0) > SUM_TOLERANCE_PCT:
            raise ParseError(
                f"the probabilities of the {meeting} meeting on {day} sum to {total:.1f}%",
                source=SOURCE,
            )


def _date(text: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(
            f"line {line}: {column} {text[:20]!r} is not a date", source=SOURCE
        ) from None


def _number(
    text: str, line: int, column: str, low: float, high: float, *, open_low: bool = False
) -> float:
    value = to_float(text, source=SOURCE, where=f"line {line} {column}")
    below = value <= low if open_low else value < low
    if math.isnan(value) or below or value > high:
        raise ParseError(
            f"line {line}: {column} {text[:20]!r} is not in {'(' if open_low else '['}"
            f"{low:g}, {high:g}]",
            source=SOURCE,
        )
    return value


def _contract_code(contract: str, meeting: date, line: int) -> str:
    """``ZQN6`` of a July 2026 meeting as ``ZQN26``; the letter and digit must be the
    meeting's month and year."""
    match = _CONTRACT.match(contract)
    if (
        match is None
        or _MONTH_CODES.index(match[1]) + 1 != meeting.month
        or int(match[2]) != meeting.year % 10
    ):
        raise ParseError(
            f"line {line}: contract {contract!r} is not the ZQ contract of the {meeting} "
            f"meeting's month",
            source=SOURCE,
        )
    return f"ZQ{match[1]}{meeting.year % 100:02d}"
