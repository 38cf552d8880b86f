"""The Python API behind ``import carrywatch``: series, metrics, odds and the brief.

Each function opens the store under ``home`` (default ``CARRYWATCH_HOME`` or the user
data folder; a new store is seeded from the embedded real-data snapshot), reads, closes
it and returns a value that outlives the store. Results are typed; each has
``to_frame()`` for a notebook:

>>> import carrywatch
>>> carrywatch.series(["us.fed.assets", "us.rrp"], start="2024-07-01")  # doctest: +SKIP
>>> carrywatch.metrics(asof="2024-08-05").to_frame()                    # doctest: +SKIP

Units: :func:`series` gives each series in its display unit (``units="display"``, the
default: USD millions shown as USD billions, see
:data:`carrywatch.analytics.units.DISPLAY_UNITS`) or as stored (``units="stored"``,
the provider's own unit); the frame's ``attrs["units"]`` names the unit of each column.
Metrics carry their own unit.

This module joins the workspace, the report and the prediction-market reader; the CLI
calls the same functions (one path from the store to a number, whichever shell asks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from carrywatch.errors import ConfigError

if TYPE_CHECKING:
    from carrywatch.analytics.odds.conventions import AnnouncementDayRule, Chain
    from carrywatch.catalog.spec import Catalog
    from carrywatch.report.metrics import HeadlineMetrics, Metric
    from carrywatch.report.model import Report
    from carrywatch.report.odds import Bank, OddsReport
    from carrywatch.report.render import BriefPaths
    from carrywatch.store.sqlite import Store

__all__ = [
    "Brief",
    "Metrics",
    "Odds",
    "Units",
    "brief",
    "metrics",
    "odds",
    "series",
]

Units = Literal["display", "stored"]
DateLike = date | str


def _day(value: DateLike | None, name: str) -> date | None:
    """A ``date`` from a date or an ISO ``YYYY-MM-DD`` string, inside the days carrywatch
    can represent (:func:`~carrywatch.catalog.releases.asof_day`); ``ConfigError``
    otherwise."""
    from carrywatch.catalog.releases import asof_day

    if value is None:
        return value
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return asof_day(value.isoformat(), name)
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date; use YYYY-MM-DD") from None
    return asof_day(parsed.isoformat(), name)


def _home(home: Path | str | None) -> Path:
    from carrywatch.settings import Settings

    return Settings.from_env().home if home is None else Path(home)


def _open(home: Path | str | None) -> Store:
    from carrywatch.settings import Settings
    from carrywatch.workspace import open_store

    # CARRYWATCH_DATABASE_URL, when set, names the store wherever the home is.
    return open_store(_home(home), database_url=Settings.from_env().database_url)


def _catalog(store: Store) -> Catalog:
    from carrywatch.workspace import catalog_of

    return catalog_of(store)


def _default_asof(store: Store, asof: DateLike | None) -> date:
    from carrywatch.report.metrics import default_asof

    return _day(asof, "asof") or default_asof(store, datetime.now(UTC).date())


# --- series -------------------------------------------------------------------------------


def series(
    ids: str | Sequence[str],
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    asof: DateLike | None = None,
    units: Units = "display",
    home: Path | str | None = None,
) -> pd.DataFrame:
    """Observations of ``ids`` as one wide frame: a row per ``obs_date``, a column per id.

    Parameters
    ----------
    ids
        One series id or several (``carrywatch series list`` lists them; ``user.*`` ids
        made by ``carrywatch import --new-series`` too).
    start, end
        First and last ``obs_date`` kept.
    asof
        The view as of that date: ``obs_date <= asof``, the newest revision of each.
    units
        ``"display"`` (default): each series in its display unit (USD millions as USD
        billions); ``"stored"``: as the provider publishes it.

    Returns
    -------
    pandas.DataFrame
        Index ``obs_date`` (``DatetimeIndex``), one float column per id in the order
        given, NaN where a series has no observation on a date another one has.
        ``attrs["units"]`` maps each column to its unit.
    """
    from carrywatch.analytics.units import display_unit, to_display_unit

    wanted = [ids] if isinstance(ids, str) else list(dict.fromkeys(ids))
    if not wanted:
        raise ConfigError("series() needs at least one series id")
    if units not in ("display", "stored"):
        raise ConfigError(f"units={units!r}: use 'display' or 'stored'")
    with _open(home) as store:
        specs = _catalog(store).specs(wanted)
        frame = store.read(
            wanted,
            start=_day(start, "start"),
            end=_day(end, "end"),
            asof=_day(asof, "asof"),
        )
    columns: dict[str, pd.Series] = {}
    unit_of: dict[str, str] = {}
    for spec in specs:
        rows = frame[frame["series_id"] == spec.id]
        values = pd.Series(
            rows["value"].to_numpy(dtype="float64"),
            index=pd.DatetimeIndex(rows["obs_date"], name="obs_date"),
            name=spec.id,
        )
        if units == "display":
            values = to_display_unit(values, spec.unit)
            unit_of[spec.id] = display_unit(spec.unit)
        else:
            unit_of[spec.id] = spec.unit
        columns[spec.id] = values
    wide = pd.DataFrame(columns, columns=wanted)
    wide.index = pd.DatetimeIndex(wide.index, name="obs_date")
    wide = wide.sort_index()
    wide.attrs["units"] = unit_of
    return wide


# --- metrics ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metrics:
    """The headline metrics as of one date (see ``docs/analytics.md`` for each formula)."""

    asof: date
    headline: HeadlineMetrics

    def __getitem__(self, key: str) -> Metric:
        return self.headline[key]

    @property
    def values(self) -> dict[str, float | None]:
        """``{key: value}``, ``None`` where a metric is missing (its ``reason`` says why)."""
        return {key: metric.value for key, metric in self.headline.metrics.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric key: ``value``, ``unit``, ``obs_date``, ``series``, ``reason``."""
        return metrics_frame(self.headline)

    def to_json(self) -> dict[str, object]:
        return self.headline.to_json()


