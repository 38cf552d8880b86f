"""The ``carrywatch`` command: parse arguments, call the library, print.

Exit codes: 0 success; 1 usage, configuration or input errors (one clear line, the
traceback only with ``--debug``); 3 when ``refresh``/``reparse`` could not bring every
source up to date (the others were written, the failed ones left untouched).

One module per family of commands (``data``, ``odds``, ``brief``), registered on the
group of ``app`` when this package is imported. Each command imports what it needs inside
its function: a command pays only for its own dependencies (``brief`` never loads httpx,
the sources, ingest or the server).
"""

from __future__ import annotations

from carrywatch.cli import alerts, brief, check, data, odds, store  # noqa: F401 -- importing registers the commands
from carrywatch.cli.app import cli, main, run
from carrywatch.cli.common import err, format_value, out

__all__ = ["cli", "err", "format_value", "main", "out", "run"]
