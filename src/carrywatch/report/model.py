"""The brief as data: a :class:`Report` of :class:`Section` objects, each with its cards,
figures (plotly specs), tables, notes and what is missing.

Nothing here reads the store or renders anything: :mod:`carrywatch.report.sections`
fills these values from the store and the analytics, :mod:`carrywatch.report.render`
turns them into HTML, JSON and a terminal summary. Every value object has a
``to_json()`` that returns plain JSON types (dates as ISO strings, NaN never present).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from carrywatch.report.metrics import HeadlineMetrics

__all__ = [
    "Card",
    "Cell",
    "Figure",
    "Provenance",
    "Report",
    "Section",
    "Table",
]

#: A table cell: text, a number, or None (shown as a dash).
Cell = str | int | float | None


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a series stands as of the brief's date, and where its newest value came from.

    ``last_obs`` is the newest obs_date on or before the as-of date; ``retrieved_at``,
    ``origin`` (live, snapshot, import) and ``url`` belong to the fetch that delivered it.
    ``stale`` is True when ``last_obs`` is older than the staleness limit of the series'
    frequency (``limit_days``); a series with no observation has ``last_obs`` None.
    ``released`` is the day that newest value was released and ``release_rule`` the rule
    that dated it (see :mod:`carrywatch.catalog.releases`).
    """

    series_id: str
    title: str
    publisher: str
    source: str
    frequency: str
    unit: str
    last_obs: date | None
    retrieved_at: str | None
    origin: str | None
    url: str | None
    stale: bool
    limit_days: int
    age_days: int | None
    gap: str | None = None
    released: date | None = None
    release_rule: str | None = None

    @property
    def status(self) -> str:
        """``fresh``, ``stale`` or ``no data``."""
        if self.last_obs is None:
            return "no data"
        return "stale" if self.stale else "fresh"

    @property
    def label(self) -> str:
        """``"<id> (<publisher>)"``, how a caption names the series."""
        return f"{self.series_id} ({self.publisher})"

    def to_json(self) -> dict[str, Any]:
        return {
            "series_id": self.series_id,
            "title": self.title,
            "publisher": self.publisher,
            "source": self.source,
            "frequency": self.frequency,
            "unit": self.unit,
            "last_obs": _iso(self.last_obs),
            "retrieved_at": self.retrieved_at,
            "origin": self.origin,
            "url": self.url,
            "status": self.status,
            "limit_days": self.limit_days,
            "age_days": self.age_days,
            "gap": self.gap,
            "released": _iso(self.released),
            "release_rule": self.release_rule,
        }


@dataclass(frozen=True, slots=True)
class Card:
    """One number with its date, inputs and a one-line reading (or why it is missing).

    ``key`` is a headline metric key (:data:`~carrywatch.report.metrics.METRIC_KEYS`) for
    the headline cards, or a section-local key. ``change_1w`` and ``change_1m`` are in
    ``unit``: the value against the same number as of seven and thirty days before the
    brief's date. The page writes changes of rates in bp; ``bp_changes`` False writes
    them in pp (a volatility, a growth rate).
    """

    key: str
    label: str
    value: float | None
    unit: str
    obs_date: date | None
    series: tuple[str, ...]
    reading: str
    change_1w: float | None = None
    change_1m: float | None = None
    reason: str | None = None
    bp_changes: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "obs_date": _iso(self.obs_date),
            "series": list(self.series),
            "reading": self.reading,
            "change_1w": self.change_1w,
            "change_1m": self.change_1m,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart: a plotly figure as a JSON-able dict, with its sources and dates.

    ``spec`` is ``{"data": [...], "layout": {...}}`` with dates as ISO strings and no NaN
    (gaps are ``None``). ``sources`` names each series with its publisher;
    ``provenance`` has the retrieval time and origin of each. ``latest_obs`` is the newest
    observation plotted. ``empty_reason`` is set when the figure has no data, and says
    why (the spec then carries the same text as an annotation).
    """

    key: str
    title: str
    spec: Mapping[str, Any]
    sources: tuple[str, ...]
    asof: date
    latest_obs: date | None
    provenance: tuple[Provenance, ...] = ()
    note: str = ""
    empty_reason: str | None = None

    @property
    def has_data(self) -> bool:
        """True when some trace has at least one point."""
        return any(_trace_has_points(t) for t in self.spec.get("data", ()))

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "sources": list(self.sources),
            "asof": self.asof.isoformat(),
            "latest_obs": _iso(self.latest_obs),
            "provenance": [p.to_json() for p in self.provenance],
            "note": self.note,
            "empty_reason": self.empty_reason,
            "spec": dict(self.spec),
        }


def _trace_has_points(trace: Mapping[str, Any]) -> bool:
    for axis in ("y", "x", "values"):
        values = trace.get(axis)
        if values is not None and any(v is not None for v in values):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under named columns.

    ``formats`` holds one Python format spec per column (``",.2f"``; ``""`` prints the
    cell as it is); numbers stay numbers in the JSON. ``row_classes`` optionally tags a
    row (``"stale"``, ``"missing"``) for the page's styling.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    formats: tuple[str, ...] = ()
    note: str = ""
    sources: tuple[str, ...] = ()
    row_classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"table {self.key}: a row has {len(row)} cells, not {width}")
        if self.formats and len(self.formats) != width:
            raise ValueError(f"table {self.key}: {len(self.formats)} formats for {width} columns")

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "note": self.note,
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the brief and the series it reads.

    ``missing`` says, one sentence each, which inputs were absent or stale and what is
    therefore not shown: a section never fills a gap with an invented number.
    """

    key: str
    title: str
    reads: tuple[str, ...]
    lede: str = ""
    cards: tuple[Card, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "reads": list(self.reads),
            "lede": self.lede,
            "cards": [c.to_json() for c in self.cards],
            "figures": [f.to_json() for f in self.figures],
            "tables": [t.to_json() for t in self.tables],
            "notes": list(self.notes),
            "missing": list(self.missing),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The brief as of ``asof``: the headline metrics and every section.

    ``seed`` is the seed of the random generators used (the unwind scenarios' Monte
    Carlo), stated on the page so a run can be reproduced.
    """

    asof: date
    generated_at: datetime
    metrics: HeadlineMetrics
    sections: tuple[Section, ...]
    seed: int

    def section(self, key: str) -> Section:
        """The section named ``key``; ``KeyError`` when there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for s in self.sections for f in s.figures)

    def to_json(self) -> dict[str, Any]:
        """``{"asof", "generated_at", "seed", "metrics", "sections"}``.

        ``metrics`` is exactly ``HeadlineMetrics.to_json()["metrics"]``, the document
        ``carrywatch metrics --json`` prints for the same date.
        """
        return {
            "asof": self.asof.isoformat(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "seed": self.seed,
            "metrics": self.metrics.to_json()["metrics"],
            "sections": [s.to_json() for s in self.sections],
        }
