"""Policy odds per meeting from expected overnight rates (OIS, TONA), for banks without a
fed-funds-style futures strip (the Bank of Japan).

One input, two documented forms (rows of a user's CSV, read by
:func:`carrywatch.files.user_csv_rows`):

* ``start,end,rate``: the average overnight rate expected over [start, end) (the fixing
  days of an OIS from start to end), periods contiguous (each end the next start), e.g.
  meeting-dated TONA forwards;
* ``tenor,rate``: spot-starting OIS fixed rates from the valuation date (``ON``, ``1W``,
  ``1M``, ``3M``, ``1Y``), maturing on the valuation date plus the tenor on the calendar
  (no business-day roll). They are bootstrapped to meeting-to-meeting forwards as desks
  build BOJ odds from OIS: the overnight rate is flat between consecutive meetings'
  effective days, and each such span takes the rate that reprices the OIS maturing in it
  (:func:`meeting_forwards`).

``date,rate`` is refused: "the rate from that date on" and "the average up to that date"
are both common readings, and the wrong one gives nonsense silently.

The periods feed the FedWatch tree (:func:`~carrywatch.analytics.odds.tree.
odds_from_period_averages`); a meeting-dated path resolves each meeting between two
priced spans exactly. Rates are in percent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.odds.conventions import CME, Conventions
from carrywatch.analytics.odds.futures import Target, odds_from_monthly_averages, target_arrays
from carrywatch.analytics.odds.policy_odds import PolicyOdds
from carrywatch.analytics.odds.tree import odds_from_period_averages
from carrywatch.analytics.units import pct_to_fraction

__all__ = [
    "BOJ_FLOOR_PCT",
    "MAX_TENOR_YEARS",
    "TONA_DAY_COUNT",
    "RatePath",
    "forward_averages_pct",
    "meeting_dated_path",
    "meeting_forwards",
    "path_implied_odds",
    "rate_path_from_rows",
]

#: Days per year of the TONA OIS convention (ACT/365 fixed); SOFR and EFFR use 360.
TONA_DAY_COUNT: Final = 365.0
#: The lowest BOJ policy rate ever set: -0.1% (the policy-rate balance of current
#: accounts, 16 February 2016 to 18 March 2024). A path implying less is refused.
BOJ_FLOOR_PCT: Final = -0.1
#: The longest tenor read (JPY OIS quotes run to 40 years).
MAX_TENOR_YEARS: Final = 50
#: How far (pp) a path's first span, the overnight rate before the first meeting takes
#: effect, may lie outside the policy range in force. The overnight rate a path averages
#: keeps close to the policy rate (the effective fed funds rate within the target range,
#: 5 bp above it at most in September 2019; TONA within about 10 bp of the BOJ's rate), so
#: a first span further off is in another unit (basis points: 47.7 for 0.477%; a fraction,
#: 0.00477, once the rate in force is above this tolerance) or another currency's curve,
#: and its first meeting would be priced as a move of the whole gap.
FIRST_SPAN_TOLERANCE_PP: Final = 0.25
#: The same when the first span itself runs past the first meeting (a ``start,end,rate``
#: period across it): its average may include that meeting's move, up to a few steps.
FIRST_SPAN_ACROSS_MEETING_TOLERANCE_PP: Final = 1.0

_TENOR = re.compile(r"^(\d{1,6})\s*([DWMY])$")
_DAYS_PER_UNIT: Final = {"D": 1, "W": 7, "M": 31, "Y": 366}


@dataclass(frozen=True, slots=True)
class RatePath:
    """Expected average overnight rates over consecutive periods from ``start``.

    Period i is [``ends[i-1]``, ``ends[i]``) (the first starts at ``start``);
    ``average_rate_pct[i]`` is the rate expected on average over it, valued on
    ``valuation``. ``kind`` says how the path was given; ``notes`` what it cannot price.
    """

    valuation: date
    start: date
    ends: tuple[date, ...]
    average_rate_pct: tuple[float, ...]
    kind: Literal["periods", "tenors"]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.ends or len(self.ends) != len(self.average_rate_pct):
            raise ValueError("a rate path needs one rate per period end, and at least one")
        if self.start < self.valuation:
            raise ValueError(f"the path starts {self.start}, before its valuation date")
        if any(b <= a for a, b in zip((self.start, *self.ends), self.ends, strict=False)):
            raise ValueError(f"period ends must rise strictly after the start {self.start}")
        if not all(math.isfinite(r) for r in self.average_rate_pct):
            raise ValueError("rates must be finite numbers")

    @property
    def bounds(self) -> list[tuple[date, date]]:
        """[start, end) of every period."""
        return list(zip((self.start, *self.ends[:-1]), self.ends, strict=True))

    def summary(self) -> str:
        """One line: the span and the first and last period averages."""
        return (
            f"rate path from {self.start} to {self.ends[-1]} ({len(self.ends)} periods, "
            f"{self.kind}): {self.average_rate_pct[0]:.3f}% .. {self.average_rate_pct[-1]:.3f}%"
        )


def rate_path_from_rows(
    rows: Sequence[tuple[int, Sequence[str]]],
    *,
    valuation_date: date,
    meetings: Sequence[date],
    conventions: Conventions = CME,
    day_count: float = TONA_DAY_COUNT,
    floor_pct: float = BOJ_FLOOR_PCT,
) -> RatePath:
    """A :class:`RatePath` from CSV rows (line number, fields): ``start,end,rate`` periods
    or a ``tenor,rate`` curve (module docstring); a header row is optional.

    Raises
    ------
    ValueError
        One line saying what is wrong and what to pass: a row of neither form (``date,rate``
        included), a mix of forms, periods that are not contiguous, a tenor beyond
        :data:`MAX_TENOR_YEARS`, a rate that is not a number, or rates (given or implied)
        below ``floor_pct``.
    """
    body = list(rows)
    if body and _is_header(body[0][1]):
        body = body[1:]
    if not body:
        raise ValueError("the file holds no rate rows: give start,end,rate or tenor,rate rows")
    widths = {len([f for f in fields if f]) for _, fields in body}
    if widths == {3}:
        path = _periods(body, valuation_date)
    elif widths == {2} and all(_tenor_days(f[0], valuation_date) for _, f in body):
        ends, rates = zip(*(_tenor_row(line, f, valuation_date) for line, f in body), strict=True)
        path = meeting_forwards(
            valuation_date,
            list(ends),
            list(rates),
            [conventions.effective_day(m, valuation_date) for m in meetings],
            day_count=day_count,
        )
    else:
        raise ValueError(_form_error(body))
    low = min(path.average_rate_pct)
    if low < floor_pct:
        raise ValueError(
            f"the path implies an overnight rate of {low:.3f}%, below the policy floor "
            f"{floor_pct:g}%: check the rates (percent, e.g. 0.75) and the form"
        )
    return path


def _is_header(fields: Sequence[str]) -> bool:
    names = [f.strip().lower() for f in fields if f.strip()]
    if names == ["date", "rate"]:
        raise ValueError(_DATE_RATE)
    return names in (["start", "end", "rate"], ["tenor", "rate"])


_DATE_RATE: Final = (
    "'date,rate' rows are ambiguous (the rate from that date on, or the average up to it): "
    "give start,end,rate rows (the average over [start, end)) or tenor,rate rows (OIS)"
)


def _form_error(body: Sequence[tuple[int, Sequence[str]]]) -> str:
    line, fields = body[0]
    if len(fields) >= 2 and _as_date(fields[0]) is not None:
        return _DATE_RATE
    for line, fields in body:
        if len([f for f in fields if f]) == 2 and _tenor_days(fields[0], date.min) is None:
            return (
                f"line {line}: {fields[0]!r} is not a tenor (ON, 1W, 3M, 1Y): give tenor,rate "
                "or start,end,rate rows, one form per file"
            )
    return (
        f"line {line}: {','.join(fields)!r} is not 'start,end,rate' or 'tenor,rate'; "
        "give one form per file"
    )


def _as_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _rate(line: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"line {line}: {text!r} is not a rate in percent (e.g. 0.75)") from None
    if not math.isfinite(value) or abs(value) > 100.0:
        raise ValueError(f"line {line}: {text!r} is not a rate in percent (e.g. 0.75)")
    return value


def _periods(body: Sequence[tuple[int, Sequence[str]]], valuation: date) -> RatePath:
    spans: list[tuple[date, date, float]] = []
    for line, fields in body:
        start, end = _as_date(fields[0]), _as_date(fields[1])
        if start is None or end is None:
            raise ValueError(
                f"line {line}: start and end must be dates (YYYY-MM-DD), not "
                f"{fields[0]!r}, {fields[1]!r}"
            )
        if end <= start:
            raise ValueError(f"line {line}: the period ends {end}, not after its start {start}")
        spans.append((start, end, _rate(line, fields[2])))
    spans.sort()
    for (_, end, _), (start, _, _) in pairwise(spans):
        if start != end:
            raise ValueError(
                f"periods must be contiguous (each end the next start): one ends {end}, the "
                f"next starts {start}"
            )
    if spans[0][0] < valuation:
        raise ValueError(
            f"the first period starts {spans[0][0]}, before the valuation date {valuation}: "
            "give expected rates from the valuation date on"
        )
    return RatePath(
        valuation,
        spans[0][0],
        tuple(e for _, e, _ in spans),
        tuple(r for _, _, r in spans),
        "periods",
    )


def _tenor_days(field: str, valuation: date) -> int | None:
    """Calendar days from ``valuation`` to the tenor's maturity (None: not a tenor)."""
    text = "1D" if field.strip().upper() in ("ON", "O/N") else field.strip().upper()
    m = _TENOR.match(text)
    if m is None:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if n == 0 or n * _DAYS_PER_UNIT[unit] > MAX_TENOR_YEARS * 366:
        raise ValueError(f"tenor {field!r}: give a tenor from 1D to {MAX_TENOR_YEARS}Y")
    if valuation == date.min:
        return 1
    offset = {
        "D": pd.DateOffset(days=n),
        "W": pd.DateOffset(weeks=n),
        "M": pd.DateOffset(months=n),
        "Y": pd.DateOffset(years=n),
    }[unit]
    return ((pd.Timestamp(valuation) + offset).date() - valuation).days


