"""What every command shares: the consoles, settings, the HTTP client, date parsing and
number formatting. Heavy modules are imported inside functions (see ``carrywatch.cli``)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from rich.console import Console

from carrywatch.errors import ConfigError
from carrywatch.settings import Settings

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "EXIT_PARTIAL",
    "err",
    "format_value",
    "http_client",
    "iso_or_blank",
    "load_settings",
    "out",
    "parse_date",
    "parse_timestamp",
]

#: Exit code when some sources could not be brought up to date (the others were written).
EXIT_PARTIAL = 3

# Piped output keeps a readable width instead of rich's 80-column default.
out = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140)
# Messages carry user text (file names, provider errors): never read it as markup, and
# keep each error on one line even when stderr is not a terminal.
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def load_settings() -> Settings:
    """The settings, with every source's ``CARRYWATCH_<SOURCE>_ORIGIN`` override checked."""
    from carrywatch.sources.registry import SOURCE_NAMES

    return Settings.from_env(source_names=SOURCE_NAMES)


def http_client(settings: Settings) -> HttpClient:
    """The HTTP client every fetching command uses, configured from the settings."""
    from carrywatch.sources.http import HttpClient, RetryPolicy

    return HttpClient(
        secrets=settings.secrets(),
        max_per_host=settings.max_per_host,
        max_timeout_s=settings.http_timeout_s,
        retry=RetryPolicy(backoff_base_s=settings.retry_base_s),
    )


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def parse_timestamp(value: str | None, option: str) -> datetime | None:
    """A date (end of that day, UTC) or an ISO timestamp (UTC if no offset is given)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.max.time(), UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{option} {value!r} is not a timestamp; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_value(value: float, *, decimals: int | None = None) -> str:
    """A value for display: thousands separators for large numbers; without ``decimals``
    no rounding away of the digits a provider printed (``143.95``, ``0.781``)."""
    if abs(value) >= 1000:
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{value:.10g}"


def iso_or_blank(day: date | None) -> str:
    return day.isoformat() if day else ""
