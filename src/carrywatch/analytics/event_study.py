"""How markets moved around policy decisions: event windows, placebo days and a t-statistic.

An *event window* ``(a, b)`` counts trading days on each asset's own calendar (the dates
on which its series has an observation) relative to *day 0*, the first trading day on or
after the event date. The change over the window is the value on day ``b`` against the
value on day ``a``: basis points for yields, percent for prices, points for levels (VIX).

Timing of the announcements against each series' fixing (why ``(-1, 0)`` and ``(-1, +1)``
are the default short windows):

- BOJ decisions are released around midday Tokyo time on the decision date, which is the
  late evening of the previous calendar day in New York. Every US close of the same date
  (UST 10y, Nasdaq, S&P 500, VIX), the New York noon rate DEXJPUS, the MOF's JGB close
  (Tokyo, 15:00) and the Coinbase UTC daily close already reflect the decision, so
  ``(-1, 0)`` captures it on every calendar.
- FOMC statements are released at 14:00 New York time. US closes of the same date reflect
  them, but the DEXJPUS noon buying rate of that date is fixed *before* the statement and
  the JGB close of that date precedes it by half a day: for USD/JPY and JGB yields the
  reaction is in day +1, so use ``(-1, +1)`` (or ``(0, +1)``) around FOMC decisions.

The placebo distribution follows the non-parametric check of MacKinlay (1997): the same
window placed on ordinary days tells how large a move is without an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import staleness_limit
from carrywatch.analytics.units import fraction_to_pct, pp_to_bp
from carrywatch.errors import InsufficientDataError

__all__ = [
    "DEFAULT_WINDOWS",
    "AssetMove",
    "ChangeKind",
    "CrossAssetMoves",
    "EventChange",
    "EventStudyResult",
    "EventWindow",
    "asset_change",
    "cross_asset_moves",
    "event_study",
    "generator_seed",
]

ChangeKind = Literal["yield_bp", "price_pct", "level"]

#: The unit each kind of change is expressed in.
UNITS: Final[Mapping[str, str]] = {"yield_bp": "bp", "price_pct": "%", "level": "points"}

#: Day 0 must fall this close to the event date; otherwise the series has a gap there.
_MAX_DAY0_LAG: Final = staleness_limit("daily")


@dataclass(frozen=True, slots=True)
class EventWindow:
    """Trading days ``start_offset`` .. ``end_offset`` around day 0 (``start < end``)."""

    start_offset: int
    end_offset: int

    def __post_init__(self) -> None:
        if self.start_offset >= self.end_offset:
            raise ValueError(
                f"an event window needs start_offset < end_offset, got "
                f"({self.start_offset}, {self.end_offset})"
            )

    @property
    def label(self) -> str:
        """``(-1,+1)`` style label."""

        def fmt(k: int) -> str:
            return f"{k:+d}" if k else "0"

        return f"({fmt(self.start_offset)},{fmt(self.end_offset)})"


#: The pre-declared windows: the announcement day, the day after, and one week.
DEFAULT_WINDOWS: Final = (EventWindow(-1, 0), EventWindow(-1, 1), EventWindow(-1, 5))


@dataclass(frozen=True, slots=True)
class EventChange:
    """One event's move; ``change`` (in the study's unit) is None when ``reason`` says why."""

    event_date: date
    day0: date | None
    start_date: date | None = None
    end_date: date | None = None
    start_value: float | None = None
    end_value: float | None = None
    change: float | None = None
    reason: str | None = None


def _clean(series: pd.Series) -> pd.Series:
    return series.dropna().sort_index()


def _changes(kind: ChangeKind, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    if kind == "yield_bp":
        diff: np.ndarray = end - start
        return pp_to_bp(diff)
    if kind == "price_pct":
        ret: np.ndarray = end / start - 1.0
        return fraction_to_pct(ret)
    if kind == "level":
        level: np.ndarray = end - start
        return level
    raise ValueError(f"unknown change kind {kind!r}; use yield_bp, price_pct or level")


def _day0_position(index: pd.DatetimeIndex, event_date: date) -> int | str:
    """Position of day 0 in ``index``, or the reason there is none."""
    pos = int(index.searchsorted(pd.Timestamp(event_date), side="left"))
    if pos == len(index):
        return f"no observation on or after {event_date}"
    lag = index[pos].date() - event_date
    if lag > _MAX_DAY0_LAG:
        return (
            f"first observation after {event_date} is {index[pos].date()}, "
            f"more than {_MAX_DAY0_LAG.days} days later"
        )
    return pos


def _event_change(
    clean: pd.Series, name: str, kind: ChangeKind, event_date: date, window: EventWindow
) -> EventChange:
    index = pd.DatetimeIndex(clean.index)
    pos = _day0_position(index, event_date)
    if isinstance(pos, str):
        return EventChange(event_date, None, reason=f"{name}: {pos}")
    day0 = index[pos].date()
    lo, hi = pos + window.start_offset, pos + window.end_offset
    if lo < 0 or hi >= len(index):
        side = "before" if lo < 0 else "after"
        reason = f"{name}: window {window.label} around {day0} reaches {side} its observations"
        return EventChange(event_date, day0, reason=reason)
    values = clean.to_numpy(dtype="float64")
    start_v, end_v = float(values[lo]), float(values[hi])
    change = float(_changes(kind, np.array([start_v]), np.array([end_v]))[0])
    return EventChange(
        event_date, day0, index[lo].date(), index[hi].date(), start_v, end_v, change, None
    )


def asset_change(
    series: pd.Series, kind: ChangeKind, event_date: date, window: EventWindow
) -> float | None:
    """The change of ``series`` over ``window`` around ``event_date``; None if not covered.

    Parameters
    ----------
    series
        Observations on a DatetimeIndex (NaN = no observation), in the catalog unit:
        percent for yields, the price or index level otherwise.
    kind
        ``"yield_bp"``, ``"price_pct"`` or ``"level"``.
    event_date
        The decision date (Tokyo date for the BOJ, New York date for the FOMC).
    window
        Trading-day offsets on the series' own calendar around day 0.

    Returns
    -------
    float or None
        bp, % or points; None when day 0 or either end of the window is not observed.

    Notes
    -----
    With day 0 the first observation on or after ``event_date`` (at most 7 calendar days
    later) and ``x_a``, ``x_b`` the values ``a`` and ``b`` trading days from it::

        yield_bp:  (y_b - y_a) * 100
        price_pct: (p_b / p_a - 1) * 100
        level:     x_b - x_a

    References
    ----------
    MacKinlay, A. C. (1997). Event Studies in Economics and Finance. *Journal of
    Economic Literature* 35(1), 13-39.
    """
    name = str(series.name)
    return _event_change(_clean(series), name, kind, event_date, window).change


def generator_seed(rng: np.random.Generator) -> int | None:
    """The integer entropy ``rng`` was seeded with (``default_rng(seed)``), if it has one.

    It reproduces a result only when the generator was fresh when it was passed in.
    """
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if isinstance(seq, np.random.SeedSequence) and isinstance(seq.entropy, int):
        return seq.entropy
    return None


@dataclass(frozen=True, slots=True)
class EventStudyResult:
    """Event-window changes of one series against a placebo of ordinary days.

    Changes, means and standard deviations are in :attr:`unit` (bp for ``yield_bp``, % for
    ``price_pct``, points for ``level``). ``placebo_means`` holds the ``n_placebo``
    simulated means of ``n_events`` non-event changes (read-only).
    """

    series_id: str
    kind: ChangeKind
    window: EventWindow
    changes: tuple[EventChange, ...]
    n_events: int
    mean_change: float
    placebo_mean: float
    placebo_std: float
    n_placebo_days: int
    placebo_start: date
    placebo_end: date
    exclude_days: int
    n_placebo: int
    t_stat: float | None
    p_value: float
    seed: int | None
    missing: str | None
    placebo_means: np.ndarray = field(repr=False, compare=False)

    @property
    def unit(self) -> str:
        """``bp``, ``%`` or ``points``."""
        return UNITS[self.kind]

    def summary(self) -> str:
        """One line: mean move, placebo, t and p."""
        t = "n/a" if self.t_stat is None else f"{self.t_stat:+.2f}"
        line = (
            f"{self.series_id} {self.window.label}: mean {self.mean_change:+.2f} {self.unit} "
            f"over {self.n_events} events vs placebo {self.placebo_mean:+.2f} "
            f"± {self.placebo_std:.2f} {self.unit} ({self.n_placebo_days} days "
            f"{self.placebo_start}..{self.placebo_end}); t = {t}, p = {self.p_value:.3f} "
            f"({self.n_placebo} draws, seed {self.seed})"
        )
        return line if self.missing is None else f"{line}; {self.missing}"


def event_study(
    series: pd.Series,
    kind: ChangeKind,
    event_dates: Sequence[date],
    *,
    window: EventWindow,
    n_placebo: int = 2000,
    rng: np.random.Generator,
    exclude_days: int = 5,
    placebo_margin_days: int = 250,
) -> EventStudyResult:
    """Mean change of ``series`` over ``window`` around events, tested against placebo days.

    Parameters
    ----------
    series
        One asset's observations (DatetimeIndex, floats; named by its series id).
    kind
        ``"yield_bp"``, ``"price_pct"`` or ``"level"`` (see :func:`asset_change`).
    event_dates
        Decision dates, e.g. the BOJ or FOMC meetings of ``events.toml``.
    window
        Trading-day offsets around day 0, declared before looking at the data.
    n_placebo
        Number of simulated placebo means.
    rng
        The only source of randomness; its seed is reported.
    exclude_days
        A day is a placebo candidate only if it is more than this many trading days from
        every event's day 0. Raise it to at least ``end - start`` for long windows, so
        placebo windows cannot overlap event windows.
    placebo_margin_days
        Placebo days are taken from this many trading days before the first event's day 0
        to this many after the last one, so they share the events' volatility regime.

    Returns
    -------
    EventStudyResult
        Per-event changes (None with a reason where the window is not observed), their
        mean, the placebo mean and standard deviation, t-statistic, p-value and seed.

    Raises
    ------
    InsufficientDataError
        No event window is observed, or fewer than two placebo days remain.

    Notes
    -----
    With ``c_i`` the ``N`` observed event changes and ``u`` the changes over the same
    window placed on each placebo day (mean ``mu_0``, standard deviation ``s_0``, ddof 0)::

        mean = (1/N) * sum_i c_i
        t = (mean - mu_0) / (s_0 / sqrt(N))

    The placebo distribution of the mean is simulated: ``n_placebo`` means of ``N``
    placebo changes drawn uniformly with replacement. The two-sided empirical p-value is
    ``(1 + #{j : |m_j - mu_0| >= |mean - mu_0|}) / (n_placebo + 1)`` (never 0). The t
    assumes event-day changes are independent draws with the placebo variance; it ignores
    event-induced variance and overlapping windows of nearby events.

    References
    ----------
    MacKinlay, A. C. (1997). Event Studies in Economics and Finance. *Journal of
    Economic Literature* 35(1), 13-39.
    """
    if n_placebo < 1:
        raise ValueError("n_placebo must be at least 1")
    if exclude_days < 0 or placebo_margin_days < 0:
        raise ValueError("exclude_days and placebo_margin_days must not be negative")
    name = str(series.name)
    clean = _clean(series)
    changes = tuple(_event_change(clean, name, kind, d, window) for d in event_dates)
    observed = np.array([c.change for c in changes if c.change is not None], dtype="float64")
    if observed.size == 0:
        raise InsufficientDataError(
            f"{name} has no observations around any of the {len(event_dates)} event dates "
            f"for window {window.label}",
            series=(name,),
        )
    gaps = [c.event_date.isoformat() for c in changes if c.change is None]
    missing = (
        None
        if not gaps
        else f"{name} does not cover window {window.label} around {len(gaps)} event(s): "
        + ", ".join(gaps)
    )

    index = pd.DatetimeIndex(clean.index)
    values = clean.to_numpy(dtype="float64")
    n = len(values)
    day0s = np.array(
        [p for p in (_day0_position(index, d) for d in event_dates) if isinstance(p, int)],
        dtype="int64",
    )
    # Candidate day 0 positions whose whole window is observed.
    first = max(0, -window.start_offset)
    last = n - 1 - max(0, window.end_offset)
    first = max(first, int(day0s.min()) - placebo_margin_days)
    last = min(last, int(day0s.max()) + placebo_margin_days)
    candidates = np.arange(first, last + 1, dtype="int64")
    if day0s.size and candidates.size:
        distance = np.abs(candidates[:, None] - day0s[None, :]).min(axis=1)
        candidates = candidates[distance > exclude_days]
    if candidates.size < 2:
        raise InsufficientDataError(
            f"{name} leaves {candidates.size} placebo day(s) for window {window.label}; "
            "lower exclude_days or give a longer history",
            series=(name,),
        )
    pool = _changes(
        kind, values[candidates + window.start_offset], values[candidates + window.end_offset]
    )
    placebo_mean = float(pool.mean())
    placebo_std = float(pool.std())
    mean_change = float(observed.mean())
    n_events = int(observed.size)

    draws = rng.integers(0, pool.size, size=(n_placebo, n_events))
    means = pool[draws].mean(axis=1)
    means.flags.writeable = False
    extreme = np.abs(means - placebo_mean) >= abs(mean_change - placebo_mean)
    p_value = float((1 + int(extreme.sum())) / (n_placebo + 1))
    t_stat = (
        None
        if placebo_std == 0.0
        else float((mean_change - placebo_mean) / (placebo_std / np.sqrt(n_events)))
    )
    return EventStudyResult(
        series_id=name,
        kind=kind,
        window=window,
        changes=changes,
        n_events=n_events,
        mean_change=mean_change,
        placebo_mean=placebo_mean,
        placebo_std=placebo_std,
        n_placebo_days=int(candidates.size),
        placebo_start=index[candidates[0]].date(),
        placebo_end=index[candidates[-1]].date(),
        exclude_days=exclude_days,
        n_placebo=n_placebo,
        t_stat=t_stat,
        p_value=p_value,
        seed=generator_seed(rng),
        missing=missing,
        placebo_means=means,
    )


@dataclass(frozen=True, slots=True)
class AssetMove:
    """One asset over one window around one event; ``change`` in :attr:`unit`."""

    asset: str
    kind: ChangeKind
    window: EventWindow
    move: EventChange

    @property
    def unit(self) -> str:
        """``bp``, ``%`` or ``points``."""
        return UNITS[self.kind]

    @property
    def change(self) -> float | None:
        """The change over the window (None when not observed, see ``move.reason``)."""
        return self.move.change


@dataclass(frozen=True, slots=True)
class CrossAssetMoves:
    """How each asset moved around one event, over each window."""

    event_date: date
    windows: tuple[EventWindow, ...]
    moves: tuple[AssetMove, ...]
    missing: str | None

    def table(self) -> pd.DataFrame:
        """Assets as rows, one column per window label, plus ``unit``; NaN = not observed."""
        assets = list(dict.fromkeys(m.asset for m in self.moves))
        frame = pd.DataFrame(
            np.nan, index=pd.Index(assets, name="asset"), columns=[w.label for w in self.windows]
        )
        for m in self.moves:
            if m.change is not None:
                frame.loc[m.asset, m.window.label] = m.change
        units = {m.asset: m.unit for m in self.moves}
        frame.insert(0, "unit", [units[a] for a in assets])
        return frame

    def summary(self) -> str:
        """One line: every asset's move over the first window."""
        first = self.windows[0]
        parts = [
            f"{m.asset} {m.change:+.2f} {m.unit}" if m.change is not None else f"{m.asset} n/a"
            for m in self.moves
            if m.window == first
        ]
        line = f"around {self.event_date} {first.label}: " + ", ".join(parts)
        return line if self.missing is None else f"{line}; {self.missing}"


def cross_asset_moves(
    assets: Mapping[str, tuple[pd.Series, ChangeKind]],
    event_date: date,
    windows: Sequence[EventWindow] = DEFAULT_WINDOWS,
) -> CrossAssetMoves:
    """The move of each asset around one event over each window (see :func:`asset_change`).

    Parameters
    ----------
    assets
        Display name -> (series, kind), e.g. ``{"USD/JPY": (dexjpus, "price_pct")}``.
    event_date
        The decision date.
    windows
        Trading-day windows, each on the asset's own calendar.

    Returns
    -------
    CrossAssetMoves
        One :class:`AssetMove` per asset and window, with dates and values of both ends;
        ``missing`` lists the assets and windows that are not observed (by series id).

    Notes
    -----
    Same formulas and timing conventions as :func:`asset_change`: day 0 is the first
    observation on or after ``event_date`` on each calendar, so Bitcoin (every day) and
    JGBs (Tokyo holidays) may count different calendar dates for the same offset.

    References
    ----------
    MacKinlay, A. C. (1997). Event Studies in Economics and Finance. *Journal of
    Economic Literature* 35(1), 13-39.
    """
    wins = tuple(windows)
    if not wins:
        raise ValueError("give at least one window")
    moves: list[AssetMove] = []
    for asset, (series, kind) in assets.items():
        clean = _clean(series)
        for w in wins:
            move = _event_change(clean, str(series.name), kind, event_date, w)
            moves.append(AssetMove(asset, kind, w, move))
    gaps = [f"{m.asset} {m.window.label} ({m.move.reason})" for m in moves if m.change is None]
    return CrossAssetMoves(
        event_date=event_date,
        windows=wins,
        moves=tuple(moves),
        missing=None if not gaps else "not observed: " + "; ".join(gaps),
    )
