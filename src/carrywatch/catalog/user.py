"""A desk's own series: the rules a ``user.*`` definition must meet.

``carrywatch import --new-series user.tokyo_cpi --unit index --frequency monthly --title
"Tokyo CPI"`` defines a series that the packaged catalog does not carry. Its id is
namespaced ``user.`` (so no future catalog id can collide with it), its unit and
frequency are among the catalog's own (:data:`~carrywatch.catalog.spec.UNITS`,
:data:`~carrywatch.catalog.spec.FREQUENCIES`), so every reader of units (display
conversion, alerts, diff) treats it like any other series. It has no release lag: its
values count from their obs_date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from carrywatch.catalog.spec import FREQUENCIES, UNITS, Catalog, SeriesSpec
from carrywatch.errors import CatalogError

__all__ = ["USER_PREFIX", "user_series_spec", "with_user_series"]

USER_PREFIX: Final = "user."
_ID: Final = re.compile(r"user(\.[a-z0-9_]+)+")


def user_series_spec(series_id: str, *, unit: str, frequency: str, title: str) -> SeriesSpec:
    """The spec of a user series; :class:`CatalogError` saying what to change otherwise."""
    if not series_id.startswith(USER_PREFIX):
        raise CatalogError(
            f"a new series id must start with {USER_PREFIX!r} (e.g. user.tokyo_cpi), "
            f"not {series_id!r}"
        )
    if not _ID.fullmatch(series_id):
        raise CatalogError(
            f"series id {series_id!r}: use lower-case letters, digits and '_' between dots"
        )
    if unit not in UNITS:
        raise CatalogError(f"unit {unit!r} is not one of: {', '.join(sorted(UNITS))}")
    if frequency not in FREQUENCIES:
        raise CatalogError(
            f"frequency {frequency!r} is not one of: {', '.join(sorted(FREQUENCIES))}"
        )
    if not title.strip():
        raise CatalogError("a new series needs a --title")
    return SeriesSpec(
        id=series_id,
        title=title.strip(),
        unit=unit,
        frequency=frequency,
        source="user",
        remote_code=series_id,
        publisher="the user (carrywatch import)",
    )


def with_user_series(catalog: Catalog, specs: Mapping[str, SeriesSpec]) -> Catalog:
    """``catalog`` with the user series ``specs`` added (a catalog id is never replaced)."""
    if not specs:
        return catalog
    clash = sorted(set(specs) & set(catalog.series))
    if clash:
        raise CatalogError(f"user series {', '.join(clash)} collide with catalog ids")
    return replace(catalog, series={**catalog.series, **specs})
