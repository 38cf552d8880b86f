"""The ``carrywatch`` command: parse arguments, call the library, print.

Exit codes: 0 success; 1 usage, configuration or input errors (one clear line, the
traceback only with ``--debug``); 3 when ``refresh``/``reparse`` could not bring every
source up to date (the others were written, the failed ones left untouched).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from carrywatch.errors import CarrywatchError, ConfigError
from carrywatch.settings import Settings, origin_env_var

# Each command imports what it needs inside its function: a command pays only for its
# own dependencies (``brief`` never loads httpx, the sources, ingest or the server).
if TYPE_CHECKING:
    import pandas as pd

    from carrywatch.analytics.market_odds import OddsDistribution
    from carrywatch.catalog.spec import Catalog
    from carrywatch.ingest import ProgressCallback, RefreshReport
    from carrywatch.markets import SnapshotReport
    from carrywatch.report.metrics import HeadlineMetrics
    from carrywatch.report.odds import Bank, OddsReport
    from carrywatch.report.render import MarketReader
    from carrywatch.sources.http import HttpClient
    from carrywatch.store.sqlite import Store

__all__ = ["cli", "main"]

EXIT_PARTIAL = 3

# Piped output keeps a readable width instead of rich's 80-column default.
out = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140)
# Messages carry user text (file names, provider errors): never read it as markup, and
# keep each error on one line even when stderr is not a terminal.
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


class _State:
    debug = False


def _settings() -> Settings:
    """The settings, with every source's ``CARRYWATCH_<SOURCE>_ORIGIN`` override checked."""
    from carrywatch.sources.registry import SOURCE_NAMES

    return Settings.from_env(source_names=SOURCE_NAMES)


def _http_client(settings: Settings) -> HttpClient:
    """The HTTP client every fetching command uses, configured from the settings."""
    from carrywatch.sources.http import HttpClient, RetryPolicy

    return HttpClient(
        secrets=settings.secrets(),
        max_per_host=settings.max_per_host,
        max_timeout_s=settings.http_timeout_s,
        retry=RetryPolicy(backoff_base_s=settings.retry_base_s),
    )


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def _timestamp(value: str | None, option: str) -> datetime | None:
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


@click.group(
    help="Fed vs BOJ policy-divergence monitor: real data with provenance for every number."
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def cli(debug: bool) -> None:
    _State.debug = debug


@cli.group("series")
def series_group() -> None:
    """List and show stored series."""


@cli.command("sources")
def sources_command() -> None:
    """List the live sources, their default origins and the variable that overrides each."""
    from carrywatch.sources.registry import default_origins

    settings = _settings()
    table = Table("source", "default origin", "override variable", "in force")
    for name, origin in default_origins().items():
        table.add_row(name, origin, origin_env_var(name), settings.origins.get(name, origin))
    out.print(table)


@series_group.command("list")
def series_list() -> None:
    """Every catalog series: unit, frequency, coverage, source and last retrieval."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.workspace import open_store

    catalog = load_catalog()
    with open_store(_settings().home) as store:
        status = store.series_status().set_index("series_id")
    table = Table(title=None)
    longest = max(len(s) for s in catalog.series)
    table.add_column("id", no_wrap=True, min_width=longest)
    for column in ("title", "unit", "freq", "first", "last", "source", "last retrieved"):
        table.add_column(column)
    for spec in catalog.series.values():
        row = status.loc[spec.id] if spec.id in status.index else None
        first = row["first_obs"] if row is not None and isinstance(row["first_obs"], str) else ""
        last = row["last_obs"] if row is not None and isinstance(row["last_obs"], str) else ""
        retrieved = row["last_retrieved"] if row is not None else None
        note = "" if first else f"no data: {spec.gap}" if spec.gap else "no data yet"
        table.add_row(
            spec.id,
            spec.title if not note else f"{spec.title} [{note}]",
            spec.unit,
            spec.frequency,
            first,
            last,
            spec.source,
            retrieved if isinstance(retrieved, str) else "",
        )
    out.print(table)


@series_group.command("show")
@click.argument("series_id")
@click.option("--start", help="First obs_date (YYYY-MM-DD).")
@click.option("--end", help="Last obs_date (YYYY-MM-DD).")
@click.option("--asof", help="The view as of this date: obs_date <= it, latest revision held.")
@click.option("--known-at", "known_at", help="Only what had been retrieved/published by then.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def series_show(
    series_id: str,
    *,
    start: str | None,
    end: str | None,
    asof: str | None,
    known_at: str | None,
    fmt: str,
) -> None:
    """Observations of one series, newest revision per date, with provenance."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.workspace import open_store

    spec = load_catalog().spec(series_id)
    with open_store(_settings().home) as store:
        frame = store.read(
            [spec.id],
            start=_date(start, "--start"),
            end=_date(end, "--end"),
            asof=_date(asof, "--asof"),
            known_at=_timestamp(known_at, "--known-at"),
        )
    if frame.empty:
        reason = f" ({spec.gap})" if spec.gap else ""
        err.print(f"no observations of {spec.id} in that view{reason}")
    records = _records(frame)
    if fmt == "json":
        out.print_json(json.dumps(records)) if sys.stdout.isatty() else print(json.dumps(records))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(RECORD_FIELDS))
        writer.writeheader()
        writer.writerows(records)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(title=f"{spec.id} ({spec.unit})")
        for column in ("obs_date", "value", "origin", "source", "retrieved_at", "url"):
            table.add_column(column)
        for r in records:
            table.add_row(
                r["obs_date"],
                f"{r['value']:g}",
                r["origin"],
                r["source"],
                r["retrieved_at"],
                r["url"],
            )
        out.print(table)


