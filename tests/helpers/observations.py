"""Shared helpers of the parser tests: build a payload, look a value up in a parsed frame."""

from __future__ import annotations

import pandas as pd

from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, utc_now


def make_payload(
    source: str,
    url: str,
    body: bytes,
    codes: tuple[str, ...] = (),
    media_type: str = "text/csv",
) -> RawPayload:
    """``body`` as if just fetched from ``url`` for ``codes``."""
    return RawPayload(
        request=FetchRequest(source=source, url=url, remote_codes=codes),
        body=body,
        status=200,
        media_type=media_type,
        retrieved_at=utc_now(),
    )


def _rows_on(frame: ParsedFrame, code: str, day: str) -> pd.DataFrame:
    rows = frame.rows
    return rows[(rows["remote_code"] == code) & (rows["obs_date"] == pd.Timestamp(day))]


def value_at(frame: ParsedFrame, code: str, day: str) -> float:
    """The one value of ``code`` on ``day`` (fails the test if there is not exactly one)."""
    hit = _rows_on(frame, code, day)
    assert len(hit) == 1, f"{code} {day}: {len(hit)} rows"
    return float(hit["value"].iloc[0])


def has_obs(frame: ParsedFrame, code: str, day: str) -> bool:
    """Whether ``frame`` has a value of ``code`` on ``day``."""
    return not _rows_on(frame, code, day).empty
