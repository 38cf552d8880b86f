"""Named DataFrame contracts between modules.

``OBSERVATIONS`` is what every parser returns and what the store appends::

    remote_code  str              the provider's code (FRED id, MOF tenor, TIC country ...)
    obs_date     datetime64[ns]   the period the value belongs to (midnight, no timezone)
    value        float64          never NaN, except on a withdrawal (below)
    known_from   datetime64[ns, UTC]  optional: first publication (vintage sources) or the
                                  moment of an intraday quote
    withdrawn    bool             optional, vintage sources only: True where the vintage
                                  starting at known_from shows no value for the date
                                  (ALFRED's ".": the value was withdrawn); value is NaN
                                  on exactly those rows

A missing value is not an observation and is dropped, but a withdrawal is: it says that
from ``known_from`` on the date had no value, so that a view as of then shows none
instead of the previous vintage's. It travels as the explicit ``withdrawn`` flag, never
as a bare NaN, because every reader treats NaN as "nothing here".

:func:`observations_frame` builds and checks such a frame; a violation is a
:class:`~carrywatch.errors.ParseError` that carries the offending rows in its message.

``QUOTES`` is what a parser of decision-market prices returns before they become
observations: one row per quote of one outcome of one central-bank meeting::

    venue         str                  the market (``polymarket``, ``kalshi``)
    meeting       datetime64[ns]       the decision day the outcome is about
    outcome       str                  an outcome code (below)
    quoted_at     datetime64[ns, UTC]  when the price was observed
    probability   float64              the implied probability, in [0, 1]
    bid, ask      float64              optional: the best bid and ask of the outcome's "yes"
                                       side, in [0, 1]; NaN where that side has no order
    volume        float64              optional: what the outcome's market traded over its
                                       life (contracts on Kalshi, USD on Polymarket); NaN
                                       where the venue does not say

Outcome codes name what the outcome pays on, never the venue's wording: ``hold`` (no
change), ``cut_25`` / ``hike_50`` (a move of that many bp), ``cut_50_plus`` (that move or
more), and ``above_375`` (the upper bound of the target after the meeting above 3.75%, a
strike of a ladder). :func:`move_outcome`, :func:`outcome_move` and :func:`outcome_strike`
write and read them.

:func:`quotes_frame` builds and checks one; :func:`observations_from_quotes` turns it into
observations: ``remote_code`` ``<venue>:<meeting>:<outcome>`` (and, for the optional
columns, ``<venue>:<meeting>:<outcome>:bid`` ...), ``obs_date`` the UTC day of the quote and
``known_from`` its moment, so that the store's "newest revision of a day" is the day's last
quote and ``known_at=T`` gives the last quote before ``T`` (see
``docs/decisions/0008-odds-histories.md``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from carrywatch.errors import ParseError

__all__ = [
    "EARLIEST_OBS_DATE",
    "OBSERVATION_COLUMNS",
    "QUOTE_COLUMNS",
    "QUOTE_FIELDS",
    "describe_rows",
    "empty_observations",
    "label_move",
    "move_outcome",
    "observations_frame",
    "observations_from_quotes",
    "outcome_label",
    "outcome_move",
    "outcome_strike",
    "quote_code",
    "quotes_frame",
    "strike_outcome",
]

OBSERVATION_COLUMNS: tuple[str, ...] = ("remote_code", "obs_date", "value")
QUOTE_COLUMNS: tuple[str, ...] = ("venue", "meeting", "outcome", "quoted_at", "probability")
#: The optional columns of a quote frame, each stored as a series beside the probability.
QUOTE_FIELDS: tuple[str, ...] = ("bid", "ask", "volume")

_PLURALS = {"probability": "probabilities", "bid": "bids", "ask": "asks"}
_MOVE_CODE = re.compile(r"(?P<dir>cut|hike)_(?P<bp>\d{1,4})(?P<plus>_plus)?")
_STRIKE_CODE = re.compile(r"above_(?P<bp>-?\d{1,5})")
# The wording of a move as venues write it ("25 bps decrease", "Increase of 50+ bps").
_NUMBER = r"(?P<bp>\d+(?:\.\d+)?)\s*(?P<plus>\+)?\s*bps?"
_DIRECTION = r"(?P<dir>increase|decrease|hike|cut)"
_MOVE_LABELS = (
    re.compile(rf"{_NUMBER}\s+{_DIRECTION}"),
    re.compile(rf"{_DIRECTION}\s+of\s+{_NUMBER}"),
)
_NO_CHANGE = re.compile(r"no change|unchanged")

#: No series carrywatch tracks starts earlier; an older date is a parse error.
EARLIEST_OBS_DATE = date(1900, 1, 1)

#: Observation dates may lie at most this far in the future (forward-dated
#: calendar rows and the odd provider quirk), anything later is a parse error.
_MAX_FUTURE_DAYS = 400


def empty_observations(*, with_known_from: bool = False) -> pd.DataFrame:
    """An empty frame with the observation contract's columns and dtypes."""
    frame = pd.DataFrame(
        {
            "remote_code": pd.Series([], dtype=object),
            "obs_date": pd.Series([], dtype="datetime64[ns]"),
            "value": pd.Series([], dtype="float64"),
        }
    )
    if with_known_from:
        frame["known_from"] = pd.Series([], dtype="datetime64[ns, UTC]")
    return frame


