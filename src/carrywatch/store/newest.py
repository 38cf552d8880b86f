"""The newest revision of every observation date, kept packed per series.

:meth:`~carrywatch.store.sqlite.Store.read` without ``known_at`` wants, for each
``(series_id, obs_date)``, the row with the greatest ``(known_from, fetch_id)``. Picking it
from ``observations`` means turning every stored revision into Python objects (five per
row; about 0.2 s for the 341,000 rows of the embedded snapshot). The table
``newest_columns`` holds the answer instead: one row per series whose columns are packed
little-endian arrays in ascending ``obs_date`` order::

    obs_days     int32    days since 1970-01-01
    values_f8    float64  the value
    fetch_ids    int64    the fetch that stored it
    known_codes  int32    position of its known_from text in known_json
    known_json   text     JSON array of the distinct known_from texts
    first_days   int32    day of the earliest publisher-dated known_from of the date (a
                          vintage source's first release), or -2**31 when there is none

A date whose newest revision is a withdrawal (``observations.withdrawn``) is left out:
the packed row holds what a read returns.

It is derived data, never a source of truth: :meth:`Store.append` rewrites the row of
every series it adds to, from ``observations``, inside the same transaction (so the two
agree even after a killed write), and :func:`rebuild` recomputes it for a store written
before the table existed. Any other writer cannot leave it stale: the trigger
``observations_unpack`` drops a series' row on every insert into ``observations``, and
:func:`unpacked` names the series a read must then pick from every stored revision.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.errors import StoreError
from carrywatch.store.dialect import Db
from carrywatch.store.incoming import text_days
from carrywatch.store.records import iso_utc

__all__ = [
    "REVISION_COLUMNS",
    "NewestRows",
    "newest_of_runs",
    "of_every_revision",
    "pack",
    "read",
    "rebuild",
    "unpacked",
]

_EPOCH: Final = date(1970, 1, 1)

_DAYS: Final = np.dtype("<i4")
_VALUES: Final = np.dtype("<f8")
_FETCH_IDS: Final = np.dtype("<i8")
_CODES: Final = np.dtype("<i4")
_FIRST: Final = np.dtype("<i4")
#: ``first_days`` of a date no vintage source dated.
_NO_FIRST: Final = np.iinfo(np.int32).min


@dataclass(frozen=True, slots=True)
class NewestRows:
    """Column arrays of the newest revision per date, sorted by series then date."""

    series_id: npt.NDArray[np.object_]
    obs_date: npt.NDArray[np.datetime64]
    value: npt.NDArray[np.float64]
    known_from: npt.NDArray[np.object_]
    fetch_id: npt.NDArray[np.int64]
    #: The earliest publisher-dated ``known_from`` day of each date (NaT where none).
    first_published: npt.NDArray[np.datetime64]

    def __len__(self) -> int:
        return len(self.series_id)

    @classmethod
    def empty(cls) -> NewestRows:
        return cls(
            series_id=np.array([], dtype=object),
            obs_date=np.array([], dtype="datetime64[ns]"),
            value=np.array([], dtype=np.float64),
            known_from=np.array([], dtype=object),
            fetch_id=np.array([], dtype=np.int64),
            first_published=np.array([], dtype="datetime64[D]"),
        )

    def where(self, keep: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> NewestRows:
        """The rows where ``keep`` is true (or at the positions ``keep``, in that order)."""
        return NewestRows(
            series_id=self.series_id[keep],
            obs_date=self.obs_date[keep],
            value=self.value[keep],
            known_from=self.known_from[keep],
            fetch_id=self.fetch_id[keep],
            first_published=self.first_published[keep],
        )


#: Columns of every revision, in primary-key order, with the two flags the packing
#: needs: a withdrawal, and a ``known_from`` that is the publisher's date (it differs from
#: the retrieval time of the fetch that stored it; see ``first_days``).
REVISION_COLUMNS: Final = (
    "o.obs_date, o.known_from, o.fetch_id, o.value, o.withdrawn, "
    "o.known_from != (SELECT f.retrieved_at FROM fetches AS f WHERE f.fetch_id = o.fetch_id)"
)


def newest_of_runs(
    dates: npt.NDArray[Any],
    known: npt.NDArray[np.object_],
    withdrawn: npt.NDArray[Any],
    dated: npt.NDArray[Any],
    same_run: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]]:
    """Which revisions are the newest of their date and read (not withdrawn), and, for
    each revision, the first publisher-dated day of its date (NaT where none).

    The revisions are in primary-key order; ``same_run[i]`` says revision ``i + 1`` has
    the same series and date as revision ``i``.
    """
    n = len(dates)
    last = np.ones(n, dtype=bool)
    last[:-1] = ~same_run
    gone = withdrawn.astype(bool)
    counted = dated.astype(bool) & ~gone
    if not counted.any():  # no vintage source dated a row: no text to parse
        return last & ~gone, np.full(n, np.datetime64("NaT", "D"))
    # The first publisher-dated day of each run: the minimum over its dated, present rows.
    days = known.astype("U10").astype("datetime64[D]").astype("int64")  # the day of each
    candidate = np.where(counted, days, np.iinfo(np.int64).max)
    starts = np.flatnonzero(np.concatenate(([True], ~same_run)))
    run_min = np.minimum.reduceat(candidate, starts) if n else candidate
    lengths = np.diff(np.append(starts, n))
    first = np.repeat(run_min, lengths)
    first_days = np.where(
        first == np.iinfo(np.int64).max, np.datetime64("NaT", "D"), first.astype("datetime64[D]")
    )
    return last & ~gone, first_days


def rebuild(db: Db, series_ids: Iterable[str]) -> None:
    """Recompute the packed row of each of ``series_ids`` from ``observations``.

    Call inside the write transaction that changed them. A series without observations
    loses its row.
    """
    for series_id in dict.fromkeys(series_ids):
        rows = db.execute(
            f"SELECT {REVISION_COLUMNS} FROM observations AS o "  # noqa: S608 -- a constant
            "WHERE o.series_id = ? ORDER BY o.obs_date, o.known_from, o.fetch_id",
            (series_id,),
        ).fetchall()
        if not rows:
            db.execute("DELETE FROM newest_columns WHERE series_id = ?", (series_id,))
            continue
        dates, known, fetch_ids, values, withdrawn, dated = np.array(rows, dtype=object).T
        pack(
            db,
            series_id,
            days=text_days(dates),
            known=known,
            fetch_ids=fetch_ids,
            values=values,
            withdrawn=withdrawn,
            dated=dated,
        )


def pack(
    db: Db,
    series_id: str,
    *,
    days: npt.NDArray[np.int64],
    known: npt.NDArray[np.object_],
    fetch_ids: npt.NDArray[Any],
    values: npt.NDArray[Any],
    withdrawn: npt.NDArray[Any],
    dated: npt.NDArray[Any],
) -> None:
    """Write the packed row of ``series_id`` from every one of its revisions, given as
    the columns of :data:`REVISION_COLUMNS` in primary-key order (at least one row;
    ``obs_date`` as ``days`` since 1970-01-01): what :func:`rebuild` reads, or, for a
    series whose every row one append just wrote, those rows as that append holds them
    (nothing read back)."""
    # Primary-key order: the last row of each obs_date run is its newest revision.
    keep, first = newest_of_runs(days, known, withdrawn, dated, days[:-1] == days[1:])
    codes, distinct = pd.factorize(known[keep], sort=True)
    first_days = np.where(np.isnat(first[keep]), _NO_FIRST, first[keep].astype("int64"))
    db.execute(
        "INSERT INTO newest_columns(series_id, n_obs, obs_days, values_f8, fetch_ids, "
        "known_codes, known_json, first_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(series_id) DO UPDATE SET n_obs = excluded.n_obs, "
        "obs_days = excluded.obs_days, values_f8 = excluded.values_f8, "
        "fetch_ids = excluded.fetch_ids, known_codes = excluded.known_codes, "
        "known_json = excluded.known_json, first_days = excluded.first_days",
        (
            series_id,
            int(keep.sum()),
            days[keep].astype(_DAYS).tobytes(),
            values[keep].astype(_VALUES).tobytes(),
            fetch_ids[keep].astype(_FETCH_IDS).tobytes(),
            codes.astype(_CODES).tobytes(),
            json.dumps([str(k) for k in distinct]),
            first_days.astype(_FIRST).tobytes(),
        ),
    )


def unpacked(db: Db, series_ids: Sequence[str]) -> list[str]:
    """Those of ``series_ids`` that have observations but no packed row: written by
    something other than :meth:`Store.append` since (the trigger ``observations_unpack``
    dropped their row). Ask after :func:`read`, so that a write between the two shows."""
    which, param = db.dialect.in_list("series_id", list(series_ids))
    packed = {
        str(r[0])
        for r in db.execute(
            f"SELECT series_id FROM newest_columns WHERE {which}",  # noqa: S608 -- a constant
            (param,),
        ).fetchall()
    }
    return [
        series_id
        for series_id in dict.fromkeys(series_ids)
        if series_id not in packed
        and db.execute(
            "SELECT 1 FROM observations WHERE series_id = ? LIMIT 1", (series_id,)
        ).fetchone()
        is not None
    ]


def read(db: Db, series_ids: Sequence[str], first: date | None, last: date | None) -> NewestRows:
    """The newest revisions of ``series_ids`` with ``first <= obs_date <= last`` (either
    bound optional), sorted by series (byte-wise text order, on either backend) then date."""
    packed = db.execute(
        "SELECT series_id, n_obs, obs_days, values_f8, fetch_ids, known_codes, known_json, "  # noqa: S608 -- only placeholders are interpolated
        "first_days "
        f"FROM newest_columns WHERE series_id IN ({','.join('?' * len(series_ids))}) "
        "ORDER BY series_id",
        list(series_ids),
    ).fetchall()
    lo_day = None if first is None else (first - _EPOCH).days
    hi_day = None if last is None else (last - _EPOCH).days
    names, days, values, known, fetch_ids, firsts = [], [], [], [], [], []
    for series_id, n_obs, obs_days, values_f8, fetch_blob, codes, known_json, first_blob in packed:
        series_days = np.frombuffer(obs_days, dtype=_DAYS)
        if len(series_days) != n_obs or len(first_blob) != n_obs * _FIRST.itemsize:
            raise StoreError(
                f"the packed newest revisions of {series_id} are damaged (the store file "
                "was changed outside carrywatch); restore it from a backup",
                path="",
            )
        lo = 0 if lo_day is None else int(np.searchsorted(series_days, lo_day, "left"))
        hi = n_obs if hi_day is None else int(np.searchsorted(series_days, hi_day, "right"))
        if hi <= lo:
            continue
        distinct = np.array(json.loads(known_json), dtype=object)
        names.append((series_id, hi - lo))
        days.append(series_days[lo:hi])
        values.append(np.frombuffer(values_f8, dtype=_VALUES)[lo:hi])
        fetch_ids.append(np.frombuffer(fetch_blob, dtype=_FETCH_IDS)[lo:hi])
        known.append(distinct[np.frombuffer(codes, dtype=_CODES)[lo:hi]])
        firsts.append(np.frombuffer(first_blob, dtype=_FIRST)[lo:hi])
    if not names:
        return NewestRows.empty()
    return NewestRows(
        series_id=np.repeat(np.array([n for n, _ in names], dtype=object), [k for _, k in names]),
        obs_date=np.concatenate(days).astype("datetime64[D]").astype("datetime64[ns]"),
        value=np.concatenate(values).astype(np.float64),
        known_from=np.concatenate(known),
        fetch_id=np.concatenate(fetch_ids).astype(np.int64),
        first_published=_first_days(np.concatenate(firsts)),
    )


def _first_days(packed: npt.NDArray[np.int32]) -> npt.NDArray[np.datetime64]:
    """``first_days`` as ``datetime64[D]``, NaT for the no-first sentinel."""
    days = packed.astype("int64").astype("datetime64[D]")
    days[packed == _NO_FIRST] = np.datetime64("NaT", "D")
    return days


#: Rows fetched at a time by :func:`of_every_revision`.
_READ_BATCH: Final = 16384


def of_every_revision(
    db: Db,
    series_ids: Sequence[str],
    *,
    start: date | None,
    cap: date | None,
    known_at: datetime | None,
    through_fetch: int | None = None,
) -> NewestRows:
    """The newest revision per date (among the rows known at ``known_at`` and written
    by fetches up to ``through_fetch``, if given), picked from every stored revision
    (``newest_columns`` holds only the newest of all)."""
    where = [f"o.series_id IN ({','.join('?' * len(series_ids))})"]
    params: list[object] = list(series_ids)
    if through_fetch is not None:
        where.append("o.fetch_id <= ?")
        params.append(through_fetch)
    if known_at is not None:
        where.append("o.known_from <= ?")
        params.append(iso_utc(known_at))
    if start is not None:
        where.append("o.obs_date >= ?")
        params.append(start.isoformat())
    if cap is not None:
        where.append("o.obs_date <= ?")
        params.append(cap.isoformat())
    # Every stored revision in primary-key order (an index scan, no sort): the last
    # row of each (series_id, obs_date) run is the newest revision, the one with the
    # greatest (known_from, fetch_id). Picking it here is several times faster than a
    # window function over the same rows.
    sql = (
        f"SELECT o.series_id, {REVISION_COLUMNS} "  # noqa: S608 -- only placeholders are interpolated
        f"FROM observations AS o WHERE {' AND '.join(where)} "
        "ORDER BY o.series_id, o.obs_date, o.known_from, o.fetch_id"
    )
    cursor = db.execute(sql, params)
    # In batches, each made a (k, 7) object array at once (much faster than zip(*rows)),
    # so that the row tuples of only one batch are alive at a time.
    batches = []
    while batch := cursor.fetchmany(_READ_BATCH):
        batches.append(np.array(batch, dtype=object))
    if not batches:
        return NewestRows.empty()
    sids, dates, known, fetch_ids, values, withdrawn, dated = np.concatenate(batches).T
    del batches
    same_run = (sids[:-1] == sids[1:]) & (dates[:-1] == dates[1:])
    last, first = newest_of_runs(dates, known, withdrawn, dated, same_run)
    return NewestRows(
        series_id=sids[last],
        # 'YYYY-MM-DD' text, as _normalise_rows stores it; numpy parses it
        obs_date=dates[last].astype("datetime64[D]").astype("datetime64[ns]"),
        value=values[last].astype("float64"),
        known_from=known[last],
        fetch_id=fetch_ids[last].astype("int64"),
        first_published=first[last],
    )
