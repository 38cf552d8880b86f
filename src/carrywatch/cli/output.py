"""Tables out of the CLI: ``--format csv|json|parquet|xlsx`` and ``--out FILE``.

Every command that offers these formats goes through :func:`emit_frame`, which writes
with :mod:`carrywatch.exports`: to standard output for text formats, to ``--out`` for any
(Parquet and Excel are binary and need it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from carrywatch.errors import ConfigError
from carrywatch.exports import BINARY_FORMATS, FORMATS, ExportFormat

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXPORT_CHOICES", "emit_frame", "export_format", "format_option", "out_option"]

#: ``table`` (rich, for people) and every export format.
EXPORT_CHOICES: Final = ("table", *FORMATS)


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def format_option(default: str = "table") -> Decorator:
    """The ``--format`` option (into the parameter ``fmt``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(EXPORT_CHOICES),
        default=default,
        show_default=True,
        help="table for the terminal; csv, json, parquet or xlsx to export "
        "(parquet and xlsx need --out).",
    )


def out_option() -> Decorator:
    """The ``--out FILE`` option (into the parameter ``out_file``)."""
    return click.option(
        "--out",
        "out_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the export to this file instead of standard output.",
    )


def emit_frame(frame: pd.DataFrame, fmt: ExportFormat, out_file: Path | None) -> None:
    """Write ``frame`` in ``fmt`` to ``out_file``, or to standard output (text formats)."""
    from carrywatch.exports import frame_bytes, write_frame

    if out_file is not None:
        write_frame(frame, out_file, fmt)
        return
    if fmt in BINARY_FORMATS:
        raise ConfigError(f"--format {fmt} is binary: give --out FILE to write it")
    sys.stdout.write(frame_bytes(frame, fmt).decode("utf-8"))
    sys.stdout.flush()


def export_format(fmt: str) -> ExportFormat:
    """``fmt`` as an export format (click has checked the choice; ``table`` is not one)."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt} is not one of {', '.join(FORMATS)}")
    return FORMATS[FORMATS.index(fmt)]
