"""The release day of each row a read returns, by a rule the store is given.

The store does not know release calendars (the store layer may not import the catalog):
:meth:`~carrywatch.store.sqlite.Store.read` is given a :data:`ReleaseRule`, the catalog's
:meth:`~carrywatch.catalog.releases.ReleaseCalendar.release_dates` when opened by
:func:`carrywatch.workspace.open_store`, and contributes what only it knows: each date's
first publication, the earliest ``known_from`` that is a publisher's date (see
:mod:`carrywatch.store.newest`, ``first_days``). :func:`obs_date_rule` is the rule of a
store given none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from carrywatch.store.newest import NewestRows

__all__ = ["ReleaseRule", "ReleasedRows", "obs_date_rule", "release_days"]

#: What dates each observation's release: ``(series_id, obs_dates, first_published) ->
#: (released days, rule names)``, arrays aligned with ``obs_dates``; ``first_published``
#: is each date's first publication (NaT where none).
ReleaseRule = Callable[
    [str, npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]],
    tuple[npt.NDArray[np.datetime64], npt.NDArray[np.object_]],
]


@dataclass(frozen=True, slots=True)
class ReleasedRows:
    """The rows a read returns, as column arrays, with the release day and rule of each:
    :meth:`~carrywatch.store.sqlite.Store.read` without the fetch's provenance, which
    each row names by ``rows.fetch_id`` (see
    :meth:`~carrywatch.store.sqlite.Store.fetch_sources`)."""

    rows: NewestRows
    #: The release day of each row (``datetime64[D]``).
    released: npt.NDArray[np.datetime64]
    #: The name of the rule that gave it.
    release_rule: npt.NDArray[np.object_]

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, at: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> ReleasedRows:
        """The rows at ``at`` (positions, or a mask), in that order."""
        return ReleasedRows(self.rows.where(at), self.released[at], self.release_rule[at])


def obs_date_rule(
    series_id: str,
    obs_dates: npt.NDArray[np.datetime64],
    first_published: npt.NDArray[np.datetime64],
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.object_]]:
    """The rule of a store given none: released on the first publication, else the obs_date."""
    days = np.asarray(obs_dates).astype("datetime64[D]")
    first = np.asarray(first_published).astype("datetime64[D]")
    actual = ~np.isnat(first)
    rule = np.where(actual, "first publication", "obs_date (no release calendar)")
    return np.where(actual, first, days), rule.astype(object)


def release_days(
    rows: NewestRows, rule_of: ReleaseRule
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.object_]]:
    """The release day and rule name of each of ``rows`` (sorted by series), by
    ``rule_of``, asked once per series."""
    released = np.empty(len(rows), dtype="datetime64[D]")
    rule = np.empty(len(rows), dtype=object)
    if not len(rows):
        return released, rule
    ids = rows.series_id
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    for lo, hi in zip(starts, [*starts[1:], len(ids)], strict=True):
        days, names = rule_of(str(ids[lo]), rows.obs_date[lo:hi], rows.first_published[lo:hi])
        released[lo:hi], rule[lo:hi] = days, names
    return released, rule
