"""Tests of the parsing helpers every provider shares (:mod:`carrywatch.sources.base`)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from carrywatch.errors import ConfigError, ParseError
from carrywatch.sources.base import (
    MISSING_MARKERS,
    decode_text,
    join_origin,
    load_json,
    reject_html,
    to_float,
)

BOM = b"\xef\xbb\xbf"

# --- to_float ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (3, 3.0),
        (-0.25, -0.25),
        (10**20, 1e20),
        ("4.25", 4.25),
        ("-0.125", -0.125),
        ("+2", 2.0),
        ("1e3", 1000.0),
        (" 3.78 \n", 3.78),
        ("1,234.5", 1234.5),  # thousands separators, as in MOF and TIC files
        ("1,234,567", 1_234_567.0),
        ('"5.33"', 5.33),  # a quoted CSV field that reached us with its quotes
    ],
)
def test_to_float_reads_numbers(given: object, expected: float) -> None:
    value = to_float(given, source="test")
    assert isinstance(value, float)
    assert value == expected


def test_the_missing_markers_include_every_provider_convention() -> None:
    # FRED ".", MOF "-", Fiscal Data "null", BOJ "NA" / "ND", the empty field.
    assert {"", ".", "-", "null", "NA", "ND", "N/A"} <= MISSING_MARKERS


@pytest.mark.parametrize("marker", sorted(MISSING_MARKERS))
def test_every_missing_marker_is_nan(marker: str) -> None:
    assert math.isnan(to_float(marker, source="test"))
    assert math.isnan(to_float(f"  {marker} ", source="test"))


def test_none_is_nan() -> None:
    assert math.isnan(to_float(None, source="test"))


@pytest.mark.parametrize("garbage", ["abc", "12abc", "1.2.3", "--1", "#N/A", "n.a.", "3,78%"])
def test_garbage_is_a_parse_error_that_says_where(garbage: str) -> None:
    with pytest.raises(ParseError) as info:
        to_float(garbage, source="japan_mof", where="row 7, column 10Y")
    err = info.value
    assert err.source == "japan_mof"
    assert "at row 7, column 10Y" in err.detail
    assert repr(garbage) in err.detail
    assert str(err).startswith("japan_mof: cannot parse payload:")


def test_where_is_optional() -> None:
    with pytest.raises(ParseError) as info:
        to_float("abc", source="fred")
    assert info.value.detail == "not a number: 'abc'"


@pytest.mark.parametrize("flag", [True, False])
def test_a_bool_is_a_parse_error(flag: bool) -> None:
    # bool is an int subclass: without a check, True would be read as 1.0.
    with pytest.raises(ParseError, match="boolean") as info:
        to_float(flag, source="kalshi", where="yes_bid")
    assert "at yes_bid" in info.value.detail


@pytest.mark.parametrize(
    "given",
    ["inf", "-inf", "Infinity", "nan", "NaN", "-nan", "1e999", math.inf, -math.inf, math.nan],
)
def test_non_finite_numbers_are_parse_errors(given: object) -> None:
    with pytest.raises(ParseError) as info:
        to_float(given, source="test", where="value")
    assert "at value" in info.value.detail


def test_an_integer_beyond_double_range_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        to_float(10**400, source="test", where="volume")
    assert "at volume" in info.value.detail


@pytest.mark.parametrize("given", [b"1.5", [1.5], {"value": 1.5}, Decimal("1.5")])
def test_other_types_are_parse_errors(given: object) -> None:
    with pytest.raises(ParseError, match="where a number was expected"):
        to_float(given, source="test")


# --- reject_html ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Access Denied</body></html>",
        b"<!doctype HTML>\n<html>",
        b"\r\n  \t<html lang='en'>",
        b"<HTML><HEAD><TITLE>Error</TITLE>",
        b'<?xml version="1.0"?><error/>',
        b"<head><title>503</title></head>",
        b"<body>Service Unavailable</body>",
    ],
)
def test_html_and_xml_pages_are_rejected(body: bytes) -> None:
    with pytest.raises(ParseError, match="HTML/XML page") as info:
        reject_html(body, source="ustreasury")
    assert info.value.source == "ustreasury"


@pytest.mark.parametrize(
    "body",
    [
        b"DATE,DGS10\n2024-08-05,3.78\n",
        b'{"observations": []}',
        b"",
        b"a,b\n<html>,1\n",  # markup later in a data file is data
    ],
)
def test_data_passes(body: bytes) -> None:
    reject_html(body, source="fred")  # no exception


# --- decode_text ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "UTF-8", "utf8", "utf-8-sig"])
def test_a_utf8_bom_is_stripped(encoding: str) -> None:
    text = decode_text(BOM + "DATE,金利\n".encode(), encoding=encoding, source="test")
    assert text == "DATE,金利\n"


def test_text_without_bom_is_unchanged() -> None:
    assert decode_text(b"a,b\r\n1,2", encoding="utf-8", source="test") == "a,b\r\n1,2"


def test_shift_jis_is_decoded() -> None:
    body = "基準日,10年\nR6.8.5,0.855\n".encode("cp932")
    assert decode_text(body, encoding="cp932", source="japan_mof") == "基準日,10年\nR6.8.5,0.855\n"


def test_wrongly_encoded_bytes_are_a_parse_error_not_mojibake() -> None:
    body = "基準日,10年\n".encode("cp932")
    with pytest.raises(ParseError, match="not valid utf-8") as info:
        decode_text(body, encoding="utf-8", source="japan_mof")
    assert "byte 0" in info.value.detail
    assert info.value.source == "japan_mof"


def test_the_position_of_the_bad_byte_is_reported() -> None:
    with pytest.raises(ParseError, match=r"byte 3: b'\\xe9'"):
        decode_text(b"caf\xe9", encoding="utf-8", source="test")


def test_decode_text_rejects_html() -> None:
    with pytest.raises(ParseError, match="HTML/XML page"):
        decode_text(b"<html><body>blocked</body></html>", encoding="utf-8", source="test")


# --- load_json --------------------------------------------------------------------------


def test_load_json_reads_json() -> None:
    assert load_json(b'{"a": [1, 2.5, null]}', source="test") == {"a": [1, 2.5, None]}


@pytest.mark.parametrize("body", [b'{"a": NaN}', b"[Infinity]", b"[-Infinity]"])
def test_load_json_rejects_non_standard_constants(body: bytes) -> None:
    with pytest.raises(ParseError, match="non-standard JSON constant"):
        load_json(body, source="test")


@pytest.mark.parametrize("body", [b'{"a": ', b"\xff\xfe{}", b"<html>"])
def test_load_json_turns_every_failure_into_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        load_json(body, source="test")


# --- join_origin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "path", "expected"),
    [
        (
            "https://fred.stlouisfed.org",
            "/graph/fredgraph.csv",
            "https://fred.stlouisfed.org/graph/fredgraph.csv",
        ),
        ("http://127.0.0.1:8765", "/fred/graph.csv", "http://127.0.0.1:8765/fred/graph.csv"),
        # Only scheme, host and port of the origin are used.
        ("http://127.0.0.1:8765/ignored?x=1#y", "/a/b.csv", "http://127.0.0.1:8765/a/b.csv"),
        ("http://localhost:8765", "a/b.csv", "http://localhost:8765/a/b.csv"),
    ],
)
def test_join_origin(origin: str, path: str, expected: str) -> None:
    assert join_origin(origin, path) == expected


@pytest.mark.parametrize("origin", ["127.0.0.1:8765", "ftp://127.0.0.1", "", "http://", "/x"])
def test_join_origin_rejects_what_is_not_an_origin(origin: str) -> None:
    with pytest.raises(ConfigError) as info:
        join_origin(origin, "/a")
    assert "scheme://host[:port]" in str(info.value)
    assert repr(origin) in str(info.value)
