"""Failures to connect are told apart from a provider's failures, and say what to check.

A refused connection is a real one (a loopback port nothing listens on); a failed name
lookup is httpx's ConnectError raised from ``socket.gaierror``, as httpcore raises it."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from carrywatch.cli import main
from carrywatch.errors import FetchError
from carrywatch.sources.http import HttpClient, RetryPolicy, transport_failure
from carrywatch.types import FetchRequest


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_says_the_network_side_failed() -> None:
    port = _closed_port()
    request = FetchRequest(source="kalshi", url=f"http://127.0.0.1:{port}/trade-api/v2/events")
    with (
        HttpClient(retry=RetryPolicy(max_attempts=1), sleep=lambda _: None) as client,
        pytest.raises(FetchError) as caught,
    ):
        client.get(request)
    text = str(caught.value)
    assert "ConnectError" in text
    assert "the connection was refused" in text
    assert "the network is unreachable from here or the address is wrong" in text
    assert "CARRYWATCH_KALSHI_ORIGIN" in text
    assert "did not answer" not in text


def test_a_failed_name_lookup_names_the_host() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        lookup = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise httpx.ConnectError("[Errno -2] Name or service not known") from lookup

    request = FetchRequest(source="kalshi", url="https://api.elections.kalshi.com/x")
    with (
        HttpClient(
            transport=httpx.MockTransport(fail),
            retry=RetryPolicy(max_attempts=2),
            sleep=lambda _: None,
        ) as client,
        pytest.raises(FetchError) as caught,
    ):
        client.get(request)
    text = str(caught.value)
    assert "host name api.elections.kalshi.com could not be resolved" in text
    assert "after 2 attempt(s)" in text


def test_a_timeout_is_the_providers() -> None:
    text = transport_failure(httpx.ReadTimeout("slow"), "example.org", "fred")
    assert "the provider did not answer in time" in text
    assert "network is unreachable" not in text


def test_markets_refresh_offline_says_the_network_is_unreachable(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("CARRYWATCH_KALSHI_ORIGIN", origin)
    monkeypatch.setenv("CARRYWATCH_RETRY_BASE_S", "0.001")
    code = main(["markets", "refresh", "fed"])
    err = capsys.readouterr().err
    assert code == 3
    assert "the network is unreachable from here or the address is wrong" in err
    assert "did not answer" not in err
