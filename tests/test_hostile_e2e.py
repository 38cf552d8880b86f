"""End to end: each hostile answer found by fault injection, replayed by a local server
against the ``carrywatch`` CLI. Every one ends with a non-zero exit, one clear line on
stderr (the reason in the summary table) and the store and raw archive byte for byte as
they were.

The faults: a body cut inside a value with a matching ``Content-Length`` (FRED) and a
TIC file cut in half; a value of 1e308 or a yield of -500 (fred, ustreasury, japan_mof,
tic); an endless body; a gzip bomb (about 2 GiB of zeros from a few MB); a body dripped
one chunk at a time past the deadline; a redirect to another host; an HTML page with
status 200. Faulty bodies are derived in memory from the real payloads of
``tests/payloads`` (see ``tests/test_refresh_e2e.py`` for the healthy replay).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from carrywatch.cli import data as data_commands
from carrywatch.sources.fred import FredGraph
from carrywatch.types import ParsedFrame, RawPayload
from tests import test_refresh_e2e
from tests.helpers.replay_server import ReplayServer, Reply, endless, gzip_bomb
from tests.test_refresh_e2e import (
    DGS10,
    FRED_PATH,
    MOF_CURRENT,
    MOF_CURRENT_PATH,
    MOF_HISTORY,
    MOF_HISTORY_PATH,
    TIC_PATH,
    TIC_REAL,
    UST_REAL,
    default_routes,
    payload_bytes,
    raw_files,
    refresh_args,
    run,
    summary,
)

# The healthy replay's fixtures: a copy of the seeded home whose sources point at the
# replay server, and that server.
cw_home = test_refresh_e2e.cw_home
server = test_refresh_e2e.server


def store_digest(home: Path) -> dict[str, str]:
    """sha256 of the bytes of the store file and of its write-ahead log, if one is left
    (the store runs in WAL mode: a change could sit in ``-wal`` until a checkpoint)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.glob("carrywatch.sqlite*"))
        if not path.name.endswith("-shm")  # the shared-memory index changes on reads
    }


def serve(server: ReplayServer, source: str, path: str | None, reply: Reply) -> None:
    """``source``'s healthy routes, with ``path`` (every path when ``None``) answered by
    ``reply``."""
    for route_path, query, healthy in default_routes(source):
        chosen = reply if path in {None, route_path} else healthy
        server.route(route_path, chosen, query=query)


def replace_first(body: bytes, pattern: bytes, value: bytes) -> bytes:
    """``body`` with the first match of ``pattern``'s group 1 replaced by ``value``."""
    match = re.search(pattern, body, flags=re.MULTILINE)
    assert match is not None, pattern
    return body[: match.start(1)] + value + body[match.end(1) :]


def assert_refused(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    source: str,
    *fragments: str,
    extra: tuple[str, ...] = (),
) -> None:
    """Refresh ``source``: exit 3, one line on stderr, the reason in the table, and the
    store and the raw archive exactly as before."""
    before, raw_before = store_digest(home), raw_files(home)
    code, out, err = run(capsys, *refresh_args(source), *extra)
    assert code == 3, out + err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"1 source(s) failed: {source}"), err
    assert "Traceback" not in out + err
    reason = " ".join(summary(out)[source]["first error"].split())
    for fragment in fragments:
        assert fragment in reason, reason
    assert store_digest(home) == before
    assert raw_files(home) == raw_before


# -- cut-off bodies ---------------------------------------------------------------------------


