"""Files in and out: writing a file so that a reader never sees half of it, and the one
reader of users' CSV files (``import``, ``odds --futures``, ``odds --path``), with one set
of limits and one-line messages."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Final

from carrywatch.errors import ConfigError

__all__ = [
    "USER_CSV_MAX_BYTES",
    "USER_CSV_MAX_FIELD_CHARS",
    "USER_CSV_MAX_ROWS",
    "read_user_file",
    "user_csv_rows",
    "write_atomic",
]


def write_atomic(
    path: Path, data: bytes, *, prefix: str, mode: int | None = None, durable: bool = True
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (named
    ``prefix...``), flushed to disk, then renamed over ``path``: a reader sees the old
    file or the new one, never a part, and a crash leaves at most the temporary file.

    ``mode`` sets the file's permissions (``mkstemp`` makes it 0600, private to the user).
    ``durable=False`` skips the ``fsync`` before the rename, for files that are rebuilt
    from the store on every run (the brief's page, JSON and tables): a reader still never
    sees a part, but a power failure right after may leave the old file or an empty one
    until the next run (docs/decisions/0014-cold-brief.md). Any failure removes the
    temporary file and re-raises.
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- users' CSV files ----------------------------------------------------------------------

#: Limits of a user's CSV file (``import``, ``odds --futures``, ``odds --path``): far above
#: any real export (60 years of daily values are ~1 MB and ~22,000 rows), far below what
#: would exhaust memory or hang a parse.
USER_CSV_MAX_BYTES: Final = 16 * 1024 * 1024
USER_CSV_MAX_ROWS: Final = 1_000_000
USER_CSV_MAX_FIELD_CHARS: Final = 256


def read_user_file(
    path: Path,
    *,
    what: str,
    max_bytes: int | None = None,
    instead: str = "pass a CSV file of the rows you need",
) -> bytes:
    """The bytes of a user's file, at most ``max_bytes`` (default
    :data:`USER_CSV_MAX_BYTES`; a larger or endless file is refused after reading one byte
    more, never loaded whole).

    Raises
    ------
    ConfigError
        When the file cannot be read or is too large, saying what to pass ``instead``.
    """
    limit = USER_CSV_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with path.open("rb") as handle:
            body = handle.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read {path.name} ({exc.strerror or exc})") from exc
    if len(body) > limit:
        mb = 1024 * 1024
        size = f"{limit // mb} MB" if limit % mb == 0 else f"{limit} bytes"
        raise ConfigError(f"{what}: {path.name} is larger than {size}; {instead}")
    return body


def user_csv_rows(body: bytes, *, what: str) -> list[tuple[int, list[str]]]:
    """The rows of a user's CSV file as (line number, fields), each field stripped; blank
    rows and ``#`` comment rows dropped. UTF-8 (a byte-order mark is allowed); comma,
    semicolon or tab separated (the separator is sniffed from the first 4 KB).

    Raises
    ------
    ConfigError
        One line saying what is wrong and what to pass: not UTF-8 text, a NUL byte, an
        unreadable CSV, more than :data:`USER_CSV_MAX_ROWS` rows or a field longer than
        :data:`USER_CSV_MAX_FIELD_CHARS` characters.
    """
    if len(body) > USER_CSV_MAX_BYTES:
        raise ConfigError(f"{what}: larger than {USER_CSV_MAX_BYTES} bytes")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what}: not UTF-8 text (byte {exc.start}: {body[exc.start : exc.start + 4]!r}); "
            "save the file as UTF-8 CSV"
        ) from None
    if "\x00" in text:
        raise ConfigError(f"{what}: holds a NUL byte, so it is not a text CSV file")
    try:
        sample = "\n".join(
            line for line in text[:4096].splitlines() if not line.lstrip().startswith("#")
        )
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        # The csv module's own field limit (131,072) is far above ours: checked below.
        for n, row in enumerate(reader):
            if n >= USER_CSV_MAX_ROWS:
                raise ConfigError(f"{what}: more than {USER_CSV_MAX_ROWS:,} rows")
            long = next((f for f in row if len(f) > USER_CSV_MAX_FIELD_CHARS), None)
            if long is not None:
                raise ConfigError(
                    f"{what}: line {reader.line_num} has a field of {len(long):,} characters "
                    f"(at most {USER_CSV_MAX_FIELD_CHARS}); check the separator and the quotes"
                )
            fields = [f.strip() for f in row]
            if any(fields) and not fields[0].startswith("#"):
                rows.append((reader.line_num, fields))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own limit
            raise ConfigError(
                f"{what}: line {reader.line_num} has a field of more than 131,072 characters "
                f"(at most {USER_CSV_MAX_FIELD_CHARS}); check the separator and the quotes"
            ) from None
        raise ConfigError(f"{what}: line {reader.line_num} is not readable CSV ({exc})") from None
    return rows
