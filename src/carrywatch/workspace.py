"""Open the user's store: create it, copy the catalog in, seed it from the snapshot.

This joins settings, catalog, store and snapshot (and, once per store, the ingest that
reads the market snapshots an earlier carrywatch archived into series); the CLI and
library callers use it.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

from carrywatch.catalog.odds_series import EVENT_SOURCES, market_series_spec
from carrywatch.catalog.spec import Catalog, SeriesSpec, load_catalog
from carrywatch.catalog.user import user_series_spec, with_user_series
from carrywatch.settings import Settings
from carrywatch.snapshot.artefact import seed_store
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import SNAPSHOTS_READ, SeriesRow, Store, iso_utc
from carrywatch.store.user_series import (
    USER_SOURCE,
    add_user_series,
    series_of_sources,
    user_series,
)
from carrywatch.types import utc_now

__all__ = ["catalog_of", "create_user_series", "open_archive", "open_store"]


def _register(store: Store, catalog: Catalog) -> None:
    store.register_series(
        SeriesRow(
            series_id=s.id,
            source=s.source,
            remote_code=s.remote_code,
            unit=s.unit,
            frequency=s.frequency,
            title=s.title,
        )
        for s in catalog.series.values()
    )


def open_store(
    home: Path | str | Settings | None = None,
    *,
    seed: bool = True,
    database_url: str | None = None,
) -> Store:
    """The store of ``home`` (default: ``CARRYWATCH_HOME`` or the user data folder, and
    ``CARRYWATCH_DATABASE_URL``): the SQLite file under it, or the PostgreSQL database of
    ``database_url`` (or of the settings given).

    A new store is seeded from the embedded real-data snapshot, so every command works
    offline on a fresh machine; an existing one gets whatever a newer snapshot adds. Its
    ``read(asof=D)`` keeps what was published by ``D`` by the catalog's release calendar
    (:mod:`carrywatch.catalog.releases`).
    """
    if isinstance(home, Settings):
        settings = home
    else:
        settings = Settings.from_env() if home is None else Settings(home=Path(home))
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    catalog = load_catalog(settings.catalog_cache)
    # The catalog's release calendar dates every read as of a day (the point-in-time rule).
    store = Store.open(settings.store_location, releases=catalog.calendar.release_dates)
    try:
        _register(store, catalog)
        if seed:
            seed_store(store)
        _read_market_snapshots(store)
    except BaseException:
        store.close()
        raise
    return store


def _read_market_snapshots(store: Store) -> None:
    """Read the market snapshots an earlier carrywatch archived into odds series, once
    per store (:func:`carrywatch.ingest.convert_market_snapshots`; decision 0015)."""
    if store.get_meta(SNAPSHOTS_READ) is not None:
        return
    if not store.has_snapshots():  # nothing to read: mark it so, loading no fetching code
        store.set_meta(SNAPSHOTS_READ, iso_utc(utc_now()))
        return
    # Loaded only for a store not read yet: opening a store never loads the HTTP client.
    from carrywatch.ingest import convert_market_snapshots  # noqa: PLC0415
    from carrywatch.sources.registry import build_sources  # noqa: PLC0415

    report = convert_market_snapshots(
        store, open_archive(store), catalog_of(store), build_sources()
    )
    for error in () if report is None else (e for s in report.summaries for e in s.errors):
        warnings.warn(f"an archived market snapshot cannot be read: {error}", stacklevel=3)


def open_archive(store: Store) -> RawArchive:
    """The raw-payload archive of ``store``: ``raw/`` beside a SQLite file, the
    ``payloads`` table of a PostgreSQL database."""
    return RawArchive.of(store)


def catalog_of(store: Store) -> Catalog:
    """The packaged catalog with the series ``store`` defines added: the user's
    (``user.*``) and the market quote series of ``carrywatch markets refresh``
    (:func:`~carrywatch.catalog.odds_series.quote_series_spec`)."""
    specs = {
        row.series_id: user_series_spec(
            row.series_id, unit=row.unit, frequency=row.frequency, title=row.title
        )
        for row in user_series(store)
    }
    for row in series_of_sources(store, tuple(EVENT_SOURCES)):
        spec = market_series_spec(row.series_id, row.source, row.remote_code)
        if spec is not None:
            specs[spec.id] = spec
    return with_user_series(load_catalog(), specs)


def create_user_series(
    store: Store, series_id: str, *, unit: str, frequency: str, title: str
) -> tuple[SeriesSpec, bool]:
    """Define the user series ``series_id`` in ``store`` (see :mod:`carrywatch.catalog.user`);
    its spec and whether it is new (the same definition again is no change)."""
    spec = user_series_spec(series_id, unit=unit, frequency=frequency, title=title)
    is_new = add_user_series(
        store,
        SeriesRow(
            series_id=spec.id,
            source=USER_SOURCE,
            remote_code=spec.remote_code,
            unit=spec.unit,
            frequency=spec.frequency,
            title=spec.title,
        ),
    )
    return spec, is_new
