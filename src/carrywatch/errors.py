"""The one exception tree of carrywatch.

Every error that crosses a package boundary is one of these; third-party exceptions are
wrapped (``raise ... from exc``) so callers never need to know which library failed.
Context travels in attributes, not only in the message::

    CarrywatchError
    ├── ConfigError            bad settings, environment variables or command-line values
    ├── CatalogError           an unknown series id, a malformed catalog entry
    ├── SourceError            .source
    │   ├── FetchError         .url, .status: the provider could not be reached or refused
    │   ├── ParseError         .detail: the bytes are not what the provider publishes
    │   └── OutlierError       .series_id: a value outside its series' plausible bounds
    ├── StoreError             .path: the local store cannot be opened, read or written
    └── AnalyticsError
        └── InsufficientDataError  .series: an input is missing or too short

Messages are written for the person at the terminal: what went wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "AnalyticsError",
    "CarrywatchError",
    "CatalogError",
    "ConfigError",
    "FetchError",
    "InsufficientDataError",
    "OutlierError",
    "ParseError",
    "SourceError",
    "StoreError",
]


class CarrywatchError(Exception):
    """Base class of every error carrywatch raises on purpose."""


class ConfigError(CarrywatchError):
    """A setting, environment variable or command-line value is invalid."""


class CatalogError(CarrywatchError):
    """A series id or event is unknown, or a catalog file is malformed."""


class SourceError(CarrywatchError):
    """A data provider failed; ``source`` names it (``fred``, ``japan_mof`` ...)."""

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class FetchError(SourceError):
    """The provider could not be reached, or answered with an error status.

    ``url`` never contains an API key; ``status`` is the HTTP status when one was received.
    """

    def __init__(self, message: str, *, source: str, url: str, status: int | None = None) -> None:
        super().__init__(message, source=source)
        self.url = url
        self.status = status


class ParseError(SourceError):
    """The payload is not in the shape the provider publishes.

    ``detail`` says what was expected and what was found (a renamed column, an HTML page
    where CSV was expected, a date that does not parse).
    """

    def __init__(self, detail: str, *, source: str) -> None:
        super().__init__(f"cannot parse payload: {detail}", source=source)
        self.detail = detail


class OutlierError(SourceError):
    """A value lies outside the plausible bounds of its series (``series.toml``).

    The message names the series, the date, the value and the bounds with their reason;
    ``series_id`` is the first offending series.
    """

    def __init__(self, message: str, *, source: str, series_id: str) -> None:
        super().__init__(message, source=source)
        self.series_id = series_id


class StoreError(CarrywatchError):
    """The local store cannot be opened, read or written; ``path`` is the file."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class AnalyticsError(CarrywatchError):
    """A computation cannot be carried out on the inputs given."""


class InsufficientDataError(AnalyticsError):
    """An input series is missing or too short; ``series`` names the ids concerned."""

    def __init__(self, message: str, *, series: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.series = series