def _tenor_row(line: int, fields: Sequence[str], valuation: date) -> tuple[date, float]:
    days = _tenor_days(fields[0], valuation)
    assert days is not None  # checked by the caller
    return date.fromordinal(valuation.toordinal() + days), _rate(line, fields[1])


def forward_averages_pct(
    term_rates_pct: Sequence[float], days: Sequence[int], *, day_count: float = TONA_DAY_COUNT
) -> list[float]:
    """Forward rates between consecutive maturities of spot-starting OIS rates, percent.

    Parameters
    ----------
    term_rates_pct:
        OIS fixed rates in percent, one per maturity.
    days:
        Calendar days from the valuation date to each maturity, strictly rising.
    day_count:
        Days per year of the rate convention (365 for TONA, 360 for SOFR).

    Notes
    -----
    With :math:`\\tau_i = d_i / B` and :math:`G_i = 1 + R_i \\tau_i` (one payment at
    maturity, as OIS up to a year pay), the forward over :math:`(\\tau_{i-1}, \\tau_i]` is

    .. math:: F_i = \\frac{G_i / G_{i-1} - 1}{\\tau_i - \\tau_{i-1}}, \\qquad G_0 = 1.

    It stands for the arithmetic average of the overnight rates in the period; the two
    differ by the compounding inside it, about :math:`\\bar r^2 \\tau / 2`: under 0.1 bp at
    1% over three months (BOJ rates), about 3 bp at 5%.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, 11th ed., ch. 4 (forward rates from
    zero rates); Bank of Japan, "Tokyo Overnight Average Rate (TONA)" (ACT/365).
    """
    if len(term_rates_pct) != len(days) or not days:
        raise ValueError("give one term rate per maturity, and at least one")
    if any(b <= a for a, b in zip((0, *days), days, strict=False)):
        raise ValueError(f"maturities must rise strictly, not {list(days)}")
    out, prev_g, prev_tau = [], 1.0, 0.0
    for rate, d in zip(term_rates_pct, days, strict=True):
        tau = d / day_count
        g = 1.0 + pct_to_fraction(rate) * tau
        out.append(100.0 * (g / prev_g - 1.0) / (tau - prev_tau))
        prev_g, prev_tau = g, tau
    return out