def metrics_frame(headline: HeadlineMetrics) -> pd.DataFrame:
    """:class:`Metrics` ``.to_frame()`` of a :class:`HeadlineMetrics` (index ``metric``)."""
    from carrywatch.report.metrics import METRIC_KEYS

    rows = []
    for key in METRIC_KEYS:
        metric = headline[key]
        rows.append(
            {
                "metric": key,
                "value": metric.value,
                "unit": metric.unit,
                "obs_date": metric.obs_date,
                "series": ", ".join(metric.series),
                "reason": metric.reason,
            }
        )
    frame = pd.DataFrame(rows).set_index("metric")
    frame["value"] = frame["value"].astype("float64")
    return frame


def metrics(*, asof: DateLike | None = None, home: Path | str | None = None) -> Metrics:
    """The headline metrics as of ``asof`` (default: the last date on which every core
    market series is in the store), from what was published by then."""
    from carrywatch.report.metrics import headline_metrics

    with _open(home) as store:
        cutoff = _default_asof(store, asof)
        return Metrics(cutoff, headline_metrics(store, _catalog(store), cutoff))


# --- odds ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Odds:
    """Every source's distribution of the target range after each upcoming meeting."""

    report: OddsReport

    @property
    def asof(self) -> date:
        return self.report.asof

    @property
    def notes(self) -> tuple[str, ...]:
        """Why a source is absent (no futures file, no market quote ...)."""
        return self.report.notes

    def to_frame(self) -> pd.DataFrame:
        """One row per (meeting, source, range): ``lower_pct``, ``upper_pct``,
        ``probability`` (0-1); a refused distribution is one row with its ``reason``."""
        rows: list[dict[str, object]] = []
        for dist in sorted(self.report.distributions, key=lambda d: (d.meeting, d.source)):
            if dist.refused:
                rows.append({"meeting": dist.meeting, "source": dist.source, "reason": dist.reason})
                continue
            rows.extend(
                {
                    "meeting": dist.meeting,
                    "source": dist.source,
                    "lower_pct": r.lower_pct,
                    "upper_pct": r.upper_pct,
                    "probability": r.probability,
                    "reason": None,
                }
                for r in dist.probabilities
            )
        columns = ["meeting", "source", "lower_pct", "upper_pct", "probability", "reason"]
        return pd.DataFrame(rows, columns=columns)

    def to_json(self) -> dict[str, object]:
        return self.report.to_json()


