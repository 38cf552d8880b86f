"""One way to write a table out: CSV, JSON, Parquet or Excel.

Every command with ``--format`` (``series show``, ``metrics``, ``odds``, ``diff``,
``alerts history``) and the brief's tables beside the page go through
:func:`frame_bytes` / :func:`write_frame`, so a column means the same in every format:

``csv``      UTF-8, a header row, ISO dates, empty cells for missing values.
``json``     a list of records (``orient="records"``), ISO dates, ``null`` for missing.
``parquet``  Apache Parquet via pyarrow (the ``parquet`` extra).
``xlsx``     an Excel workbook via openpyxl (the ``excel`` extra), one sheet.

Parquet and Excel are binary and need an optional engine; without it the error says
which extra to install. pandas is imported when a frame is written, not before.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from carrywatch.errors import ConfigError
from carrywatch.files import write_atomic

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BINARY_FORMATS", "FORMATS", "ExportFormat", "frame_bytes", "write_frame"]

ExportFormat = Literal["csv", "json", "parquet", "xlsx"]
FORMATS: Final[tuple[ExportFormat, ...]] = ("csv", "json", "parquet", "xlsx")
#: Formats that cannot be printed to a terminal: they need ``--out FILE``.
BINARY_FORMATS: Final = frozenset({"parquet", "xlsx"})

#: format -> (the module that writes it, the extra that installs it)
_ENGINES: Final = {"parquet": ("pyarrow", "parquet"), "xlsx": ("openpyxl", "excel")}


def _require_engine(fmt: str) -> None:
    if fmt not in _ENGINES:
        return
    module, extra = _ENGINES[fmt]
    if importlib.util.find_spec(module) is None:
        raise ConfigError(
            f"--format {fmt} needs {module}, which is not installed; "
            f"install it with: pip install 'carrywatch[{extra}]'"
        )


def _plain(value: Any) -> Any:
    """A JSON value: dates as ISO text, NaN and NaT as null, numpy scalars as Python's."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if _is_midnight(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _is_midnight(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def _with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a named index as its first column(s); a default range index dropped."""
    names = [n for n in frame.index.names if n is not None]
    return frame.reset_index() if names else frame.reset_index(drop=True)


def frame_bytes(frame: pd.DataFrame, fmt: ExportFormat) -> bytes:
    """``frame`` in ``fmt`` (see the module docstring); a named index becomes a column.

    Raises :class:`~carrywatch.errors.ConfigError` for an unknown format or a missing engine.
    """
    import pandas as pd  # noqa: PLC0415 -- importing carrywatch must not import pandas

    if fmt not in FORMATS:
        raise ConfigError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    _require_engine(fmt)
    table = _with_index(frame)
    # Dates print as dates: a datetime column of midnights is a column of days.
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.tz is None:
            stamps = values.dropna()
            if (stamps == stamps.dt.normalize()).all():
                table[column] = values.dt.date
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "json":
        records = [
            {str(k): _plain(v) for k, v in row.items()}
            for row in table.astype(object).to_dict(orient="records")
        ]
        return (json.dumps(records, indent=1, allow_nan=False) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "parquet":
        table.to_parquet(buffer, index=False, engine="pyarrow")
    else:
        table.to_excel(buffer, index=False, engine="openpyxl", sheet_name="carrywatch")
    return buffer.getvalue()


def write_frame(
    frame: pd.DataFrame, path: Path, fmt: ExportFormat, *, durable: bool = True
) -> None:
    """Write ``frame`` to ``path`` in ``fmt``, atomically (the folder must exist);
    ``durable``: see :func:`~carrywatch.files.write_atomic`."""
    data = frame_bytes(frame, fmt)
    try:
        write_atomic(path, data, prefix=f".{path.name}.", mode=0o644, durable=durable)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
