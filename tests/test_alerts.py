"""``carrywatch alerts`` and ``refresh --alerts`` on a store seeded from the real snapshot.

Reference values (published, and as recorded in the snapshot):
  FRED DGS10 2024-07-31 = 4.09, 2024-08-01 = 3.99; MOF JGB 10y R6.7.31 = 1.07, R6.8.1 =
  1.046 (tests/payloads/fred, tests/payloads/japan_mof): the 10y spread went from 3.02 to
  2.944 pp on 1 August 2024, its first close below 3 pp.
  CFTC yen non-commercial net, report of Friday 16 August 2024 (positions of Tuesday 13
  August): +23.1K contracts after -11.4K, speculators net long the yen (fx.co forex news
  2395120, "net positions have surged to 23.1K ... previous ... -11.4K").
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from carrywatch.cli import main
from tests.helpers.replay_server import ReplayServer, Reply

PAYLOADS = Path(__file__).parent / "payloads"

RULES = """
[delivery]
jsonl = "alerts.jsonl"

[[rule]]
name = "10y spread below 3 pp"
kind = "crossing"
target = "spread.us_jp.10y"
below = 3.0
note = "the article's trigger is 1.5 pp"

[[rule]]
name = "speculators flip the yen"
kind = "sign_flip"
target = "cftc.jpy.noncommercial_net"