def _read_bytes(path: Path | str | None, name: str) -> bytes | None:
    from carrywatch.files import read_user_file

    return None if path is None else read_user_file(Path(path), what=f"{name} {Path(path).name}")


def odds(
    bank: Bank,
    *,
    asof: DateLike | None = None,
    futures: Path | str | None = None,
    path: Path | str | None = None,
    target_range: tuple[float, float] | None = None,
    home: Path | str | None = None,
    chain: Chain = "cme",
    announcement_day: AnnouncementDayRule = "cme",
    step_bp: float = 25.0,
) -> Odds:
    """Market-implied odds of ``bank``'s (``"fed"`` or ``"boj"``) next meetings.

    ``futures`` is a CSV file of fed funds futures settlements (``contract,settle``),
    ``path`` one of expected overnight rates (``start,end,rate`` or ``tenor,rate``);
    prediction markets are the quotes ``carrywatch markets refresh`` stored.
    ``asof`` defaults to today; ``target_range`` (lower, upper in percent) to the one in the
    store. ``chain``, ``announcement_day`` and ``step_bp`` are the conventions of
    :mod:`carrywatch.analytics.odds.conventions` (default: CME's live tool).
    """
    from carrywatch.analytics.odds.conventions import Conventions
    from carrywatch.report.market_quotes import StoredMarkets
    from carrywatch.report.odds import current_range, policy_odds

    if bank not in ("fed", "boj"):
        raise ConfigError(f"bank={bank!r}: use 'fed' or 'boj'")
    if futures is not None and path is not None:
        raise ConfigError("give futures or path, not both")
    try:
        conventions = Conventions(chain, announcement_day, step_bp)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    cutoff = _day(asof, "asof") or datetime.now(UTC).date()
    folder = _home(home)
    with _open(folder) as store:
        catalog = _catalog(store)
        range_pct = target_range or current_range(store, bank, cutoff)
        markets = StoredMarkets.load(store, catalog, cutoff, 0)(bank, cutoff, range_pct)
    return Odds(
        policy_odds(
            catalog,
            bank,
            cutoff,
            range_pct,
            markets=markets,
            futures_csv=_read_bytes(futures, "futures"),
            path_csv=_read_bytes(path, "path"),
            conventions=conventions,
        )
    )


# --- the brief ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Brief:
    """The brief as of ``asof``: the report and, when written, where its files are."""

    report: Report
    paths: BriefPaths | None

    @property
    def asof(self) -> date:
        return self.report.asof

    def to_frame(self) -> pd.DataFrame:
        """The headline metrics of the brief (as :meth:`Metrics.to_frame`)."""
        return metrics_frame(self.report.metrics)

    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Every table of the page by its key (``"data-status"`` ...), as frames."""
        from carrywatch.report.tables import table_frame

        return {t.key: table_frame(t) for s in self.report.sections for t in s.tables}


def brief(
    *,
    asof: DateLike | None = None,
    out: Path | str | None = None,
    home: Path | str | None = None,
) -> Brief:
    """The brief as of ``asof`` (default as :func:`metrics`); with ``out``, the page,
    its JSON and its tables as CSV are written into that folder (see ``carrywatch brief``)."""
    from carrywatch.report.render import build_report
    from carrywatch.settings import Settings

    folder = _home(home)
    with _open(folder) as store:
        cutoff = _default_asof(store, asof)
        catalog = _catalog(store)
        report = build_report(store, catalog, cutoff)
    paths = None
    if out is not None:
        paths = write_brief(report, Path(out), template_cache=Settings(home=folder).template_cache)
    return Brief(report, paths)


def write_brief(report: Report, out: Path, *, template_cache: Path | None) -> BriefPaths:
    """Write the page, its JSON and each of its tables as ``tables/<key>.csv``."""
    from carrywatch.report.render import write_report
    from carrywatch.report.tables import write_table_csvs

    paths = write_report(report, out, template_cache=template_cache)
    write_table_csvs(report, out / "tables")
    return paths
