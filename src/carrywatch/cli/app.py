"""The ``carrywatch`` command group and its entry point: exit codes and error lines."""

from __future__ import annotations

from typing import NoReturn

import click

from carrywatch.cli.common import err, own_process, use_database_url
from carrywatch.errors import CarrywatchError

__all__ = ["cli", "main", "run"]


class _State:
    debug = False


@click.group(
    help="Fed vs BOJ policy-divergence monitor: real data with provenance for every number."
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option(
    "--database-url",
    metavar="URL",
    default=None,
    help="A team's PostgreSQL store (postgresql://user@host/db) instead of the SQLite file "
    "under CARRYWATCH_HOME; overrides CARRYWATCH_DATABASE_URL.",
)
def cli(debug: bool, database_url: str | None) -> None:
    _State.debug = debug
    use_database_url(database_url)


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
    except MemoryError:
        # The store writes whole transactions only, so an abandoned run changed nothing.
        err.print(
            "error: out of memory; nothing was written by the step that failed. Close other "
            "programs, or lower CARRYWATCH_HTTP_MAX_BODY_MB and run again"
        )
        return 1
    return 0


def run() -> NoReturn:
    """The ``carrywatch`` console script (and ``python -m carrywatch.cli``): :func:`main`
    in a process of its own, which a command may tune
    (:func:`~carrywatch.cli.common.command_imports`)."""
    own_process()
    raise SystemExit(main())
