"""Open the user's store: create it, copy the catalog in, seed it from the snapshot.

This joins settings, catalog, store and snapshot; the CLI and library callers use it.
"""

from __future__ import annotations

from pathlib import Path

from carrywatch.catalog.spec import Catalog, load_catalog
from carrywatch.settings import Settings
from carrywatch.snapshot.artefact import seed_store
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import SeriesRow, Store

__all__ = ["open_archive", "open_store"]


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


def open_store(home: Path | str | None = None, *, seed: bool = True) -> Store:
    """The store under ``home`` (default: ``CARRYWATCH_HOME`` or the user data folder).

    A new store is seeded from the embedded real-data snapshot, so every command works
    offline on a fresh machine; an existing one gets whatever a newer snapshot adds.
    """
    settings = Settings.from_env() if home is None else Settings(home=Path(home))
    store = Store.open(settings.store_path)
    try:
        _register(store, load_catalog())
        if seed:
            seed_store(store)
    except BaseException:
        store.close()
        raise
    return store


def open_archive(home: Path) -> RawArchive:
    """The raw-payload archive beside the store in ``home``."""
    return RawArchive(home / "raw")
