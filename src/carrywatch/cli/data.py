"""Data commands: ``sources``, ``series list|show``, ``refresh``, ``reparse``, ``import``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import (
    check_span,
    err,
    failed_sources,
    http_client,
    load_settings,
    out,
    parse_date,
    parse_timestamp,
    print_source_table,
)
from carrywatch.cli.output import emit_frame, export_format, format_option, out_option
from carrywatch.errors import ConfigError
from carrywatch.settings import origin_env_var

if TYPE_CHECKING:
    import pandas as pd

    from carrywatch.ingest import ProgressCallback, RefreshReport


@cli.group("series")
def series_group() -> None:
    """List and show stored series."""


@cli.command("sources")
def sources_command() -> None:
    """List the live sources, their default origins and the variable that overrides each."""
    from carrywatch.sources.registry import default_origins

    settings = load_settings()
    table = Table("source", "default origin", "override variable", "in force")
    for name, origin in default_origins().items():
        table.add_row(name, origin, origin_env_var(name), settings.origins.get(name, origin))
    out.print(table)


@series_group.command("list")
def series_list() -> None:
    """Every catalog series: unit, frequency, coverage, source and last retrieval."""
    from carrywatch.workspace import catalog_of, open_store

    with open_store(load_settings()) as store:
        catalog = catalog_of(store)
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
@click.option(
    "--asof",
    help="What was published by this date (its release day on or before it), latest revision held.",
)
@click.option(
    "--known-at", "known_at", help="The vintage axis: only what the store knew at that moment."
)
@format_option()
@out_option()
def series_show(
    series_id: str,
    *,
    start: str | None,
    end: str | None,
    asof: str | None,
    known_at: str | None,
    fmt: str,
    out_file: Path | None,
) -> None:
    """Observations of one series, newest revision per date, with provenance and the day
    and rule that dated each release (release calendar, ALFRED first release, usual lag)."""
    from carrywatch.workspace import catalog_of, open_store

    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    check_span(first, last, "--start", "--end")
    with open_store(load_settings()) as store:
        spec = catalog_of(store).spec(series_id)
        frame = store.read(
            [spec.id],
            start=first,
            end=last,
            asof=parse_date(asof, "--asof"),
            known_at=parse_timestamp(known_at, "--known-at"),
        )
    if frame.empty:
        reason = f" ({spec.gap})" if spec.gap else ""
        err.print(f"no observations of {spec.id} in that view{reason}")
    records = _records(frame)
    if out_file is not None or fmt in ("parquet", "xlsx"):
        import pandas as pd

        export = pd.DataFrame(records, columns=list(RECORD_FIELDS))
        emit_frame(export, export_format("csv" if fmt == "table" else fmt), out_file)
    elif fmt == "json":
        out.print_json(json.dumps(records)) if sys.stdout.isatty() else print(json.dumps(records))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(RECORD_FIELDS))
        writer.writeheader()
        writer.writerows(records)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(title=f"{spec.id} ({spec.unit})")
        columns = ("obs_date", "value", "released", "dated by", "origin", "source", "retrieved_at")
        for column in (*columns, "url"):
            table.add_column(column)
        for r in records:
            table.add_row(
                r["obs_date"],
                f"{r['value']:g}",
                r["released"],
                r["release_rule"],
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
    "released",
    "release_rule",
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
            "released": released.strftime("%Y-%m-%d"),
            "release_rule": rule,
        }
        for sid, day, value, source, origin, retrieved, known, url, released, rule in zip(
            frame["series_id"],
            frame["obs_date"],
            frame["value"],
            frame["source"],
            frame["origin"],
            frame["retrieved_at"],
            frame["known_from"],
            frame["url"],
            frame["released"],
            frame["release_rule"],
            strict=True,
        )
    ]


def _print_report(report: RefreshReport, verb: str) -> int:
    print_source_table(verb, ["rows added"], report.summaries, lambda s: [s.n_added])
    return failed_sources(
        report.summaries,
        "a failed request writes nothing, so the store holds what it held before for it",
    )


_ALLOW_OUTLIERS = click.option(
    "--allow-outliers",
    is_flag=True,
    help="Store values outside their series' plausible bounds (series.toml) too.",
)


@cli.command("refresh")
@click.option("--source", "source", multiple=True, help="Only this source (repeatable).")
@click.option("--series", "series", multiple=True, help="Only this series id (repeatable).")
@click.option("--start", help="Fetch from this obs_date (default: incremental).")
@click.option(
    "--alerts",
    "alerts_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Then check these alert rules on the new data (exit 10 when one fired; "
    "see `carrywatch alerts check`).",
)
@_ALLOW_OUTLIERS
def refresh_command(
    source: tuple[str, ...],
    series: tuple[str, ...],
    start: str | None,
    alerts_file: Path | None,
    allow_outliers: bool,
) -> None:
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

    settings = load_settings()
    catalog = load_catalog()
    if series:
        catalog.specs(series)  # unknown ids fail before any network
    window = Window(start=parse_date(start, "--start")) if start else None
    sources = build_sources(settings.origins)
    # FRED series go through the keyed API (with vintages) when a key is set, or when
    # asked for by name; otherwise through the key-less graph CSV.
    use_api = "fred_api" in source or (settings.fred_api_key is not None and "fred" not in source)
    if "fred_api" in source and settings.fred_api_key is None:
        raise ConfigError("--source fred_api needs FRED_API_KEY in the environment")
    route = {"fred": "fred_api"} if use_api else {}
    with (
        open_store(settings) as store,
        http_client(settings) as http,
    ):
        archive = open_archive(store)
        if alerts_file is not None:  # a mistake in the rules fails before any network
            from carrywatch.alerts.rules import load_rules
            from carrywatch.workspace import catalog_of

            load_rules(alerts_file, catalog_of(store))

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
                allow_outliers=allow_outliers,
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
        code = _print_report(report, "refresh")
        if alerts_file is not None:
            from carrywatch.cli.alerts import check_alerts

            # A partial refresh still checks what it brought; its own exit code wins.
            fired = check_alerts(store, settings, alerts_file, None)
            code = code or fired
    sys.exit(code)


@cli.command("reparse")
@click.option("--source", "source", multiple=True, help="Only this source (repeatable).")
@_ALLOW_OUTLIERS
def reparse_command(source: tuple[str, ...], allow_outliers: bool) -> None:
    """Re-run the parsers on archived raw payloads (no network)."""
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.ingest import reparse
    from carrywatch.sources.registry import build_sources
    from carrywatch.workspace import open_archive, open_store

    settings = load_settings()
    with open_store(settings) as store:
        report = reparse(
            store,
            open_archive(store),
            load_catalog(),
            build_sources(settings.origins),
            source_names=source,
            allow_outliers=allow_outliers,
        )
    sys.exit(_print_report(report, "reparse"))


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--series", help="The series id to import into (a catalog or user.* id).")
@click.option(
    "--new-series",
    "new_series",
    help="Create this series first (user.NAME), with --unit, --frequency and --title.",
)
@click.option("--unit", help="Unit of a new series (one of the catalog's units, e.g. index).")
@click.option("--frequency", help="Frequency of a new series (daily, weekly, monthly, ...).")
@click.option("--title", help="Title of a new series.")
@click.option("--date-column", help="Name of the date column (default: the first).")
@click.option("--value-column", help="Name of the value column (default: the only other).")
@_ALLOW_OUTLIERS
def import_command(
    file: Path,
    *,
    series: str | None,
    new_series: str | None,
    unit: str | None,
    frequency: str | None,
    title: str | None,
    date_column: str | None,
    value_column: str | None,
    allow_outliers: bool,
) -> None:
    """Import your own CSV (e.g. a terminal export) into a catalog series, or into a new
    series of your own (--new-series user.tokyo_cpi --unit index --frequency monthly
    --title "Tokyo CPI")."""
    from carrywatch.catalog.user import user_series_spec
    from carrywatch.ingest import import_csv
    from carrywatch.workspace import catalog_of, create_user_series, open_archive, open_store

    if (series is None) == (new_series is None):
        raise ConfigError("give --series ID (an existing series) or --new-series ID, not both")
    if new_series is None and (unit or frequency or title):
        raise ConfigError("--unit, --frequency and --title define a --new-series")
    if new_series is not None:
        missing = [
            f"--{n}"
            for n, v in (("unit", unit), ("frequency", frequency), ("title", title))
            if not v
        ]
        if missing:
            raise ConfigError(f"--new-series needs {', '.join(missing)}")
        # Checked before the store is opened: a bad definition changes nothing.
        user_series_spec(new_series, unit=str(unit), frequency=str(frequency), title=str(title))
    target = str(series or new_series)
    settings = load_settings()
    # One transaction: a file that cannot be imported leaves no empty new series.
    with open_store(settings) as store, store.transaction():
        created = False
        if new_series is not None:
            _, created = create_user_series(
                store, new_series, unit=str(unit), frequency=str(frequency), title=str(title)
            )
        catalog = catalog_of(store)
        catalog.spec(target)
        result = import_csv(
            store,
            open_archive(store),
            catalog,
            file,
            target,
            date_column=date_column,
            value_column=value_column,
            allow_outliers=allow_outliers,
        )
    if created:
        out.print(f"created {target} ({unit}, {frequency}): {title}")
    out.print(
        f"imported {file.name} into {target}: {result.n_added} new or revised value(s) "
        f"of {result.n_offered}"
    )