[[rule]]
name = "BOJ call rate stale"
kind = "stale"
target = "jp.boj.call_rate"
"""


@pytest.fixture
def cw_home(home: Path, seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(seeded, home)
    monkeypatch.setenv("CARRYWATCH_RETRY_BASE_S", "0.01")
    return home


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


def _fired_rows(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "carrywatch.sqlite") as db:
        return db.execute("SELECT rule, event_key FROM alert_events ORDER BY 1, 2").fetchall()


def test_check_fires_each_event_once_and_keeps_the_state(
    cw_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "check", str(rules), "--asof", "2024-08-05"]) == 10
    output = capsys.readouterr().out
    # DGS10 3.99 - JGB 1.046 = 2.944 pp on 2024-08-01, after 4.09 - 1.07 = 3.02.
    assert (
        "ALERT 10y spread below 3 pp: spread.us_jp.10y crossed below 3 pp: 2.944 pp on "
        "2024-08-01 (previous 3.02 pp)" in output
    )
    # jp.boj.call_rate has no history in the snapshot: stale from the first check.
    assert "ALERT BOJ call rate stale: jp.boj.call_rate has no observation" in output
    assert _fired_rows(cw_home) == [
        ("10y spread below 3 pp", "crossing:spread.us_jp.10y:2024-08-01"),
        ("BOJ call rate stale", "stale:jp.boj.call_rate:never"),
    ]
    lines = [json.loads(x) for x in (rules.parent / "alerts.jsonl").read_text().splitlines()]
    assert [x["rule"] for x in lines] == ["10y spread below 3 pp", "BOJ call rate stale"]
    assert lines[0]["value"] == 2.944
    assert lines[0]["asof"] == "2024-08-05"
    # Checked again, nothing new: exit 0, nothing appended.
    assert main(["alerts", "check", str(rules), "--asof", "2024-08-06"]) == 0
    assert "ALERT" not in capsys.readouterr().out
    assert len((rules.parent / "alerts.jsonl").read_text().splitlines()) == 2


def test_check_on_the_day_the_cftc_report_showed_the_flip(
    cw_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "check", str(rules), "--asof", "2024-08-16"]) == 10
    output = capsys.readouterr().out
    assert (
        "speculators flip the yen: cftc.jpy.noncommercial_net turned positive: 23104 "
        "contracts on 2024-08-13 (previous -11354 contracts)" in output
    )


def test_the_day_before_the_report_the_flip_is_not_known(
    cw_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Positions of Tuesday 13 August are published on Friday 16 (release lag 3 days).
    main(["alerts", "check", str(rules), "--asof", "2024-08-15"])
    assert "turned positive" not in capsys.readouterr().out


def test_history_back_tests_without_recording(
    cw_home: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["alerts", "history", str(rules), "--from", "2024-07-01", "--to", "2024-08-31"]
    assert main([*args, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    flips = [r for r in rows if r["kind"] == "sign_flip"]
    assert [(r["obs_date"], r["reported"], r["value"]) for r in flips] == [
        ("2024-08-13", "2024-08-16", 23104.0)
    ]
    crossings = [r["obs_date"] for r in rows if r["kind"] == "crossing"]
    assert crossings[0] == "2024-08-01"
    assert _fired_rows(cw_home) == []


def test_history_exports_parquet_and_excel(
    cw_home: Path, rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["alerts", "history", str(rules), "--from", "2024-08-01", "--to", "2024-08-31"]
    assert main([*args, "--format", "parquet", "--out", str(tmp_path / "h.parquet")]) == 0
    frame = pd.read_parquet(tmp_path / "h.parquet")
    assert "2024-08-13" in {str(d) for d in frame["obs_date"]}
    assert main([*args, "--format", "xlsx", "--out", str(tmp_path / "h.xlsx")]) == 0
    assert len(pd.read_excel(tmp_path / "h.xlsx")) == len(frame)
    assert main([*args, "--format", "parquet"]) == 1
    assert "is binary: give --out FILE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[rule]]\nname = 'x'\nkind = 'level'\ntarget = 'spread.us_jp.10yy'\nabove = 1",
            "rule 'x': target: unknown target 'spread.us_jp.10yy'; did you mean spread.us_jp.10y",
        ),
        (
            "[[rule]]\nname = 'x'\nkind = 'level'\ntarget = 'fx.usdjpy'\nabove = 'high'",
            "'above' must be a number",
        ),
        (
            "[[rule]]\nname = 'x'\nkind = 'level'\ntarget = 'fx.usdjpy'\nabov = 1",
            "unknown field(s) ['abov']",
        ),
        (
            "[[rule]]\nname = 'x'\nkind = 'stale'\ntarget = 'spread.us_jp.10y'",
            "a stale rule watches a series id",
        ),
        ("[[rule]\nname = 'x'", "is not valid TOML"),
        ("", "no [[rule]] entries"),
        ("# " + "x" * 1_000_001, "is larger than 1000000 bytes; a rules file is a short TOML file"),
        (
            "[[rule]]\nname = 'x'\nkind = 'move'\ntarget = 'fx.usdjpy'\nsigmas = -2",
            "a move rule needs sigmas > 0",
        ),
        (
            "[delivery]\nwebhook_url_env = 'NOT_SET_ANYWHERE'\n[[rule]]\nname = 'x'\n"
            "kind = 'sign_flip'\ntarget = 'fx.usdjpy'",
            "NOT_SET_ANYWHERE, which is not set",
        ),
    ],
)
def test_a_bad_rules_file_is_one_line_exit_1_and_records_nothing(
    cw_home: Path, tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["alerts", "check", str(path), "--asof", "2024-08-05"]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert _fired_rows(cw_home) == []


# --- the webhook ------------------------------------------------------------------------


class _Hook:
    """A local webhook: answers POSTs with the statuses given, the last repeating."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(size)))
                hook.headers.append(dict(self.headers))
                status = hook.statuses.pop(0) if len(hook.statuses) > 1 else hook.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0KEN-S3CRET"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, list[_Hook]]]:
    hooks: list[_Hook] = []
    path = tmp_path / "hook.toml"
    path.write_text(
        "[delivery]\nwebhook_url_env = 'DESK_HOOK'\n" + RULES.split("\n", 3)[3], encoding="utf-8"
    )
    yield path, hooks
    for hook in hooks:
        hook.close()


