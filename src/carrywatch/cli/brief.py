"""The brief's commands: ``metrics``, ``diff``, ``brief`` and ``serve``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import (
    command_imports,
    err,
    format_value,
    iso_or_blank,
    load_settings,
    out,
    parse_date,
)
from carrywatch.cli.output import emit_frame, export_format, format_option, out_option
from carrywatch.errors import ConfigError
from carrywatch.settings import Settings

if TYPE_CHECKING:
    from carrywatch.report.metrics import HeadlineMetrics
    from carrywatch.store.sqlite import Store


@cli.command("metrics")
@click.option(
    "--asof",
    help="The metrics as of this date, from what was published by then (YYYY-MM-DD; "
    "default: the last date with every core market series in the store).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@format_option()
@out_option()
def metrics_command(asof: str | None, as_json: bool, fmt: str, out_file: Path | None) -> None:
    """Headline metrics (yields, spreads, carry, liquidity, flows, stance) as of a date."""
    from carrywatch.api import metrics_frame

    metrics = _metrics(asof)
    if as_json:
        print(json.dumps(metrics.to_json(), indent=2))
        return
    if fmt != "table":
        emit_frame(metrics_frame(metrics), export_format(fmt), out_file)
        return
    _print_metrics(metrics, "carrywatch headline metrics")


@cli.command("diff")
@click.option("--from", "start", required=True, help="The earlier date (YYYY-MM-DD).")
@click.option("--to", "end", help="The later date (YYYY-MM-DD; default: the brief's date).")
@click.option(
    "--window",
    default=250,
    show_default=True,
    type=int,
    help="Past changes of the same horizon that the z-score compares with.",
)
@format_option()
@out_option()
def diff_command(start: str, end: str | None, window: int, fmt: str, out_file: Path | None) -> None:
    """What changed from --from to --to: every headline metric and every odds figure with a
    value on both dates (CME's published odds and P(cut)/P(hold)/P(hike), Polymarket's and
    Kalshi's quotes, ZQ mids), its change and how unusual it is (z-score against the past
    changes of the same horizon), most unusual first."""
    from carrywatch.report.diff import metric_diff
    from carrywatch.report.metrics import default_asof
    from carrywatch.workspace import catalog_of, open_store

    first = parse_date(start, "--from")
    assert first is not None
    with open_store(load_settings()) as store:
        last = parse_date(end, "--to") or default_asof(store, datetime.now(UTC).date())
        diff = metric_diff(store, catalog_of(store), first, last, window=window)
    frame = diff.to_frame()
    if fmt != "table":
        emit_frame(frame, export_format(fmt), out_file)
        return
    table = Table(
        title=f"what changed from {diff.start} to {diff.end} (z-score against the "
        f"{diff.window} past changes of {(diff.end - diff.start).days} days)"
    )
    for column, justify in (
        ("target", "left"),
        ("from", "right"),
        ("to", "right"),
        ("change", "right"),
        ("unit", "left"),
        ("z", "right"),
        ("why no z", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=column != "why no z")  # type: ignore[arg-type]
    for c in diff.changes:
        table.add_row(
            c.target,
            "—" if c.start_value is None else format_value(c.start_value, decimals=3),
            "—" if c.end_value is None else format_value(c.end_value, decimals=3),
            "—" if c.change is None else f"{c.change:+.3f}",
            c.unit,
            "" if c.zscore is None else f"{c.zscore:+.1f}",
            c.reason or "",
        )
    out.print(table)


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
    help="Folder for brief.html (with plotly.min.js beside it), brief.json and the page's "
    "tables as tables/*.csv.",
)
def brief_command(asof: str | None, out_dir: Path) -> None:
    """The morning brief: an offline HTML page, a JSON document and a terminal summary."""
    with command_imports():
        from carrywatch.api import write_brief
        from carrywatch.report.metrics import default_asof
        from carrywatch.report.render import build_report, terminal_summary
        from carrywatch.workspace import catalog_of, open_store

    # The brief reads the store only: no source's origin is used, so none is looked up.
    settings = Settings.from_env()
    with open_store(settings) as store:
        catalog = catalog_of(store)
        cutoff = parse_date(asof, "--asof") or default_asof(store, datetime.now(UTC).date())
        report = build_report(store, catalog, cutoff)
    paths = write_brief(report, out_dir, template_cache=settings.template_cache)
    out.print(terminal_summary(report, paths.html))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port (0: any free).")
def serve_command(host: str, port: int) -> None:
    """A read-only local web app: the brief, /api/metrics, /api/series/{id} (paged) and
    /api/fetches/{id}."""
    from carrywatch.report.server import make_server
    from carrywatch.store.sqlite import Store
    from carrywatch.workspace import catalog_of, open_archive, open_store

    settings = load_settings()
    with open_store(settings) as seeded:  # create and seed once, before serving
        # The packaged catalog's release calendar dates every read (user series and
        # market quotes have the usual lag of 0 days).
        catalog = catalog_of(seeded)

    def _store() -> Store:
        return Store.open(settings.store_location, releases=catalog.calendar.release_dates)

    # The raw archive's own connection (on PostgreSQL the archive is the payloads table).
    archive_store = _store()
    try:
        server = make_server(
            _store,
            catalog_of,  # with the series the store defines, as of each store version
            host=host,
            port=port,
            template_cache=settings.template_cache,
            archive=open_archive(archive_store),
        )
    except OSError as exc:
        archive_store.close()
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
        archive_store.close()


def _metrics(asof: str | None) -> HeadlineMetrics:
    from carrywatch.catalog.spec import load_catalog
    from carrywatch.report.metrics import default_asof, headline_metrics
    from carrywatch.workspace import open_store

    with open_store(load_settings()) as store:
        cutoff = parse_date(asof, "--asof") or default_asof(store, datetime.now(UTC).date())
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
            table.add_row(key, "—", metric.unit, iso_or_blank(metric.obs_date), metric.reason or "")
        else:
            table.add_row(
                key,
                format_value(metric.value, decimals=3),
                metric.unit,
                iso_or_blank(metric.obs_date),
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