def describe_rows(rows: pd.DataFrame, *, limit: int = 3) -> str:
    """The first ``limit`` observation rows for a message a person reads:
    ``DGS10 2024-08-02 = 3.8, ...`` (dates as YYYY-MM-DD, not pandas' ``Timestamp(...)``),
    with the number of rows left out."""
    code = "series_id" if "series_id" in rows.columns else "remote_code"
    shown = [
        f"{row[code]} {pd.Timestamp(row['obs_date']):%Y-%m-%d} = {float(row['value']):g}"
        for _, row in rows.head(limit).iterrows()
    ]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(shown) + more


def observations_frame(
    source: str,
    remote_codes: Sequence[str] | np.ndarray,
    obs_dates: Sequence[date] | np.ndarray | pd.Series | pd.DatetimeIndex,
    values: Sequence[float] | np.ndarray | pd.Series,
    known_from: Sequence[object] | pd.Series | None = None,
    *,
    withdrawn: Sequence[bool] | None = None,
) -> pd.DataFrame:
    """Build an observation frame and check the contract.

    Rows whose value is NaN are dropped (a missing value is not an observation), except
    where ``withdrawn`` (which needs ``known_from``) is True: those are kept, value NaN.
    Raises :class:`ParseError` on non-finite values, dates outside
    ``[1900-01-01, today + 400 days]`` or duplicate ``(remote_code, obs_date[, known_from])``.
    """
    try:
        frame = pd.DataFrame(
            {
                "remote_code": pd.Series(_column(remote_codes), dtype=object),
                "obs_date": pd.to_datetime(pd.Series(_column(obs_dates)), errors="raise")
                .dt.normalize()
                .astype("datetime64[ns]"),
                "value": pd.Series(np.asarray(values, dtype="float64")),
            }
        )
        if known_from is not None:
            frame["known_from"] = pd.to_datetime(
                pd.Series(list(known_from)), utc=True, errors="raise"
            ).astype("datetime64[ns, UTC]")
        if withdrawn is not None:
            if known_from is None:
                raise ValueError("withdrawals need known_from (the vintage they start)")
            frame["withdrawn"] = pd.Series(np.asarray(withdrawn, dtype=bool))
            frame.loc[frame["withdrawn"], "value"] = np.nan
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParseError(f"rows do not form observations ({exc})", source=source) from exc
    gone = frame["withdrawn"] if withdrawn is not None else False
    frame = frame[frame["value"].notna() | gone].reset_index(drop=True)
    if frame.empty:
        return frame
    present = frame["value"].notna().to_numpy()
    if not np.isfinite(frame["value"].to_numpy()[present]).all():
        bad = frame[present & ~np.isfinite(frame["value"].to_numpy())]
        raise ParseError(f"non-finite values: {describe_rows(bad)}", source=source)
    lowest = pd.Timestamp(EARLIEST_OBS_DATE)
    highest = pd.Timestamp.today().normalize() + pd.Timedelta(days=_MAX_FUTURE_DAYS)
    out_of_range = frame[(frame["obs_date"] < lowest) | (frame["obs_date"] > highest)]
    if not out_of_range.empty:
        raise ParseError(
            f"observation dates out of range (before {EARLIEST_OBS_DATE} or more than "
            f"{_MAX_FUTURE_DAYS} days ahead): {describe_rows(out_of_range)}",
            source=source,
        )
    key = ["remote_code", "obs_date", *(["known_from"] if known_from is not None else [])]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise ParseError(
            f"duplicate observations, the same date twice: {describe_rows(duplicated, limit=4)}; "
            "keep one value per date",
            source=source,
        )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _column(values: Sequence[object] | np.ndarray | pd.Series | pd.DatetimeIndex) -> object:
    """``values`` as a frame column: arrays as they are (no Python object per element,
    index dropped), other sequences as a list."""
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy()
    if isinstance(values, np.ndarray):
        return values
    return list(values)