def _hook(statuses: list[int], hooks: list[_Hook], monkeypatch: pytest.MonkeyPatch) -> _Hook:
    hook = _Hook(statuses)
    hooks.append(hook)
    monkeypatch.setenv("DESK_HOOK", hook.url)
    return hook


def test_the_webhook_gets_one_json_post_after_a_retry(
    cw_home: Path,
    hook_rules: tuple[Path, list[_Hook]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, hooks = hook_rules
    hook = _hook([503, 200], hooks, monkeypatch)
    assert main(["alerts", "check", str(path), "--asof", "2024-08-05"]) == 10
    assert len(hook.bodies) == 2  # the 503 was retried
    body = hook.bodies[-1]
    assert body["source"] == "carrywatch"
    assert body["asof"] == "2024-08-05"
    assert [e["key"] for e in body["events"]] == [
        "crossing:spread.us_jp.10y:2024-08-01",
        "stale:jp.boj.call_rate:never",
    ]
    assert hook.headers[-1]["Content-Type"] == "application/json"
    captured = capsys.readouterr()
    assert "T0KEN-S3CRET" not in captured.out + captured.err


def test_the_webhook_url_never_reaches_a_log_line(
    cw_home: Path,
    hook_rules: tuple[Path, list[_Hook]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # httpx logs every request's URL at INFO: the client redacts the webhook's.
    path, hooks = hook_rules
    _hook([200], hooks, monkeypatch)
    with caplog.at_level(logging.DEBUG):
        assert main(["alerts", "check", str(path), "--asof", "2024-08-05"]) == 10
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert requests, "httpx logged no request: nothing was checked"
    assert all("T0KEN-S3CRET" not in m for m in requests)
    assert any("<redacted>" in m for m in requests)


def test_a_failing_webhook_exits_1_names_only_its_host_and_fires_again(
    cw_home: Path,
    hook_rules: tuple[Path, list[_Hook]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, hooks = hook_rules
    hook = _hook([500], hooks, monkeypatch)
    assert main(["alerts", "check", str(path), "--asof", "2024-08-05"]) == 1
    err = capsys.readouterr().err
    assert "the webhook at http://127.0.0.1 did not take the alerts (HTTP 500)" in err
    assert "T0KEN-S3CRET" not in err
    assert len(hook.bodies) == 4  # the client's attempts
    assert _fired_rows(cw_home) == []
    # Once it answers, the same events go out.
    hook.statuses[:] = [204]
    assert main(["alerts", "check", str(path), "--asof", "2024-08-05"]) == 10
    assert len(_fired_rows(cw_home)) == 2


# --- refresh --alerts ---------------------------------------------------------------------


def test_refresh_then_alerts_from_cron(
    cw_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The real DGS10 download replayed (it equals the snapshot: nothing new), then a level
    # rule in force on the snapshot's last day fires once, and only once.
    rules = tmp_path / "cron.toml"
    rules.write_text(
        "[[rule]]\nname = 'spread positive'\nkind = 'level'\ntarget = 'spread.us_jp.10y'\n"
        "above = 0\n",
        encoding="utf-8",
    )
    dgs10 = (PAYLOADS / "fred" / "XinyuLiu2403__acc102-macro-dashboard__DGS10.csv").read_bytes()
    with ReplayServer() as server:
        server.route("/graph/fredgraph.csv", Reply.payload(dgs10))
        monkeypatch.setenv("CARRYWATCH_FRED_ORIGIN", server.origin)
        args = ["refresh", "--source", "fred", "--series", "us.ust.10y", "--alerts", str(rules)]
        assert main(args) == 10
        assert "ALERT spread positive: spread.us_jp.10y is above 0 pp" in capsys.readouterr().out
        assert main(args) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rule]]\nname = 'x'\n", encoding="utf-8")
    assert main(["refresh", "--source", "fred", "--alerts", str(bad)]) == 1
    assert "'kind' must be a non-empty string" in capsys.readouterr().err
