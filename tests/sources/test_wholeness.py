"""Every parser proves its payload is whole: a real recorded payload cut anywhere is
either refused with a ``ParseError`` or read as rows that the uncut payload also has,
with the same values -- never a changed value (``3`` stored for a ``3.80`` cut short).

Each real payload of ``tests/payloads`` is cut at offsets of three classes, drawn by
Hypothesis: inside the header (the first line), inside a data row, and at a row
boundary (just after a line break). What lets each parser tell: the final line break of
the CSV formats (FRED, MOF, Treasury, e-Stat, BOJ flat file), the footer of the TIC
table (which has no final line break), JSON's own well-formedness and the declared row
counts of the JSON APIs (FRED API ``count``, Fiscal Data ``meta.count``).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carrywatch.errors import ParseError
from carrywatch.sources.base import Source
from carrywatch.sources.boj import BojTimeSeries
from carrywatch.sources.cftc import CftcCot
from carrywatch.sources.estat_cpi import EStatCpi
from carrywatch.sources.fiscaldata import FiscalDataTga
from carrywatch.sources.fred import FredGraph
from carrywatch.sources.fred_api import FredApi
from carrywatch.sources.japan_mof import JapanMof
from carrywatch.sources.tic import TicHolders
from carrywatch.sources.ustreasury import TreasuryParCurve
from carrywatch.sources.yahoo import YahooChart
from carrywatch.types import FetchRequest, RawPayload, Window

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
RETRIEVED = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """A real payload and the request that asked for it."""

    file: str
    source: Source
    request: FetchRequest

    @property
    def body(self) -> bytes:
        return _body(self.file)

    def parse(self, body: bytes) -> pd.DataFrame:
        payload = RawPayload(
            request=self.request,
            body=body,
            status=200,
            media_type="",
            retrieved_at=RETRIEVED,
        )
        return self.source.parse(payload).rows


@cache
def _body(file: str) -> bytes:
    raw = (PAYLOADS / file).read_bytes()
    return gzip.decompress(raw) if file.endswith(".gz") else raw


def _request(source: str, codes: tuple[str, ...] = (), **params: str) -> FetchRequest:
    return FetchRequest(
        source=source, url="https://h.test/x", params=tuple(params.items()), remote_codes=codes
    )


def _yahoo_request() -> FetchRequest:
    (request,) = YahooChart().plan(["ESH24.CME"], Window())
    return request


CASES: dict[str, Callable[[], Case]] = {
    "fred_graph_two_series": lambda: Case(
        "fred/fredgraph_FEDFUNDS_MORTGAGE30US_monthly_2026-02.csv",
        FredGraph(),
        _request("fred", ("FEDFUNDS", "MORTGAGE30US")),
    ),
    "fred_dgs10": lambda: Case(
        "fred/XinyuLiu2403__acc102-macro-dashboard__DGS10.csv",
        FredGraph(),
        _request("fred", ("DGS10",)),
    ),
    "fred_crlf": lambda: Case(
        "fred/brouprats__TFG__IRSTCI01JPM156N.csv",
        FredGraph(),
        _request("fred", ("IRSTCI01JPM156N",)),
    ),
    "japan_mof": lambda: Case(
        "japan_mof/jgbcm_all_2024-07_to_2026-06_lines_1-2_12764-13250.csv",
        JapanMof(),
        _request("japan_mof", ("1Y", "10Y", "40Y")),
    ),
    "ustreasury": lambda: Case(
        "ustreasury/daily-treasury-rates.csv",
        TreasuryParCurve(),
        _request("ustreasury", ("BC_2YEAR", "BC_10YEAR")),
    ),
    "tic": lambda: Case(
        "tic/mfhhis01_through_2025-12.txt",
        TicHolders(),
        _request("tic", ("Japan", "Grand Total")),
    ),
    "estat": lambda: Case("estat/zmi2020s.csv", EStatCpi(), _request("estat")),
    "boj_flat_file": lambda: Case(
        "boj/flatfile_md01_m_1_en_2020-05-17.csv", BojTimeSeries(), _request("boj")
    ),
    "cftc": lambda: Case(
        "cftc/socrata_jun7-fc8e_legacy_combined_239747_2024-08-20.json",
        CftcCot(dataset="jun7-fc8e"),
        _request("cftc"),
    ),
    "fred_api": lambda: Case(
        "fred_api/api_series_observations_GDP_latest.json",
        FredApi(),
        _request("fred_api", series_id="GDP"),
    ),
    "fred_api_vintages": lambda: Case(
        "fred_api/api_series_observations_GDP_all_vintages.json.gz",
        FredApi(vintages=True),
        _request("fred_api", series_id="GDP"),
    ),
    "fiscaldata": lambda: Case(
        "fiscaldata/constructed_operating_cash_balance_page2.json",
        FiscalDataTga(),
        _request("fiscaldata"),
    ),
    "yahoo": lambda: Case(
        "yahoo/v8_chart_ESH24.CME_interval1d_range1d_2023-12-22.json",
        YahooChart(),
        _yahoo_request(),
    ),
}


def offsets(body: bytes, kind: str) -> list[int]:
    """Cut points of one class: ``body[:offset]`` is what arrives.

    Rows end with a line break in the text formats and with ``},`` (or ``],``) in JSON,
    where a record may span several lines or a whole answer be one line.
    """
    is_json = body.lstrip()[:1] in {b"{", b"["}
    ends = (b"},", b"],") if is_json else (b"\n",)
    boundaries = sorted(
        {i + len(end) for end in ends for i in _find_all(body, end) if i + len(end) < len(body)}
    )
    if not boundaries:  # one record: every cut is inside it; the "boundary" is its end
        return list(range(1, len(body))) if kind != "row_boundary" else [len(body) - 1]
    header_end = boundaries[0]
    if kind == "header":
        return list(range(1, header_end))
    if kind == "row_boundary":
        return boundaries[1:] or boundaries
    after = set(boundaries)
    return [o for o in range(header_end + 1, len(body)) if o not in after]


def _find_all(body: bytes, needle: bytes) -> list[int]:
    found, at = [], body.find(needle)
    while at != -1:
        found.append(at)
        at = body.find(needle, at + 1)
    return found


@cache
def full_rows(name: str) -> dict[tuple[object, ...], float]:
    rows = CASES[name]().parse(CASES[name]().body)
    assert not rows.empty, name
    return _keyed(rows)


def _keyed(rows: pd.DataFrame) -> dict[tuple[object, ...], float]:
    key = [c for c in rows.columns if c != "value"]
    return {
        tuple(record[c] for c in key): float(record["value"]) for record in rows.to_dict("records")
    }


@pytest.mark.parametrize("kind", ["header", "mid_row", "row_boundary"])
@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data())
def test_a_cut_payload_is_refused_or_a_prefix_never_a_changed_value(
    name: str, kind: str, data: st.DataObject
) -> None:
    case = CASES[name]()
    body = case.body
    cut_at = data.draw(st.sampled_from(offsets(body, kind)), label="cut_at")
    try:
        rows = case.parse(body[:cut_at])
    except ParseError:
        return
    full = full_rows(name)
    for key, value in _keyed(rows).items():
        assert key in full, f"{name} cut at {cut_at}: row {key} is not in the whole payload"
        assert math.isclose(full[key], value, rel_tol=0, abs_tol=0), (
            f"{name} cut at {cut_at}: {key} reads {value}, the whole payload says {full[key]}"
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_whole_payload_is_accepted(name: str) -> None:
    assert full_rows(name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_cut_inside_the_last_value_is_refused(name: str) -> None:
    """The exact fault of the issue: the last number loses its last digits."""
    case = CASES[name]()
    body = case.body
    if name == "tic":  # the last value comes before the footer and its footnotes
        body = body[: body.index(b"Department of the Treasury")]
    body = body.rstrip(b"\r\n\t }]")
    for cut in (1, 2):
        with pytest.raises(ParseError):
            case.parse(body[:-cut])


def test_the_fred_graph_example_is_refused_with_its_reason() -> None:
    case = CASES["fred_dgs10"]()
    with pytest.raises(ParseError, match=r"ends inside a line .*cut off in transfer"):
        case.parse(b"observation_date,DGS10\n2024-08-01,3.98\n2024-08-02,3")


def test_a_tic_file_cut_in_half_is_refused_naming_the_footer() -> None:
    case = CASES["tic"]()
    with pytest.raises(ParseError, match="footer after the last year block is missing"):
        case.parse(case.body[: len(case.body) // 2])
