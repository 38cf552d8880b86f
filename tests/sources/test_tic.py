"""Tests of the TIC Major Foreign Holders source (``tic``) on the real ``mfhhis01.txt``.

Expected numbers come from /work/shared/data/PROVENANCE.md §5 ("data") and
/work/shared/samples/PROVENANCE.md ("samples"), or are read off the real file (line
numbers given); payload origin: tests/payloads/tic/README.md.
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
from carrywatch.sources.http import HttpClient
from carrywatch.sources.tic import PARSE_VERSION, TicHolders, holder_label
from carrywatch.types import FetchRequest, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import has_obs as _has
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "tic"
FILE = (PAYLOADS / "mfhhis01_through_2025-12.txt").read_bytes()
SOURCE = TicHolders()
URL = "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"


def _payload(body: bytes, codes: tuple[str, ...] = ()) -> RawPayload:
    return RawPayload(
        request=FetchRequest(source="tic", url=URL, remote_codes=codes),
        body=body,
        status=200,
        media_type="text/plain",
        retrieved_at=utc_now(),
    )


FULL = SOURCE.parse(_payload(FILE))


def test_satisfies_source_protocol() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "tic"
    assert SOURCE.default_origin == "https://ticdata.treasury.gov"


# --- golden ---------------------------------------------------------------------------------


def test_golden_holdings() -> None:
    assert FULL.source == "tic"
    assert FULL.parse_version == PARSE_VERSION
    # data PROVENANCE §5: Japan Dec-2025 1185.5, Jan-2025 1079.3, Dec-2024 1061.5;
    # China Mainland Dec-2025 683.5; UK Dec-2025 866.
    assert _value(FULL, "Japan", "2025-12-01") == 1185.5
    assert _value(FULL, "Japan", "2025-01-01") == 1079.3
    assert _value(FULL, "Japan", "2024-12-01") == 1061.5
    assert _value(FULL, "China, Mainland", "2025-12-01") == 683.5
    assert _value(FULL, "United Kingdom", "2025-12-01") == 866
    # samples PROVENANCE: grand total 2024-12 = 8 619.3 $bn.
    assert _value(FULL, "Grand Total", "2024-12-01") == 8619.3
    # File lines 50-51 (2025 block, "Of which:"): For. Official 3887, Treasury Bills 388.5.
    assert _value(FULL, "For. Official", "2025-12-01") == 3887
    assert _value(FULL, "Treasury Bills", "2025-12-01") == 388.5
    assert FULL.meta == {"table": "mfhhis01", "unit": "usd_bn", "blocks": "26", "latest": "2025-12"}


def test_every_month_from_march_2000_to_december_2025() -> None:
    japan = FULL.rows[FULL.rows["remote_code"] == "Japan"]
    # data PROVENANCE §5: coverage 2000-03 → 2025-12, i.e. 10 + 25*12 = 310 months.
    assert len(japan) == 310
    assert japan["obs_date"].min() == pd.Timestamp("2000-03-01")
    assert japan["obs_date"].max() == pd.Timestamp("2025-12-01")
    assert japan["obs_date"].dt.day.eq(1).all()


def test_requested_codes_only() -> None:
    frame = SOURCE.parse(_payload(FILE, ("Japan", "Grand Total")))
    assert set(frame.rows["remote_code"]) == {"Japan", "Grand Total"}


# --- quirks ---------------------------------------------------------------------------------


def test_series_break_keeps_the_new_basis_column() -> None:
    # 2000 block (file line 1215): "Mar" twice; the first is Series II (new benchmark),
    # the second Series I "shown for comparison only" (footnote 6/). Japan 307.6 vs
    # 325.8; grand total 1085 vs 1252.1.
    assert _value(FULL, "Japan", "2000-03-01") == 307.6
    assert _value(FULL, "Grand Total", "2000-03-01") == 1085
    # 2011 block (line 746): "Jun" twice, Series XII first; Japan 881.5 (not 911.1).
    assert _value(FULL, "Japan", "2011-06-01") == 881.5
    # 2002 block (line 1141): Japan Jun 349.2 (Series III), not 335.8 (Series II).
    assert _value(FULL, "Japan", "2002-06-01") == 349.2
    assert _value(FULL, "Japan", "2002-05-01") == 317.8


def test_footnote_markers_and_blanks_are_normalised() -> None:
    codes = set(FULL.rows["remote_code"])
    assert {"United Kingdom", "Korea, South", "Belgium", "Spain", "Oil Exporters"} <= codes
    assert not any(
        code != code.strip() or "/" in code for code in codes if "Luxembourg" not in code
    )
    # "United Kingdom 2/" (2011 block, line 760) joins "United Kingdom" (2025 block).
    assert _value(FULL, "United Kingdom", "2011-12-01") == 114.3
    # '"Korea, South "' with a trailing blank in the 2002 block (line 1150).
    assert _value(FULL, "Korea, South", "2002-12-01") == 38
    assert holder_label("  Belgium  5/") == "Belgium"
    assert holder_label("Carib Bnkng Ctrs 4/") == "Carib Bnkng Ctrs"


def test_na_is_not_an_observation() -> None:
    # 2002 block: Luxembourg "n.a." from May back to January (line 1155).
    assert _value(FULL, "Luxembourg", "2002-06-01") == 23.1
    assert not _has(FULL, "Luxembourg", "2002-05-01")


def test_partial_first_year_has_no_january_or_february_2000() -> None:
    assert not _has(FULL, "Japan", "2000-02-01")


def test_crlf_line_endings() -> None:
    # The server file may be CRLF (samples PROVENANCE: git normalised it to LF).
    frame = SOURCE.parse(_payload(FILE.replace(b"\n", b"\r\n"), ("Japan",)))
    assert _value(frame, "Japan", "2025-12-01") == 1185.5


# --- errors ---------------------------------------------------------------------------------


def test_missing_holder_names_it() -> None:
    with pytest.raises(ParseError, match=r"\['Atlantis'\] not in the table"):
        SOURCE.parse(_payload(FILE, ("Japan", "Atlantis")))


def test_renamed_country_header() -> None:
    body = FILE.replace(b"Country\t", b"Holder\t")
    with pytest.raises(ParseError, match="no 'Country"):
        SOURCE.parse(_payload(body))


def test_month_row_damaged() -> None:
    body = FILE.replace(b"\tDec\tNov\tOct", b"\tDez\tNov\tOct", 1)
    with pytest.raises(ParseError, match=r"line 7: column 1 has year '2025' and month 'Dez'"):
        SOURCE.parse(_payload(body))


def test_value_outside_the_month_columns() -> None:
    # Japan's 2025 row (line 10) ends "...\t1079.3\t"; a 13th value has no month above it.
    body = FILE.replace(b"\t1079.3\t\n", b"\t1079.3\t99\n", 1)
    with pytest.raises(ParseError, match="in a column without a month"):
        SOURCE.parse(_payload(body))


def test_html_page_with_status_200() -> None:
    with pytest.raises(ParseError, match="HTML"):
        SOURCE.parse(_payload(b"<html><head><title>404</title></head></html>"))


def test_empty_body() -> None:
    with pytest.raises(ParseError, match="not the Major Foreign Holders table"):
        SOURCE.parse(_payload(b""))


def test_undecodable_bytes() -> None:
    with pytest.raises(ParseError, match="not valid cp1252"):
        SOURCE.parse(_payload(FILE.replace(b"Japan", b"Jap\x81n", 1)))


@settings(max_examples=150, deadline=None)
@given(mutated(FILE))
def test_mutations_keep_the_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, ("Japan", "Grand Total")), "tic")


# --- plan and fetch ---------------------------------------------------------------------------


def test_plan_one_request_for_the_history_file() -> None:
    (request,) = SOURCE.plan(["Japan", "China, Mainland", "Japan"], Window(date(2024, 1, 1)))
    assert request.url == URL
    assert request.params == ()
    assert request.remote_codes == ("Japan", "China, Mainland")


def test_plan_origin_override_keeps_the_path() -> None:
    (request,) = TicHolders("http://127.0.0.1:8765").plan(["Japan"], Window())
    assert request.url == (
        "http://127.0.0.1:8765/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"
    )


@pytest.mark.parametrize("code", ["United Kingdom 2/", " Japan", "Korea,  South", ""])
def test_plan_rejects_unnormalised_labels(code: str) -> None:
    with pytest.raises(CatalogError, match="normalised row label"):
        SOURCE.plan([code], Window())


def test_fetch_replays_the_file() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, content=FILE, headers={"Content-Type": "text/plain"})

    source = TicHolders("http://127.0.0.1:8765")
    (request,) = source.plan(["Japan"], Window())
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        (payload,) = list(source.fetch(request, http))
    assert seen == ["/resource-center/data-chart-center/tic/Documents/mfhhis01.txt"]
    assert payload.body == FILE
    assert _value(source.parse(payload), "Japan", "2024-12-01") == 1061.5


def test_a_non_ascii_digit_in_a_year_is_a_parse_error() -> None:
    # Found by the mutation test: "¹025".isdigit() is True but int() refuses it.
    body = FILE.replace(b"Country\t2025", "Country\t\u00b9025".encode(), 1)
    with pytest.raises(ParseError, match=r"expected e\.g\. 2025 / Dec"):
        SOURCE.parse(_payload(body))
