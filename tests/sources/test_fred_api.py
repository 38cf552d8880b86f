"""Tests of the keyed FRED JSON API source (``fred_api``) on real recorded answers.

Expected numbers are quoted from /work/shared/samples/PROVENANCE.md ("samples") next to
each assertion; where a number is read from the payload itself, the comment says so.
Payload origins: tests/payloads/fred_api/README.md.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings

from carrywatch.errors import CatalogError, ConfigError, FetchError, ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.fred_api import (
    PARSE_VERSION,
    REALTIME_MAX,
    REALTIME_MIN,
    FredApi,
    series_metadata,
)
from carrywatch.sources.http import HttpClient, RetryPolicy, display_url
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, Window, utc_now
from tests.helpers.mutations import check_parse_contract, mutated

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "fred_api"
LATEST = (PAYLOADS / "api_series_observations_GDP_latest.json").read_bytes()
FIRST_RELEASE = (
    PAYLOADS / "api_series_observations_GDP_output_type4_first_release.json"
).read_bytes()
SERIES = (PAYLOADS / "api_series_GDP.json").read_bytes()
#: A key of the documented shape (32 lower-case alphanumerics); not a real key.
KEY = "0123456789abcdef0123456789abcdef"
#: Error object shape from sources.md 1b; message as quoted in mortada/fredapi issue #45.
BAD_KEY_ERROR = (
    b'{"error_code":400,"error_message":"Bad Request.  The value for variable api_key '
    b'is not registered.  Read https:\\/\\/fred.stlouisfed.org\\/docs\\/api\\/api_key.html"}'
)


def _all_vintages() -> bytes:
    body = gzip.decompress(
        (PAYLOADS / "api_series_observations_GDP_all_vintages.json.gz").read_bytes()
    )
    # samples PROVENANCE: 311 379 B, SHA-256 85fea5d12c19792c...
    assert len(body) == 311_379
    assert hashlib.sha256(body).hexdigest().startswith("85fea5d12c19792c")
    return body


def _payload(body: bytes, request: FetchRequest | None = None) -> RawPayload:
    if request is None:
        (request,) = FredApi().plan(["GDP"], Window())
    return RawPayload(
        request=request,
        body=body,
        status=200,
        media_type="application/json",
        retrieved_at=utc_now(),
    )


def _value(frame: ParsedFrame, day: str) -> float:
    hit = frame.rows[frame.rows["obs_date"] == pd.Timestamp(day)]
    assert len(hit) == 1, f"{day}: {len(hit)} rows"
    return float(hit["value"].iloc[0])


def _utc(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


# --- golden tests on real answers -------------------------------------------------------


def test_latest_observations() -> None:
    frame = FredApi().parse(_payload(LATEST))
    assert frame.source == "fred_api"
    assert frame.parse_version == PARSE_VERSION
    rows = frame.rows
    assert list(rows.columns) == ["remote_code", "obs_date", "value"]  # no known_from
    assert set(rows["remote_code"]) == {"GDP"}
    # count 315 in the payload, of which 1946Q1-Q4 are "." -> 311 observations.
    assert len(rows) == 311
    assert _value(frame, "1947-01-01") == 243.164  # samples PROVENANCE
    assert _value(frame, "2024-07-01") == 29374.914  # samples PROVENANCE, latest
    assert rows["obs_date"].max() == pd.Timestamp("2024-07-01")
    assert frame.meta["vintages"] == "false"
    assert frame.meta["realtime_start"] == "2024-12-19"


def test_first_release_output_type_4() -> None:
    (request,) = FredApi().plan_first_release(["GDP"], Window())
    frame = FredApi().parse(_payload(FIRST_RELEASE, request))
    rows = frame.rows
    assert list(rows.columns) == ["remote_code", "obs_date", "value", "known_from", "withdrawn"]
    assert not rows["withdrawn"].any()  # a first release is never a withdrawal
    assert len(rows) == 132  # sources.md 1b: 132 rows for GDP starting 1991-10-01
    first = rows.iloc[0]
    # samples PROVENANCE: "first release of 1991Q4 = 5736.6 (published 1992-01-29)".
    assert first["obs_date"] == pd.Timestamp("1991-10-01")
    assert first["value"] == 5736.6
    assert first["known_from"] == _utc("1992-01-29")
    assert frame.meta["output_type"] == "4"


def test_all_vintages_with_known_from() -> None:
    body = _all_vintages()
    doc = json.loads(body)
    assert doc["count"] == len(doc["observations"]) == 3201  # samples PROVENANCE: 3 201 rows
    n_missing = sum(row["value"] == "." for row in doc["observations"])
    assert n_missing > 0  # samples PROVENANCE: contains "." values in some vintages
    (request,) = FredApi(vintages=True).plan(["GDP"], Window())
    frame = FredApi(vintages=True).parse(_payload(body, request))
    rows = frame.rows
    assert str(rows["known_from"].dtype) == "datetime64[ns, UTC]"
    # Every row stays: the "." ones as withdrawals (value NaN), the others as values.
    assert len(rows) == 3201
    assert int(rows["withdrawn"].sum()) == n_missing
    assert rows["value"].isna().equals(rows["withdrawn"])
    assert frame.meta["vintages"] == "true"
    # The newest vintage of 2024Q3 equals the latest answer (samples PROVENANCE: 29374.914,
    # third estimate released 2024-12-19).
    q3 = rows[rows["obs_date"] == pd.Timestamp("2024-07-01")].sort_values("known_from")
    newest = q3.iloc[-1]
    assert newest["value"] == 29374.914
    assert newest["known_from"] == _utc("2024-12-19")
    # The oldest vintage of 1991Q4 is its first release (samples PROVENANCE: 5736.6 on 1992-01-29).
    q4 = rows[rows["obs_date"] == pd.Timestamp("1991-10-01")].sort_values("known_from")
    oldest = q4.iloc[0]
    assert (oldest["value"], oldest["known_from"]) == (5736.6, _utc("1992-01-29"))
    # "What was known on 1992-02-01": the row in force then is still the first release.
    asof = q4[q4["known_from"] <= _utc("1992-02-01")]
    assert asof["value"].iloc[-1] == 5736.6


def test_all_vintages_keep_withdrawals_flagged() -> None:
    frame = FredApi(vintages=True).parse(_payload(_all_vintages()))
    # Read from the payload: GDP 1946-01-01 is 199.7 from 1992-12-22, "." from 1996-01-19,
    # 210.4 from 1997-05-07 and "." from 1999-10-28: two values and two withdrawals.
    q1 = frame.rows[frame.rows["obs_date"] == pd.Timestamp("1946-01-01")]
    assert q1["withdrawn"].tolist() == [False, True, False, True]
    assert q1["value"].tolist()[::2] == [199.7, 210.4]
    assert q1["known_from"].tolist() == [
        _utc("1992-12-22"),
        _utc("1996-01-19"),
        _utc("1997-05-07"),
        _utc("1999-10-28"),
    ]


def test_a_current_values_payload_has_no_withdrawals() -> None:
    # Without vintages "." is only a missing value: dropped, and no withdrawn column.
    body = LATEST.replace(b'"value":"243.164"', b'"value":"."', 1)
    assert body != LATEST
    rows = FredApi().parse(_payload(body)).rows
    assert "withdrawn" not in rows.columns
    assert pd.Timestamp("1947-01-01") not in set(rows["obs_date"])


def test_series_metadata() -> None:
    meta = series_metadata(_payload(SERIES, FredApi().series_request("GDP")))
    assert meta["id"] == "GDP"
    assert meta["title"] == "Gross Domestic Product"
    assert meta["units"] == "Billions of Dollars"
    assert meta["frequency"] == "Quarterly"
    # samples PROVENANCE: last_updated 2024-12-19; the payload says "2024-12-19 07:55:01-06".
    assert meta["last_updated"] == "2024-12-19T13:55:01+00:00"
    assert meta["units_short"] == "Bil. of $"


def test_series_metadata_errors() -> None:
    with pytest.raises(ParseError, match="seriess"):
        series_metadata(_payload(LATEST))
    with pytest.raises(ParseError, match="not registered"):
        series_metadata(_payload(BAD_KEY_ERROR))
    no_offset = SERIES.replace(b"07:55:01-06", b"07:55:01")
    with pytest.raises(ParseError, match="UTC offset"):
        series_metadata(_payload(no_offset))


# --- documented quirks and error cases --------------------------------------------------


def test_error_object_becomes_parse_error() -> None:
    with pytest.raises(
        ParseError, match=r"FRED API error 400: Bad Request.*not registered"
    ) as info:
        FredApi().parse(_payload(BAD_KEY_ERROR))
    assert info.value.source == "fred_api"


def test_key_shaped_text_in_an_error_is_redacted() -> None:
    # Defensive: should a provider message ever echo the key, it must not reach the user.
    body = json.dumps({"error_code": 400, "error_message": f"api_key={KEY} is bad"}).encode()
    with pytest.raises(ParseError) as info:
        FredApi().parse(_payload(body))
    assert KEY not in str(info.value)
    assert "<redacted>" in str(info.value)


def test_renamed_value_key() -> None:
    renamed = LATEST.replace(b'"value":', b'"val":')
    with pytest.raises(ParseError, match=r"observations\[0\] lacks key\(s\) value; found .*val"):
        FredApi().parse(_payload(renamed))


def test_renamed_realtime_start_in_vintage_payload() -> None:
    renamed = FIRST_RELEASE.replace(b'"realtime_start":"1992', b'"rt_start":"1992', 1)
    with pytest.raises(ParseError, match="realtime_start"):
        FredApi().parse(_payload(renamed))


def test_missing_observations_key() -> None:
    renamed = LATEST.replace(b'"observations":', b'"observation":')
    with pytest.raises(ParseError, match="observations"):
        FredApi().parse(_payload(renamed))


def test_wide_output_types_are_rejected() -> None:
    wide = FIRST_RELEASE.replace(b'"output_type":4', b'"output_type":2')
    with pytest.raises(ParseError, match="output_type 2"):
        FredApi().parse(_payload(wide))


def test_series_id_comes_from_the_request() -> None:
    bare = FetchRequest(source="fred_api", url="u", params=(("series_id", "GDP"),))
    assert set(FredApi().parse(_payload(LATEST, bare)).rows["remote_code"]) == {"GDP"}
    with pytest.raises(ParseError, match="exactly one series"):
        FredApi().parse(_payload(LATEST, FetchRequest(source="fred_api", url="u")))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "HTML"),
        (b"", "not valid JSON"),
        (LATEST.decode().encode("utf-16"), "not UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (LATEST.replace(b'"date":"1947-01-01"', b'"date":"1947-13-01"'), "not a YYYY-MM-DD"),
        (LATEST.replace(b'"value":"243.164"', b'"value":"n/a243"'), "not a number"),
        (LATEST.replace(b'"date":"1947-04-01"', b'"date":"1947-01-01"'), "duplicate"),
    ],
)
def test_bad_payloads_raise_clear_parse_errors(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        FredApi().parse(_payload(body))
    assert str(info.value).startswith("fred_api: cannot parse payload: ")


@settings(max_examples=150, deadline=None)
@given(body=mutated(FIRST_RELEASE))
def test_mutated_first_release_keeps_the_parse_contract(body: bytes) -> None:
    check_parse_contract(FredApi().parse, _payload(body), "fred_api")


@settings(max_examples=150, deadline=None)
@given(body=mutated(LATEST))
def test_mutated_latest_keeps_the_parse_contract(body: bytes) -> None:
    check_parse_contract(FredApi().parse, _payload(body), "fred_api")


# --- plan -------------------------------------------------------------------------------


def test_source_protocol_and_names() -> None:
    source = FredApi()
    assert isinstance(source, Source)
    assert source.name == "fred_api"
    assert source.default_origin == "https://api.stlouisfed.org"
    assert source.origin == source.default_origin
    assert source.vintages is False


def test_plan_current_values() -> None:
    requests = FredApi().plan(["GDP", "WALCL", "GDP"], Window(date(2020, 1, 1), date(2024, 12, 31)))
    assert [r.remote_codes for r in requests] == [("GDP",), ("WALCL",)]
    request = requests[0]
    assert request.url == "https://api.stlouisfed.org/fred/series/observations"
    assert request.params == (
        ("series_id", "GDP"),
        ("file_type", "json"),
        ("observation_start", "2020-01-01"),
        ("observation_end", "2024-12-31"),
    )
    assert request.secret_param == ("api_key", "fred_api_key")
    assert all(key != "api_key" for key, _ in request.params)


def test_plan_vintages_and_first_release() -> None:
    (request,) = FredApi(vintages=True).plan(["GDP"], Window())
    assert request.params == (
        ("series_id", "GDP"),
        ("file_type", "json"),
        ("realtime_start", "1776-07-04"),
        ("realtime_end", "9999-12-31"),
    )
    (first,) = FredApi().plan_first_release(["GDP"], Window())
    assert dict(first.params) == {
        "series_id": "GDP",
        "file_type": "json",
        "realtime_start": REALTIME_MIN,
        "realtime_end": REALTIME_MAX,
        "output_type": "4",
    }


def test_plan_origin_override_keeps_provider_path() -> None:
    source = FredApi(origin="http://127.0.0.1:8765", vintages=True)
    (request,) = source.plan(["GDP"], Window())
    assert request.url == "http://127.0.0.1:8765/fred/series/observations"
    assert source.series_request("GDP").url == "http://127.0.0.1:8765/fred/series"


@pytest.mark.parametrize("wanted", [[], ["gdp"], ["GDP&api_key=x"], "GDP"])
def test_plan_rejects_ill_formed_codes(wanted: list[str]) -> None:
    with pytest.raises(CatalogError, match="fred_api"):
        FredApi().plan(wanted, Window())


# --- fetch through HttpClient: secrets and paging --------------------------------------


def _client(handler: httpx.MockTransport) -> HttpClient:
    return HttpClient(
        transport=handler,
        secrets={"fred_api_key": KEY},
        retry=RetryPolicy(max_attempts=2),
        sleep=lambda _s: None,
    )


def test_fetch_sends_the_key_but_never_stores_it() -> None:
    sent: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return httpx.Response(200, content=LATEST, headers={"Content-Type": "application/json"})

    source = FredApi(origin="http://127.0.0.1:8765")
    (request,) = source.plan(["GDP"], Window())
    with _client(httpx.MockTransport(handler)) as http:
        (payload,) = list(source.fetch(request, http))
    (url,) = sent
    assert url.path == "/fred/series/observations"
    assert url.params["api_key"] == KEY
    assert url.params["file_type"] == "json"
    assert payload.body == LATEST
    assert payload.request == request
    assert KEY not in repr(payload.request)
    assert KEY not in display_url(payload.request)
    assert _value(source.parse(payload), "2024-07-01") == 29374.914  # samples PROVENANCE


def test_fetch_error_text_does_not_contain_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api_key"] == KEY
        return httpx.Response(400, content=BAD_KEY_ERROR)

    (request,) = FredApi().plan(["GDP"], Window())
    with _client(httpx.MockTransport(handler)) as http, pytest.raises(FetchError) as info:
        list(FredApi().fetch(request, http))
    assert info.value.status == 400
    assert "not registered" in str(info.value)
    assert KEY not in str(info.value)
    assert KEY not in info.value.url


def test_fetch_without_a_configured_key_is_a_config_error() -> None:
    (request,) = FredApi().plan(["GDP"], Window())
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, content=LATEST))
    with HttpClient(transport=transport) as http, pytest.raises(ConfigError, match="FRED_API_KEY"):
        list(FredApi().fetch(request, http))


def _pages(limit: int) -> dict[int, bytes]:
    """The real latest answer cut into pages, with count/offset/limit as FRED sets them."""
    doc = json.loads(LATEST)
    rows = doc["observations"]
    pages = {}
    for offset in range(0, len(rows), limit):
        page = {
            **doc,
            "offset": offset,
            "limit": limit,
            "observations": rows[offset : offset + limit],
        }
        pages[offset] = json.dumps(page, separators=(",", ":")).encode()
    return pages


def test_fetch_pages_until_count_is_reached() -> None:
    pages = _pages(limit=100)
    offsets: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api_key"] == KEY
        offsets.append(request.url.params.get("offset"))
        return httpx.Response(200, content=pages[int(request.url.params.get("offset", "0"))])

    (request,) = FredApi().plan(["GDP"], Window())
    with _client(httpx.MockTransport(handler)) as http:
        payloads = list(FredApi().fetch(request, http))
    assert offsets == [None, "100", "200", "300"]  # count 315, 100 rows per page
    assert [dict(p.request.params).get("offset") for p in payloads] == [None, "100", "200", "300"]
    assert all(KEY not in display_url(p.request) for p in payloads)
    parsed = pd.concat([FredApi().parse(p).rows for p in payloads], ignore_index=True)
    pd.testing.assert_frame_equal(parsed, FredApi().parse(_payload(LATEST)).rows)


def test_fetch_stops_when_the_api_ignores_offset() -> None:
    first_page = _pages(limit=100)[0]
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, content=first_page))
    (request,) = FredApi().plan(["GDP"], Window())
    with _client(transport) as http, pytest.raises(FetchError, match="offset"):
        list(FredApi().fetch(request, http))


def test_fetch_does_not_page_an_error_or_html_body() -> None:
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, content=b"<html></html>"))
    (request,) = FredApi().plan(["GDP"], Window())
    with _client(transport) as http:
        (payload,) = list(FredApi().fetch(request, http))
    with pytest.raises(ParseError, match="HTML"):
        FredApi().parse(payload)
