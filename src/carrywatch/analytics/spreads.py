"""US-Japan yield and policy-rate spreads, where a level stands in its history, co-movement.

The spreads a desk watches when the Fed eases and the BOJ tightens:

* 2-year: ``us.ust.2y - jp.jgb.2y`` (expected policy over two years);
* 10-year: ``us.ust.10y - jp.jgb.10y`` (what drives USD/JPY in most of the sample);
* policy: midpoint of the Fed's target range minus the BOJ policy rate
  (:func:`policy_spread_pp`).

All spreads are US minus Japan, in percentage points, on the US series' dates; the
Japanese leg is the latest observation on or before each date within a staleness limit
(:func:`carrywatch.analytics.alignment.align_asof`), because JGB and Treasury market
holidays differ (Marine Day, Golden Week, Obon on one side; Independence Day,
Thanksgiving on the other).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import pandas as pd

from carrywatch.analytics.alignment import STALENESS_LIMITS, align_asof, latest_asof, require
from carrywatch.errors import InsufficientDataError

__all__ = [
    "HistoryRank",
    "fed_target_midpoint_pct",
    "history_rank",
    "policy_spread_pp",
    "rolling_correlation",
    "spread_pp",
]

#: Spreads are rounded to this many decimals (1e-9 pp): far below any quoted precision,
#: it removes binary noise so that equal spreads (3.78 - 0.781 and 3.80 - 0.801) compare
#: equal in the "at or below" counts of :func:`history_rank`.
_SPREAD_DECIMALS: Final = 9


def _name(series: pd.Series, default: str) -> str:
    return default if series.name is None else str(series.name)


def spread_pp(us: pd.Series, jp: pd.Series, *, max_age: timedelta) -> pd.Series:
    """US minus Japan, in percentage points, on the US series' dates.

    Parameters
    ----------
    us, jp:
        Rates in percent (DatetimeIndex of obs_dates), named by their series ids.
    max_age:
        The longest the Japanese value may be carried to a US date (7 days for a daily
        JGB yield, ``STALENESS_LIMITS["event"]`` for the BOJ's meeting-decision series).

    Returns
    -------
    pandas.Series
        Named ``"<us id>-<jp id>"``, on every US date with a value; NaN where the
        Japanese leg has no observation within ``max_age`` (never an older value).

    Raises
    ------
    InsufficientDataError
        When no US date has a Japanese value within ``max_age``.

    Notes
    -----
    .. math:: s_t = u_t - j_{\\tau(t)},\\quad
              \\tau(t) = \\max\\{\\tau \\le t : j_\\tau \\text{ observed}\\},\\ t - \\tau(t) \\le
              \\text{max\\_age}

    Both legs must be in percent; 1 pp = 100 bp. Each yield is its market's own
    constant-maturity quote (Treasury CMT: semi-annual bond-equivalent; MOF JGB yields
    by the MOF's method); the compounding difference is far below a basis point at
    these levels and is ignored. Values are rounded to 1e-9 pp.

    References
    ----------
    Board of Governors of the Federal Reserve System, H.15 Selected Interest Rates
    (DGS2, DGS10); Ministry of Finance Japan, "Interest Rate" (JGB CMT yields).
    """
    us_id, jp_id = _name(us, "us"), _name(jp, "jp")
    base = us.dropna().sort_index()
    if base.empty:
        raise InsufficientDataError(f"{us_id} has no observation", series=(us_id,))
    jp_on_us = align_asof(jp, pd.DatetimeIndex(base.index), max_age)
    if jp_on_us.isna().all():
        raise InsufficientDataError(
            f"{jp_id} has no observation within {max_age.days} days of any {us_id} date",
            series=(jp_id,),
        )
    values = np.round(base.to_numpy(dtype="float64") - jp_on_us.to_numpy(), _SPREAD_DECIMALS)
    return pd.Series(values, index=base.index, name=f"{us_id}-{jp_id}")


def fed_target_midpoint_pct(upper: pd.Series, lower: pd.Series) -> pd.Series:
    """The midpoint of the FOMC's federal funds target range, in percent.

    Notes
    -----
    ``(DFEDTARU + DFEDTARL) / 2`` on the dates both limits are published (from
    2008-12-16, when the FOMC moved to a 25 bp range). The midpoint is the Fed's own
    one-number summary of its stance: the Summary of Economic Projections plots each
    participant's "midpoint of the appropriate target range", and the effective rate has
    traded within a few basis points of it for most of the range era.

    References
    ----------
    Federal Reserve, Summary of Economic Projections, Figure 2 note.
    """
    frame = pd.concat([upper, lower], axis=1, join="inner").dropna()
    if frame.empty:
        raise InsufficientDataError(
            "the target range limits share no date",
            series=(_name(upper, "us.fed.target_upper"), _name(lower, "us.fed.target_lower")),
        )
    mid = (frame.iloc[:, 0] + frame.iloc[:, 1]) / 2.0
    return pd.Series(mid.to_numpy(dtype="float64"), index=frame.index, name="us.fed.target_mid")


def policy_spread_pp(
    fed_upper: pd.Series,
    fed_lower: pd.Series,
    boj_policy: pd.Series,
    *,
    max_age: timedelta = STALENESS_LIMITS["event"],
) -> pd.Series:
    """Fed target-range midpoint minus the BOJ policy rate, in percentage points.

    Parameters
    ----------
    fed_upper, fed_lower:
        ``us.fed.target_upper`` and ``us.fed.target_lower`` (percent, daily).
    boj_policy:
        ``jp.boj.policy_rate`` (percent, one value per Monetary Policy Meeting).
    max_age:
        How long a BOJ decision is carried: 120 days (the ``event`` limit), since a
        policy rate is in force until the next meeting changes it.

    Notes
    -----
    .. math:: s_t = \\tfrac12(\\text{upper}_t + \\text{lower}_t) - r^{BOJ}_{\\tau(t)}

    Why the midpoint and not the upper limit: the midpoint is what the FOMC itself
    projects (the SEP dots) and where overnight dollar funding trades, so the spread is
    comparable across the range era; the upper limit would overstate the dollar rate
    by 12.5 bp throughout. The BOJ leg is ``jp.boj.policy_rate``, the upper end of the
    BOJ's target, which equals the target itself for the point targets in force since
    July 2024 ("around 0.25%") and before 2024 (-0.1%); only March-July 2024 (0-0.1%) is
    a range, where the upper end overstates the yen rate by 5 bp. From April 2013 to
    January 2016 the BOJ targeted the monetary base, not a rate: the series has no
    value there and the spread is NaN once the last rate decision is older than
    ``max_age``.

    References
    ----------
    Federal Reserve, Summary of Economic Projections; Bank of Japan, Statements on
    Monetary Policy (2016-01-29, 2024-03-19, 2024-07-31).
    """
    return spread_pp(fed_target_midpoint_pct(fed_upper, fed_lower), boj_policy, max_age=max_age)


@dataclass(frozen=True, slots=True)
class HistoryRank:
    """Where the value on ``asof`` stands in the series' history.

    Attributes
    ----------
    series_id, label, unit:
        What was ranked, how to call it in prose, and its unit (e.g. ``pp``).
    asof, obs_date, value:
        The cut-off asked for, the date of the observation used (latest on or before
        ``asof``) and its value, in ``unit``.
    percentile:
        0-100: the share of observations from ``history_start`` to ``obs_date``
        (inclusive, today's among them) that are at or below ``value``.
    zscore:
        ``(value - mean) / std`` over the same observations (sample std, ddof=1);
        None with fewer than two observations or no dispersion.
    n_obs, history_start:
        The number and first date of those observations.
    data_start:
        The first observation of the whole series.
    lowest_since, highest_since:
        The last date before ``obs_date`` on which the series was at or below
        (at or above) ``value``; None when there is none, i.e. the value is the lowest
        (highest) since ``data_start``.
    has_earlier:
        False when ``obs_date`` is the first observation of the series.
    """

    series_id: str
    label: str
    unit: str
    asof: date
    obs_date: date
    value: float
    percentile: float
    zscore: float | None
    n_obs: int
    history_start: date
    data_start: date
    lowest_since: date | None
    highest_since: date | None
    has_earlier: bool

    def _statement(self, word: str, since: date | None) -> str:
        if not self.has_earlier:
            return f"the first observation, {self.obs_date.isoformat()}"
        if since is None:
            return f"{word} since the start of the data, {self.data_start.isoformat()}"
        return f"{word} since {since.isoformat()}"

    @property
    def lowest_statement(self) -> str:
        """``"lowest since D"`` (D: the last earlier day at or below today's value)."""
        return self._statement("lowest", self.lowest_since)

    @property
    def highest_statement(self) -> str:
        """``"highest since D"`` (D: the last earlier day at or above today's value)."""
        return self._statement("highest", self.highest_since)

    @property
    def statement(self) -> str:
        """The one of the two statements that spans longer (lowest on a tie)."""
        # None means "since the start of the data": longer than any dated statement.
        low = self.lowest_since or date.min
        high = self.highest_since or date.min
        return self.lowest_statement if low <= high else self.highest_statement

    def summary(self) -> str:
        """E.g. "US-Japan 10y spread 2.10 pp, lowest since 2015-03-04 (5th percentile since
        2000-01-03)"."""
        unit = f" {self.unit}" if self.unit else ""
        rank = _ordinal(round(self.percentile))
        return (
            f"{self.label} {self.value:.2f}{unit}, {self.statement} "
            f"({rank} percentile since {self.history_start.isoformat()})"
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def history_rank(
    series: pd.Series,
    asof: date,
    *,
    start: date | None = None,
    label: str | None = None,
    unit: str = "",
    max_age: timedelta | None = None,
) -> HistoryRank:
    """Rank the value on ``asof`` in the history of ``series``.

    Parameters
    ----------
    series:
        Floats on a DatetimeIndex of obs_dates (NaN ignored), named by its series id.
    asof:
        The cut-off: the latest observation on or before it is ranked, and nothing
        after it is looked at.
    start:
        First date of the history used for the percentile and the z-score (default:
        the whole series). The "lowest/highest since" dates always use the whole series:
        they are statements about the data, not about a window.
    label, unit:
        For :meth:`HistoryRank.summary` (default label: the series id).
    max_age:
        When given, a latest observation older than this is refused.

    Raises
    ------
    InsufficientDataError
        No observation on or before ``asof`` (or a stale one), or none since ``start``.

    Notes
    -----
    With :math:`x_1..x_n` the observations from ``start`` to the obs_date of today's
    value :math:`v` (inclusive):

    .. math:: \\text{percentile} = 100\\cdot\\frac{\\#\\{i : x_i \\le v\\}}{n},\\qquad
              z = \\frac{v - \\bar x}{s},\\ s^2 = \\frac{1}{n-1}\\sum (x_i - \\bar x)^2

    The percentile is the empirical distribution function at :math:`v` ("weak"
    percentile of score: ties count as at or below, today's value is included, so it
    is never 0 and is 100 at a record high). "Lowest since D": D is the last date
    before obs_date with :math:`x_D \\le v`, so every observation strictly between D and
    obs_date is above :math:`v`; symmetric for "highest since".

    References
    ----------
    L. Wasserman, *All of Statistics* (Springer, 2004), section 7.1, the empirical
    distribution function; ``scipy.stats.percentileofscore(kind="weak")``.
    """
    series_id = _name(series, "series")
    clean = series.dropna().sort_index()
    clean = clean.loc[: pd.Timestamp(asof)]
    limit = timedelta.max if max_age is None else max_age
    found = latest_asof(clean, asof, limit, series_id=series_id)
    if found.value is None or found.obs_date is None:
        raise InsufficientDataError(
            found.reason or f"{series_id} has no value on {asof}", series=(series_id,)
        )
    value, obs = found.value, found.obs_date
    history = clean.loc[pd.Timestamp(start) :] if start is not None else clean
    history = require(history, series_id=series_id, min_obs=1)
    values = history.to_numpy(dtype="float64")
    n = len(values)
    percentile = 100.0 * float(np.count_nonzero(values <= value)) / n
    zscore: float | None = None
    if n >= 2:
        std = float(np.std(values, ddof=1))
        if std > 0.0:
            zscore = (value - float(np.mean(values))) / std
    earlier = clean.loc[clean.index < pd.Timestamp(obs)]
    return HistoryRank(
        series_id=series_id,
        label=label or series_id,
        unit=unit,
        asof=asof,
        obs_date=obs,
        value=value,
        percentile=percentile,
        zscore=zscore,
        n_obs=n,
        history_start=history.index[0].date(),
        data_start=clean.index[0].date(),
        lowest_since=_last_date(earlier, earlier <= value),
        highest_since=_last_date(earlier, earlier >= value),
        has_earlier=not earlier.empty,
    )


def _last_date(earlier: pd.Series, mask: pd.Series) -> date | None:
    hits = earlier.index[mask.to_numpy()]
    return None if len(hits) == 0 else hits[-1].date()


def rolling_correlation(
    x: pd.Series,
    y: pd.Series,
    *,
    window: int = 60,
    on: Literal["changes", "levels"] = "changes",
) -> pd.Series:
    """Rolling Pearson correlation of two series on the dates both have.

    Parameters
    ----------
    x, y:
        Floats on DatetimeIndexes (e.g. ``fx.usdjpy`` and the 10y spread).
    window:
        Observations per correlation (60 business days, about a quarter).
    on:
        ``"changes"`` (default): first differences between consecutive common dates;
        ``"levels"``: the levels themselves.

    Returns
    -------
    pandas.Series
        On the common dates (after the first difference, for changes), NaN until
        ``window`` observations are available; unitless, in [-1, 1].

    Raises
    ------
    InsufficientDataError
        Fewer than ``window`` observations in common.

    Notes
    -----
    .. math:: \\rho_t = \\frac{\\sum_{k}(a_k-\\bar a)(b_k-\\bar b)}
              {\\sqrt{\\sum_k(a_k-\\bar a)^2\\sum_k(b_k-\\bar b)^2}},\\quad k = t-w+1..t

    with :math:`a = \\Delta x, b = \\Delta y` by default. Changes, because levels of two
    trending or persistent series (a yield spread and an exchange rate) correlate
    strongly even when unrelated: the spurious-regression problem. Only dates present in
    both series are used, so no value is carried across a holiday of either market.

    References
    ----------
    C. W. J. Granger and P. Newbold, "Spurious Regressions in Econometrics", *Journal of
    Econometrics* 2 (1974), 111-120.
    """
    if window < 2:
        raise ValueError(f"window must be at least 2, not {window}")
    if on not in ("changes", "levels"):
        raise ValueError(f"on must be 'changes' or 'levels', not {on!r}")
    x_id, y_id = _name(x, "x"), _name(y, "y")
    both = pd.concat([x.rename("x"), y.rename("y")], axis=1, join="inner").dropna().sort_index()
    if on == "changes":
        both = both.diff().iloc[1:]
    if len(both) < window:
        raise InsufficientDataError(
            f"{x_id} and {y_id} have {len(both)} {on} in common; {window} are needed",
            series=(x_id, y_id),
        )
    corr = both["x"].rolling(window, min_periods=window).corr(both["y"])
    corr = corr.where(np.isfinite(corr))
    return pd.Series(corr.to_numpy(dtype="float64"), index=both.index, name=f"corr:{x_id}:{y_id}")