def meeting_forwards(
    valuation: date,
    maturities: Sequence[date],
    term_rates_pct: Sequence[float],
    effective_days: Sequence[date],
    *,
    day_count: float = TONA_DAY_COUNT,
) -> RatePath:
    """Meeting-to-meeting forward overnight rates bootstrapped from an OIS tenor curve.

    Parameters
    ----------
    valuation:
        The valuation date (the OIS start).
    maturities, term_rates_pct:
        One OIS fixed rate in percent per maturity date (any order, distinct).
    effective_days:
        The first day at the new rate of every meeting (the tree's convention).
    day_count:
        Days per year of the OIS (365 for TONA).

    Returns
    -------
    RatePath
        ``kind`` "tenors": periods [valuation, e_1), [e_1, e_2), ... up to the last span
        the curve prices; ``notes`` name the first span it cannot price.

    Raises
    ------
    ValueError
        When maturities repeat, or the first span (before the next meeting) holds no
        maturity: then no meeting is priced.

    Notes
    -----
    Let :math:`I(T) = \\sum_{k: T_k \\le T} F_k (T_k - T_{k-1})` be the integral of the
    forwards of :func:`forward_averages_pct` (the OIS repriced), and the spans
    :math:`[b_j, b_{j+1})` run between consecutive effective days. The overnight rate is
    flat on each span (moves happen only at meetings), so a span holding a maturity
    :math:`T` (the last one in it) takes

    .. math:: f_j = \\frac{I(T) - I(b_j)}{T - b_j}, \\qquad
        I(b_{j+1}) = I(b_j) + f_j (b_{j+1} - b_j).

    A span holding no maturity cannot be separated from the next one: the bootstrap
    stops there, and the meetings from that span on are not priced (the meeting between
    two spans needs both). Bloomberg's WIRP and the BOJ-dated OIS quotes of brokers rest
    on the same flat-between-meetings assumption.

    References
    ----------
    Hull, *Options, Futures, and Other Derivatives*, 11th ed., ch. 4 (bootstrapping);
    CME Group, "Fed Funds Futures Probability Tree Calculator" (the tree on the forwards).
    """
    if len(set(maturities)) != len(maturities) or len(maturities) != len(term_rates_pct):
        raise ValueError("give one rate per tenor, each tenor once")
    order = sorted(range(len(maturities)), key=lambda i: maturities[i])
    ends = [maturities[i] for i in order]
    days = [(d - valuation).days for d in ends]
    forwards = forward_averages_pct([term_rates_pct[i] for i in order], days, day_count=day_count)
    cumulative = np.cumsum(np.diff([0, *days]) * np.array(forwards))  # I(T_k), %-days
    bounds = [valuation, *sorted({e for e in effective_days if valuation < e < ends[-1]})]
    bounds.append(ends[-1])
    out_ends: list[date] = []
    rates: list[float] = []
    notes: list[str] = []
    integral = 0.0
    for b0, b1 in pairwise(bounds):
        inside = [k for k, t in enumerate(ends) if b0 < t <= b1]
        if not inside:
            notes.append(
                f"no tenor matures between {b0} and {b1}: meetings from {b0} on are not "
                "priced; add a tenor maturing in that span, or give start,end,rate periods"
            )
            break
        k = inside[-1]
        rate = (cumulative[k] - integral) / (ends[k] - b0).days
        integral += rate * (b1 - b0).days
        out_ends.append(b1)
        rates.append(float(rate))
    if not rates:
        raise ValueError(notes[0])
    return RatePath(valuation, valuation, tuple(out_ends), tuple(rates), "tenors", tuple(notes))


