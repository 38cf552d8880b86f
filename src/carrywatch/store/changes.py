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
Where nothing of the payload's dates is stored (a new series, a first refresh of full
history) the incoming rows are that order already (:class:`~carrywatch.store.incoming.
Incoming` is in primary-key order) and nothing is sorted.
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
from carrywatch.store.incoming import Incoming, text_days

__all__ = ["Revisions", "changed_rows", "stored_revisions"]

#: The fetch id an incoming row sorts by: after every stored row of the same moment.
_INCOMING: Final = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Revisions:
    """Stored revisions as column arrays: ``code`` is the series' position in the
    payload's :attr:`Incoming.series`, ``day`` the obs_date as days since 1970-01-01,
    ``known_from`` text."""

    code: npt.NDArray[np.intp]
    day: npt.NDArray[np.int64]
    known_from: npt.NDArray[np.object_]
    fetch_id: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    withdrawn: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.code)

    @classmethod
    def empty(cls) -> Revisions:
        return cls(
            np.array([], dtype=np.intp),
            np.array([], dtype=np.int64),
            np.array([], dtype=object),
            np.array([], dtype=np.int64),
            np.array([], dtype=np.float64),
            np.array([], dtype=bool),
        )


def stored_revisions(db: Db, incoming: Incoming) -> Revisions:
    """Every stored revision of ``incoming``'s series dated between the first and the
    last obs_date the payload carries for that series."""
    parts = []
    for series_id, lo, hi in incoming.runs():
        # Rows are sorted by date within a series: its first and last are the bounds.
        first, last = incoming.take(np.array([lo, hi - 1])).obs_dates()
        rows = db.execute(
            "SELECT obs_date, known_from, fetch_id, value, withdrawn "
            "FROM observations WHERE series_id = ? AND obs_date BETWEEN ? AND ?",
            (series_id, first, last),
        ).fetchall()
        if rows:
            found = np.array(rows, dtype=object)
            parts.append((np.full(len(rows), incoming.code[lo], dtype=np.intp), found))
    if not parts:
        return Revisions.empty()
    dates, known, fetch_ids, values, withdrawn = np.concatenate([p for _, p in parts]).T
    return Revisions(
        code=np.concatenate([c for c, _ in parts]),
        day=text_days(dates),
        known_from=known,
        fetch_id=fetch_ids.astype(np.int64),
        value=values.astype(np.float64),
        withdrawn=withdrawn.astype(bool),
    )


def changed_rows(
    stored: Revisions, incoming: Incoming
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per row of ``incoming``: does it change what is known (the module docstring), and
    did its date already have a stored value row (not a withdrawal)?

    ``stored`` must hold every stored revision of the dates ``incoming`` carries (more is
    harmless), coded against ``incoming.series``. Pure: no I/O.
    """
    n_new = len(incoming)
    if not n_new:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    if not len(stored):
        # Nothing stored: the incoming rows alone, already in primary-key order.
        order = np.arange(n_new)
        codes, days = incoming.code, incoming.day
        withdrawn, value = incoming.withdrawn, incoming.value
        is_new = np.ones(n_new, dtype=bool)
    else:
        codes = np.concatenate([stored.code, incoming.code])
        days = np.concatenate([stored.day, incoming.day])
        known = np.concatenate([stored.known_from, incoming.known_from])
        is_new = np.concatenate([np.zeros(len(stored), dtype=bool), np.ones(n_new, dtype=bool)])
        fetch = np.concatenate([stored.fetch_id, np.full(n_new, _INCOMING, dtype=np.int64)])
        withdrawn = np.concatenate([stored.withdrawn, incoming.withdrawn]).astype(bool)
        value = np.concatenate([stored.value, incoming.value])
        # Text sorts as time here ('YYYY-MM-DDTHH:MM:SSZ'): rank codes keep it (factorize
        # hashes, then sorts only the distinct values).
        known_code = pd.factorize(known, sort=True)[0]
        order = np.lexsort((fetch, is_new, known_code, days, codes))
    state = np.where(withdrawn, np.nan, value)[order]
    starts = np.ones(len(order), dtype=bool)
    sorted_codes, sorted_days = codes[order], days[order]
    starts[1:] = (sorted_codes[1:] != sorted_codes[:-1]) | (sorted_days[1:] != sorted_days[:-1])
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
