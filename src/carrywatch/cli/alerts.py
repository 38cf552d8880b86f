"""Alert commands: ``alerts check`` (for cron) and ``alerts history`` (the back-test).

Exit codes of ``alerts check`` (and of ``refresh --alerts`` when the refresh itself
succeeded): 0 no rule fired, 10 some fired (each event printed once, then recorded), 1 an
error (a bad rules file, a webhook that refused: nothing recorded, so it fires again).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import check_span, err, load_settings, out, parse_date
from carrywatch.cli.output import emit_frame, export_format, format_option, out_option
from carrywatch.settings import Settings

if TYPE_CHECKING:
    from carrywatch.alerts.delivery import ClientFactory
    from carrywatch.sources.http import HttpClient
    from carrywatch.store.sqlite import Store

__all__ = ["EXIT_FIRED", "check_alerts"]

#: Exit code of ``alerts check`` when at least one rule fired.
EXIT_FIRED: Final = 10

_RULES = click.argument("rules_file", type=click.Path(path_type=Path, dir_okay=False))


@cli.group("alerts")
def alerts_group() -> None:
    """Alerts on metrics and series: levels, crossings, sign flips, big moves, staleness."""


def _client_factory(settings: Settings) -> ClientFactory:
    def make(secrets: Mapping[str, str]) -> HttpClient:
        from carrywatch.sources.http import HttpClient, RetryPolicy

        return HttpClient(
            secrets=secrets,
            max_per_host=settings.max_per_host,
            max_timeout_s=settings.http_timeout_s,
            retry=RetryPolicy(backoff_base_s=settings.retry_base_s),
        )

    return make


def check_alerts(store: Store, settings: Settings, rules_file: Path, asof: date | None) -> int:
    """Check the rules of ``rules_file`` as of ``asof`` (default: the brief's date),
    deliver and print what fired; :data:`EXIT_FIRED` or 0."""
    from carrywatch.alerts.check import check_and_deliver
    from carrywatch.alerts.rules import load_rules
    from carrywatch.report.metrics import default_asof
    from carrywatch.workspace import catalog_of

    catalog = catalog_of(store)
    rules = load_rules(rules_file, catalog)
    now = datetime.now(UTC)
    cutoff = asof or default_asof(store, now.date())
    fired = check_and_deliver(
        store,
        catalog,
        rules,
        cutoff,
        now=now,
        client=_client_factory(settings),
    )
    for event in fired:
        out.print(f"ALERT {event.rule}: {event.message}")
    err.print(
        f"{len(fired)} alert(s) fired as of {cutoff} ({len(rules.rules)} rule(s) in "
        f"{rules_file.name})"
    )
    return EXIT_FIRED if fired else 0


@alerts_group.command("check")
@_RULES
@click.option("--asof", help="Check as of this date (YYYY-MM-DD; default: the brief's date).")
def alerts_check_command(rules_file: Path, asof: str | None) -> None:
    """Evaluate RULES_FILE now; exit 0 when nothing fired, 10 when something did."""
    from carrywatch.workspace import open_store

    settings = load_settings()
    day = parse_date(asof, "--asof")
    with open_store(settings) as store:
        code = check_alerts(store, settings, rules_file, day)
    sys.exit(code)


@alerts_group.command("history")
@_RULES
@click.option("--from", "start", required=True, help="First date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last date (YYYY-MM-DD).")
@format_option()
@out_option()
def alerts_history_command(
    rules_file: Path, start: str, end: str, fmt: str, out_file: Path | None
) -> None:
    """When would the rules have fired from --from to --to? (Records nothing.)"""
    import pandas as pd

    from carrywatch.alerts.check import alert_history
    from carrywatch.alerts.rules import load_rules
    from carrywatch.workspace import catalog_of, open_store

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    assert first is not None
    assert last is not None
    check_span(first, last, "--from", "--to")
    with open_store(load_settings()) as store:
        catalog = catalog_of(store)
        rules = load_rules(rules_file, catalog)
        found = alert_history(store, catalog, rules, first, last)
    columns = ["reported", "rule", "kind", "target", "obs_date", "value", "zscore", "message"]
    frame = pd.DataFrame(
        [
            {
                "reported": h.reported,
                "rule": h.event.rule,
                "kind": h.event.kind,
                "target": h.event.target,
                "obs_date": h.event.obs_date,
                "value": h.event.value,
                "zscore": h.event.zscore,
                "message": h.event.message,
            }
            for h in found
        ],
        columns=columns,
    )
    if fmt != "table":
        emit_frame(frame, export_format(fmt), out_file)
        return
    table = Table(title=f"alerts that would have fired, {first} to {last}")
    for column in ("reported", "rule", "message"):
        table.add_column(column)
    for h in found:
        table.add_row(h.reported.isoformat(), h.event.rule, h.event.message)
    out.print(table)
    err.print(f"{len(found)} event(s) of {len(rules.rules)} rule(s)")
