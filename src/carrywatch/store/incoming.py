"""A payload's rows as the store decides and writes them: column arrays, keys as codes.

:meth:`~carrywatch.store.sqlite.Store.append` is given a frame (``series_id``,
``obs_date``, ``value``, optionally ``known_from`` and ``withdrawn``). Everything after
that, the append rule (:mod:`carrywatch.store.changes`), the statistics, the packed
newest revisions and the insert, works on one :class:`Incoming`: plain numpy arrays made
once, so that no step turns a pandas 3 text column (Arrow-backed) into Python objects
again or sorts it by text:

=============  ============  ==========================================================
``series``     object        the distinct series ids, sorted (text order)
``code``       intp          per row, its series' position in ``series``
``day``        int64         ``obs_date`` as days since 1970-01-01
``known_from`` object        ``YYYY-MM-DDTHH:MM:SSZ``, the text the store keeps
``value``      float64       0.0 on a withdrawal (the column is NOT NULL; never read)
``withdrawn``  bool          the publisher shows no value for the date from then on
=============  ============  ==========================================================

Rows are in primary-key order ``(series_id, obs_date, known_from)``, one row per key
(the last offered wins, as ``DataFrame.drop_duplicates(keep="last")`` would keep it):
the order the store's table keeps, so that the rows the append rule keeps are written
and packed without another sort. Integer codes sort as the text they stand for: the
series ids are sorted before coding, and ``YYYY-MM-DD`` text sorts as the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.errors import StoreError

__all__ = ["Incoming", "day_texts", "normalised", "text_days"]

#: Columns every frame given to the store carries.
_REQUIRED: Final = frozenset({"series_id", "obs_date", "value"})


@dataclass(frozen=True, slots=True)
class Incoming:
    """Rows to append as column arrays (see the module docstring)."""

    series: npt.NDArray[np.object_]
    code: npt.NDArray[np.intp]
    day: npt.NDArray[np.int64]
    known_from: npt.NDArray[np.object_]
    value: npt.NDArray[np.float64]
    withdrawn: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.code)

    def take(self, rows: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> Incoming:
        """The rows selected by ``rows`` (a mask, or positions in that order)."""
        return Incoming(
            series=self.series,
            code=self.code[rows],
            day=self.day[rows],
            known_from=self.known_from[rows],
            value=self.value[rows],
            withdrawn=self.withdrawn[rows],
        )

    def series_ids(self) -> npt.NDArray[np.object_]:
        """The series id of each row."""
        return self.series[self.code]

    def obs_dates(self) -> npt.NDArray[np.object_]:
        """``obs_date`` of each row as the store keeps it, ``YYYY-MM-DD``."""
        return day_texts(self.day)

    def runs(self) -> list[tuple[str, int, int]]:
        """``(series_id, lo, hi)``: the rows ``lo:hi`` are those of ``series_id`` (rows
        are sorted by series, so each series is one run)."""
        if not len(self.code):
            return []
        starts = np.flatnonzero(np.concatenate(([True], self.code[1:] != self.code[:-1])))
        ends = [*starts[1:].tolist(), len(self.code)]
        return [
            (str(self.series[self.code[lo]]), int(lo), hi)
            for lo, hi in zip(starts.tolist(), ends, strict=True)
        ]


def normalised(rows: pd.DataFrame, default_known: str) -> Incoming:
    """``rows`` (the frame :meth:`Store.append` takes) as :class:`Incoming`; without a
    ``known_from`` column every row is known from ``default_known``.

    Raises :class:`StoreError` for a missing column, a missing series id or date, or a
    non-finite value (on a row that is not a withdrawal).
    """
    missing = _REQUIRED - set(rows.columns)
    if missing:
        raise StoreError(f"rows to append lack columns {sorted(missing)}", path="")
    code, series = _series_codes(rows["series_id"])
    obs = pd.to_datetime(rows["obs_date"])
    if isinstance(obs.dtype, pd.DatetimeTZDtype):
        obs = obs.dt.tz_localize(None)  # the wall-clock day where a time zone is given
    moments = obs.to_numpy(dtype="datetime64[ns]")
    if np.isnat(moments).any():
        raise StoreError("rows to append lack an obs_date", path="")
    day = moments.astype("datetime64[D]").astype(np.int64)
    withdrawn = (
        rows["withdrawn"].astype(bool).to_numpy()
        if "withdrawn" in rows.columns
        else np.zeros(len(rows), dtype=bool)
    )
    # A withdrawal carries no value (its frame row has NaN); 0 fills the NOT NULL column.
    value = np.where(withdrawn, 0.0, rows["value"].astype("float64").to_numpy())
    if not np.isfinite(value).all():
        raise StoreError("refusing to store non-finite values", path="")
    if "known_from" in rows.columns:
        known = pd.to_datetime(rows["known_from"], utc=True).dt.tz_localize(None)
        # 'YYYY-MM-DDTHH:MM:SSZ' (numpy formats arrays far faster than strftime per row)
        seconds = known.to_numpy(dtype="datetime64[ns]").astype("datetime64[s]")
        known_from = np.char.add(np.datetime_as_string(seconds, unit="s"), "Z").astype(object)
    else:
        known_from = np.full(len(rows), default_known, dtype=object)
    incoming = Incoming(series, code, day, known_from, value, withdrawn.astype(bool))
    return incoming.take(_last_of_each_key(incoming))


def _series_codes(
    column: pd.Series,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Per row the position of its series id (as text) in the sorted distinct ids, and
    those ids: factorised in the column's own type (a categorical column's codes, Arrow's
    dictionary encoding), then only the distinct values turned into text."""
    code, distinct = pd.factorize(column)
    if (code < 0).any():
        raise StoreError("rows to append lack a series_id", path="")
    texts = np.array([str(v) for v in distinct], dtype=object)
    # Distinct values may give the same text (1 and "1"): code the texts again, sorted.
    series, recode = np.unique(texts, return_inverse=True)
    return recode.reshape(-1)[code].astype(np.intp), series.astype(object)