def quote_code(venue: str, meeting: date, outcome: str, field: str | None = None) -> str:
    """The remote code of one outcome at one meeting on one venue:
    ``polymarket:2025-12-10:hold``; with ``field``, that of one of :data:`QUOTE_FIELDS`
    (``kalshi:2026-12-09:above_350:bid``)."""
    code = f"{venue}:{meeting.isoformat()}:{outcome}"
    return code if field is None else f"{code}:{field}"


def label_move(label: str) -> tuple[float, bool] | None:
    """(signed change in bp, True for an "n+" label) of a move as a venue words it, or
    None when ``label`` is not a rate move. Read (case and spacing free): "No change",
    "Unchanged", "<n> bps increase|decrease|hike|cut", "Increase|Decrease of <n> bps",
    with "<n>+" for an open-ended move."""
    text = " ".join(label.lower().split())
    if _NO_CHANGE.fullmatch(text):
        return 0.0, False
    for pattern in _MOVE_LABELS:
        if match := pattern.fullmatch(text):
            sign = 1.0 if match["dir"] in ("increase", "hike") else -1.0
            return sign * float(match["bp"]), match["plus"] is not None
    return None


def outcome_label(outcome: str) -> str | None:
    """A move code in words that :func:`label_move` reads back (``cut_50_plus`` ->
    ``50+ bps decrease``), or None for a code that is not a move."""
    move = outcome_move(outcome)
    if move is None:
        return None
    bp, or_more = move
    if bp == 0:
        return "No change"
    return f"{abs(bp)}{'+' if or_more else ''} bps {'decrease' if bp < 0 else 'increase'}"


def move_outcome(move_bp: float, *, or_more: bool = False) -> str | None:
    """The outcome code of a move of ``move_bp`` (``-25`` -> ``cut_25``; ``0`` ->
    ``hold``; ``or_more``: ``cut_50_plus``), or None for a move that is not whole bp."""
    if not math.isfinite(move_bp) or move_bp != round(move_bp):
        return None
    bp = round(move_bp)
    if bp == 0:
        return None if or_more else "hold"
    return f"{'cut' if bp < 0 else 'hike'}_{abs(bp)}{'_plus' if or_more else ''}"


def outcome_move(outcome: str) -> tuple[int, bool] | None:
    """``(signed move in bp, or more)`` of a move code (:func:`move_outcome`), else None."""
    if outcome == "hold":
        return 0, False
    match = _MOVE_CODE.fullmatch(outcome)
    if match is None:
        return None
    bp = int(match["bp"])
    return (-bp if match["dir"] == "cut" else bp), match["plus"] is not None


def strike_outcome(strike_pct: float) -> str | None:
    """The outcome code of a ladder strike ("above X%"): ``above_375`` for 3.75, or None
    for a strike that is not whole bp."""
    bp = strike_pct * 100.0
    if not math.isfinite(bp) or abs(bp - round(bp)) > 1e-6:
        return None
    return f"above_{round(bp)}"


def outcome_strike(outcome: str) -> float | None:
    """The strike in percent of a ladder code (:func:`strike_outcome`), else None."""
    match = _STRIKE_CODE.fullmatch(outcome)
    return None if match is None else int(match["bp"]) / 100.0


