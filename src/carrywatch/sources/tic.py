"""US Treasury TIC: Major Foreign Holders of Treasury Securities (``mfhhis01.txt``).

Endpoint (``/work/shared/sources.md`` §5)::

    GET https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt

Holdings at the end of each month, **billions of US dollars**, from March 2000 to the
latest month; released mid-month with a lag of about six weeks, past years revised
(the footer lists "(2025 revised March 18, 2026)"-style lines).

Format quirks
-------------
* Tab-delimited text, every line padded with trailing tabs; names that contain commas
  are double-quoted (``"China, Mainland"``), as in a spreadsheet saved as TSV.
* Repeating **year blocks, newest first**: a month row (``\\tDec\\tNov...\\tJan``), a
  ``Country\\t2025\\t2025...`` row, an underline, the country rows, ``All Other``,
  ``Grand Total``, ``Of which:``, ``For. Official``, ``Treasury Bills``, ``T-Bonds & Notes``
  (the last three indented with spaces in older blocks). The country list differs by
  block; a partial first year leaves trailing empty cells.
* **Series breaks duplicate a month column** (``Jun`` twice in 2002-2011, ``Mar`` twice
  in 2000), labelled by ``Series N/`` rows above the month row. The file lists months
  newest first, so the *first* (leftmost) of two equal month columns is the newer
  benchmark series and the second the old basis; footnotes 6/ and 7/ say the old-basis
  estimate "is shown for comparison only". We keep the first column (the later,
  new-basis series) so that each month has the value the series continues from.
* ``n.a.`` marks a missing value and ``*`` "less than $50 million"; both are dropped
  (not observations) rather than guessed.
* Footer: ``Department of the Treasury/Federal Reserve Board``, a date line, revision
  lines and numbered footnotes; rows without values are skipped. The footer's first
  line after the last (oldest, 2000) block is required: the file has no final line
  break, so it is what shows that a download is whole.

The classic current table ``mfh.txt`` is not planned: third parties report it was
stale (January-2023 content still served in 2026), no recording of it exists, and
``mfhhis01.txt`` already carries every month up to the latest release.

Remote codes
------------
The row label as printed, normalised: surrounding and repeated blanks removed and a
trailing footnote marker (``United Kingdom 2/``, ``Belgium  5/``) dropped, so that a
series joins across blocks: ``Japan``, ``China, Mainland``, ``United Kingdom``,
``Grand Total``, ``For. Official``, ``Treasury Bills``. What a footnote qualified (e.g.
the United Kingdom including the Channel Islands until February 2016) is stated in the
file's footnotes. ``obs_date`` is the first day of the month.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date

from carrywatch.errors import CatalogError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import ascii_digits, decode_text, join_origin, to_float
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

__all__ = ["PARSE_VERSION", "TicHolders", "holder_label"]

PARSE_VERSION = 1

_SOURCE = "tic"
_HISTORY_PATH = "/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
#: Cells meaning "no value" in this table besides base.MISSING_MARKERS.
_TIC_MISSING = frozenset({"n.a.", "na", "*"})
#: The first footer line. The file has no final line break and no row count; this line,
#: after the oldest year block, is what shows that the whole file arrived.
_FOOTER = "Department of the Treasury/Federal Reserve Board"
_FOOTNOTE_MARKER = re.compile(r"(?:\s+\d{1,2}/)+$")


def holder_label(text: str) -> str:
    """The remote code for a printed row label: blanks collapsed, footnote marker dropped."""
    return _FOOTNOTE_MARKER.sub("", " ".join(text.split()))


class TicHolders:
    """Major Foreign Holders of Treasury Securities, monthly, USD billions."""

    name: str = _SOURCE
    default_origin: str = "https://ticdata.treasury.gov"

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin or self.default_origin

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One request for ``mfhhis01.txt``, which carries every holder and month.

        The file has no query parameters, so ``window`` does not narrow it.
        """
        codes = tuple(dict.fromkeys(wanted))
        for code in codes:
            if not code or code != holder_label(code) or "\t" in code:
                raise CatalogError(
                    f"TIC remote code {code!r} is not a normalised row label "
                    f"(write it as {holder_label(code)!r}, e.g. 'Japan', 'China, Mainland')"
                )
        return [
            FetchRequest(
                source=self.name,
                url=join_origin(self.origin, _HISTORY_PATH),
                remote_codes=codes,
                timeout_s=60.0,
            )
        ]

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """The file, bytes untouched."""
        yield http.get(request)

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """Holdings per normalised row label and month, from every year block."""
        # Excel's "Text (Tab delimited)" export writes the Windows code page; the published
        # file is plain ASCII, which cp1252 decodes identically.
        text = decode_text(payload.body, encoding="cp1252", source=self.name)
        if "MAJOR FOREIGN HOLDERS" not in text[:2000].upper():
            raise ParseError(
                "not the Major Foreign Holders table: the title "
                f"'MAJOR FOREIGN HOLDERS OF TREASURY SECURITIES' is missing (starts {text[:60]!r})",
                source=self.name,
            )
        try:
            rows = list(csv.reader(text.splitlines(), delimiter="\t"))
        except csv.Error as exc:
            raise ParseError(f"not a tab-delimited table ({exc})", source=self.name) from exc
        codes: list[str] = []
        dates: list[date] = []
        values: list[float] = []
        columns: dict[int, date | None] | None = None
        blocks = 0
        for index, row in enumerate(rows):
            first = row[0].strip() if row else ""
            if first == "Country":
                previous = rows[index - 1] if index > 0 else []
                columns = _block_columns(row, previous, line_no=index + 1)
                blocks += 1
                continue
            if columns is None or not first:
                continue
            cells = row[1:]
            if not any(cell.strip() for cell in cells):
                continue  # "Of which:", footer, revision and footnote lines
            label = holder_label(first)
            for position, cell in enumerate(cells, start=1):
                period = columns.get(position)
                if period is None:
                    if cell.strip() and position not in columns:
                        raise ParseError(
                            f"line {index + 1} ({label}): value {cell.strip()[:20]!r} "
                            "in a column without a month",
                            source=self.name,
                        )
                    continue
                codes.append(label)
                dates.append(period)
                values.append(_holding(cell, where=f"line {index + 1} {label} {period:%Y-%m}"))
        _check_whole(rows, blocks)
        wanted = payload.request.remote_codes
        if wanted:
            found = set(codes)
            missing = [code for code in wanted if code not in found]
            if missing:
                raise ParseError(
                    f"holders {missing} not in the table (found {sorted(found)[:12]} ...)",
                    source=self.name,
                )
            keep = set(wanted)
            picked = [i for i, code in enumerate(codes) if code in keep]
            codes = [codes[i] for i in picked]
            dates = [dates[i] for i in picked]
            values = [values[i] for i in picked]
        frame = observations_frame(self.name, codes, dates, values)
        latest = max(dates).isoformat()[:7] if dates else ""
        return ParsedFrame(
            source=self.name,
            rows=frame,
            parse_version=PARSE_VERSION,
            meta={"table": "mfhhis01", "unit": "usd_bn", "blocks": str(blocks), "latest": latest},
        )