def meeting_dated_path(
    valuation: date,
    meetings: Sequence[date],
    level_pct: float,
    moves_bp: Sequence[float],
    *,
    conventions: Conventions = CME,
    tail_days: int = 30,
) -> RatePath:
    """The path that starts at ``level_pct`` and moves by ``moves_bp[k]`` on the effective
    day of ``meetings[k]`` (ascending, after ``valuation``): the tree on it gives each
    meeting exactly its move, so it turns published per-meeting expected moves back into
    distributions. The last period runs ``tail_days`` past the last effective day."""
    if len(meetings) != len(moves_bp) or not meetings:
        raise ValueError("give one move per meeting, and at least one meeting")
    effective = [conventions.effective_day(m, valuation) for m in meetings]
    levels = level_pct + np.cumsum([0.0, *moves_bp]) / 100.0
    ends = (*effective, effective[-1] + timedelta(days=tail_days))
    return RatePath(valuation, valuation, ends, tuple(float(x) for x in levels), "periods")


def path_implied_odds(
    path: RatePath | pd.Series | pd.DataFrame,
    meetings: Sequence[date],
    target_range_pct: Target,
    *,
    asof: date | None = None,
    conventions: Conventions = CME,
    horizon: date | None = None,
    calendar_end: date | None = None,
    floor_pct: float | None = None,
) -> PolicyOdds:
    """Meeting odds implied by a path of expected average overnight rates.

    Parameters
    ----------
    path:
        A :class:`RatePath` (valued on its ``valuation``); a Series of monthly averages in
        percent indexed by month (``pd.Period`` or ``YYYY-MM``), valued on ``asof``; or a
        frame of them, rows = valuation dates, columns = months (the futures layout, in
        rates instead of prices).
    meetings:
        Decision days of the bank (BOJ Monetary Policy Meetings, FOMC ...).
    target_range_pct:
        (lower, upper) in force on the valuation date(s); lower == upper for a point target.
    asof:
        The valuation date of a Series path (required then, ignored otherwise).
    conventions, horizon, calendar_end:
        As in :func:`~carrywatch.analytics.odds.futures.futures_implied_odds`.
    floor_pct:
        The lowest policy rate the bank can set (e.g. :data:`BOJ_FLOOR_PCT`); None: none.

    Returns
    -------
    PolicyOdds
        ``source`` "path"; meetings the path cannot resolve carry a reason, and the notes
        of a :class:`RatePath` are its notes.

    Raises
    ------
    ValueError
        When a distribution puts probability on a rate below ``floor_pct``.

    References
    ----------
    CME Group, "Fed Funds Futures Probability Tree Calculator" (the method); Bank of Japan,
    "Tokyo Overnight Average Rate (TONA)" (the rate a JPY OIS averages).
    """
    if isinstance(path, pd.Series):
        if asof is None:
            raise ValueError("a Series path needs asof, its valuation date")
        path = path.to_frame().T.set_axis(pd.DatetimeIndex([pd.Timestamp(asof)]), axis=0)
    if isinstance(path, pd.DataFrame):
        return odds_from_monthly_averages(
            path,
            meetings,
            target_range_pct,
            source="path",
            conventions=conventions,
            horizon=horizon,
            calendar_end=calendar_end,
        )
    _check_first_span(path, meetings, target_range_pct, conventions)
    averages = [path.average_rate_pct]
    bounds = path.bounds
    if path.start > path.valuation:  # a forward-starting path: the days before are unknown
        averages = [(math.nan, *path.average_rate_pct)]
        bounds = [(path.valuation, path.start), *bounds]
    result = odds_from_period_averages(
        np.array(averages, dtype=np.float64),
        bounds,
        [path.valuation],
        meetings,
        target_arrays(target_range_pct, [path.valuation]),
        source="path",
        conventions=conventions,
        horizon=horizon,
        calendar_end=calendar_end,
    )
    if floor_pct is not None:
        _check_floor(result, floor_pct)
    return replace(result, notes=(*result.notes, *path.notes)) if path.notes else result


