"""Judge claims against observations: supported, contradicted or unverifiable, with evidence.

Pure: the caller reads the store (every column of ``Store.read``: series_id, obs_date,
value, source, retrieved_at, url ...) and passes the frame and the catalog's specs.

Each claim is judged twice:

* **point in time**: only observations published by the article's date, i.e.
  ``obs_date <= spec.published_through(date)`` (``release_lag_days`` in series.toml; the
  one place that rule is applied here is :func:`published`);
* **in hindsight**: every observation in the store, revised or published since.

The verdict is the point-in-time one where that can be judged; where the data were not yet
out (or the claim is about a later date, a forecast) it is the hindsight one, and the
reason says so. A claim is checked to its own rounding: ``|found - claimed| <= tolerance``
("3.72%" to 0.005); "over 23%" is a bound (found > 23), a range "3.7%-3.9%" holds when the
value lies in it (each end widened by its rounding).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from carrywatch.analytics.alignment import latest_asof, staleness_limit
from carrywatch.catalog.spec import SeriesSpec
from carrywatch.claims.grammar import Claim, Quantity, load_quantities

__all__ = ["Judgement", "Measure", "judge", "published", "series_needed", "summary"]

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
    return list(dict.fromkeys(ids))


def published(frame: pd.DataFrame, specs: Mapping[str, SeriesSpec], asof: date) -> pd.DataFrame:
    """The rows of ``frame`` published by ``asof``: ``obs_date`` on or before the series'
    ``published_through(asof)`` (obs_date plus its release lag on or before ``asof``)."""
    if frame.empty:
        return frame
    cutoff = frame["series_id"].map(
        {
            sid: pd.Timestamp(specs[sid].published_through(asof))
            for sid in frame["series_id"].unique()
        }
    )
    return frame[frame["obs_date"] <= cutoff]


def judge(
    claims: Sequence[Claim],
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> list[Judgement]:
    """The judgement of each claim (see the module docstring)."""
    by_id = {q.id: q for q in load_quantities()}
    known = published(frame, specs, article_date)
    return [_judge(c, by_id[c.quantity], known, frame, specs, article_date) for c in claims]


def _judge(
    claim: Claim,
    q: Quantity,
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


def _show(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def _compare(claim: Claim, found: Measure) -> tuple[str, str]:
    if found.value is None:
        return UNVERIFIABLE, found.missing or "no value"
    value, tol = found.value, claim.tolerance
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
    before = values.reindex(values.index - pd.DateOffset(years=1)).to_numpy()
    return pd.Series(100 * (values.to_numpy() / before - 1), index=values.index).dropna()


def _measure(
    claim: Claim,
    q: Quantity,
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Measure:
    """The first of the quantity's series that answers the claim (a fallback source may
    cover a period the first one does not)."""
    first: Measure | None = None
    for sid in q.series[1:]:
        if first is None:
            first = _measure_one(claim, q, frame, specs, article_date)
        if first.value is not None:
            return first
        other = _measure_one(claim, q, frame[frame["series_id"] == sid], specs, article_date)
        if other.value is not None:
            return other
    return first or _measure_one(claim, q, frame, specs, article_date)


def _measure_one(
    claim: Claim,
    q: Quantity,
    frame: pd.DataFrame,
    specs: Mapping[str, SeriesSpec],
    article_date: date,
) -> Measure:
    found = _series(q, frame)
    names = ", ".join(q.spread or q.series)
    if found is None:
        return Measure(None, missing=f"no observation of {names} published by then")
    sid, values, rows = found
    window = claim.window
    end = window.end if window is not None else article_date
    if window is not None and window.before:
        end = window.start - pd.Timedelta(days=1).to_pytimedelta()
    if q.transform == "yoy_pct" or claim.kind == "yoy_pct":
        values = _yoy_pct(values)
    head = values.loc[: pd.Timestamp(end)]
    if head.empty:
        return Measure(None, missing=f"no observation of {sid} on or before {end}")

    def at(day: pd.Timestamp, value: float) -> Measure:
        row = rows[pd.DatetimeIndex(rows["obs_date"]) == day]
        source = str(row["source"].iloc[-1]) if not row.empty else None
        fetch = str(row["retrieved_at"].iloc[-1]) if not row.empty else None
        return Measure(value, sid, day.date(), source, fetch)

    kind = claim.kind
    if kind in {"level", "from_to", "peak"} or kind == "yoy_pct":
        if kind == "peak":
            return at(head.idxmax(), float(head.max()))
        first_id = (q.spread or q.series)[0]
        spec = specs.get(sid.split(" - ")[0]) or specs.get(first_id)
        limit = (
            staleness_limit(spec.frequency, spec.release_lag_days)
            if spec
            else pd.Timedelta(days=7).to_pytimedelta()
        )
        latest = latest_asof(head, end, limit, series_id=sid)
        if latest.value is None or latest.obs_date is None:
            return Measure(None, missing=latest.reason)
        if (
            window is not None
            and not window.before
            and latest.obs_date < window.start
            and spec
            and spec.frequency != "event"
        ):
            return Measure(
                None, missing=f"no observation of {sid} in {window.describe()} published by then"
            )
        return at(pd.Timestamp(latest.obs_date), latest.value)
    if kind in {"change_pct", "change_abs", "change_pct_annualised"}:
        start = window.start if window is not None else None
        if start is None:
            return Measure(None, missing="the change's window is not stated")
        inside = head.loc[pd.Timestamp(start) :]
        base = values.loc[: pd.Timestamp(start) - pd.Timedelta(days=1)]
        if inside.empty or base.empty:
            return Measure(
                None,
                missing=f"no observations of {sid} around {window.describe() if window else end}",
            )
        last, first = float(inside.iloc[-1]), float(base.iloc[-1])
        if kind == "change_abs":
            value = last - first
        elif kind == "change_pct":
            value = 100 * (last / first - 1)
        else:  # annualised: the period's growth compounded over four quarters
            value = 100 * ((last / first) ** 4 - 1)
        return at(inside.index[-1], float(value))
    if kind in {"rank_low", "rank_high"}:
        year = int(claim.claimed)
        since = values.loc[pd.Timestamp(year + 1, 1, 1) : pd.Timestamp(end)]
        if values.index[0] > pd.Timestamp(year, 12, 31):
            return Measure(None, missing=f"{sid} starts on {values.index[0].date()}, after {year}")
        if since.empty:
            return Measure(None, missing=f"no observations of {sid} since {year}")
        latest = float(since.iloc[-1])
        extreme = float(since.min() if kind == "rank_low" else since.max())
        holds = latest <= extreme if kind == "rank_low" else latest >= extreme
        when = since.idxmin() if kind == "rank_low" else since.idxmax()
        word = "lowest" if kind == "rank_low" else "highest"
        note = f"{_show(latest)} on {since.index[-1].date()}; the {word} since {year} was {_show(extreme)} on {when.date()}"
        measure = at(since.index[-1], 1.0 if holds else -1.0)
        return Measure(
            measure.value, measure.series, measure.obs_date, measure.source, measure.fetch, note
        )
    return Measure(None, missing=f"a {kind} claim is not checked against series yet")


def summary(judgements: Sequence[Judgement]) -> dict[str, int]:
    """How many claims got each verdict."""
    counts = {SUPPORTED: 0, CONTRADICTED: 0, UNVERIFIABLE: 0}
    for j in judgements:
        counts[j.verdict] += 1
    return {"claims": len(judgements), **counts}
