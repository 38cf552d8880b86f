"""What every command shares: the consoles, settings, the HTTP client, date parsing and
number formatting. Heavy modules are imported inside functions (see ``carrywatch.cli``)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from rich.console import Console
from rich.table import Table

from carrywatch.catalog.releases import asof_day
from carrywatch.errors import ConfigError
from carrywatch.settings import Settings

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "EXIT_PARTIAL",
    "SourceTotals",
    "command_imports",
    "err",
    "failed_sources",
    "format_value",
    "http_client",
    "iso_or_blank",
    "load_settings",
    "out",
    "own_process",
    "parse_date",
    "parse_timestamp",
    "print_source_table",
]

#: Exit code when some sources could not be brought up to date (the others were written).
EXIT_PARTIAL = 3

# Piped output keeps a readable width instead of rich's 80-column default.
out = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140)
# Messages carry user text (file names, provider errors): never read it as markup, and
# keep each error on one line even when stderr is not a terminal.
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


class _Given:
    """What the command line gave for the whole run (``carrywatch --database-url``)."""

    database_url: str | None = None


def use_database_url(url: str | None) -> None:
    """Make ``url`` (the ``--database-url`` option) the store of every command of this run."""
    _Given.database_url = url


class _Process:
    """Whether this run owns its process (the console script), not a caller's."""

    owned = False


def own_process() -> None:
    """Mark the run as the whole process (the ``carrywatch`` console script): its
    commands may then tune the garbage collector (:func:`command_imports`)."""
    _Process.owned = True


@contextmanager
def command_imports() -> Iterator[None]:
    """Import a command's modules without the cyclic garbage collector, then move every
    object alive into its permanent generation (:func:`gc.freeze`), when the run owns its
    process (:func:`own_process`); otherwise (``main`` called from Python) nothing changes.

    A command runs once in its own process, and what its imports create (modules,
    classes, functions: about 100,000 objects with pandas) lives until the process ends.
    Left to the collector, each full collection walks all of them again: during the
    imports, during the run and at exit, about 0.1 s of a cold ``brief`` (decision 0020).
    Objects made after the imports are collected as usual.
    """
    if not _Process.owned:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_settings() -> Settings:
    """The settings, with every source's ``CARRYWATCH_<SOURCE>_ORIGIN`` override checked,
    and ``--database-url`` over ``CARRYWATCH_DATABASE_URL``."""
    from dataclasses import replace

    from carrywatch.settings import check_database_url
    from carrywatch.sources.registry import SOURCE_NAMES

    settings = Settings.from_env(source_names=SOURCE_NAMES)
    if _Given.database_url is None:
        return settings
    url = check_database_url("--database-url", _Given.database_url)
    return replace(settings, database_url=url)


def http_client(settings: Settings) -> HttpClient:
    """The HTTP client every fetching command uses, configured from the settings."""
    from carrywatch.sources.http import HttpClient, RetryPolicy

    mib = 1024 * 1024
    return HttpClient(
        secrets=settings.secrets(),
        max_per_host=settings.max_per_host,
        max_timeout_s=settings.http_timeout_s,
        retry=RetryPolicy(backoff_base_s=settings.retry_base_s),
        deadline_s=settings.http_deadline_s,
        max_body_bytes=int(settings.max_body_mb * mib),
        max_body_bytes_by_source={
            name: int(mb * mib) for name, mb in settings.max_body_mb_by_source.items()
        },
    )


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    # A real day inside the range carrywatch can represent, or one line saying why not.
    return asof_day(value, option)


def check_span(first: date | None, last: date | None, first_option: str, last_option: str) -> None:
    """One line when a date span runs backwards (``--start`` after ``--end``): an empty
    answer would read as "no data" when the question was the mistake."""
    if first is not None and last is not None and first > last:
        raise ConfigError(
            f"{first_option} {first} is after {last_option} {last}: give the earlier date "
            f"as {first_option}"
        )


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


class SourceTotals(Protocol):
    """What a per-source summary of a run (refresh, markets refresh) has in common."""

    @property
    def source(self) -> str: ...
    @property
    def n_requests(self) -> int: ...
    @property
    def n_failed(self) -> int: ...
    @property
    def errors(self) -> tuple[str, ...]: ...
    @property
    def ok(self) -> bool: ...


Totals = TypeVar("Totals", bound=SourceTotals)


def print_source_table(
    title: str,
    counts: Sequence[str],
    summaries: Sequence[Totals],
    count_cells: Callable[[Totals], Sequence[int]],
) -> None:
    """One row per source: requests, failed, the run's own ``counts``, the first error;
    a failed source in red."""
    table = Table("source", "requests", "failed", *counts, "first error", title=title)
    for s in summaries:
        table.add_row(
            s.source,
            str(s.n_requests),
            str(s.n_failed),
            *(str(n) for n in count_cells(s)),
            s.errors[0] if s.errors else "",
            style=None if s.ok else "red",
        )
    out.print(table)


def failed_sources(summaries: Sequence[SourceTotals], consequence: str) -> int:
    """Name the sources that failed (and what a failure leaves behind): ``EXIT_PARTIAL``,
    or 0 when none failed."""
    failed = [s for s in summaries if not s.ok]
    if not failed:
        return 0
    parts = [f"{s.source} ({s.n_failed} of {s.n_requests} request(s))" for s in failed]
    err.print(f"{len(failed)} source(s) failed: {', '.join(parts)}; {consequence}")
    return EXIT_PARTIAL
