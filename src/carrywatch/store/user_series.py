"""Series a user made (``carrywatch import --new-series``), kept in the ``series`` table.

The catalog ships inside the package and is the same for everyone; a desk's own series
(Tokyo CPI, the Nikkei, a house forecast) live in its store instead, as ``series`` rows
whose source is :data:`USER_SOURCE`. The workspace merges them into the catalog it hands
out (:func:`carrywatch.workspace.catalog_of`). Registering the packaged catalog never
touches them: their ids are namespaced ``user.*``, which no catalog id uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from carrywatch.errors import StoreError
from carrywatch.store.sqlite import SeriesRow, Store

__all__ = ["USER_SOURCE", "add_user_series", "series_of_sources", "user_series"]

#: ``series.source`` of a user's series.
USER_SOURCE: Final = "user"


def user_series(store: Store) -> list[SeriesRow]:
    """Every user series in ``store``, by id."""
    return series_of_sources(store, (USER_SOURCE,))


def series_of_sources(store: Store, sources: Sequence[str]) -> list[SeriesRow]:
    """Every ``series`` row of ``store`` whose source is one of ``sources``, by id (the
    user's series; the market quote series a refresh defined)."""
    with store.snapshot() as db:
        rows = [
            row
            for source in dict.fromkeys(sources)
            for row in db.execute(
                "SELECT series_id, source, remote_code, unit, frequency, title FROM series "
                "WHERE source = ?",
                (source,),
            ).fetchall()
        ]
    return sorted((SeriesRow(*row) for row in rows), key=lambda r: r.series_id)


def add_user_series(store: Store, row: SeriesRow) -> bool:
    """Register ``row`` (its source must be :data:`USER_SOURCE`); True when it is new.

    Registering the same definition again changes nothing; another unit or frequency
    for an id that exists is refused (its stored values were given in the old unit).
    """
    if row.source != USER_SOURCE:
        raise StoreError(f"{row.series_id} is not a user series", path=store.location)
    with store.transaction() as db:
        found = db.execute(
            "SELECT source, unit, frequency FROM series WHERE series_id = ?",
            (row.series_id,),
        ).fetchone()
        if found is not None:
            if tuple(found) != (row.source, row.unit, row.frequency):
                raise StoreError(
                    f"{row.series_id} exists already ({found[0]} series, unit {found[1]}, "
                    f"{found[2]}); pick another id",
                    path=store.location,
                )
            db.execute(
                "UPDATE series SET title = ? WHERE series_id = ?", (row.title, row.series_id)
            )
            return False
        db.execute(
            "INSERT INTO series(series_id, source, remote_code, unit, frequency, title) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row.series_id, row.source, row.remote_code, row.unit, row.frequency, row.title),
        )
    return True
