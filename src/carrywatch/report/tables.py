"""The brief's tables as frames and as CSV files beside the page.

Each :class:`~carrywatch.report.model.Table` of the brief becomes ``tables/<key>.csv``
in the brief's folder: the same columns and cells the page shows, numbers unrounded, so a
desk can take any table into a spreadsheet.

The files are the CSV of :func:`table_frame` as :mod:`carrywatch.exports` writes every
export (``DataFrame.to_csv``), written by :func:`table_csv` straight from the cells with
the :mod:`csv` module that pandas itself writes through: about 1 ms for the brief's
tables instead of about 13 ms, a cost paid by every cold brief. It follows pandas' column
typing (module Notes of :func:`table_csv`); a column it does not cover goes through pandas,
and the tests hold the two equal byte for byte.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from carrywatch.errors import ConfigError
from carrywatch.files import write_atomic
from carrywatch.report.model import Cell, Report, Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["table_csv", "table_frame", "write_table_csvs"]

#: The range of numpy's int64, pandas' type for a column of whole numbers.
_INT64 = range(-(2**63), 2**63)


def table_frame(table: Table) -> pd.DataFrame:
    """The table's rows under its columns, cells as they are (numbers stay numbers)."""
    import pandas as pd  # noqa: PLC0415 -- the brief writes its CSVs without a frame

    return pd.DataFrame([list(row) for row in table.rows], columns=list(table.columns))


def _column_texts(cells: Sequence[Cell]) -> list[str] | None:
    """The CSV text of each cell of one column as ``DataFrame.to_csv`` writes the column
    pandas makes of ``cells``; ``None`` for a column this does not cover.

    Notes
    -----
    pandas types a column of whole numbers as int64 (``3``), of numbers with a float or a
    missing cell among them as float64 (``3.0``, missing ``""``), and anything with text as
    object (each cell's ``str``, missing ``""``). A float is written as its shortest
    round-trip text (numpy's ``str`` of a float64, Python's ``repr``); NaN as ``""``.
    """
    present = [c for c in cells if c is not None]
    if any(isinstance(c, bool) or not isinstance(c, str | int | float) for c in present):
        return None  # not a Cell: leave it to pandas
    if any(isinstance(c, str) for c in present) or not present:
        return [_object_text(c) for c in cells]
    if any(isinstance(c, int) and c not in _INT64 for c in present):
        return None  # beyond int64: pandas makes it object or uint64
    if len(present) == len(cells) and all(isinstance(c, int) for c in present):
        return [str(c) for c in cells]
    numbers = [c for c in cells if not isinstance(c, str)]  # all of them: no text here
    return [_float_text(c) for c in numbers]


def _float_text(cell: float | None) -> str:
    if cell is None:
        return ""
    number = float(cell)
    return "" if math.isnan(number) else repr(number)


def _object_text(cell: Cell) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell)


def table_csv(table: Table) -> bytes:
    """``table`` as CSV (UTF-8, ``\\n`` line ends, minimal quoting): the bytes
    ``exports.frame_bytes(table_frame(table), "csv")`` gives, without building the frame
    for the columns :func:`_column_texts` covers."""
    columns = [_column_texts([row[i] for row in table.rows]) for i in range(len(table.columns))]
    if not columns or any(texts is None for texts in columns):
        from carrywatch.exports import frame_bytes  # noqa: PLC0415 -- the uncommon case

        return frame_bytes(table_frame(table), "csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(c) for c in table.columns])
    writer.writerows(zip(*[t for t in columns if t is not None], strict=True))
    return buffer.getvalue().encode("utf-8")


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
        try:
            write_atomic(path, table_csv(table), prefix=f".{path.name}.", mode=0o644, durable=False)
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
        written.append(path)
    return written
