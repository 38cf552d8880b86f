"""The brief's tables as frames and as CSV files beside the page.

Each :class:`~carrywatch.report.model.Table` of the brief becomes ``tables/<key>.csv``
in the brief's folder (through :mod:`carrywatch.exports`, like every other export): the
same columns and cells the page shows, numbers unrounded, so a desk can take any table
into a spreadsheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from carrywatch.errors import ConfigError
from carrywatch.exports import write_frame
from carrywatch.report.model import Report, Table

__all__ = ["table_frame", "write_table_csvs"]


def table_frame(table: Table) -> pd.DataFrame:
    """The table's rows under its columns, cells as they are (numbers stay numbers)."""
    return pd.DataFrame([list(row) for row in table.rows], columns=list(table.columns))


def write_table_csvs(report: Report, folder: Path) -> list[Path]:
    """Write every table of ``report`` as ``folder/<key>.csv``; the paths written.

    A key that two sections share is written once per section, as ``<section>-<key>.csv``.
    """
    tables = [(s.key, t) for s in report.sections for t in s.tables]
    counts: dict[str, int] = {}
    for _, table in tables:
        counts[table.key] = counts.get(table.key, 0) + 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the brief's tables into {folder}: {exc}") from exc
    written = []
    for section, table in tables:
        name = table.key if counts[table.key] == 1 else f"{section}-{table.key}"
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)  # a file name, whatever the key
        path = folder / f"{name}.csv"
        # Rebuilt on every run, like the page: atomic, not synced (see write_atomic).
        write_frame(table_frame(table), path, "csv", durable=False)
        written.append(path)
    return written