RECORD_FIELDS = (
    "series_id",
    "obs_date",
    "value",
    "source",
    "origin",
    "retrieved_at",
    "known_from",
    "url",
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "series_id": sid,
            "obs_date": day.strftime("%Y-%m-%d"),
            "value": float(value),
            "source": source,
            "origin": origin,
            "retrieved_at": retrieved,
            "known_from": known,
            "url": url,
        }
        for sid, day, value, source, origin, retrieved, known, url in zip(
            frame["series_id"],
            frame["obs_date"],
            frame["value"],
            frame["source"],
            frame["origin"],
            frame["retrieved_at"],
            frame["known_from"],
            frame["url"],
            strict=True,
        )
    ]


def format_value(value: float, *, decimals: int | None = None) -> str:
    """A value for display: thousands separators for large numbers; without ``decimals``
    no rounding away of the digits a provider printed (``143.95``, ``0.781``)."""
    if abs(value) >= 1000:
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{value:.10g}"


def _print_report(report: RefreshReport, verb: str) -> int:
    table = Table("source", "requests", "failed", "rows added", "first error", title=verb)
    for s in report.summaries:
        table.add_row(
            s.source,
            str(s.n_requests),
            str(s.n_failed),
            str(s.n_added),
            s.errors[0] if s.errors else "",
            style=None if s.ok else "red",
        )
    out.print(table)
    failed = [s for s in report.summaries if not s.ok]
    if failed:
        parts = [f"{s.source} ({s.n_failed} of {s.n_requests} request(s))" for s in failed]
        err.print(
            f"{len(failed)} source(s) failed: {', '.join(parts)}; a failed request writes "
            "nothing, so the store holds what it held before for it"
        )
        return EXIT_PARTIAL
    return 0