def _last_of_each_key(incoming: Incoming) -> npt.NDArray[np.intp]:
    """Positions of the rows in primary-key order, one per key: the last offered."""
    known_code = pd.factorize(incoming.known_from, sort=True)[0]
    # lexsort is stable: among equal keys the rows stay in the order offered.
    order = np.lexsort((known_code, incoming.day, incoming.code))
    # A row is the last of its key where the next row's key differs.
    last = np.ones(len(order), dtype=bool)
    if len(order):
        differs = np.zeros(len(order) - 1, dtype=bool)
        for key in (incoming.code, incoming.day, known_code):
            ordered = key[order]
            differs |= ordered[1:] != ordered[:-1]
        last[:-1] = differs
    return order[last]


def day_texts(days: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    """Days since 1970-01-01 as ``YYYY-MM-DD`` text."""
    if not len(days):
        return np.array([], dtype=object)
    # Each day formatted once: a payload of many series repeats its dates. Over a span
    # not much longer than the rows, every day of the span (no sort); else the distinct.
    first, last = int(days.min()), int(days.max())
    if last - first < 4 * len(days):
        span = np.arange(first, last + 1).astype("datetime64[D]")
        return np.datetime_as_string(span).astype(object)[days - first]
    distinct, at = np.unique(days, return_inverse=True)
    texts = np.datetime_as_string(distinct.astype("datetime64[D]")).astype(object)
    return texts[at.reshape(-1)]


def text_days(texts: npt.NDArray[np.object_]) -> npt.NDArray[np.int64]:
    """``YYYY-MM-DD`` text (as the store keeps ``obs_date``) as days since 1970-01-01."""
    try:
        return np.asarray(texts, dtype="U10").astype("datetime64[D]").astype(np.int64)
    except ValueError as exc:
        raise StoreError(
            f"a stored obs_date is not a YYYY-MM-DD date ({exc}); the store was changed "
            "outside carrywatch: restore it from a backup",
            path="",
        ) from exc
