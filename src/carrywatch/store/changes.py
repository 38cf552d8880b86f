"""The append rule over a whole payload at once: which incoming rows change what is known.

An incoming row ``(series_id, obs_date, known_from, value, withdrawn)`` is stored when the
state known just before it differs from its own: the state of the row that precedes it in
primary-key order ``(series_id, obs_date, known_from, fetch_id)``, the incoming fetch
sorting after every stored one (its id is the greatest). A state is a value, or *absent*
(never seen, or withdrawn: the two are one state, so a withdrawal is stored only after a
value). A date's first row is compared with *absent*.

:func:`changed_rows` decides it for every row of the payload in one vectorised pass: the
stored revisions of the payload's dates and the incoming rows are put in one array sorted
by ``(series, date, known_from, is_new, fetch_id)`` (integer codes and ``numpy.lexsort``),
and each incoming row is compared with the state of the row before it within its date.
Comparing with a row that is itself not stored is the same as comparing with the last
stored one, since a row is not stored exactly when it repeats the state before it.
:func:`stored_revisions` reads the stored revisions of the payload's dates: per series,
one index range of ``observations`` between the payload's first and last date of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.store.dialect import Db

__all__ = ["Revisions", "changed_rows", "stored_revisions"]

#: The fetch id an incoming row sorts by: after every stored row of the same moment.
_INCOMING: Final = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Revisions:
    """Stored revisions as column arrays (``obs_date`` and ``known_from`` as text)."""

    series_id: npt.NDArray[np.object_]
    obs_date: npt.NDArray[np.object_]
    known_from: npt.NDArray[np.object_]
    fetch_id: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    withdrawn: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.series_id)


def stored_revisions(db: Db, incoming: pd.DataFrame) -> Revisions:
    """Every stored revision of ``incoming``'s series dated between the first and the
    last obs_date the payload carries for that series."""
    bounds = incoming.groupby("series_id", sort=False)["obs_date"].agg(["min", "max"])
    parts = []
    for series_id, lo, hi in bounds.itertuples(name=None):
        rows = db.execute(
            "SELECT series_id, obs_date, known_from, fetch_id, value, withdrawn "
            "FROM observations WHERE series_id = ? AND obs_date BETWEEN ? AND ?",
            (series_id, lo, hi),
        ).fetchall()
        if rows:
            parts.append(np.array(rows, dtype=object))
    if not parts:
        empty = np.array([], dtype=object)
        return Revisions(
            empty,
            empty,
            empty,
            np.array([], dtype=np.int64),
            np.array([], dtype=np.float64),
            np.array([], dtype=bool),
        )
    sids, dates, known, fetch_ids, values, withdrawn = np.concatenate(parts).T
    return Revisions(
        series_id=sids,
        obs_date=dates,
        known_from=known,
        fetch_id=fetch_ids.astype(np.int64),
        value=values.astype(np.float64),
        withdrawn=withdrawn.astype(bool),
    )


def changed_rows(
    stored: Revisions, incoming: pd.DataFrame
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per row of ``incoming`` (columns ``series_id``, ``obs_date``, ``known_from``,
    ``value``, ``withdrawn``; text dates and moments, at most one row per
    ``(series_id, obs_date, known_from)``): does it change what is known (the module
    docstring), and did its date already have a stored value row (not a withdrawal)?

    ``stored`` must hold every stored revision of the dates ``incoming`` carries (more is
    harmless). Pure: no I/O.
    """
    n_new = len(incoming)
    if not n_new:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    sids = np.concatenate([stored.series_id, incoming["series_id"].to_numpy(dtype=object)])
    dates = np.concatenate([stored.obs_date, incoming["obs_date"].to_numpy(dtype=object)])
    known = np.concatenate([stored.known_from, incoming["known_from"].to_numpy(dtype=object)])
    is_new = np.concatenate([np.zeros(len(stored), dtype=bool), np.ones(n_new, dtype=bool)])
    fetch = np.concatenate([stored.fetch_id, np.full(n_new, _INCOMING, dtype=np.int64)])
    withdrawn = np.concatenate(
        [stored.withdrawn, incoming["withdrawn"].to_numpy(dtype=bool)]
    ).astype(bool)
    value = np.concatenate([stored.value, incoming["value"].to_numpy(dtype=np.float64)])
    # Text sorts as time here ('YYYY-MM-DD', 'YYYY-MM-DDTHH:MM:SSZ'): rank codes keep it
    # (factorize hashes, then sorts only the distinct values).
    sid_code, date_code, known_code = (
        pd.factorize(column, sort=True)[0] for column in (sids, dates, known)
    )
    order = np.lexsort((fetch, is_new, known_code, date_code, sid_code))
    state = np.where(withdrawn, np.nan, value)[order]
    group = np.stack([sid_code[order], date_code[order]])
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (group[:, 1:] != group[:, :-1]).any(axis=0)
    previous = np.empty_like(state)
    previous[0] = np.nan
    previous[1:] = state[:-1]
    previous[starts] = np.nan  # a date's first row follows "absent"
    both_absent = np.isnan(state) & np.isnan(previous)
    changes = (state != previous) & ~both_absent
    # Whether each date had a stored value row: a count per group of sorted rows.
    group_id = np.cumsum(starts) - 1
    stored_value = (~is_new[order]) & ~withdrawn[order]
    had = np.bincount(group_id, weights=stored_value, minlength=group_id[-1] + 1)[group_id] > 0
    # Back from sorted order to the order of incoming's rows.
    keep = np.empty(len(order), dtype=bool)
    keep[order] = changes
    had_value = np.empty(len(order), dtype=bool)
    had_value[order] = had
    return keep[len(stored) :], had_value[len(stored) :]