@cli.command("refresh")
@click.option("--source", "source", multiple=True, help="Only this source (repeatable).")
@click.option("--series", "series", multiple=True, help="Only this series id (repeatable).")
@click.option("--start", help="Fetch from this obs_date (default: incremental).")
def refresh_command(source: tuple[str, ...], series: tuple[str, ...], start: str | None) -> None:
    """Bring the store up to date from the live sources."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from carrywatch.catalog.spec import load_catalog
    from carrywatch.ingest import refresh
    from carrywatch.sources.registry import build_sources
    from carrywatch.types import Window
    from carrywatch.workspace import open_archive, open_store

    settings = _settings()
    catalog = load_catalog()
    if series:
        catalog.specs(series)  # unknown ids fail before any network
    window = Window(start=_date(start, "--start")) if start else None
    sources = build_sources(settings.origins)
    # FRED series go through the keyed API (with vintages) when a key is set, or when
    # asked for by name; otherwise through the key-less graph CSV.
    use_api = "fred_api" in source or (settings.fred_api_key is not None and "fred" not in source)
    if "fred_api" in source and settings.fred_api_key is None:
        raise ConfigError("--source fred_api needs FRED_API_KEY in the environment")
    route = {"fred": "fred_api"} if use_api else {}
    with (
        open_store(settings.home) as store,
        _http_client(settings) as http,
    ):
        archive = open_archive(settings.home)

        def _run(on_progress: ProgressCallback | None) -> RefreshReport:
            return refresh(
                store,
                archive,
                catalog,
                sources,
                http,
                source_names=source,
                series_ids=series,
                window=window,
                route=route,
                on_progress=on_progress,
            )

        if not out.is_terminal:
            report = _run(None)
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as progress:
                task = progress.add_task("refresh", total=None)

                def _tick(name: str, done: int, total: int) -> None:
                    progress.update(
                        task, completed=done, total=total, description=name or "refresh"
                    )

                report = _run(_tick)
    sys.exit(_print_report(report, "refresh"))


@cli.command("reparse")
@click.option("--source", "source", multiple=True, help="Only this source (repeatable).")
def reparse_command(source: tuple[str, ...]) -> None:
    """Re-run the parsers on archived raw payloads (no network)."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.ingest import reparse
    from carrywatch.sources.registry import build_sources
    from carrywatch.workspace import open_archive, open_store

    settings = _settings()
    with open_store(settings.home) as store:
        report = reparse(
            store,
            open_archive(settings.home),
            load_catalog(),
            build_sources(settings.origins),
            source_names=source,
        )
    sys.exit(_print_report(report, "reparse"))


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--series", required=True, help="The series id to import into.")
@click.option("--date-column", help="Name of the date column (default: the first).")
@click.option("--value-column", help="Name of the value column (default: the only other).")
def import_command(
    file: Path, series: str, date_column: str | None, value_column: str | None
) -> None:
    """Import your own CSV (e.g. a terminal export) into a catalog series."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.ingest import import_csv
    from carrywatch.workspace import open_archive, open_store

    settings = _settings()
    catalog = load_catalog()
    catalog.spec(series)
    with open_store(settings.home) as store:
        result = import_csv(
            store,
            open_archive(settings.home),
            catalog,
            file,
            series,
            date_column=date_column,
            value_column=value_column,
        )
    out.print(
        f"imported {file.name} into {series}: {result.n_added} new or revised value(s) "
        f"of {result.n_offered}"
    )


@cli.command("odds")
@click.argument("bank", type=click.Choice(["fed", "boj"]))
@click.option("--asof", help="Odds as of this date (YYYY-MM-DD; default: today).")
@click.option(
    "--futures",
    "futures_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV of ZQ settlements: contract,settle (contract ZQK23, ZQK3 or 2023-05).",
)
@click.option(
    "--path",
    "path_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV of expected overnight rates: date,rate or tenor,rate (OIS, TONA forwards).",
)
@click.option(
    "--target-range",
    help="LOWER,UPPER in force on the as-of date (default: from the store).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the odds as JSON.")
def odds_command(
    bank: Bank,
    *,
    asof: str | None,
    futures_file: Path | None,
    path_file: Path | None,
    target_range: str | None,
    as_json: bool,
) -> None:
    """Market-implied odds of the next Fed or BOJ moves, every source side by side."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.markets import market_distributions
    from carrywatch.report.odds import current_range, parse_range, policy_odds
    from carrywatch.workspace import open_archive, open_store

    if futures_file is not None and path_file is not None:
        raise ConfigError("give --futures or --path, not both")
    catalog = load_catalog()
    cutoff = _date(asof, "--asof") or datetime.now(UTC).date()
    settings = _settings()
    with open_store(settings.home) as store:
        range_pct = (
            parse_range(target_range) if target_range else current_range(store, bank, cutoff)
        )
        # Prediction markets from the archived snapshots (`carrywatch markets refresh`).
        markets = market_distributions(
            store, open_archive(settings.home), catalog, bank, cutoff, current_range=range_pct
        )
    report = policy_odds(
        catalog,
        bank,
        cutoff,
        range_pct,
        markets=markets,
        futures_csv=_read_text(futures_file, "--futures"),
        path_csv=_read_text(path_file, "--path"),
    )
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_odds(report)
    for note in report.notes:
        err.print(f"note: {note}")