def _check_whole(rows: list[list[str]], blocks: int) -> None:
    """``ParseError`` unless the table has year blocks and the footer's first line comes
    after the last of them (the file has no final line break or row count to tell)."""
    if blocks == 0:
        raise ParseError(
            "no 'Country<TAB>YYYY...' header row: not the year-block layout", source=_SOURCE
        )
    firsts = [row[0].strip() if row else "" for row in rows]
    last_block = max(i for i, first in enumerate(firsts) if first == "Country")
    if not any(first.startswith(_FOOTER) for first in firsts[last_block + 1 :]):
        raise ParseError(
            f"the {_FOOTER!r} footer after the last year block is missing: the file was "
            "cut off in transfer; try again later",
            source=_SOURCE,
        )


def _block_columns(years: list[str], months: list[str], *, line_no: int) -> dict[int, date | None]:
    """Column position -> month of one year block; ``None`` for a superseded duplicate.

    Of two columns with the same month the first (the newer benchmark series, see the
    module docstring) is kept.
    """
    columns: dict[int, date | None] = {}
    seen: set[date] = set()
    for position in range(1, len(years)):
        year = years[position].strip()
        month = months[position].strip() if position < len(months) else ""
        if not year and not month:
            continue
        if not (ascii_digits(year) and len(year) == 4) or month not in _MONTHS:
            raise ParseError(
                f"line {line_no}: column {position} has year {year[:10]!r} and month "
                f"{month[:10]!r}; expected e.g. 2025 / Dec",
                source=_SOURCE,
            )
        period = date(int(year), _MONTHS[month], 1)
        columns[position] = None if period in seen else period
        seen.add(period)
    if not seen:
        raise ParseError(f"line {line_no}: a 'Country' row without years", source=_SOURCE)
    return columns


def _holding(cell: str, *, where: str) -> float:
    if cell.strip().lower() in _TIC_MISSING:
        return float("nan")
    return to_float(cell, source=_SOURCE, where=where)
