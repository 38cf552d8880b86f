"""Tests of the Japan CPI source (``estat``) on the real long-term file ``zmi2020s.csv``.

Expected numbers are the spot checks of /work/shared/data/PROVENANCE.md §4 ("data"), or
are read off the real file (row stated); payload origin: tests/payloads/estat/README.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.estat_cpi import (
    ALL_ITEMS,
    CORE,
    CORE_CORE,
    PARSE_VERSION,
    EStatCpi,
    item_code,
)
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "estat"
FILE = (PAYLOADS / "zmi2020s.csv").read_bytes()
#: The six header rows and the first 24 months (1970-1971): CRLF lines of the real file.
HEAD = b"\r\n".join(FILE.split(b"\r\n")[:30]) + b"\r\n"
SOURCE = EStatCpi()
URL = "https://www.e-stat.go.jp/stat-search/file-download"
HEADLINE = (ALL_ITEMS, CORE, CORE_CORE)


def _payload(body: bytes, codes: tuple[str, ...] = HEADLINE) -> RawPayload:
    request = FetchRequest(
        source="estat",
        url=URL,
        params=(("statInfId", "000032103842"), ("fileKind", "1")),
        remote_codes=codes,
    )
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _recode(body: bytes, old: str, new: str) -> bytes:
    """``body`` with one cell of the item-code row (line 3) changed."""
    lines = body.split(b"\r\n")
    cells = lines[2].split(b",")
    cells[cells.index(old.encode())] = new.encode()
    lines[2] = b",".join(cells)
    return b"\r\n".join(lines)


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "estat"
    assert SOURCE.default_origin == "https://www.e-stat.go.jp"


# --- golden ---------------------------------------------------------------------------------


def test_golden_headline_core_and_core_core() -> None:
    frame = SOURCE.parse(_payload(FILE))
    assert frame.source == "estat"
    assert frame.parse_version == PARSE_VERSION
    # data PROVENANCE §4: 202410 all items 109.5, core 108.8; 202407 core 108.3; 202307 105.4.
    assert _value(frame, ALL_ITEMS, "2024-10-01") == 109.5
    assert _value(frame, CORE, "2024-10-01") == 108.8
    assert _value(frame, CORE, "2024-07-01") == 108.3
    assert _value(frame, CORE, "2023-07-01") == 105.4
    # Row 202410, column "All items, less fresh food and energy" (code 0178): 108.1.
    assert _value(frame, CORE_CORE, "2024-10-01") == 108.1
    # 197001 → 202410: 658 months for each of the three series.
    assert frame.rows.groupby("remote_code").size().to_dict() == dict.fromkeys(HEADLINE, 658)
    assert frame.meta["name:0001"] == "All items"
    assert frame.meta["name:0161"] == "All items, less fresh food"
    assert frame.meta["name:0178"] == "All items, less fresh food and energy"
    assert frame.meta["base"] == "2020=100"


def test_2020_averages_to_100() -> None:
    frame = SOURCE.parse(_payload(FILE, (ALL_ITEMS,)))
    rows = frame.rows
    year_2020 = rows[rows["obs_date"].dt.year == 2020]["value"]
    assert len(year_2020) == 12
    assert year_2020.mean() == pytest.approx(100.0, abs=0.05)  # the index base, 2020 = 100


def test_every_item_when_nothing_is_requested() -> None:
    frame = SOURCE.parse(_payload(FILE, ()))
    assert frame.rows["remote_code"].nunique() == 78
    assert _value(frame, ALL_ITEMS, "2024-10-01") == 109.5


# --- quirks ---------------------------------------------------------------------------------


def test_empty_cells_are_not_observations() -> None:
    # Row 197001 has empty cells (items that did not exist yet), e.g. column 34.
    frame = SOURCE.parse(_payload(HEAD, ()))
    january = frame.rows[frame.rows["obs_date"] == pd.Timestamp("1970-01-01")]
    assert 60 < len(january) < 78
    assert _value(frame, ALL_ITEMS, "1970-01-01") == 30.3  # file row 197001


def test_columns_are_found_by_code_not_position() -> None:
    # Swap the codes of columns 2 and 3: the parser must follow the codes.
    swapped = _recode(_recode(HEAD, "0001", "XXXX"), "0161", "0001")
    swapped = _recode(swapped, "XXXX", "0161")
    frame = SOURCE.parse(_payload(swapped, (ALL_ITEMS, CORE)))
    # File row 197001: column 2 = 30.3, column 3 = 30.5.
    assert _value(frame, ALL_ITEMS, "1970-01-01") == 30.5
    assert _value(frame, CORE, "1970-01-01") == 30.3


def test_codes_without_leading_zeros() -> None:
    body = _recode(HEAD, "0001", "1")  # as a spreadsheet re-save would print it
    frame = SOURCE.parse(_payload(body, (ALL_ITEMS,)))
    assert _value(frame, ALL_ITEMS, "1970-01-01") == 30.3
    assert item_code(" 161 ") == "0161"


# --- errors ---------------------------------------------------------------------------------


def test_missing_code_names_it() -> None:
    body = _recode(HEAD, "0161", "9161")
    with pytest.raises(ParseError, match=r"item codes \['0161'\] not in the code row"):
        SOURCE.parse(_payload(body))


def test_duplicate_code_is_ambiguous() -> None:
    body = _recode(HEAD, "0161", "0001")
    with pytest.raises(ParseError, match=r"\['0001'\] appear in several columns"):
        SOURCE.parse(_payload(body, (ALL_ITEMS,)))


def test_code_row_renamed() -> None:
    body = HEAD.replace(b"(Group/Item code)", b"(Item)")
    with pytest.raises(ParseError, match="no item-code row"):
        SOURCE.parse(_payload(body))


def test_utf8_re_save_is_a_clear_error() -> None:
    body = FILE.decode("cp932").encode("utf-8")
    with pytest.raises(ParseError, match="not valid cp932"):
        SOURCE.parse(_payload(body))


def test_bad_month() -> None:
    body = HEAD.replace(b"\r\n197002,", b"\r\n197013,")
    with pytest.raises(ParseError, match="197013 is not a month"):
        SOURCE.parse(_payload(body))


def test_short_row() -> None:
    lines = HEAD.split(b"\r\n")
    lines[7] = lines[7][:40]
    with pytest.raises(ParseError, match=r"line 8 \(197002\) has \d+ fields, the header has 79"):
        SOURCE.parse(_payload(b"\r\n".join(lines)))


def test_html_page_with_status_200() -> None:
    with pytest.raises(ParseError, match="HTML"):
        SOURCE.parse(_payload(b"<!DOCTYPE html>\n<html lang='ja'><body>Error</body></html>"))


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="first cell should be"):
        SOURCE.parse(_payload(b""))


@settings(max_examples=150, deadline=None)
@given(mutated(HEAD))
def test_mutations_keep_the_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body), "estat")


# --- plan and fetch -----------------------------------------------------------------------------


def test_plan_one_request_for_the_file() -> None:
    (request,) = SOURCE.plan([ALL_ITEMS, CORE, ALL_ITEMS], Window(date(2020, 1, 1)))
    assert request.url == URL
    assert request.params == (("statInfId", "000032103842"), ("fileKind", "1"))
    assert request.remote_codes == (ALL_ITEMS, CORE)


def test_plan_origin_override_keeps_the_path() -> None:
    (request,) = EStatCpi("http://127.0.0.1:8765").plan([CORE], Window())
    assert request.url == "http://127.0.0.1:8765/stat-search/file-download"


@pytest.mark.parametrize("code", ["1", "core", "00001", "総合"])
def test_plan_rejects_ill_formed_codes(code: str) -> None:
    with pytest.raises(CatalogError, match="four-digit item code"):
        SOURCE.plan([code], Window())


def test_fetch_replays_the_file() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=FILE, headers={"Content-Type": "text/csv"})

    source = EStatCpi("http://127.0.0.1:8765")
    (request,) = source.plan([CORE], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = list(source.fetch(request, http))
    assert seen[0].path == "/stat-search/file-download"
    assert seen[0].params["statInfId"] == "000032103842"
    assert payload.body == FILE
    assert _value(source.parse(payload), CORE, "2024-10-01") == 108.8
