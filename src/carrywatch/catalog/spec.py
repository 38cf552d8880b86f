"""Load and check the catalog: ``series.toml`` (what we track) and ``events.toml``
(FOMC and BOJ meetings with decisions and their official sources).

Both files ship inside the package; :func:`load_catalog` reads them on demand (never
at import time) and raises :class:`~carrywatch.errors.CatalogError` on any malformed
entry, naming the entry.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from carrywatch.catalog.parsed_cache import parsed_documents
from carrywatch.catalog.releases import ReleaseCalendar, parse_releases
from carrywatch.errors import CatalogError

__all__ = [
    "FREQUENCIES",
    "UNITS",
    "BojMeeting",
    "Bounds",
    "Catalog",
    "FomcMeeting",
    "SeriesSpec",
    "load_catalog",
]

UNITS = frozenset(
    {
        "percent",
        "pp",
        "bp",
        "usd",
        "usd_mn",
        "usd_bn",
        "jpy_per_usd",
        "contracts",
        "index",
        "price",
        "probability",
        "usd_bn_chained_2017",
        "jpy_bn_chained_2015",
    }
)
FREQUENCIES = frozenset({"daily", "weekly", "monthly", "quarterly", "event"})

Decision = Literal["hike", "cut", "hold", "framework"]
_DECISIONS = frozenset({"hike", "cut", "hold", "framework"})


@dataclass(frozen=True, slots=True)
class Bounds:
    """The plausible range of a series' values, ``low <= value <= high`` in its unit, and
    why (one line). A value outside is a parse, unit or provider error, not data."""

    low: float
    high: float
    reason: str

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"[{self.low:g}, {self.high:g}]"


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """One series, by our id: where it comes from, its unit and frequency."""

    id: str
    title: str
    unit: str
    frequency: str
    source: str
    remote_code: str
    publisher: str
    gap: str | None = None
    #: The publisher's usual delay from obs_date to release, in days (0 for market data);
    #: the release rule itself is :class:`~carrywatch.catalog.releases.ReleaseCalendar`.
    release_lag_days: int = 0
    #: ``None`` only for a series defined outside the packaged catalog (every packaged
    #: series has bounds, a test sees to it): its values are not range-checked.
    bounds: Bounds | None = None


@dataclass(frozen=True, slots=True)
class FomcMeeting:
    """An FOMC meeting; the range fields are absent for meetings not yet held.

    ``start`` is the first day of the meeting, ``None`` where no source confirms it.
    """

    date: dt.date
    start: dt.date | None
    kind: str
    sep: bool
    source: str
    decision: Decision | None = None
    target_lower_pct: float | None = None
    target_upper_pct: float | None = None
    effective: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class BojMeeting:
    """A BOJ Monetary Policy Meeting; rate fields absent when there was no rate target.

    ``start`` is the first day of the meeting, ``None`` where no source confirms it.
    """

    date: dt.date
    start: dt.date | None
    kind: str
    outlook_report: bool
    source: str
    decision: Decision | None = None
    rate_lower_pct: float | None = None
    rate_upper_pct: float | None = None
    operating_target: str | None = None
    effective: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Catalog:
    """The series, the meetings and the release calendar, with lookups that fail clearly.

    ``releases`` dates every observation (see :mod:`carrywatch.catalog.releases`); when
    not given, it is the usual lags of ``series`` alone.
    """

    series: Mapping[str, SeriesSpec]
    fomc: tuple[FomcMeeting, ...]
    boj: tuple[BojMeeting, ...]
    releases: ReleaseCalendar | None = None

    def __post_init__(self) -> None:
        if self.releases is None:
            lags = {s.id: s.release_lag_days for s in self.series.values()}
            sources = {s.id: s.source for s in self.series.values()}
            object.__setattr__(self, "releases", ReleaseCalendar(lags=lags, sources=sources))

    @property
    def calendar(self) -> ReleaseCalendar:
        """The release calendar (never ``None`` once built)."""
        assert self.releases is not None
        return self.releases

    def spec(self, series_id: str) -> SeriesSpec:
        """The spec of ``series_id``; ``CatalogError`` names close matches when unknown."""
        try:
            return self.series[series_id]
        except KeyError:
            raise CatalogError(_unknown_series_message(series_id, self.series)) from None

    def specs(self, series_ids: Iterable[str]) -> list[SeriesSpec]:
        return [self.spec(s) for s in series_ids]

    def by_source(self, source: str) -> list[SeriesSpec]:
        return [s for s in self.series.values() if s.source == source]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({s.source for s in self.series.values()}))


def _unknown_series_message(series_id: str, known: Mapping[str, SeriesSpec]) -> str:
    close = difflib.get_close_matches(series_id, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown series id {series_id!r}{hint} (`carrywatch series list` shows every id)"


#: The packaged catalog files, parsed together (and cached together, see :func:`load_catalog`).
_FILES: Final = ("series.toml", "events.toml", "releases.toml")


def _read_resources(cache: Path | None) -> dict[str, dict[str, Any]]:
    texts = {}
    for name in _FILES:
        try:
            texts[name] = resources.files("carrywatch.catalog").joinpath(name).read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"catalog file {name} cannot be read: {exc}") from exc
    return parsed_documents(texts, cache)


def _str(entry: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    return value


def _date(
    entry: Mapping[str, Any], key: str, where: str, *, optional: bool = False
) -> dt.date | None:
    value = entry.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, dt.date):
        raise CatalogError(f"{where}: {key!r} must be a date (YYYY-MM-DD), got {value!r}")
    return value


def _lag(entry: Mapping[str, Any], where: str) -> int:
    value = entry.get("release_lag_days", 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
        raise CatalogError(f"{where}: 'release_lag_days' must be whole days 0-366, got {value!r}")
    return value


def _bounds(entry: Mapping[str, Any], where: str) -> Bounds | None:
    if "bounds" not in entry and "bounds_reason" not in entry:
        return None
    value = entry.get("bounds")
    numbers = value if isinstance(value, list) else []
    if len(numbers) != 2 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
    ):
        raise CatalogError(f"{where}: 'bounds' must be [low, high] in the series' unit")
    low, high = float(numbers[0]), float(numbers[1])
    if not low < high:
        raise CatalogError(f"{where}: 'bounds' low {low:g} must be below high {high:g}")
    reason = _str(entry, "bounds_reason", where)
    return Bounds(low=low, high=high, reason=str(reason))


def _pct(entry: Mapping[str, Any], key: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(f"{where}: {key!r} must be a number in percent, got {value!r}")
    return float(value)


def _decision(entry: Mapping[str, Any], where: str) -> Decision | None:
    value = entry.get("decision")
    if value is None:
        return None
    if value not in _DECISIONS:
        raise CatalogError(f"{where}: decision must be one of {sorted(_DECISIONS)}, got {value!r}")
    decision: Decision = value
    return decision


def parse_series(doc: Mapping[str, Any]) -> dict[str, SeriesSpec]:
    """Series specs from a parsed ``series.toml``."""
    out: dict[str, SeriesSpec] = {}
    for i, entry in enumerate(doc.get("series", [])):
        where = f"series.toml entry {i + 1}"
        sid = _str(entry, "id", where)
        assert sid is not None
        where = f"series.toml {sid!r}"
        if sid != sid.lower() or " " in sid:
            raise CatalogError(f"{where}: ids are dotted lower case without spaces")
        if sid in out:
            raise CatalogError(f"{where}: duplicate id")
        unit = _str(entry, "unit", where)
        frequency = _str(entry, "frequency", where)
        if unit not in UNITS:
            raise CatalogError(f"{where}: unknown unit {unit!r} (known: {sorted(UNITS)})")
        if frequency not in FREQUENCIES:
            raise CatalogError(f"{where}: unknown frequency {frequency!r}")
        out[sid] = SeriesSpec(
            id=sid,
            title=str(_str(entry, "title", where)),
            unit=str(unit),
            frequency=str(frequency),
            source=str(_str(entry, "source", where)),
            remote_code=str(_str(entry, "remote_code", where)),
            publisher=str(_str(entry, "publisher", where)),
            gap=_str(entry, "gap", where, optional=True),
            release_lag_days=_lag(entry, where),
            bounds=_bounds(entry, where),
        )
    if not out:
        raise CatalogError("series.toml lists no series")
    return out


def parse_events(doc: Mapping[str, Any]) -> tuple[tuple[FomcMeeting, ...], tuple[BojMeeting, ...]]:
    """FOMC and BOJ meetings from a parsed ``events.toml``, each sorted by date."""
    fomc: list[FomcMeeting] = []
    for entry in doc.get("fomc", []):
        where = f"events.toml fomc {entry.get('date')!r}"
        day = _date(entry, "date", where)
        assert day is not None
        fomc.append(
            FomcMeeting(
                date=day,
                start=_date(entry, "start", where, optional=True),
                kind=str(_str(entry, "kind", where)),
                sep=bool(entry.get("sep", False)),
                source=str(_str(entry, "source", where)),
                decision=_decision(entry, where),
                target_lower_pct=_pct(entry, "target_lower_pct", where),
                target_upper_pct=_pct(entry, "target_upper_pct", where),
                effective=_date(entry, "effective", where, optional=True),
                note=_str(entry, "note", where, optional=True),
            )
        )
    boj: list[BojMeeting] = []
    for entry in doc.get("boj", []):
        where = f"events.toml boj {entry.get('date')!r}"
        day = _date(entry, "date", where)
        assert day is not None
        boj.append(
            BojMeeting(
                date=day,
                start=_date(entry, "start", where, optional=True),
                kind=str(_str(entry, "kind", where)),
                outlook_report=bool(entry.get("outlook_report", False)),
                source=str(_str(entry, "source", where)),
                decision=_decision(entry, where),
                rate_lower_pct=_pct(entry, "rate_lower_pct", where),
                rate_upper_pct=_pct(entry, "rate_upper_pct", where),
                operating_target=_str(entry, "operating_target", where, optional=True),
                effective=_date(entry, "effective", where, optional=True),
                note=_str(entry, "note", where, optional=True),
            )
        )
    fomc.sort(key=lambda m: m.date)
    boj.sort(key=lambda m: m.date)
    return tuple(fomc), tuple(boj)


class _Loaded:
    """The packaged catalog once loaded in this process (it never changes while it runs)."""

    catalog: Catalog | None = None


def load_catalog(cache: Path | None = None) -> Catalog:
    """The packaged catalog, read once per process.

    Given a ``cache`` folder (``CARRYWATCH_HOME/cache/catalog``), the files' parsed TOML is
    kept there, keyed by the SHA-256 of their bytes, and taken from there while the files
    are unchanged (:mod:`carrywatch.catalog.parsed_cache`; every entry is still checked
    here). The result is the same with or without it.
    """
    if _Loaded.catalog is not None:
        return _Loaded.catalog
    docs = _read_resources(cache)
    series = parse_series(docs["series.toml"])
    fomc, boj = parse_events(docs["events.toml"])
    lags = {s.id: s.release_lag_days for s in series.values()}
    sources = {s.id: s.source for s in series.values()}
    releases = parse_releases(docs["releases.toml"], lags, sources)
    _Loaded.catalog = Catalog(series=series, fomc=fomc, boj=boj, releases=releases)
    return _Loaded.catalog
