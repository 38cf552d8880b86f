"""The embedded snapshot: its on-disk format, and seeding a store from it.

Two files inside the package, written by ``scripts/build_snapshot.py``:

``data/manifest.json``
    one entry per source file: the fetch provenance (publisher, original series code,
    the repository file it came from, its commit and sha256) and the series it feeds;
``data/observations.csv.gz``
    ``fetch_key,series_id,obs_date,value,known_from`` rows (gzip with a fixed timestamp, so
    the same input gives the same bytes and a rebuild can be compared byte for byte).
    ``known_from`` is empty for a value known from its entry's ``retrieved_at``, and a
    UTC moment (``YYYY-MM-DDTHH:MM:SSZ``) for an intraday quote, known from the moment it
    was quoted (several per ``obs_date``).

Seeding appends every entry with origin ``snapshot`` through the store's append rule
in one transaction (the bulk path, :meth:`Store.append_many`), so it is idempotent, and a
new snapshot shipped by an upgrade adds only what changed.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final

import pandas as pd

from carrywatch.errors import StoreError
from carrywatch.store.sqlite import FetchRecord, Store
from carrywatch.types import Origin, sha256_hex

__all__ = [
    "MANIFEST_NAME",
    "OBSERVATIONS_NAME",
    "SnapshotEntry",
    "read_snapshot",
    "seed_store",
    "write_snapshot",
]

MANIFEST_NAME: Final = "manifest.json"
OBSERVATIONS_NAME: Final = "observations.csv.gz"
FORMAT_VERSION: Final = 2
_META_KEY: Final = "snapshot_sha256"


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """One source file of the snapshot and the provenance of every value it gave."""

    key: str
    source: str
    url: str
    retrieved_at: str
    sha256: str
    n_bytes: int
    parse_version: int
    provenance: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "source": self.source,
            "url": self.url,
            "retrieved_at": self.retrieved_at,
            "sha256": self.sha256,
            "n_bytes": self.n_bytes,
            "parse_version": self.parse_version,
            "provenance": dict(self.provenance),
        }


def write_snapshot(
    directory: Path, entries: Sequence[SnapshotEntry], observations: pd.DataFrame
) -> None:
    """Write the two artefact files deterministically.

    ``observations`` has columns ``fetch_key, series_id, obs_date, value`` and optionally
    ``known_from`` (aware timestamps, NaT where the entry's retrieval time applies).
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT_VERSION, "entries": [e.to_json() for e in entries]}
    (directory / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
    )
    frame = observations.copy()
    if "known_from" in frame.columns:
        known = pd.to_datetime(frame["known_from"], utc=True)
        frame["known_from"] = known.dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
    else:
        frame["known_from"] = ""
    ordered = frame.sort_values(["fetch_key", "series_id", "obs_date", "known_from"], kind="stable")
    text = io.StringIO()
    text.write("fetch_key,series_id,obs_date,value,known_from\n")
    for key, sid, day, value, known_from in zip(
        ordered["fetch_key"],
        ordered["series_id"],
        pd.to_datetime(ordered["obs_date"]).dt.strftime("%Y-%m-%d"),
        ordered["value"].astype(float),
        ordered["known_from"],
        strict=True,
    ):
        text.write(f"{key},{sid},{day},{value!r},{known_from}\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    (directory / OBSERVATIONS_NAME).write_bytes(buffer.getvalue())


def _artefact_bytes() -> tuple[bytes, bytes]:
    folder = resources.files("carrywatch.snapshot").joinpath("data")
    try:
        return (
            folder.joinpath(MANIFEST_NAME).read_bytes(),
            folder.joinpath(OBSERVATIONS_NAME).read_bytes(),
        )
    except OSError as exc:
        raise StoreError(
            "the embedded snapshot is missing from the installation; reinstall carrywatch",
            path=str(folder),
        ) from exc


def read_snapshot(
    manifest_bytes: bytes | None = None, observations_bytes: bytes | None = None
) -> tuple[list[SnapshotEntry], pd.DataFrame]:
    """The snapshot's entries and observations (the packaged one by default)."""
    if manifest_bytes is None or observations_bytes is None:
        manifest_bytes, observations_bytes = _artefact_bytes()
    manifest = json.loads(manifest_bytes)
    if manifest.get("format") != FORMAT_VERSION:
        raise StoreError(
            f"snapshot format {manifest.get('format')!r} is not {FORMAT_VERSION}", path=""
        )
    entries = [SnapshotEntry(**e) for e in manifest["entries"]]
    frame = pd.read_csv(
        io.BytesIO(gzip.decompress(observations_bytes)),
        dtype={
            "fetch_key": "str",
            "series_id": "str",
            "obs_date": "str",
            "value": "float64",
            "known_from": "str",
        },
        keep_default_na=False,
    )
    frame["obs_date"] = pd.to_datetime(frame["obs_date"], format="%Y-%m-%d")
    return entries, frame


def seed_store(store: Store, *, force: bool = False) -> int:
    """Seed ``store`` from the embedded snapshot unless this snapshot was already seeded.

    Returns the number of observation rows added (0 when already seeded).
    """
    manifest_bytes, observations_bytes = _artefact_bytes()
    digest = sha256_hex(manifest_bytes + observations_bytes)
    if not force and store.get_meta(_META_KEY) == digest:
        return 0
    entries, frame = read_snapshot(manifest_bytes, observations_bytes)
    groups = dict(tuple(frame.groupby("fetch_key", sort=False)))
    payloads = [
        (_fetch_record(entry), _rows_to_append(groups[entry.key], entry.retrieved_at))
        for entry in entries
        if entry.key in groups
    ]
    with store.transaction() as db:
        added = sum(r.n_added for r in store.append_many(payloads))
        db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (_META_KEY, digest),
        )
    return added


def _fetch_record(entry: SnapshotEntry) -> FetchRecord:
    return FetchRecord(
        source=entry.source,
        url=entry.url,
        retrieved_at=datetime.fromisoformat(entry.retrieved_at.replace("Z", "+00:00")),
        sha256=entry.sha256,
        n_bytes=entry.n_bytes,
        parse_version=entry.parse_version,
        origin=Origin.SNAPSHOT,
        provenance=entry.provenance,
    )


def _rows_to_append(rows: pd.DataFrame, retrieved_at: str) -> pd.DataFrame:
    """One entry's rows for :meth:`Store.append`: ``known_from`` only where some row has
    its own moment (the others are known from the entry's retrieval)."""
    rows = rows.drop(columns="fetch_key")
    if not (rows["known_from"] != "").any():
        return rows.drop(columns="known_from")
    known = rows["known_from"].where(rows["known_from"] != "", retrieved_at)
    return rows.assign(known_from=pd.to_datetime(known, utc=True))
