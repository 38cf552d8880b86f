"""Fault injection on the FRED API: a valid observations answer to another question.

A ``series/observations`` answer names neither its series nor its vintage rule in its
rows, but it echoes the query at the top level [verified in every recording]:
``units`` (``lin`` unless asked: ``chg``, ``pch`` ... are transformations of the series),
``output_type`` (1 = values by real-time period, 4 = first release) and
``realtime_start``/``realtime_end``. An answer whose echo differs from the request is
another question's answer, and reading it as this one's stores wrong numbers silently:
percent changes as levels, today's revised values as first releases (the as-of view),
or the current values as a vintage history.

Payloads: the real recorded GDP answers (tests/payloads/fred_api/README.md): the latest
values (output_type 1, real-time 2024-12-19), the first releases (output_type 4,
real-time 1776-07-04 to 9999-12-31). The ``units`` variant changes only that echo, in
memory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carrywatch.errors import ParseError
from carrywatch.sources.fred_api import FredApi
from carrywatch.types import FetchRequest, Window
from tests.sources.test_fred_api import _payload

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "fred_api"
LATEST = (PAYLOADS / "api_series_observations_GDP_latest.json").read_bytes()
FIRST_RELEASE = (
    PAYLOADS / "api_series_observations_GDP_output_type4_first_release.json"
).read_bytes()


def _latest_request() -> FetchRequest:
    (request,) = FredApi().plan(["GDP"], Window())
    return request


def _first_release_request() -> FetchRequest:
    (request,) = FredApi().plan_first_release(["GDP"], Window())
    return request


def _vintages_request() -> FetchRequest:
    (request,) = FredApi(vintages=True).plan(["GDP"], Window())
    return request


def test_each_answer_is_read_for_its_own_question() -> None:
    assert len(FredApi().parse(_payload(LATEST, _latest_request())).rows) > 0
    assert len(FredApi().parse(_payload(FIRST_RELEASE, _first_release_request())).rows) == 132


def test_latest_values_answering_the_first_release_query_are_refused() -> None:
    with pytest.raises(ParseError, match=r"output_type.*asked 4.*answer.* 1"):
        FredApi().parse(_payload(LATEST, _first_release_request()))


def test_latest_values_answering_the_vintages_query_are_refused() -> None:
    with pytest.raises(ParseError, match=r"realtime_start.*asked '1776-07-04'.*'2024-12-19'"):
        FredApi(vintages=True).parse(_payload(LATEST, _vintages_request()))


def test_first_releases_answering_the_latest_query_are_refused() -> None:
    with pytest.raises(ParseError, match=r"output_type.*asked 1.*answer.* 4"):
        FredApi().parse(_payload(FIRST_RELEASE, _latest_request()))


def test_another_units_transformation_is_refused() -> None:
    document = json.loads(LATEST)
    assert document["units"] == "lin"
    document["units"] = "pch"  # percent change from the previous period
    with pytest.raises(ParseError, match=r"units.*asked 'lin'.*'pch'"):
        FredApi().parse(_payload(json.dumps(document).encode(), _latest_request()))
