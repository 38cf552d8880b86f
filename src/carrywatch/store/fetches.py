"""Fetch rows: writing one, reading them back, and the provenance they give the rows a
read returns.

Every observation names the fetch that stored it (``fetch_id``); the fetch row holds
where and when the payload was retrieved. :meth:`~carrywatch.store.sqlite.Store.read`
joins the two (:func:`with_provenance`); :meth:`~carrywatch.store.sqlite.Store.
fetch_sources` gives the provenance once per fetch instead (:func:`fetch_columns`).
Call these inside one of the store's transactions or snapshots.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import urlencode

import numpy as np
import numpy.typing as npt
import pandas as pd

from carrywatch.store import release
from carrywatch.store.dialect import Db
from carrywatch.store.records import FetchRecord, StoredFetch, iso_utc

__all__ = [
    "FETCH_COLUMNS",
    "READ_COLUMNS",
    "fetch_columns",
    "insert_fetch",
    "stored_fetches",
    "with_provenance",
]

FETCH_COLUMNS: Final = (
    "fetch_id, source, url, params_json, retrieved_at, http_status, sha256, "
    "n_bytes, parse_version, origin, provenance_json"
)

#: Columns of :meth:`Store.read`.
READ_COLUMNS: Final = (
    "series_id",
    "obs_date",
    "value",
    "known_from",
    "source",
    "origin",
    "retrieved_at",
    "url",
    "fetch_id",
    "released",
    "release_rule",
)


def insert_fetch(db: Db, fetch: FetchRecord) -> int:
    """Write the fetch row of ``fetch``; its new fetch id."""
    return db.insert_id(
        "INSERT INTO fetches(source, url, params_json, retrieved_at, http_status, sha256, "
        "n_bytes, parse_version, origin, provenance_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            fetch.source,
            fetch.url,
            json.dumps([list(p) for p in fetch.params]),
            iso_utc(fetch.retrieved_at),
            fetch.http_status,
            fetch.sha256,
            fetch.n_bytes,
            fetch.parse_version,
            str(fetch.origin),
            json.dumps(dict(fetch.provenance), sort_keys=True),
        ),
        "fetch_id",
    )


def stored_fetches(db: Db, sql: str, params: Sequence[object]) -> list[StoredFetch]:
    """The fetch rows ``sql`` (selecting :data:`FETCH_COLUMNS`) gives."""
    rows = db.execute(sql, params).fetchall()
    return [
        StoredFetch(
            fetch_id=r[0],
            source=r[1],
            url=r[2],
            params=tuple((str(k), str(v)) for k, v in json.loads(r[3])),
            retrieved_at=r[4],
            http_status=r[5],
            sha256=r[6],
            n_bytes=r[7],
            parse_version=r[8],
            origin=r[9],
            provenance=json.loads(r[10]),
        )
        for r in rows
    ]


def fetch_columns(
    db: Db, fetch_ids: Iterable[int]
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.object_],
    npt.NDArray[np.object_],
    npt.NDArray[np.object_],
    npt.NDArray[np.object_],
]:
    """``(fetch_id, source, origin, retrieved_at, url)`` arrays of the fetch rows of
    ``fetch_ids`` (the URL as requested: query included, never a key, which is not
    stored)."""
    used = np.unique(np.fromiter(fetch_ids, dtype=np.int64))
    empty = np.array([], dtype=object)
    if not len(used):
        return np.array([], dtype=np.int64), empty, empty, empty, empty
    which, param = db.dialect.in_list("fetch_id", used.tolist())
    fetched = db.execute(
        "SELECT fetch_id, source, origin, retrieved_at, url, params_json "  # noqa: S608 -- a constant
        f"FROM fetches WHERE {which}",
        (param,),
    ).fetchall()
    if not fetched:
        return np.array([], dtype=np.int64), empty, empty, empty, empty
    ids, source, origin, retrieved, url, params_json = np.array(fetched, dtype=object).T
    url = np.array(
        [u + _query_string(p) for u, p in zip(url, params_json, strict=True)], dtype=object
    )
    return ids.astype("int64"), source, origin, retrieved, url


def with_provenance(db: Db, read: release.ReleasedRows) -> pd.DataFrame:
    """``read`` joined with its fetch rows (source, origin, retrieval, URL)."""
    rows = read.rows
    if not len(rows):
        return _empty_read()
    # Provenance of each distinct fetch: one small query, then a lookup per row.
    ids, source, origin, retrieved, url = fetch_columns(db, rows.fetch_id)
    if not len(ids):
        return _empty_read()
    at = pd.Index(ids).get_indexer(pd.Index(rows.fetch_id))
    keep = at >= 0  # an observation without its fetch row is not returned (inner join)
    at = at[keep]
    return pd.DataFrame(
        {
            "series_id": rows.series_id[keep],
            "obs_date": rows.obs_date[keep],
            "value": rows.value[keep],
            "known_from": rows.known_from[keep],
            "source": source[at],
            "origin": origin[at],
            "retrieved_at": retrieved[at],
            "url": url[at],
            "fetch_id": rows.fetch_id[keep],
            "released": read.released[keep].astype("datetime64[ns]"),
            "release_rule": read.release_rule[keep],
        },
        columns=list(READ_COLUMNS),
    )


def _query_string(params_json: str) -> str:
    pairs = json.loads(params_json)
    return f"?{urlencode([(str(k), str(v)) for k, v in pairs])}" if pairs else ""


def _empty_read() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in READ_COLUMNS})
    frame["obs_date"] = pd.Series([], dtype="datetime64[ns]")
    frame["value"] = pd.Series([], dtype="float64")
    frame["released"] = pd.Series([], dtype="datetime64[ns]")
    return frame
