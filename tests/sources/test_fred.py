"""Tests of the FRED graph CSV source (``fred``) on real downloads.

Expected numbers are quoted from /work/shared/samples/PROVENANCE.md ("samples") and
/work/shared/data/PROVENANCE.md section 1 ("data"), each stated next to its assertion.
Payload origins: tests/payloads/fred/README.md.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ConfigError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.fred import MAX_IDS_PER_REQUEST, PARSE_VERSION, FredGraph
from carrywatch.sources.http import HttpClient
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated
from tests.helpers.observations import has_obs as _has
from tests.helpers.observations import value_at as _value

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "fred"
SAMPLE = (PAYLOADS / "fredgraph_FEDFUNDS_MORTGAGE30US_monthly_2026-02.csv").read_bytes()
DGS10 = (PAYLOADS / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv").read_bytes()
SOURCE = FredGraph()


def _payload(body: bytes, codes: tuple[str, ...] = ()) -> RawPayload:
    request = FetchRequest(
        source="fred", url="https://fred.stlouisfed.org/graph/fredgraph.csv", remote_codes=codes
    )
    return RawPayload(
        request=request, body=body, status=200, media_type="text/csv", retrieved_at=utc_now()
    )


def _parse(body: bytes, *codes: str) -> ParsedFrame:
    return SOURCE.parse(_payload(body, codes))


def _gunzip_checked(name: str, sha256_prefix: str) -> bytes:
    body = gzip.decompress((PAYLOADS / name).read_bytes())
    assert hashlib.sha256(body).hexdigest().startswith(sha256_prefix)
    return body


# --- golden tests on real files ---------------------------------------------------------


def test_sample_two_series_monthly() -> None:
    (request,) = SOURCE.plan(["FEDFUNDS", "MORTGAGE30US"], Window())
    payload = RawPayload(
        request=request, body=SAMPLE, status=200, media_type="text/csv", retrieved_at=utc_now()
    )
    frame = SOURCE.parse(payload)
    assert frame.source == "fred"
    assert frame.parse_version == PARSE_VERSION
    assert frame.meta["date_column"] == "observation_date"
    rows = frame.rows
    assert list(rows.columns) == ["remote_code", "obs_date", "value"]
    # 1999-12 … 2025-11 = 312 months, both series complete (samples PROVENANCE coverage).
    assert rows.groupby("remote_code").size().to_dict() == {"FEDFUNDS": 312, "MORTGAGE30US": 312}
    assert rows["obs_date"].dt.day.eq(1).all()  # monthly values dated on the 1st
    # samples PROVENANCE: "FEDFUNDS 5.33 from 2023-08 to 2024-08, 5.13 in 2024-09, 4.48 in 2024-12".
    for month in pd.date_range("2023-08-01", "2024-08-01", freq="MS"):
        assert _value(frame, "FEDFUNDS", str(month.date())) == 5.33
    assert _value(frame, "FEDFUNDS", "2024-09-01") == 5.13
    assert _value(frame, "FEDFUNDS", "2024-12-01") == 4.48
    # First data line of the file: "1999-12-01,5.30,7.91".
    assert _value(frame, "MORTGAGE30US", "1999-12-01") == 7.91


def test_new_header_with_empty_holiday_values() -> None:
    frame = _parse(DGS10, "DGS10")
    # data PROVENANCE: 1305 rows of which 55 empty (holidays) -> 1250 observations.
    assert len(frame.rows) == 1250
    assert _value(frame, "DGS10", "2024-08-05") == 3.78  # data PROVENANCE spot check
    assert _value(frame, "DGS10", "2024-09-16") == 3.63  # data PROVENANCE spot check
    assert not _has(frame, "DGS10", "2024-12-25")  # data PROVENANCE: "2024-12-25 empty"
    assert frame.rows["obs_date"].min() == pd.Timestamp("2021-04-13")
    assert frame.rows["obs_date"].max() == pd.Timestamp("2026-04-13")


def test_legacy_date_header_dexjpus() -> None:
    # SHA-256 of data/fred/miguel-merlin__etf-directional-forecasting/DEXJPUS.csv.
    body = _gunzip_checked("miguel-merlin__etf-directional-forecasting__DEXJPUS.csv.gz", "36dc5f3a")
    assert body.startswith(b"DATE,DEXJPUS\n")
    frame = _parse(body, "DEXJPUS")
    assert frame.meta["date_column"] == "DATE"
    assert len(frame.rows) == 14370 - 565  # data PROVENANCE: 14370 rows, 565 empty
    assert _value(frame, "DEXJPUS", "2024-08-05") == 143.95  # data PROVENANCE
    assert _value(frame, "DEXJPUS", "2024-07-03") == 161.48  # data PROVENANCE
    assert _value(frame, "DEXJPUS", "2025-01-24") == 155.58  # data PROVENANCE
    assert not _has(frame, "DEXJPUS", "2024-12-25")  # empty field in the file


def test_legacy_date_header_wtregen() -> None:
    frame = _parse((PAYLOADS / "AlonsoZeng__usdebt__WTREGEN.csv").read_bytes(), "WTREGEN")
    assert len(frame.rows) == 578  # data PROVENANCE: 578 weekly rows
    assert _value(frame, "WTREGEN", "2023-05-31") == 48.954  # data PROVENANCE
    assert _value(frame, "WTREGEN", "2024-04-24") == 941.43  # data PROVENANCE


@pytest.mark.parametrize(
    ("name", "code", "header", "n_rows", "day", "expected"),
    [
        # header `date,value`; first data line "1962-01-02,4.06" (data PROVENANCE: coverage
        # starts 1962-01-02); first 30 lines = 29 rows.
        ("Jellydidy__macro-watch__DGS10_first30lines.csv", "DGS10", b"date,value", 29,
         "1962-01-02", 4.06),
        # header `Date,Value`; first data line "2002-12-18,719542.0" (coverage starts 2002-12-18).
        ("jonsflow__risk-model__WALCL_first30lines.csv", "WALCL", b"Date,Value", 29,
         "2002-12-18", 719542.0),
        # header `date,<ID>`, floats with `.0`; data PROVENANCE: 1021 rows, 2024-08-07 = 7175256.0.
        ("Thecoderstef__Macro-Charts__WALCL.csv", "WALCL", b"date,WALCL", 1021,
         "2024-08-07", 7175256.0),
        # header `observation_date,value`; 39 rows of which 29 empty; first line 370.0.
        ("Bongsujung__ixic_linear__CBBTCUSD_first40lines.csv", "CBBTCUSD",
         b"observation_date,value", 10, "2014-12-01", 370.0),
        # header `date,<ID>` with CRLF; data PROVENANCE: 376 rows, 2016-03 = -0.003.
        ("brouprats__TFG__IRSTCI01JPM156N.csv", "IRSTCI01JPM156N", b"date,IRSTCI01JPM156N\r\n",
         376, "2016-03-01", -0.003),
    ],
)  # fmt: skip
def test_resaved_single_series_variants(
    *, name: str, code: str, header: bytes, n_rows: int, day: str, expected: float
) -> None:
    body = (PAYLOADS / name).read_bytes()
    assert body.startswith(header)
    frame = _parse(body, code)
    assert len(frame.rows) == n_rows
    assert set(frame.rows["remote_code"]) == {code}
    assert _value(frame, code, day) == expected


def test_crlf_file_last_value() -> None:
    frame = _parse(
        (PAYLOADS / "brouprats__TFG__IRSTCI01JPM156N.csv").read_bytes(), "IRSTCI01JPM156N"
    )
    assert _value(frame, "IRSTCI01JPM156N", "2024-01-01") == -0.014  # data PROVENANCE


# --- documented quirks ------------------------------------------------------------------


def test_bom_and_crlf_give_the_same_rows() -> None:
    # The real DGS10 download with a UTF-8 BOM prepended and LF turned into CRLF.
    variant = b"\xef\xbb\xbf" + DGS10.replace(b"\n", b"\r\n")
    pd.testing.assert_frame_equal(_parse(variant, "DGS10").rows, _parse(DGS10, "DGS10").rows)


def test_legacy_dot_marker_is_missing() -> None:
    # sources.md 1a: before late 2024 missing values were ".", now they are empty.
    dotted = DGS10.replace(b",\n", b",.\n")
    assert dotted.count(b",.\n") == 55
    pd.testing.assert_frame_equal(_parse(dotted, "DGS10").rows, _parse(DGS10, "DGS10").rows)


def test_ten_decimal_values() -> None:
    # data PROVENANCE: appended rows are printed with 10 decimals. Header and last three
    # lines (11220-11222) of data/fred/JoaquinMulet__treasury-desk-chile-usa/DGS3MO.csv.
    body = (
        b"date,value\n2026-07-20,3.8600000000\n2026-07-21,3.8700000000\n2026-07-22,3.8900000000\n"
    )
    frame = _parse(body, "DGS3MO")
    assert frame.rows["value"].tolist() == [3.86, 3.87, 3.89]


def test_unrequested_columns_are_left_out() -> None:
    frame = _parse(SAMPLE, "FEDFUNDS")
    assert set(frame.rows["remote_code"]) == {"FEDFUNDS"}
    assert len(frame.rows) == 312


def test_without_requested_codes_every_named_column_is_read() -> None:
    frame = _parse(SAMPLE)
    assert set(frame.rows["remote_code"]) == {"FEDFUNDS", "MORTGAGE30US"}


def test_header_only_gives_no_rows() -> None:
    frame = _parse(b"observation_date,DGS10\n", "DGS10")
    assert frame.rows.empty


# --- error cases ------------------------------------------------------------------------


def test_renamed_column_names_both() -> None:
    renamed = SAMPLE.replace(b"MORTGAGE30US", b"MORTGAGE15US", 1)
    with pytest.raises(ParseError, match=r"MORTGAGE30US.*MORTGAGE15US") as info:
        _parse(renamed, "FEDFUNDS", "MORTGAGE30US")
    assert info.value.source == "fred"


def test_single_column_for_another_series_is_not_taken() -> None:
    with pytest.raises(ParseError, match=r"DGS2.*DGS10"):
        _parse(DGS10, "DGS2")


def test_anonymous_value_column_needs_exactly_one_requested_code() -> None:
    body = (PAYLOADS / "Jellydidy__macro-watch__DGS10_first30lines.csv").read_bytes()
    with pytest.raises(ParseError, match="value"):
        _parse(body)
    with pytest.raises(ParseError, match="DGS10"):
        _parse(body, "DGS10", "DGS2")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "HTML"),
        (b"", "empty payload"),
        (b"\n\r\n", "empty payload"),
        (SAMPLE.decode().encode("utf-16"), "not valid utf-8"),
        (b"1999-12-01,5.30,7.91\n", "header line is missing"),
        (b"observation_date,DGS10\n2024-08-05\n", "line 2 has 1 fields"),
        (b"observation_date,DGS10\n2024-13-05,3.78\n", "not a YYYY-MM-DD date"),
        (b"observation_date,DGS10\n05/08/2024,3.78\n", "not a YYYY-MM-DD date"),
        (b"observation_date,DGS10\n2024-08-05,3.7x\n", "not a number"),
        (b"observation_date,DGS10\n2024-08-05,3.78\n2024-08-05,3.78\n", "duplicate"),
        (b"observation_date,DGS10,DGS10\n2024-08-05,3.78,3.78\n", "duplicate column"),
    ],
)
def test_bad_payloads_raise_clear_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        _parse(body, "DGS10")
    assert str(info.value).startswith("fred: cannot parse payload: ")


@settings(max_examples=150, deadline=None)
@given(body=mutated(SAMPLE))
def test_mutated_sample_keeps_the_parse_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, ("FEDFUNDS", "MORTGAGE30US")), "fred")


@settings(max_examples=150, deadline=None)
@given(body=mutated((PAYLOADS / "Bongsujung__ixic_linear__CBBTCUSD_first40lines.csv").read_bytes()))
def test_mutated_resaved_file_keeps_the_parse_contract(body: bytes) -> None:
    check_parse_contract(SOURCE.parse, _payload(body, ("CBBTCUSD",)), "fred")


# --- plan and fetch ---------------------------------------------------------------------


def test_source_protocol_and_names() -> None:
    assert isinstance(SOURCE, Source)
    assert SOURCE.name == "fred"
    assert SOURCE.default_origin == "https://fred.stlouisfed.org"
    assert SOURCE.origin == SOURCE.default_origin


def test_plan_single_series_with_window() -> None:
    (request,) = SOURCE.plan(["DGS10"], Window(date(2024, 1, 1), date(2024, 12, 31)))
    assert request.url == "https://fred.stlouisfed.org/graph/fredgraph.csv"
    assert request.params == (("id", "DGS10"), ("cosd", "2024-01-01"), ("coed", "2024-12-31"))
    assert request.remote_codes == ("DGS10",)
    assert request.secret_param is None


def test_plan_groups_ids_and_repeats_window_per_series() -> None:
    ids = [f"SERIES{i}" for i in range(23)] + ["SERIES0"]  # the duplicate is dropped
    requests = SOURCE.plan(ids, Window(start=date(2020, 1, 1)))
    assert [len(r.remote_codes) for r in requests] == [MAX_IDS_PER_REQUEST, 10, 3]
    first = dict(requests[0].params)
    assert first["id"] == ",".join(f"SERIES{i}" for i in range(10))
    # FRED's own site writes one cosd per id when ids share a request.
    assert first["cosd"] == ",".join(["2020-01-01"] * 10)
    assert "coed" not in first
    assert SOURCE.plan(["A", "B"], Window())[0].params == (("id", "A,B"),)


def test_plan_origin_override_keeps_provider_path() -> None:
    (request,) = FredGraph(origin="http://127.0.0.1:8765").plan(["DGS10"], Window())
    assert request.url == "http://127.0.0.1:8765/graph/fredgraph.csv"
    with pytest.raises(ConfigError):
        FredGraph(origin="127.0.0.1:8765").plan(["DGS10"], Window())


@pytest.mark.parametrize(
    "wanted", [[], ["dgs10"], ["DGS 10"], ["DGS10,DGS2"], ["DGS10&x=1"], "DGS10"]
)
def test_plan_rejects_ill_formed_codes(wanted: list[str]) -> None:
    with pytest.raises(CatalogError, match="fred"):
        SOURCE.plan(wanted, Window())


def test_fetch_replays_the_sample_through_http_client() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=SAMPLE, headers={"Content-Type": "text/csv"})

    source = FredGraph(origin="http://127.0.0.1:8765")
    (request,) = source.plan(["FEDFUNDS", "MORTGAGE30US"], Window(start=date(1999, 12, 1)))
    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        payloads = list(source.fetch(request, http))
    assert len(payloads) == 1
    assert payloads[0].body == SAMPLE
    assert payloads[0].media_type == "text/csv"
    assert payloads[0].request == request
    (url,) = seen
    assert url.host == "127.0.0.1"
    assert url.port == 8765
    assert url.path == "/graph/fredgraph.csv"
    assert url.params["id"] == "FEDFUNDS,MORTGAGE30US"
    assert url.params["cosd"] == "1999-12-01,1999-12-01"
    frame = source.parse(payloads[0])
    assert _value(frame, "FEDFUNDS", "2024-12-01") == 4.48  # samples PROVENANCE
