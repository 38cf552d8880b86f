"""``carrywatch store copy``: move a whole store between SQLite and PostgreSQL."""

from __future__ import annotations

import click
from rich.table import Table

from carrywatch.cli.app import cli
from carrywatch.cli.common import err, out
from carrywatch.errors import ConfigError


@cli.group("store")
def store_group() -> None:
    """The store itself: copy it between backends."""


@store_group.command("copy")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="STORE",
    help="The store to copy: a SQLite file (a path or sqlite:///path) or postgresql://...",
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="STORE",
    help="Where to copy it: a SQLite file or postgresql://... (created if missing).",
)
@click.option(
    "--replace", is_flag=True, help="Delete whatever the target holds first (refused otherwise)."
)
def store_copy(source: str, target: str, *, replace: bool) -> None:
    """Copy every observation, fetch row (provenance), series, check, alert event and raw
    payload from one store to another, verified by row counts and checksums."""
    from carrywatch.store.archive import RawArchive
    from carrywatch.store.copy import copy_store
    from carrywatch.store.dialect import is_postgres_url, sqlite_path
    from carrywatch.store.sqlite import Store

    if not is_postgres_url(source) and not sqlite_path(source).is_file():
        raise ConfigError(f"--from {source}: no such store file; give an existing store")
    with Store.open(source) as origin:
        if origin.counts() == (0, 0):
            raise ConfigError(f"--from {origin.location}: the store is empty, nothing to copy")
        with Store.open(target) as destination:
            report = copy_store(
                origin, destination, source_archive=RawArchive.of(origin), replace=replace
            )
            where = destination.location
    table = Table("table", "rows", "sha256 (source = target)")
    for copied in report.tables:
        table.add_row(copied.table, f"{copied.n_rows:,}", copied.sha256[:16])
    out.print(table)
    out.print(f"copied to {where}: {report.n_payloads:,} raw payloads")
    if report.n_payloads_missing:
        err.print(
            f"note: {report.n_payloads_missing:,} fetch rows name payloads the source archive "
            "does not hold (the embedded snapshot's, for one); their provenance rows were copied"
        )
