"""The records the store takes and gives: a series' catalog copy, a fetch's provenance
as written and as stored, where a read row came from, what an append did; and the one
text form of a moment the store keeps (``YYYY-MM-DDTHH:MM:SSZ``, so that text order is
time order)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from carrywatch.errors import StoreError
from carrywatch.types import Origin

__all__ = ["AppendResult", "FetchRecord", "FetchSource", "SeriesRow", "StoredFetch", "iso_utc"]


def iso_utc(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SSZ`` (aware datetimes only)."""
    if moment.tzinfo is None:
        raise StoreError("timestamps must be timezone-aware", path="")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """What the store keeps about a series (a copy of the catalog entry)."""

    series_id: str
    source: str
    remote_code: str
    unit: str
    frequency: str
    title: str


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """Provenance of one payload, as written to ``fetches``. ``url`` never holds a key."""

    source: str
    url: str
    retrieved_at: datetime
    sha256: str
    n_bytes: int
    parse_version: int
    origin: Origin
    params: Sequence[tuple[str, str]] = ()
    http_status: int | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredFetch:
    """A row of ``fetches``."""

    fetch_id: int
    source: str
    url: str
    params: tuple[tuple[str, str], ...]
    retrieved_at: str
    http_status: int | None
    sha256: str
    n_bytes: int
    parse_version: int
    origin: str
    provenance: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FetchSource:
    """Where one fetch's rows came from, as :meth:`Store.read` gives it on each row."""

    source: str
    origin: str
    retrieved_at: str
    #: The URL as requested (query included, never a key: keys are not stored).
    url: str


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What one append did: the new fetch id (``None`` when nothing changed)."""

    fetch_id: int | None
    n_added: int
    n_offered: int
