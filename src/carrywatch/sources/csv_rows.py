"""The rows of a saved CSV history, checked whole: the reading both odds-history parsers
(:mod:`~carrywatch.sources.venue_quotes`, :mod:`~carrywatch.sources.fedwatch_history`) share.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from carrywatch.errors import ParseError
from carrywatch.sources.base import decode_text

__all__ = ["CsvRows", "csv_rows"]


@dataclass(frozen=True, slots=True)
class CsvRows:
    """A CSV file's data rows, each with its line number, and where each wanted column is."""

    at: dict[str, int]
    rows: tuple[tuple[int, list[str]], ...]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return iter(self.rows)


def csv_rows(body: bytes, wanted: Sequence[str], *, source: str) -> CsvRows:
    """The rows of ``body`` (UTF-8, a header line first) with the index of each ``wanted``
    column; empty lines are skipped.

    Raises :class:`~carrywatch.errors.ParseError` for an HTML page, a file that is not
    UTF-8 or not CSV, an empty file, a header without a wanted column, and a row whose
    number of fields is not the header's (a cut-off or damaged file), naming the line.
    """
    text = decode_text(body, encoding="utf-8-sig", source=source)
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ParseError(f"not a readable CSV file ({exc})", source=source) from exc
    if not lines:
        raise ParseError("the file is empty", source=source)
    header = lines[0]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ParseError(f"the header lacks the columns {missing}", source=source)
    rows = []
    for line, row in enumerate(lines[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ParseError(
                f"line {line}: {len(row)} fields where the header has {len(header)} "
                "(a cut-off or damaged file)",
                source=source,
            )
        rows.append((line, row))
    return CsvRows(at={c: header.index(c) for c in wanted}, rows=tuple(rows))
