"""Judge claims against observations: supported, contradicted or unverifiable, with evidence.

Pure: the caller reads the store (every column of ``Store.read``: series_id, obs_date,
value, source, retrieved_at, url ...) and passes the frame and the catalog's specs.

Each claim is judged twice:

* **point in time**: only observations published by the article's date, i.e. whose
  ``released`` day (the column :meth:`Store.read` dates by the catalog's one
  point-in-time rule, :mod:`carrywatch.catalog.releases`) is on or before it; the one
  place that rule is applied here is :func:`published`;
* **in hindsight**: every observation in the store, revised or published since.

The verdict is the point-in-time one where that can be judged; where the data were not yet
out (or the claim is about a later date, a forecast) it is the hindsight one, and the
reason says so. A claim is checked to its own rounding: ``|found - claimed| <= tolerance``
("3.72%" to 0.005); "over 23%" is a bound (found > 23), a range "3.7%-3.9%" holds when the
value lies in it (each end widened by its rounding).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import latest_asof, staleness_limit
from carrywatch.catalog.spec import SeriesSpec
from carrywatch.claims.grammar import Claim, Quantity, load_quantities
from carrywatch.claims.windows import Window

__all__ = [
    "Judgement",
    "Measure",
    "judge",
    "judge_dated",
    "published",
    "series_needed",
    "summary",
]

SUPPORTED, CONTRADICTED, UNVERIFIABLE = "supported", "contradicted", "unverifiable"


@dataclass(frozen=True, slots=True)
class Measure:
    """What carrywatch finds for a claim: the value (in the claim's unit), the series it
    came from, its observation date and provenance; or why there is none (``missing``)."""

    value: float | None
    series: str | None = None
    obs_date: date | None = None
    source: str | None = None
    fetch: str | None = None
    missing: str | None = None
    resolution: float = 0.0


@dataclass(frozen=True, slots=True)
class Judgement:
    claim: Claim
    verdict: str
    asof: Measure
    hindsight: Measure
    reason: str
    hindsight_verdict: str


def series_needed(claims: Sequence[Claim]) -> list[str]:
    """Every series id the claims' quantities may read."""
    by_id = {q.id: q for q in load_quantities()}
    ids: list[str] = []
    for c in claims:
        q = by_id[c.quantity]
        ids.extend(q.series)
        ids.extend(q.spread or ())
        ids.extend([q.lower_series] if q.lower_series else [])
    return list(dict.fromkeys(ids))


def published(frame: pd.DataFrame, asof: date) -> pd.DataFrame:
    """The rows of ``frame`` (a :meth:`Store.read`) published by ``asof``: their
    ``released`` day on or before it."""
    if frame.empty:
        return frame
    return frame[frame["released"] <= pd.Timestamp(asof)]


def judge(
    claims: Sequence[Claim],
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> list[Judgement]:
    """The judgement of each claim (see the module docstring)."""
    by_id = {q.id: q for q in load_quantities()}
    known = published(frame, article_date)
    return [
        _judge(
            c,
            by_id[c.quantity],
            known=known,
            everything=frame,
            specs=specs,
            article_date=article_date,
        )
        for c in claims
    ]


def judge_dated(
    dated: Sequence[tuple[Claim, date]], frame: pd.DataFrame, specs: Mapping[str, SeriesSpec]
) -> list[Judgement]:
    """Claims each made on its own date (a claims.toml), judged as :func:`judge` does."""
    return [judge([claim], frame, specs, day)[0] for claim, day in dated]


def _judge(
    claim: Claim,
    q: Quantity,
    *,
    known: pd.DataFrame,
    everything: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Judgement:
    none = Measure(None)
    if q.missing:
        return Judgement(
            claim, UNVERIFIABLE, none, none, f"missing data: {q.missing}", UNVERIFIABLE
        )
    if claim.ambiguity:
        return Judgement(
            claim, UNVERIFIABLE, none, none, f"ambiguous: {claim.ambiguity}", UNVERIFIABLE
        )
    if claim.upper is not None and q.lower_series:
        return _judge_range(
            claim, q, known=known, everything=everything, specs=specs, article_date=article_date
        )
    if q.in_force_days and claim.kind == "level":
        # a decision stated on its day is in force from the next (the series moves then)
        day = (claim.window.end if claim.window else article_date) + timedelta(q.in_force_days)
        claim = replace(claim, window=Window(f"in force on {day}", day, day))
    later = claim.window is not None and claim.window.end > article_date
    asof = (
        Measure(None, missing=f"refers to {claim.window.describe()}, after the article's date")
        if later and claim.window
        else _measure(claim, q, known, specs, article_date)
    )
    hindsight = _measure(claim, q, everything, specs, article_date)
    first, why_first = _compare(claim, asof)
    second, _ = _compare(claim, hindsight)
    if first != UNVERIFIABLE:
        reason = why_first
        if second not in (first, UNVERIFIABLE):
            reason += (
                f"; in hindsight {second} ({_show(hindsight.value)}, revised or published since)"
            )
        return Judgement(claim, first, asof, hindsight, reason, second)
    if second != UNVERIFIABLE:
        reason = f"{asof.missing or why_first}; in hindsight: {_compare(claim, hindsight)[1]}"
        return Judgement(claim, second, asof, hindsight, reason, second)
    reason = asof.missing or why_first
    if hindsight.missing and hindsight.missing != reason:
        reason += f"; in hindsight: {hindsight.missing}"
    return Judgement(claim, UNVERIFIABLE, asof, hindsight, reason, second)


def _judge_range(
    claim: Claim,
    q: Quantity,
    *,
    known: pd.DataFrame,
    everything: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Judgement:
    """A target range "3.50%-3.75%": its lower end against ``q.lower_series``, its upper
    against ``q.series``; supported when both hold, contradicted when either does not."""
    assert claim.upper is not None
    assert q.lower_series is not None
    low_q = replace(q, series=(q.lower_series,), lower_series=None)
    high_q = replace(q, lower_series=None)
    ends = [
        _judge(
            replace(claim, claimed=value, upper=None),
            quantity,
            known=known,
            everything=everything,
            specs=specs,
            article_date=article_date,
        )
        for value, quantity in ((claim.claimed, low_q), (claim.upper, high_q))
    ]
    verdicts = {j.verdict for j in ends}
    if CONTRADICTED in verdicts:
        verdict = CONTRADICTED
    elif verdicts == {SUPPORTED}:
        verdict = SUPPORTED
    else:
        verdict = UNVERIFIABLE
    reason = f"lower end: {ends[0].reason}; upper end: {ends[1].reason}"
    hindsight = {j.hindsight_verdict for j in ends}
    second = CONTRADICTED if CONTRADICTED in hindsight else min(hindsight)
    return Judgement(claim, verdict, ends[1].asof, ends[1].hindsight, reason, second)


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def _compare(claim: Claim, found: Measure) -> tuple[str, str]:
    if found.value is None:
        return UNVERIFIABLE, found.missing or "no value"
    # A claim cannot be checked finer than the data: "4.409%" against a series published
    # to two decimals (4.41) holds to ±0.005, the series' own rounding.
    value, tol = found.value, max(claim.tolerance, found.resolution)
    if claim.kind in {"rank_low", "rank_high"}:
        ok = value > 0
        return (SUPPORTED if ok else CONTRADICTED), found.missing or ""
    if claim.upper is not None:
        ok = claim.claimed - tol <= value <= claim.upper + tol
        rule = f"in [{claim.claimed:g}, {claim.upper:g}] ± {tol:g}"
    elif claim.bound == ">":
        ok, rule = value > claim.claimed, f"> {claim.claimed:g}"
    elif claim.bound == "<":
        ok, rule = value < claim.claimed, f"< {claim.claimed:g}"
    else:
        ok = abs(value - claim.claimed) <= tol + 1e-9 * max(1.0, abs(tol))
        rule = f"{claim.claimed:g} ± {tol:g}"
    verdict = SUPPORTED if ok else CONTRADICTED
    return verdict, f"found {value:.4g} ({found.series}, {found.obs_date}); claim {rule}"


def _series(q: Quantity, frame: pd.DataFrame) -> tuple[str, pd.Series, pd.DataFrame] | None:
    """The quantity's series in ``frame`` (first with data; a spread is the difference)."""
    if q.spread:
        a, b = (frame[frame["series_id"] == sid] for sid in q.spread)
        if a.empty or b.empty:
            return None
        left = pd.Series(a["value"].to_numpy(), index=pd.DatetimeIndex(a["obs_date"]))
        right = pd.Series(b["value"].to_numpy(), index=pd.DatetimeIndex(b["obs_date"]))
        both = (left - right).dropna()
        return (
            f"{q.spread[0]} - {q.spread[1]}",
            both,
            a.set_index("obs_date").loc[both.index].reset_index(),
        )
    for sid in q.series:
        rows = frame[frame["series_id"] == sid].dropna(subset=["value"])
        if not rows.empty:
            values = pd.Series(
                rows["value"].to_numpy(dtype="float64") * q.scale,
                index=pd.DatetimeIndex(rows["obs_date"]),
            )
            return sid, values, rows
    return None


def _yoy_pct(values: pd.Series) -> pd.Series:
    """Year-on-year change in percent: ``100 * (x_t / x_{t - 1 year} - 1)`` on the same day
    of the year before (monthly and quarterly observations are dated the period's first)."""
    index = pd.DatetimeIndex(values.index)
    before = values.reindex(index - pd.DateOffset(years=1)).to_numpy()
    return pd.Series(100 * (values.to_numpy() / before - 1), index=values.index).dropna()


def _measure(
    claim: Claim,
    q: Quantity,
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Measure:
    """The first of the quantity's series that answers the claim (a fallback source may
    cover a period the first one does not); else why the first cannot."""
    found = _measure_one(claim, q, frame, specs, article_date)
    for sid in q.series[1:]:
        if found.value is not None:
            break
        other = _measure_one(claim, q, frame[frame["series_id"] == sid], specs, article_date)
        if other.value is not None:
            found = other
    return found


@dataclass(frozen=True, slots=True)
class _View:
    """A quantity's observations as one claim reads them, up to the claim's date ``end``."""

    sid: str
    values: pd.Series
    rows: pd.DataFrame
    end: date
    spec: SeriesSpec | None

    @property
    def head(self) -> pd.Series:
        return self.values.loc[: pd.Timestamp(self.end)]

    def at(self, day: pd.Timestamp, value: float, note: str | None = None) -> Measure:
        """``value`` observed on ``day``, with the provenance of that observation."""
        row = self.rows[pd.DatetimeIndex(self.rows["obs_date"]) == day]
        source = str(row["source"].iloc[-1]) if not row.empty else None
        fetch = str(row["retrieved_at"].iloc[-1]) if not row.empty else None
        return Measure(value, self.sid, day.date(), source, fetch, note)


def _measure_one(
    claim: Claim,
    q: Quantity,
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Measure:
    found = _series(q, frame)
    if found is None:
        names = ", ".join(q.spread or q.series)
        return Measure(None, missing=f"no observation of {names} published by then")
    sid, values, rows = found
    window = claim.window
    end = window.end if window is not None else article_date
    if window is not None and window.before:
        end = window.start - timedelta(days=1)
    if q.transform == "yoy_pct" or claim.kind == "yoy_pct":
        values = _yoy_pct(values)
    view = _View(sid, values, rows, end, specs.get((q.spread or q.series)[0]))
    if view.head.empty:
        return Measure(None, missing=f"no observation of {sid} on or before {end}")
    measure = _MEASURES.get(claim.kind)
    if measure is None:
        return Measure(None, missing=f"a {claim.kind} claim is not checked against series")
    return measure(view, claim)


def _level(view: _View, claim: Claim) -> Measure:
    """The latest observation on or before the claim's date, within the series' staleness
    limit; for a window, one inside it (a meeting decision stays in force between meetings)."""
    spec, window = view.spec, claim.window
    limit = staleness_limit(spec.frequency, spec.release_lag_days) if spec else timedelta(7)
    latest = latest_asof(view.head, view.end, limit, series_id=view.sid)
    if latest.value is None or latest.obs_date is None:
        return Measure(None, missing=latest.reason)
    in_force = spec is not None and spec.frequency == "event"
    if window is not None and not window.before and latest.obs_date < window.start and not in_force:
        return Measure(
            None, missing=f"no observation of {view.sid} in {window.describe()} published by then"
        )
    measure = view.at(pd.Timestamp(latest.obs_date), latest.value)
    return replace(measure, resolution=_resolution(view.values) if claim.kind == "level" else 0.0)


def _resolution(values: pd.Series) -> float:
    """Half a unit of the last decimal the series is published to (the most decimals of
    any of its observations, at most 6): 0.005 for yields in hundredths, and for a policy
    rate that has been 3.5 and 3.75."""
    scaled = np.round(values.dropna().to_numpy(dtype="float64"), 6)
    decimals = 0
    while decimals < 6 and not np.allclose(scaled, np.round(scaled, decimals), rtol=0, atol=1e-9):
        decimals += 1
    return 0.5 * 10.0**-decimals


def _change(view: _View, claim: Claim) -> Measure:
    """From the last observation before the window to the last inside it: in units
    (change_abs), percent (change_pct) or percent compounded over four periods (annualised)."""
    window = claim.window
    frequency = view.spec.frequency if view.spec is not None else None
    if window is None and frequency == "daily":
        # a daily market move stated without a window is the move of the piece's day
        window = Window("the article's date", view.end, view.end)
    elif window is None and frequency == "event" and not view.head.empty:
        # a policy move stated without a window is the latest decision by the date
        last = view.head.index[-1].date()
        window = Window("the latest decision", last, last)
    if window is None:
        return Measure(None, missing="the change's window is not stated")
    inside = view.head.loc[pd.Timestamp(window.start) + pd.Timedelta(days=int(window.rolling)) :]
    # A rolling span ("the past month") runs from the value on its first day; a day or a
    # calendar period ("on December 1", "in November") from the last value before it.
    first_day = pd.Timestamp(window.start)
    base = view.values.loc[: first_day if window.rolling else first_day - pd.Timedelta(days=1)]
    if inside.empty or base.empty:
        return Measure(None, missing=f"no observations of {view.sid} around {window.describe()}")
    last, first = float(inside.iloc[-1]), float(base.iloc[-1])
    if claim.kind == "change_abs":
        value = last - first
    elif claim.kind == "change_pct":
        value = 100 * (last / first - 1)
    else:  # annualised: the quarter's growth compounded over four quarters
        value = 100 * ((last / first) ** 4 - 1)
    return view.at(inside.index[-1], value)


def _rank(view: _View, claim: Claim) -> Measure:
    """ "The lowest since YEAR": the value on the claim's date is at or below every value
    from 1 January of YEAR + 1 on (so a lower value during YEAR itself does not count
    against it); +1 when it holds, -1 when not, with the record in ``missing`` as a note."""
    year, low = int(claim.claimed), claim.kind == "rank_low"
    values = view.values
    if values.index[0] > pd.Timestamp(year, 12, 31):
        return Measure(None, missing=f"{view.sid} starts on {values.index[0].date()}, after {year}")
    since = values.loc[pd.Timestamp(year + 1, 1, 1) : pd.Timestamp(view.end)]
    if since.empty:
        return Measure(None, missing=f"no observations of {view.sid} since {year}")
    latest = float(since.iloc[-1])
    extreme = float(since.min() if low else since.max())
    holds = latest <= extreme if low else latest >= extreme
    when = since.index[int(np.argmin(since.to_numpy()) if low else np.argmax(since.to_numpy()))]
    note = (
        f"{_show(latest)} on {since.index[-1].date()}; the {'lowest' if low else 'highest'} "
        f"since {year} was {_show(extreme)} on {when.date()}"
    )
    return view.at(since.index[-1], 1.0 if holds else -1.0, note)


def _peak(view: _View, claim: Claim) -> Measure:
    """ "From a peak of X": the greatest value up to the claim's date."""
    head = view.head
    top = int(np.argmax(head.to_numpy()))
    return view.at(head.index[top], float(head.iloc[top]))


_MEASURES: Final[Mapping[str, Callable[[_View, Claim], Measure]]] = {
    "level": _level,
    "yoy_pct": _level,
    "peak": _peak,
    "change_pct": _change,
    "change_abs": _change,
    "change_pct_annualised": _change,
    "rank_low": _rank,
    "rank_high": _rank,
}


def summary(judgements: Sequence[Judgement]) -> dict[str, int]:
    """How many claims got each verdict."""
    counts = {SUPPORTED: 0, CONTRADICTED: 0, UNVERIFIABLE: 0}
    for j in judgements:
        counts[j.verdict] += 1
    return {"claims": len(judgements), **counts}