def _check_first_span(
    path: RatePath, meetings: Sequence[date], target_range_pct: Target, conventions: Conventions
) -> None:
    """Refuse a path whose first span lies farther outside the range in force than
    :data:`FIRST_SPAN_TOLERANCE_PP` (``ValueError``: rates in another unit); a
    forward-starting path, or a target given per date, is not judged."""
    lower, upper = target_range_pct
    if path.start > path.valuation or not isinstance(lower, float | int):
        return
    if not isinstance(upper, float | int):
        return
    rate, (start, end) = path.average_rate_pct[0], path.bounds[0]
    ahead = [conventions.effective_day(m, path.valuation) for m in meetings if m >= start]
    across = bool(ahead) and end > min(ahead)
    tolerance = FIRST_SPAN_ACROSS_MEETING_TOLERANCE_PP if across else FIRST_SPAN_TOLERANCE_PP
    gap = max(lower - rate, rate - upper, 0.0)
    if gap > tolerance:
        in_force = f"{lower:g}%" if lower == upper else f"{lower:g}-{upper:g}%"
        raise ValueError(
            f"the path's first span ({start} to {end}) averages {rate:g}%, {gap:.2f} pp "
            f"outside the policy rate in force ({in_force}), where the overnight rate "
            f"keeps within {tolerance:g} pp: give rates in percent (0.48 for 0.48%, not "
            "48 basis points or 0.0048), from this bank's own curve"
        )


def _check_floor(result: PolicyOdds, floor_pct: float) -> None:
    for odds in result.latest():
        below = [r for r in odds.distribution or () if r.lower_pct < floor_pct - 1e-9]
        mass = sum(r.probability for r in below)
        if mass > 1e-9:
            raise ValueError(
                f"the path gives the {odds.meeting} meeting {mass:.0%} "
                f"of a rate below the policy floor {floor_pct:g}% ({below[0].lower_pct:g}%): "
                "check the rates (percent, e.g. 0.75), the form and the --target-range"
            )
