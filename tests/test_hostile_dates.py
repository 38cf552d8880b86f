"""Fault injection: an observation dated after the moment its payload was retrieved.

A daily market file cannot hold a value for a day that has not happened: a row dated
after the retrieval is a provider's (or a proxy's) error, such as a date column shifted
or a template row filled in ahead. The frame contract refuses only dates more than 400
days ahead of the wall clock (``frames.observations_frame``), so such a row would be
stored and become the series' latest value once that day came, shown as if observed.
Expected (``catalog.plausibility.check_not_after``, in the refresh's worker): the refresh
of that source fails (exit 3, one line), the store unchanged.

The body is the real par-curve CSV of the healthy replay (``tests/test_refresh_e2e.py``)
with one row added in memory: its newest row (2025-07-11) again, dated 2025-07-21, a
week after the pinned retrieval moment 2025-07-14 12:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests import test_refresh_e2e
from tests.helpers.replay_server import ReplayServer, Reply
from tests.test_hostile_e2e import assert_refused, serve
from tests.test_refresh_e2e import UST_REAL, payload_bytes

cw_home = test_refresh_e2e.cw_home
server = test_refresh_e2e.server

#: When the replayed answers are retrieved (the HTTP client's clock).
RETRIEVED_AT = datetime(2025, 7, 14, 12, 0, tzinfo=UTC)


def test_a_row_dated_after_the_retrieval_is_refused(
    cw_home: Path,
    server: ReplayServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("carrywatch.sources.http.utc_now", lambda: RETRIEVED_AT)
    header, newest, rest = payload_bytes(UST_REAL).split(b"\n", 2)
    assert newest.startswith(b"2025-07-11,")
    ahead = newest.replace(b"2025-07-11", b"2025-07-21", 1)
    body = b"\n".join([header, ahead, newest, rest])
    serve(server, "ustreasury", None, Reply.payload(body))
    assert_refused(capsys, cw_home, "ustreasury", "2025-07-21", "after")
