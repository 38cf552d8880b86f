"""Open the user's store: create it, copy the catalog in, seed it from the snapshot.

This joins settings, catalog, store and snapshot; the CLI and library callers use it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from carrywatch.catalog.spec import Catalog, SeriesSpec, load_catalog
from carrywatch.catalog.user import user_series_spec, with_user_series
from carrywatch.settings import Settings
from carrywatch.snapshot.artefact import seed_store
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import SeriesRow, Store
from carrywatch.store.user_series import USER_SOURCE, add_user_series, user_series

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
    catalog = load_catalog()
    # The catalog's release calendar dates every read as of a day (the point-in-time rule).
    store = Store.open(settings.store_location, releases=catalog.calendar.release_dates)
    try:
        _register(store, catalog)
        if seed:
            seed_store(store)
    except BaseException:
        store.close()
        raise
    return store


def open_archive(store: Store) -> RawArchive:
    """The raw-payload archive of ``store``: ``raw/`` beside a SQLite file, the
    ``payloads`` table of a PostgreSQL database."""
    return RawArchive.of(store)


def catalog_of(store: Store) -> Catalog:
    """The packaged catalog with the user series of ``store`` (``user.*``) added."""
    specs = {
        row.series_id: user_series_spec(
            row.series_id, unit=row.unit, frequency=row.frequency, title=row.title
        )
        for row in user_series(store)
    }
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
