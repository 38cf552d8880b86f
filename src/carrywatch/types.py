"""Value types shared by every layer: what is asked of a provider and what it answers.

A :class:`FetchRequest` is the unit of fetching (one file often carries many series);
a :class:`RawPayload` is the untouched answer with its provenance; a
:class:`ParsedFrame` is the tidy result of a pure parse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FetchRequest",
    "Origin",
    "ParsedFrame",
    "RawPayload",
    "Window",
    "sha256_hex",
    "utc_now",
]


class Origin(StrEnum):
    """How a value reached the store."""

    LIVE = "live"
    SNAPSHOT = "snapshot"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive range of observation dates; ``None`` leaves a side open."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One HTTP GET that a source needs.

    Attributes
    ----------
    source:
        The source name (``fred``, ``japan_mof`` ...).
    url:
        Absolute URL including the origin in force (default or overridden), without
        query string and without any secret.
    params:
        Query parameters in the order they are sent; never contains a secret.
    remote_codes:
        The provider's codes this request is expected to deliver.
    secret_param:
        ``(query parameter, settings key)`` of a credential the HTTP client adds when
        sending (e.g. ``("api_key", "fred_api_key")``); it is never stored or logged.
    headers:
        Extra request headers (e.g. a ``Referer`` a provider insists on).
    timeout_s:
        Read timeout in seconds for this request (some providers are slow).
    """

    source: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    remote_codes: tuple[str, ...] = ()
    secret_param: tuple[str, str] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 30.0

    def with_params(self, **updates: str) -> FetchRequest:
        """A copy with some query parameters replaced or added (used for paging)."""
        kept = [(k, v) for k, v in self.params if k not in updates]
        return FetchRequest(
            source=self.source,
            url=self.url,
            params=(*kept, *updates.items()),
            remote_codes=self.remote_codes,
            secret_param=self.secret_param,
            headers=self.headers,
            timeout_s=self.timeout_s,
        )


@dataclass(frozen=True, slots=True)
class RawPayload:
    """Bytes exactly as received, with when and how they were obtained.

    ``retrieved_at`` is timezone-aware UTC. ``sha256`` is the hex digest of ``body``.
    """

    request: FetchRequest
    body: bytes
    status: int
    media_type: str
    retrieved_at: datetime
    sha256: str = field(default="")

    def __post_init__(self) -> None:
        if self.retrieved_at.tzinfo is None:
            raise ValueError("RawPayload.retrieved_at must be timezone-aware (UTC)")
        if not self.sha256:
            object.__setattr__(self, "sha256", sha256_hex(self.body))

    @property
    def n_bytes(self) -> int:
        return len(self.body)


@dataclass(frozen=True, slots=True)
class ParsedFrame:
    """The tidy result of parsing one payload.

    ``rows`` follows the observation contract of :mod:`carrywatch.frames`: columns
    ``remote_code`` (str), ``obs_date`` (datetime64, midnight), ``value`` (float64, never
    NaN) and, for vintage-publishing sources, ``known_from`` (aware UTC timestamps: when
    the provider first published that value).
    ``parse_version`` changes whenever the parser's output for the same bytes changes.
    """

    source: str
    rows: pd.DataFrame
    parse_version: int
    meta: Mapping[str, str] = field(default_factory=dict)


def sha256_hex(body: bytes) -> str:
    """Hex SHA-256 of ``body``."""
    return hashlib.sha256(body).hexdigest()


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)