def _read_text(path: Path | None, option: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{option} {path.name}: cannot read it ({exc})") from exc


def _print_odds(report: OddsReport) -> None:
    lower, upper = report.current_range_pct
    table = Table(
        title=f"{report.bank.upper()} odds as of {report.asof} (range in force "
        f"{lower:g}-{upper:g}%)"
    )
    for column in ("meeting", "source", "distribution (target range: probability)", "flags"):
        table.add_column(column)
    for dist in sorted(report.distributions, key=lambda d: (d.meeting, d.source)):
        if dist.refused:
            text = f"none: {dist.reason}"
        else:
            text = ", ".join(
                f"{r.lower_pct:g}-{r.upper_pct:g}%: {r.probability * 100:.1f}%"
                for r in dist.probabilities
                if r.probability >= 0.0005
            )
        table.add_row(dist.meeting.isoformat(), dist.source, text, "; ".join(dist.flags))
    out.print(table)
    for comparison in report.comparisons:
        for diff in comparison.differences:
            gap = diff.max_abs_difference_pp
            out.print(
                f"{comparison.meeting} {diff.source} vs {comparison.reference_source}: "
                + (f"largest difference {gap:.1f} pp" if gap is not None else "not comparable")
            )
        out.print(
            f"{comparison.meeting}: thinner market: {comparison.thinner or 'n/a'} "
            f"({comparison.thinner_basis})"
        )


@cli.command("metrics")
@click.option(
    "--asof",
    help="The metrics as of this date, from what was published by then (YYYY-MM-DD; "
    "default: the last date with every core market series in the store).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def metrics_command(asof: str | None, as_json: bool) -> None:
    """Headline metrics (yields, spreads, carry, liquidity, flows, stance) as of a date."""
    metrics = _metrics(asof)
    if as_json:
        print(json.dumps(metrics.to_json(), indent=2))
        return
    _print_metrics(metrics, "carrywatch headline metrics")


@cli.command("brief")
@click.option(
    "--asof",
    help="The brief as of this date, from what was published by then (YYYY-MM-DD; "
    "default: the last date with every core market series in the store).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("carrywatch-brief"),
    show_default=True,
    help="Folder for brief.html (with plotly.min.js beside it) and brief.json.",
)
def brief_command(asof: str | None, out_dir: Path) -> None:
    """The morning brief: an offline HTML page, a JSON document and a terminal summary."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.report.metrics import default_asof
    from carrywatch.report.render import build_report, terminal_summary, write_report
    from carrywatch.workspace import open_store

    catalog = load_catalog()
    # The brief reads the store only: no source's origin is used, so none is looked up.
    settings = Settings.from_env()
    with open_store(settings.home) as store:
        cutoff = _date(asof, "--asof") or default_asof(store, datetime.now(UTC).date())
        report = build_report(
            store, catalog, cutoff, market_odds=_market_reader(settings.home, catalog)
        )
    paths = write_report(report, out_dir, template_cache=settings.template_cache)
    out.print(terminal_summary(report, paths.html))


def _market_reader(home: Path, catalog: Catalog) -> MarketReader:
    """The brief's prediction-market odds: the archived snapshots under ``home``."""

    def read(
        store: Store, bank: Bank, asof: date, range_pct: tuple[float, float]
    ) -> list[OddsDistribution]:
        if not store.has_snapshots():
            return []  # nothing recorded: the payload parsers need not even be loaded
        from carrywatch.markets import market_distributions
        from carrywatch.workspace import open_archive

        return market_distributions(
            store, open_archive(home), catalog, bank, asof, current_range=range_pct
        )

    return read


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port (0: any free).")
def serve_command(host: str, port: int) -> None:
    """A read-only local web app: the brief, /api/metrics and /api/series/{id}."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.report.server import make_server
    from carrywatch.store.sqlite import Store
    from carrywatch.workspace import open_store

    settings = _settings()
    catalog = load_catalog()
    open_store(settings.home).close()  # create and seed once, before serving

    def _store() -> Store:
        return Store.open(settings.store_path)

    try:
        server = make_server(
            _store,
            catalog,
            host=host,
            port=port,
            template_cache=settings.template_cache,
            market_odds=_market_reader(settings.home, catalog),
        )
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(f"warning: serving on {host}, reachable from other machines (read-only)")
    err.print(f"carrywatch serving on http://{bound_host}:{bound_port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _metrics(asof: str | None) -> HeadlineMetrics:
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.report.metrics import default_asof, headline_metrics
    from carrywatch.workspace import open_store

    with open_store(_settings().home) as store:
        cutoff = _date(asof, "--asof") or default_asof(store, datetime.now(UTC).date())
        return headline_metrics(store, load_catalog(), cutoff)


def _print_metrics(metrics: HeadlineMetrics, title: str) -> None:
    from carrywatch.report.metrics import METRIC_KEYS

    table = Table(title=f"{title} as of {metrics.asof.isoformat()}")
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    table.add_column("obs_date", no_wrap=True)
    table.add_column("from / why missing")
    for key in METRIC_KEYS:
        metric = metrics[key]
        if metric.value is None:
            table.add_row(key, "—", metric.unit, _iso(metric.obs_date), metric.reason or "")
        else:
            table.add_row(
                key,
                format_value(metric.value, decimals=3),
                metric.unit,
                _iso(metric.obs_date),
                ", ".join(metric.series),
            )
    out.print(table)
    n_missing = len(metrics.missing)
    if n_missing:
        err.print(
            f"{n_missing} of {len(METRIC_KEYS)} metrics are missing as of "
            f"{metrics.asof}: their inputs are stale or absent (see the reasons); "
            "`carrywatch refresh` brings the store up to date"
        )


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@cli.group("markets")
def markets_group() -> None:
    """Prediction markets on Fed and BOJ decisions (Kalshi, Polymarket), archived."""


@markets_group.command("refresh")
@click.argument("bank", type=click.Choice(["fed", "boj"]))
@click.option(
    "--slug",
    "slugs",
    multiple=True,
    help="A Polymarket event slug to fetch too (repeatable), e.g. fed-decision-in-march-885.",
)
def markets_refresh_command(bank: str, slugs: tuple[str, ...]) -> None:
    """Fetch and archive the current markets on BANK's decisions (markets.toml, --slug)."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.markets import snapshot_markets
    from carrywatch.sources.registry import build_sources
    from carrywatch.workspace import open_archive, open_store

    settings = _settings()
    catalog = load_catalog()
    sources = build_sources(settings.origins)
    with (
        open_store(settings.home) as store,
        _http_client(settings) as http,
    ):
        report = snapshot_markets(
            store, open_archive(settings.home), sources, http, catalog, bank, slugs=slugs
        )
    sys.exit(_print_snapshot_report(report))


def _print_snapshot_report(report: SnapshotReport) -> int:
    if not report.summaries:
        err.print(
            f"nothing to fetch for {report.bank}: markets.toml lists no Kalshi series or "
            "Polymarket slug for it; pass --slug SLUG (Polymarket event slugs are found by "
            "search on polymarket.com)"
        )
        return 0
    table = Table(
        "source",
        "requests",
        "failed",
        "payloads",
        "new snapshots",
        "events",
        "first error",
        title=f"markets refresh {report.bank}",
    )
    for s in report.summaries:
        table.add_row(
            s.source,
            str(s.n_requests),
            str(s.n_failed),
            str(s.n_payloads),
            str(s.n_recorded),
            str(s.n_events),
            s.errors[0] if s.errors else "",
            style=None if s.ok else "red",
        )
    out.print(table)
    for s in report.summaries:
        for note in s.notes:
            err.print(f"note: {s.source}: {note}")
    failed = [s for s in report.summaries if not s.ok]
    if failed:
        parts = [f"{s.source} ({s.n_failed} of {s.n_requests} request(s))" for s in failed]
        err.print(
            f"{len(failed)} source(s) failed: {', '.join(parts)}; a failed request archives "
            "and records nothing"
        )
        return EXIT_PARTIAL
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        cli.main(args=argv, prog_name="carrywatch", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0)
    except click.exceptions.Abort:
        err.print("aborted")
        return 1
    except click.exceptions.ClickException as exc:
        err.print(f"error: {exc.format_message()}")
        return 1
    except CarrywatchError as exc:
        if _State.debug:
            err.print_exception()
        err.print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
