"""FRED graph CSV, the key-less download: ``GET https://fred.stlouisfed.org/graph/fredgraph.csv``.

Reference: ``sources.md`` section 1a.

Request
    ``?id=FEDFUNDS,MORTGAGE30US`` gives one column per series [verified]; an optional
    window ``cosd=YYYY-MM-DD`` / ``coed=YYYY-MM-DD`` [reported]. FRED's own site writes
    one date per series when several ids share a request (``cosd=D1,D2``), so the plan
    repeats the window date once per id. At most :data:`MAX_IDS_PER_REQUEST` ids share
    a request, to keep URLs and answers small.

Format
    ASCII, comma-separated, no preamble or footer; LF as committed (CRLF accepted; an
    optional UTF-8 BOM is dropped). Line 1 is the header, the first column is the
    date whatever its name::

        observation_date,FEDFUNDS,MORTGAGE30US      (since late 2024)
        DATE,DEXJPUS                                (legacy)

    Dates are ISO ``YYYY-MM-DD``; monthly and quarterly series are dated on the first
    day of the period. Values are decimal text in the series' native units (percent,
    USD millions, yen per dollar ...); carrywatch keeps them unchanged.
    Missing values are the empty field (current) or ``.`` (legacy); both are dropped.

Re-saved copies
    History files re-written by third-party scripts (``/work/shared/data/fred``) carry
    ``date,value``, ``Date,Value``, ``date,<ID>`` or ``observation_date,value`` headers.
    When a request names exactly one series and the file has exactly one value column
    called ``value`` (any case) or that series id, the column is read as that series.
    Otherwise columns are mapped by name: a requested id missing from the header (a
    renamed column) is a :class:`~carrywatch.errors.ParseError` naming both.

The CSV always carries the latest vintage; revision history needs the keyed API
(:mod:`carrywatch.sources.fred_api`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from carrywatch.errors import CatalogError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import decode_text, join_origin, require_final_newline, to_float
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = [
    "MAX_IDS_PER_REQUEST",
    "PARSE_VERSION",
    "FredGraph",
    "checked_series_ids",
    "iso_date",
]

PARSE_VERSION = 1

#: Series ids sharing one ``fredgraph.csv`` request.
MAX_IDS_PER_REQUEST: Final = 10

#: FRED series ids as FRED writes them: upper-case letters, digits and underscores
#: (``DGS10``, ``IRSTCI01JPM156N``, ``BAMLH0A0HYM2``).
_SERIES_ID: Final = re.compile(r"[A-Z0-9][A-Z0-9_]{0,49}")

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: One field of a regular data line: a plain decimal (at most 15 integer digits, so that
#: no value overflows a double) or a missing value, the empty field or ``.``.
_PLAIN_FIELD: Final = r"(?:-?[0-9]{1,15}(?:\.[0-9]*)?|-?\.[0-9]+|\.?)"

#: Header of a re-saved single-series file whose value column lost the series id.
_ANONYMOUS_VALUE_COLUMN: Final = "value"


def checked_series_ids(wanted: Sequence[object], *, source: str) -> list[str]:
    """``wanted`` as FRED series ids, duplicates removed, order kept.

    Raises :class:`CatalogError` for an empty list or an id FRED cannot have.
    """
    if isinstance(wanted, str):
        raise CatalogError(f"{source}: pass a list of series ids, not the string {wanted!r}")
    ids: list[str] = []
    for code in wanted:
        if not isinstance(code, str) or not _SERIES_ID.fullmatch(code):
            hint = ""
            if isinstance(code, str) and _SERIES_ID.fullmatch(code.strip().upper()):
                hint = f" (did you mean {code.strip().upper()!r}?)"
            raise CatalogError(
                f"{source}: {code!r} is not a FRED series id; ids are upper-case letters, "
                f"digits and underscores such as 'DGS10'{hint}"
            )
        if code not in ids:
            ids.append(code)
    if not ids:
        raise CatalogError(f"{source}: no FRED series id was requested")
    return ids


def iso_date(text: object, *, source: str, where: str) -> date:
    """A strict ``YYYY-MM-DD`` calendar date; anything else is a :class:`ParseError`."""
    if isinstance(text, str) and _ISO_DATE.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    shown = text[:40] if isinstance(text, str) else text
    raise ParseError(f"{where}: {shown!r} is not a YYYY-MM-DD date", source=source)


class FredGraph:
    """FRED's key-less graph CSV (``fredgraph.csv``); remote codes are FRED series ids."""

    name: str = "fred"
    default_origin: str = "https://fred.stlouisfed.org"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One request per group of up to ten series ids, windowed when ``window`` is set."""
        ids = checked_series_ids(wanted, source=self.name)
        url = join_origin(self.origin, "/graph/fredgraph.csv")
        requests = []
        for first in range(0, len(ids), MAX_IDS_PER_REQUEST):
            group = ids[first : first + MAX_IDS_PER_REQUEST]
            params = [("id", ",".join(group))]
            if window.start is not None:
                params.append(("cosd", ",".join([window.start.isoformat()] * len(group))))
            if window.end is not None:
                params.append(("coed", ",".join([window.end.isoformat()] * len(group))))
            requests.append(
                FetchRequest(
                    source=self.name, url=url, params=tuple(params), remote_codes=tuple(group)
                )
            )
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The CSV exactly as received (one payload, FRED does not page)."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Observation rows of every requested series in the CSV.

        Raises :class:`ParseError` for an HTML page, an empty body, a malformed header
        or row, a date that is not ``YYYY-MM-DD``, a non-numeric value, or a requested
        series whose column is absent.
        """
        text = decode_text(payload.body, encoding="utf-8", source=self.name)
        require_final_newline(payload.body, source=self.name)
        first_line, _, data = text.partition("\n")
        header = [name.strip() for name in first_line.rstrip("\r").split(",")]
        regular = None
        if first_line.strip():
            columns = self._series_by_column(header, payload.request.remote_codes)
            regular = _regular_rows(data, len(header) - 1)
        if regular is None:
            # Anything unusual (blank or quoted lines, markers other than '' and '.',
            # exponents, a bad line): the line reader, which names the line at fault.
            return self._parse_lines(text, payload.request.remote_codes)
        obs_dates, table = regular
        positions = list(columns)
        codes = np.array(list(columns.values()), dtype=object)
        # Row order does not matter: observations_frame sorts by (series, date).
        rows = observations_frame(
            self.name,
            np.tile(codes, len(obs_dates)),
            np.repeat(obs_dates, len(positions)),
            table[:, [p - 1 for p in positions]].ravel(),
        )
        return self._parsed(rows, header, columns, len(obs_dates))

    def _parse_lines(self, text: str, requested: Sequence[str]) -> ParsedFrame:
        """The line-by-line reader: every field checked in turn, the first bad one named."""
        # Blank lines (the final newline, a stray CRLF) carry nothing.
        lines = [
            (number, line.rstrip("\r"))
            for number, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
        if not lines:
            raise ParseError(
                "empty payload: expected a CSV whose first line is "
                "'observation_date,<SERIES>' (or the legacy 'DATE,<SERIES>')",
                source=self.name,
            )
        header = [name.strip() for name in lines[0][1].split(",")]
        columns = self._series_by_column(header, requested)
        codes: list[str] = []
        dates: list[date] = []
        values: list[float] = []
        for number, line in lines[1:]:
            fields = line.split(",")
            if len(fields) != len(header):
                raise ParseError(
                    f"line {number} has {len(fields)} fields but the header has "
                    f"{len(header)}: {line[:60]!r}",
                    source=self.name,
                )
            obs_date = iso_date(fields[0], source=self.name, where=f"line {number}")
            for position, code in columns.items():
                codes.append(code)
                dates.append(obs_date)
                values.append(
                    to_float(
                        fields[position],
                        source=self.name,
                        where=f"line {number}, column {header[position]}",
                    )
                )
        rows = observations_frame(self.name, codes, dates, values)
        return self._parsed(rows, header, columns, len(lines) - 1)

    def _parsed(
        self, rows: pd.DataFrame, header: list[str], columns: dict[int, str], n_lines: int
    ) -> ParsedFrame:
        return ParsedFrame(
            source=self.name,
            rows=rows,
            parse_version=PARSE_VERSION,
            meta={
                "date_column": header[0],
                "columns": ",".join(header[1:]),
                "series": ",".join(columns.values()),
                "data_lines": str(n_lines),
            },
        )

    def _series_by_column(self, header: list[str], requested: Sequence[str]) -> dict[int, str]:
        """Column position -> series id, chosen by the header's names."""
        if len(header) < 2 or not all(header):
            raise ParseError(
                f"line 1 is not a FRED CSV header (expected 'observation_date,<SERIES>'): "
                f"{','.join(header)[:80]!r}",
                source=self.name,
            )
        if _ISO_DATE.fullmatch(header[0]):
            raise ParseError(
                f"line 1 starts with the date {header[0]!r}: the header line is missing",
                source=self.name,
            )
        names = header[1:]
        if len(set(names)) != len(names):
            raise ParseError(f"duplicate column names in header {names}", source=self.name)
        if len(requested) == 1 and len(names) == 1:
            only = names[0].lower()
            if only in {_ANONYMOUS_VALUE_COLUMN, requested[0].lower()}:
                # A re-saved single-series file: the request says which series it is.
                return {1: requested[0]}
        by_name = {name: position for position, name in enumerate(header) if position > 0}
        if requested:
            missing = [code for code in requested if code not in by_name]
            if missing:
                raise ParseError(
                    f"requested series {', '.join(missing)} not in the CSV header; "
                    f"found column(s) {', '.join(names)} (renamed column or wrong file?)",
                    source=self.name,
                )
            return {by_name[code]: code for code in requested}
        unnamed = [name for name in names if not _SERIES_ID.fullmatch(name)]
        if unnamed:
            raise ParseError(
                f"column(s) {', '.join(unnamed)} do not name a FRED series; "
                "a re-saved 'value' column can only be read when the request names "
                "exactly one series",
                source=self.name,
            )
        return {position: name for name, position in by_name.items()}


def _regular_rows(data: str, n_values: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Dates and values of the data lines when every one is regular, else ``None``.

    A regular line is ``YYYY-MM-DD`` then ``n_values`` plain fields (see
    :data:`_PLAIN_FIELD`), ending in LF or CRLF, with a real calendar date; FRED writes
    nothing else. One regular expression checks the whole body (in C, no Python per
    line), then pandas' C reader converts it (its precise decimal converter; that every
    value is the double ``float`` gives is checked on every recorded FRED file by
    ``tests/sources/test_fred_vectorised.py``). Returns ``(obs_dates, values)``: a
    ``datetime64[ns]`` array of n dates and an ``(n, n_values)`` float array, NaN where
    the value is missing.
    """
    line = rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:,{_PLAIN_FIELD}){{{n_values}}}\r?\n"
    # Atomic and possessive: a linear scan without backtracking over earlier lines.
    if re.fullmatch(rf"(?>{line})*+", data) is None:
        return None
    if not data:
        return np.array([], dtype="datetime64[ns]"), np.empty((0, n_values))
    dtypes = dict.fromkeys(range(1, n_values + 1), "float64")
    table = pd.read_csv(
        io.StringIO(data),
        header=None,
        names=range(n_values + 1),
        dtype={0: "object", **dtypes},
        na_values=["", "."],
        keep_default_na=False,
        engine="c",
    )
    obs_dates = pd.to_datetime(table[0], format="%Y-%m-%d", errors="coerce")
    if obs_dates.isna().any():
        return None  # 2024-02-30 and the like: the line reader names the line
    return obs_dates.to_numpy(dtype="datetime64[ns]"), table.iloc[:, 1:].to_numpy("float64")