def quotes_frame(
    source: str,
    *,
    venues: Sequence[str],
    meetings: Sequence[date],
    outcomes: Sequence[str],
    quoted_at: Sequence[object] | pd.Series,
    probabilities: Sequence[float] | np.ndarray | pd.Series,
    fields: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Build a quote frame and check the contract (see the module docstring).

    ``fields`` gives any of the optional columns (:data:`QUOTE_FIELDS`). Rows whose
    probability is NaN are dropped (no quote at that moment). Raises
    :class:`ParseError` on a probability, bid or ask outside [0, 1], a negative volume,
    an unknown outcome code, an unreadable moment, or two quotes of the same outcome at
    the same moment.
    """
    extra = dict(fields or {})
    unknown = sorted(set(extra) - set(QUOTE_FIELDS))
    if unknown:
        raise ParseError(f"unknown quote fields {unknown} (known: {QUOTE_FIELDS})", source=source)
    try:
        frame = pd.DataFrame(
            {
                "venue": pd.Series(list(venues), dtype=object),
                "meeting": pd.to_datetime(pd.Series(list(meetings)), errors="raise").astype(
                    "datetime64[ns]"
                ),
                "outcome": pd.Series(list(outcomes), dtype=object),
                "quoted_at": pd.to_datetime(
                    pd.Series(list(quoted_at)), utc=True, errors="raise"
                ).astype("datetime64[ns, UTC]"),
                "probability": pd.Series(np.asarray(probabilities, dtype="float64")),
                **{
                    name: pd.Series(np.asarray(values, dtype="float64"))
                    for name, values in extra.items()
                },
            }
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParseError(f"rows do not form quotes ({exc})", source=source) from exc
    frame = frame[frame["probability"].notna()].reset_index(drop=True)
    for column in ("probability", *(c for c in ("bid", "ask") if c in extra)):
        values = frame[column]
        bad = frame[values.notna() & ~values.between(0.0, 1.0)]
        if not bad.empty:
            raise ParseError(
                f"{_PLURALS[column]} outside [0, 1]: {bad.head(3).to_dict('records')}",
                source=source,
            )
    if "volume" in extra and (frame["volume"] < 0).any():
        bad = frame[frame["volume"] < 0]
        raise ParseError(f"negative volume: {bad.head(3).to_dict('records')}", source=source)
    unnamed = frame[
        frame["outcome"].map(lambda o: outcome_move(o) is None and outcome_strike(o) is None)
    ]
    if not unnamed.empty:
        raise ParseError(
            f"outcomes {sorted(set(unnamed['outcome']))[:4]} are not outcome codes "
            "(hold, cut_25, hike_50_plus, above_375)",
            source=source,
        )
    key = ["venue", "meeting", "outcome", "quoted_at"]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise ParseError(
            f"two quotes of one outcome at one moment: {duplicated.head(4).to_dict('records')}",
            source=source,
        )
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def observations_from_quotes(source: str, quotes: pd.DataFrame) -> pd.DataFrame:
    """Observations of a :func:`quotes_frame`: one per quote and optional field present,
    dated by the quote's UTC day and known from its moment (the module docstring says
    why); a NaN field (no order on that side, no volume said) is no observation."""
    fields = [None, *(f for f in QUOTE_FIELDS if f in quotes.columns)]
    codes: list[str] = []
    moments: list[object] = []
    values: list[float] = []
    for field in fields:
        column = "probability" if field is None else field
        for venue, meeting, outcome, moment, value in zip(
            quotes["venue"],
            quotes["meeting"],
            quotes["outcome"],
            quotes["quoted_at"],
            quotes[column],
            strict=True,
        ):
            codes.append(quote_code(venue, pd.Timestamp(meeting).date(), outcome, field))
            moments.append(moment)
            values.append(float(value))
    stamps = pd.to_datetime(pd.Series(moments, dtype=object), utc=True)
    return observations_frame(
        source,
        codes,
        stamps.dt.tz_localize(None).dt.normalize(),
        values,
        known_from=stamps,
    )
