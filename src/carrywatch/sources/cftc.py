"""CFTC Commitments of Traders through the Socrata API of the Public Reporting Environment.

Endpoint (``/work/shared/sources.md`` §8)::

    GET https://publicreporting.cftc.gov/resource/<dataset>.json
        ?$where=cftc_contract_market_code='097741' AND report_date_as_yyyy_mm_dd >= '2024-01-01'
        &$order=report_date_as_yyyy_mm_dd ASC&$limit=1000&$offset=0

Datasets: ``6dca-aqww`` legacy futures-only (the default), ``jun7-fc8e`` legacy futures
and options combined, ``gpe5-46if``/``yw9f-hn96`` TFF, ``72hh-3qpy``/``kh3c-gbw2``
disaggregated. Paging: ``$limit`` rows per page (Socrata's default is 1 000); while a
page is full the request is repeated with ``$offset`` advanced, one payload per page.

Format quirks
-------------
* A JSON array of flat objects in which **every value is a string**
  (``"open_interest_all": "19404"``); Socrata leaves out keys whose value is null, so a
  field absent from one row is a missing value, while a field absent from *every* row
  is a renamed or unknown column (``ParseError``).
* ``report_date_as_yyyy_mm_dd`` is a floating timestamp ``"2024-08-20T00:00:00.000"``:
  positions as of that **Tuesday**, released the following Friday 15:30 ET. It is the
  ``obs_date``.
* Codes may carry trailing blanks (``"cftc_market_code": "CME "``); they are stripped.
* Errors come as an object, ``{"error": true, "message": ...}`` or
  ``{"code": ..., "message": ...}``, and become ``ParseError`` with that message.
* Each legacy row names its report, ``"futonly_or_combined": "FutOnly"`` or
  ``"Combined"`` (the ``id`` ends in ``F`` or ``C``); a row of the other report than the
  dataset asked for (:data:`REPORT_KINDS`) is a ``ParseError``: the combined report adds
  options to the same columns, contracts and dates.
* TFF field names drop ``_all`` in some places and clients disagree which, so a field
  is looked up under both spellings (``lev_money_positions_long[_all]``).

Remote codes
------------
``<cftc_contract_market_code>:<field>``, e.g. ``097741:open_interest_all``,
``097741:noncomm_positions_long_all`` (Japanese yen, CME), in **contracts** (JPY 12.5
million each). A field ``<group>_net`` is derived, not published:
``<group>_positions_long_all - <group>_positions_short_all`` of the same row, e.g.
``097741:noncomm_net`` = non-commercial (speculative) long minus short; it is missing
when either side is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import date

from carrywatch.errors import CatalogError, ConfigError, FetchError, ParseError
from carrywatch.frames import observations_frame
from carrywatch.sources.base import join_origin, load_json, to_float
from carrywatch.sources.http import HttpClient, display_url
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window

__all__ = ["DEFAULT_FIELDS", "PARSE_VERSION", "REPORT_KINDS", "CftcCot"]

PARSE_VERSION = 1

_SOURCE = "cftc"
_DATE_FIELD = "report_date_as_yyyy_mm_dd"
_CONTRACT_FIELD = "cftc_contract_market_code"
_MAX_PAGES = 500
_REMOTE_CODE = re.compile(r"^([0-9A-Z]{6}):([a-z][a-z0-9_]{1,80})$")
_DATASET = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}$")
_REPORT_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")

#: Legacy report datasets -> (what they are, the ``futonly_or_combined`` of their rows).
REPORT_KINDS: dict[str, tuple[str, str]] = {
    "6dca-aqww": ("futures-only", "FutOnly"),
    "jun7-fc8e": ("combined", "Combined"),
}

#: Fields returned for every contract when a request names no remote codes.
DEFAULT_FIELDS: tuple[str, ...] = (
    "open_interest_all",
    "noncomm_positions_long_all",
    "noncomm_positions_short_all",
    "noncomm_net",
    "comm_positions_long_all",
    "comm_positions_short_all",
    "nonrept_positions_long_all",
    "nonrept_positions_short_all",
)


class CftcCot:
    """Commitments of Traders positions per contract and report date (Tuesday).

    Parameters
    ----------
    origin:
        ``scheme://host[:port]`` standing in for ``https://publicreporting.cftc.gov``.
    dataset:
        The Socrata dataset id; ``6dca-aqww`` is the legacy futures-only report.
    page_size:
        ``$limit``: rows per page.
    """

    name: str = _SOURCE
    default_origin: str = "https://publicreporting.cftc.gov"

    def __init__(
        self, origin: str | None = None, *, dataset: str = "6dca-aqww", page_size: int = 1000
    ) -> None:
        if not _DATASET.match(dataset):
            raise ConfigError(f"CFTC dataset id {dataset!r} is not of the form abcd-1234")
        if not 1 <= page_size <= 50_000:
            raise ConfigError(f"CFTC page_size {page_size} must be between 1 and 50000")
        self.origin = origin or self.default_origin
        self.dataset = dataset
        self.page_size = page_size

    def plan(self, wanted: Sequence[str], window: Window) -> list[FetchRequest]:
        """One query per contract code, over ``window`` by report date."""
        by_contract: dict[str, list[str]] = {}
        for remote_code in dict.fromkeys(wanted):
            match = _REMOTE_CODE.match(remote_code)
            if match is None:
                raise CatalogError(
                    f"CFTC remote code {remote_code!r} is not <contract code>:<field> "
                    "(e.g. 097741:noncomm_positions_long_all, 097741:noncomm_net)"
                )
            by_contract.setdefault(match.group(1), []).append(remote_code)
        url = join_origin(self.origin, f"/resource/{self.dataset}.json")
        requests = []
        for contract, codes in by_contract.items():
            where = f"{_CONTRACT_FIELD}='{contract}'"
            if window.start is not None:
                where += f" AND {_DATE_FIELD} >= '{window.start.isoformat()}'"
            if window.end is not None:
                where += f" AND {_DATE_FIELD} <= '{window.end.isoformat()}'"
            requests.append(
                FetchRequest(
                    source=self.name,
                    url=url,
                    params=(
                        ("$where", where),
                        ("$order", f"{_DATE_FIELD} ASC"),
                        ("$limit", str(self.page_size)),
                        ("$offset", "0"),
                    ),
                    remote_codes=tuple(codes),
                    timeout_s=60.0,
                )
            )
        return requests

    def fetch(self, request: FetchRequest, http: HttpClient) -> Iterator[RawPayload]:
        """Every page of the query: the offset advances while a page comes back full."""
        params = dict(request.params)
        limit = int(params.get("$limit", "1000"))
        offset = int(params.get("$offset", "0"))
        current = request
        for _ in range(_MAX_PAGES):
            payload = http.get(current)
            yield payload
            if _row_count(payload.body) < limit:
                return
            offset += limit
            current = request.with_params(**{"$offset": str(offset)})
        raise FetchError(
            f"more than {_MAX_PAGES} pages of {limit} rows; narrow the window",
            source=self.name,
            url=display_url(current),
        )

    def parse(self, payload: RawPayload) -> ParsedFrame:
        """One observation per (contract, field) and report date."""
        rows = _report_rows(load_json(payload.body, source=self.name))
        dated: list[tuple[str, date, dict[str, object]]] = []
        for number, row in enumerate(rows):
            contract = row.get(_CONTRACT_FIELD)
            stamp = row.get(_DATE_FIELD)
            if not isinstance(contract, str) or not isinstance(stamp, str):
                raise ParseError(
                    f"row {number} lacks {_CONTRACT_FIELD} or {_DATE_FIELD} "
                    f"(keys {sorted(row)[:8]})",
                    source=self.name,
                )
            dated.append((contract.strip(), _report_date(stamp, number), row))
        wanted = _wanted_fields(payload.request.remote_codes, dated)
        _require_asked_report(payload.request.url, rows)
        codes: list[str] = []
        dates: list[date] = []
        values: list[float] = []
        for contract, obs_date, row in dated:
            for field in wanted.get(contract, ()):
                codes.append(f"{contract}:{field}")
                dates.append(obs_date)
                values.append(_field_value(row, field, where=f"{contract} {obs_date}"))
        frame = observations_frame(self.name, codes, dates, values)
        return ParsedFrame(
            source=self.name,
            rows=frame,
            parse_version=PARSE_VERSION,
            meta={
                "dataset": payload.request.url.rsplit("/", 1)[-1].removesuffix(".json"),
                "rows": str(len(rows)),
                "unit": "contracts",
            },
        )


def _require_asked_report(url: str, rows: Sequence[dict[str, object]]) -> None:
    """Raise ``ParseError`` when a row's ``futonly_or_combined`` names another report than
    the dataset of ``url`` (for the datasets of :data:`REPORT_KINDS`; a row without the
    field is not checked).

    The legacy futures-only and combined reports have the same columns, contracts and
    dates; the combined one adds options positions, so its rows read as futures-only
    positions would be wrong numbers well within any bound.
    """
    dataset = url.rsplit("/", 1)[-1].removesuffix(".json")
    kind = REPORT_KINDS.get(dataset)
    if kind is None:
        return
    label, marker = kind
    for number, row in enumerate(rows):
        found = row.get("futonly_or_combined")
        if isinstance(found, str) and found.strip() != marker:
            raise ParseError(
                f"asked the {label} report ({dataset}) but row {number} belongs to the "
                f"{found.strip()!r} report; nothing was read; check CARRYWATCH_CFTC_ORIGIN if "
                "it is set, else try again later",
                source=_SOURCE,
            )


def _report_rows(document: object) -> list[dict[str, object]]:
    """The report rows of a Socrata answer; an error object becomes ``ParseError``."""
    if isinstance(document, dict):
        if "message" in document or "error" in document or "code" in document:
            code = document.get("code")
            label = f" {str(code)[:80]}" if code not in (None, "") else ""
            message = str(document.get("message", ""))[:300]
            raise ParseError(f"Socrata error{label}: {message}", source=_SOURCE)
        raise ParseError(
            "expected a JSON array of report rows, "
            f"found an object with keys {sorted(document)[:8]}",
            source=_SOURCE,
        )
    if not isinstance(document, list):
        raise ParseError(
            f"expected a JSON array of report rows, found {type(document).__name__}",
            source=_SOURCE,
        )
    for number, row in enumerate(document):
        if not isinstance(row, dict):
            raise ParseError(f"row {number} is {type(row).__name__}, not an object", source=_SOURCE)
    return document


def _report_date(stamp: str, number: int) -> date:
    match = _REPORT_DATE.match(stamp.strip())
    if match is None:
        raise ParseError(
            f"row {number}: {_DATE_FIELD} {stamp[:30]!r} is not a floating timestamp",
            source=_SOURCE,
        )
    try:
        return date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise ParseError(f"row {number}: {stamp[:30]!r} is not a date", source=_SOURCE) from exc


def _wanted_fields(
    remote_codes: Sequence[str], dated: list[tuple[str, date, dict[str, object]]]
) -> dict[str, tuple[str, ...]]:
    """Contract -> fields to emit; checks that requested fields exist in the payload."""
    present: dict[str, set[str]] = {}
    for contract, _, row in dated:
        present.setdefault(contract, set()).update(row)
    if not remote_codes:
        return {
            contract: tuple(f for f in DEFAULT_FIELDS if _field_known(f, keys))
            for contract, keys in present.items()
        }
    if not dated:
        return {}  # an empty page: nothing reported in the window
    wanted: dict[str, list[str]] = {}
    for remote_code in remote_codes:
        contract, _, field = remote_code.partition(":")
        wanted.setdefault(contract, []).append(field)
    for contract, fields in wanted.items():
        keys = present.get(contract)
        if keys is None:
            raise ParseError(
                f"contract {contract} not in the payload (found {sorted(present)[:8]})",
                source=_SOURCE,
            )
        unknown = [field for field in fields if not _field_known(field, keys)]
        if unknown:
            raise ParseError(
                f"fields {unknown} absent for contract {contract} (found e.g. {sorted(keys)[:12]})",
                source=_SOURCE,
            )
    return {contract: tuple(fields) for contract, fields in wanted.items()}


def _spellings(field: str) -> tuple[str, ...]:
    """A field under both spellings Socrata uses (TFF drops ``_all`` in places)."""
    if field.endswith("_all"):
        return (field, field.removesuffix("_all"))
    return (field, f"{field}_all")


def _net_sides(field: str) -> tuple[str, str] | None:
    if not field.endswith("_net"):
        return None
    group = field.removesuffix("_net")
    return f"{group}_positions_long_all", f"{group}_positions_short_all"


def _field_known(field: str, keys: set[str]) -> bool:
    sides = _net_sides(field)
    needed = sides if sides is not None else (field,)
    return all(any(name in keys for name in _spellings(side)) for side in needed)


def _field_value(row: dict[str, object], field: str, *, where: str) -> float:
    sides = _net_sides(field)
    if sides is None:
        return _raw_value(row, field, where=where)
    long_side = _raw_value(row, sides[0], where=where)
    short_side = _raw_value(row, sides[1], where=where)
    if math.isnan(long_side) or math.isnan(short_side):
        return math.nan
    return long_side - short_side


def _raw_value(row: dict[str, object], field: str, *, where: str) -> float:
    for name in _spellings(field):
        if name in row:
            return to_float(row[name], source=_SOURCE, where=f"{where} {name}")
    return math.nan  # Socrata omits null fields from a row


def _row_count(body: bytes) -> int:
    """Rows on a page; 0 for anything that is not an array (``parse`` reports it)."""
    try:
        document = load_json(body, source=_SOURCE)
    except ParseError:
        return 0
    return len(document) if isinstance(document, list) else 0