def test_a_fred_csv_cut_inside_a_value_is_refused(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The body: 2024-08-02 was 3.80, cut after its "3" (Content-Length matches).
    body = b"observation_date,DGS10\n2024-08-01,3.98\n2024-08-02,3"
    serve(server, "fred", FRED_PATH, Reply.payload(body))
    assert_refused(capsys, cw_home, "fred", "ends inside a line", "cut off in transfer")


def test_a_tic_file_cut_in_half_is_refused(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = payload_bytes(TIC_REAL)
    serve(server, "tic", TIC_PATH, Reply.payload(whole[: len(whole) // 2]))
    assert_refused(capsys, cw_home, "tic", "footer after the last year block is missing")


# -- implausible values ----------------------------------------------------------------------

OUTLIERS = {
    # source: (path, or None for all; real payload; the first value's pattern;
    #          its replacement; the series named in the error)
    "fred": (FRED_PATH, DGS10, rb"^\d{4}-\d\d-\d\d,([0-9.]+)$", b"1e308", "us.ust.10y"),
    "ustreasury": (  # the real file answers every year's path: all of them carry it
        None,
        UST_REAL,
        rb"^\d{4}-\d\d-\d\d,([0-9.]+),",
        b"-500",
        "us.ust_par.",
    ),
    "japan_mof": (
        MOF_HISTORY_PATH,
        MOF_HISTORY,
        rb"^S49\.9\.24,([0-9.]+),",
        b"1e308",
        "jp.jgb.1y",
    ),
    "tic": (TIC_PATH, TIC_REAL, rb"^Japan\t([0-9.]+)\t", b"1e308", "tic.japan.holdings"),
}


@pytest.mark.parametrize("source", sorted(OUTLIERS))
def test_a_value_outside_its_bounds_is_refused(
    source: str, cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path, real, pattern, value, series_id = OUTLIERS[source]
    body = replace_first(payload_bytes(real), pattern, value)
    serve(server, source, path, Reply.payload(body))
    if source == "japan_mof":  # MOF is two files: both carry an outlier, so both fail
        current = replace_first(payload_bytes(MOF_CURRENT), rb"^R8\.6\.1,([0-9.]+),", value)
        server.route(MOF_CURRENT_PATH, Reply.payload(current))
    assert_refused(
        capsys, cw_home, source, series_id, "outside the plausible range", "--allow-outliers"
    )


def test_allow_outliers_lets_the_user_store_it(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path, real, pattern, _, _ = OUTLIERS["fred"]
    # 55 % is outside [-5, 50] but a user may know better.
    body = replace_first(payload_bytes(real), pattern, b"55")
    serve(server, "fred", path, Reply.payload(body))
    code, out, err = run(capsys, *refresh_args("fred"), "--allow-outliers")
    assert code == 0, out + err
    assert summary(out)["fred"]["rows added"] == "1"


# -- resource limits -------------------------------------------------------------------------


def test_an_endless_body_stops_at_the_size_limit(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = b"2024-08-01,3.98\n" * 4096  # 64 KiB of plausible rows, for ever
    serve(server, "fred", FRED_PATH, Reply.stream(lambda: endless(rows)))
    assert_refused(capsys, cw_home, "fred", "larger than 16 MiB", "CARRYWATCH_FRED_MAX_BODY_MB")
    assert len(server.requests) == 1  # not retried


def test_a_gzip_bomb_stops_at_the_size_limit_after_decompression(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = Reply.stream(lambda: gzip_bomb(2048), headers=(("Content-Encoding", "gzip"),))
    serve(server, "fred", FRED_PATH, bomb)
    assert_refused(capsys, cw_home, "fred", "after decompression")


def test_a_slow_drip_ends_at_the_deadline(
    cw_home: Path,
    server: ReplayServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One line every 0.2 s: each read is quick, so only a total deadline ends it.
    monkeypatch.setenv("CARRYWATCH_HTTP_DEADLINE_S", "1")
    drip = Reply.stream(lambda: endless(b"2024-08-01,3.98\n"), chunk_delay_s=0.2)
    serve(server, "fred", FRED_PATH, drip)
    assert_refused(capsys, cw_home, "fred", "longer than 1 s", "CARRYWATCH_HTTP_DEADLINE_S")
    assert len(server.requests) == 1


def test_a_redirect_to_another_host_is_refused_naming_both(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with ReplayServer() as elsewhere:
        elsewhere.route(FRED_PATH, Reply.payload(payload_bytes(DGS10)))
        target = f"{elsewhere.origin}{FRED_PATH}?id=DGS10"
        serve(server, "fred", FRED_PATH, Reply.redirect(target))
        assert_refused(
            capsys,
            cw_home,
            "fred",
            f"redirected from {server.origin} to {elsewhere.origin}",
            f"CARRYWATCH_FRED_ORIGIN={elsewhere.origin}",
        )
        assert elsewhere.requests == []


def test_a_same_host_redirect_is_followed(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "fred", FRED_PATH, Reply.redirect(f"{FRED_PATH}?id=DGS10&moved=1"))
    server.route(
        FRED_PATH, Reply.payload(payload_bytes(DGS10)), query={"id": "DGS10", "moved": "1"}
    )
    code, out, err = run(capsys, *refresh_args("fred"))
    assert code == 0, out + err


def test_an_html_page_with_status_200_is_refused(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "fred", FRED_PATH, Reply.html())
    assert_refused(capsys, cw_home, "fred", "HTML/XML page where data was expected")


def test_reparse_applies_the_bounds_too(
    cw_home: Path, server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value stored with --allow-outliers is refused again by a plain reparse of its
    archived payload (which then writes nothing), and accepted with the option."""
    path, real, pattern, _, _ = OUTLIERS["fred"]
    body = replace_first(payload_bytes(real), pattern, b"55")
    serve(server, "fred", path, Reply.payload(body))
    code, out, err = run(capsys, *refresh_args("fred"), "--allow-outliers")
    assert code == 0, out + err
    before = store_digest(cw_home)
    code, out, err = run(capsys, "reparse", "--source", "fred")
    assert code == 3, out + err
    assert "us.ust.10y" in " ".join(summary(out)["fred"]["first error"].split())
    assert store_digest(cw_home) == before
    code, out, err = run(capsys, "reparse", "--source", "fred", "--allow-outliers")
    assert code == 0, out + err


def test_running_out_of_memory_in_a_request_says_what_to_do(
    cw_home: Path,
    server: ReplayServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exhausted(self: FredGraph, payload: RawPayload) -> ParsedFrame:
        raise MemoryError

    monkeypatch.setattr(FredGraph, "parse", exhausted)
    serve(server, "fred", FRED_PATH, Reply.payload(payload_bytes(DGS10)))
    assert_refused(capsys, cw_home, "fred", "ran out of memory", "CARRYWATCH_HTTP_MAX_BODY_MB")


def test_running_out_of_memory_anywhere_is_one_line_not_a_traceback(
    cw_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted() -> None:
        raise MemoryError

    monkeypatch.setattr(data_commands, "load_settings", exhausted)
    code, _, err = run(capsys, "series", "list")
    assert code == 1
    assert err.startswith("error: out of memory; nothing was written"), err
    assert len(err.strip().splitlines()) == 1
