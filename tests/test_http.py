"""Tests of :mod:`carrywatch.sources.http`: retries, Retry-After, per-host limits, secrets.

Every server is an ``httpx.MockTransport`` handler; no test sleeps: the client gets a
``sleep`` that records the waits it is asked for, a seeded ``random.Random(0)`` and a
fixed clock (:data:`NOW`), so that no outcome depends on the day or on how long the
suite has been running.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import random
import re
import socket
import threading
import time
import traceback
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from carrywatch.errors import ConfigError, FetchError
from carrywatch.sources.http import DEFAULT_USER_AGENT, HttpClient, RetryPolicy, display_url
from carrywatch.types import FetchRequest, RawPayload
from tests.helpers.replay_server import endless, gzip_bomb

Handler = Callable[[httpx.Request], httpx.Response]

#: A key of FRED's shape (32 lower-case alphanumerics), distinctive enough that a
#: substring search cannot miss it anywhere it leaks to. Not a real key.
SECRET = "5ecret0key0do0not0leak0abcdef012"
URL = "https://api.stlouisfed.org/fred/series/observations"
KEYED = FetchRequest(
    source="fred_api",
    url=URL,
    params=(("series_id", "GDP"), ("file_type", "json")),
    remote_codes=("GDP",),
    secret_param=("api_key", "fred_api_key"),
)
PLAIN = FetchRequest(
    source="fred",
    url="https://fred.stlouisfed.org/graph/fredgraph.csv",
    params=(("id", "DGS10"),),
)
#: The default policy: 4 attempts, base 0.5 s, cap 30 s, Retry-After up to 120 s.
POLICY = RetryPolicy()
#: The client's wall clock in these tests (Retry-After dates are read against it).
NOW = datetime(2024, 8, 5, 12, 0, 0, tzinfo=UTC)


class Server:
    """A scripted MockTransport handler that records what it received."""

    def __init__(self, answers: Sequence[Handler | httpx.Response | Exception]) -> None:
        self._answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # The last answer repeats, so "always 503" is a one-element script.
        answer = self._answers[min(len(self.requests), len(self._answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def _client(
    server: Handler,
    waits: list[float] | None = None,
    *,
    retry: RetryPolicy = POLICY,
    secrets: dict[str, str] | None = None,
    max_per_host: int = 2,
    connect_timeout_s: float = 10.0,
) -> HttpClient:
    return HttpClient(
        transport=httpx.MockTransport(server),
        secrets={"fred_api_key": SECRET} if secrets is None else secrets,
        retry=retry,
        max_per_host=max_per_host,
        connect_timeout_s=connect_timeout_s,
        sleep=(waits.append if waits is not None else _no_sleep),
        rng=random.Random(0),
        clock=lambda: NOW,
    )


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"the client slept {seconds} s where no retry was expected")


def _fail(server: Handler, request: FetchRequest = KEYED) -> FetchError:
    with _client(server, []) as client, pytest.raises(FetchError) as info:
        client.get(request)
    return info.value


def _error_text(err: BaseException) -> str:
    """Everything about an error a user, a log or a crash reporter could get to see."""
    shown = "".join(traceback.format_exception(err))
    return "\n".join([str(err), repr(err), repr(err.args), repr(vars(err)), shown])


# --- success ----------------------------------------------------------------------------


def test_200_returns_the_body_untouched_with_its_provenance() -> None:
    # Bytes a decoder would change: BOM, CRLF, NUL, invalid UTF-8, trailing spaces.
    body = b"\xef\xbb\xbfDATE,DGS10\r\n2024-08-05,3.78\r\n\x00\xff\xfe  \r\n"
    server = Server(
        [httpx.Response(200, content=body, headers={"Content-Type": "text/csv; charset=utf-8"})]
    )
    with _client(server) as client:
        payload = client.get(PLAIN)

    assert isinstance(payload, RawPayload)
    assert payload.body == body
    assert payload.status == 200
    assert payload.media_type == "text/csv"
    assert payload.sha256 == hashlib.sha256(body).hexdigest()
    assert payload.n_bytes == len(body)
    assert payload.request == PLAIN
    assert payload.retrieved_at.utcoffset() == timedelta(0)
    assert payload.retrieved_at == NOW  # the client's clock
    assert len(server.requests) == 1
    assert str(server.requests[0].url) == f"{PLAIN.url}?id=DGS10"


def test_a_missing_content_type_gives_an_empty_media_type() -> None:
    with _client(Server([httpx.Response(200, content=b"[]")])) as client:
        payload = client.get(PLAIN)
    assert payload.media_type == ""
    assert payload.body == b"[]"


# --- retries and backoff ----------------------------------------------------------------


def test_5xx_are_retried_with_full_jitter_until_success() -> None:
    server = Server(
        [httpx.Response(500), httpx.Response(502), httpx.Response(503), httpx.Response(200)]
    )
    waits: list[float] = []
    with _client(server, waits) as client:
        payload = client.get(PLAIN)

    assert payload.status == 200
    assert len(server.requests) == 4
    # Retry k waits uniform(0, min(cap, base * 2**(k-1))): ceilings 0.5, 1, 2 s.
    ceilings = [min(30.0, 0.5 * 2 ** (k - 1)) for k in (1, 2, 3)]
    assert ceilings == [0.5, 1.0, 2.0]
    assert len(waits) == 3
    for wait, ceiling in zip(waits, ceilings, strict=True):
        assert 0.0 <= wait <= ceiling
    # The injected rng is the only source of randomness: the same seed replays the waits.
    replay = random.Random(0)
    assert waits == [replay.uniform(0.0, c) for c in ceilings]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_every_transient_status_is_retried(status: int) -> None:
    server = Server([httpx.Response(status), httpx.Response(200, content=b"ok")])
    waits: list[float] = []
    with _client(server, waits) as client:
        payload = client.get(PLAIN)
    assert payload.body == b"ok"
    assert len(server.requests) == 2
    assert len(waits) == 1
    assert 0.0 <= waits[0] <= 0.5


def test_a_persistent_5xx_fails_after_max_attempts() -> None:
    server = Server([httpx.Response(503)])
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=3)
    with _client(server, waits, retry=policy) as client, pytest.raises(FetchError) as info:
        client.get(PLAIN)
    assert len(server.requests) == 3
    assert len(waits) == 2
    assert info.value.status == 503
    assert info.value.source == "fred"
    assert info.value.url == "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"
    assert "after 3 attempt(s)" in str(info.value)


def test_the_backoff_ceiling_is_capped() -> None:
    policy = RetryPolicy(max_attempts=6, backoff_base_s=1.0, backoff_cap_s=3.0)
    server = Server([httpx.Response(502), httpx.Response(502), httpx.Response(502)] * 2)
    waits: list[float] = []
    with _client(server, waits, retry=policy) as client, pytest.raises(FetchError):
        client.get(PLAIN)
    ceilings = [1.0, 2.0, 3.0, 3.0, 3.0]  # min(3, 1 * 2**(k-1)) for k = 1..5
    replay = random.Random(0)
    assert waits == [replay.uniform(0.0, c) for c in ceilings]


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 8])
def test_backoff_is_full_jitter_over_the_whole_interval(attempt: int) -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_cap_s=3.0)
    ceiling = min(3.0, 0.5 * 2 ** (attempt - 1))
    rng = random.Random(0)
    draws = [policy.backoff_s(attempt, rng) for _ in range(400)]
    assert all(0.0 <= d <= ceiling for d in draws)
    # Full jitter spreads over [0, ceiling], unlike "equal jitter" which never goes below
    # half of it: both ends of the interval are visited.
    assert min(draws) < 0.05 * ceiling
    assert max(draws) > 0.95 * ceiling


def test_a_policy_without_attempts_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


# --- Retry-After ------------------------------------------------------------------------


def test_retry_after_seconds_is_the_wait() -> None:
    server = Server(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=b"ok")]
    )
    waits: list[float] = []
    with _client(server, waits) as client:
        payload = client.get(PLAIN)
    assert waits == [7.0]
    assert payload.body == b"ok"


def test_retry_after_on_a_503_is_honoured_too() -> None:
    server = Server([httpx.Response(503, headers={"Retry-After": "12"}), httpx.Response(200)])
    waits: list[float] = []
    with _client(server, waits) as client:
        client.get(PLAIN)
    assert waits == [12.0]


def test_retry_after_as_an_http_date_is_honoured() -> None:
    when = NOW + timedelta(seconds=40)
    header = format_datetime(when, usegmt=True)  # IMF-fixdate, e.g. "Mon, 05 Aug 2024 ... GMT"
    server = Server([httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200)])
    waits: list[float] = []
    with _client(server, waits) as client:
        client.get(PLAIN)
    assert waits == [40.0]  # 40 s after the client's clock


def test_retry_after_in_the_past_means_retry_now() -> None:
    header = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    server = Server([httpx.Response(503, headers={"Retry-After": header}), httpx.Response(200)])
    waits: list[float] = []
    with _client(server, waits) as client:
        client.get(PLAIN)
    assert waits == [0.0]


def test_retry_after_in_asctime_form_is_honoured() -> None:
    when = NOW + timedelta(seconds=40)
    header = when.strftime("%a %b %d %H:%M:%S %Y")  # asctime: no zone, means GMT
    server = Server([httpx.Response(503, headers={"Retry-After": header}), httpx.Response(200)])
    waits: list[float] = []
    with _client(server, waits) as client:
        client.get(PLAIN)
    assert waits == [40.0]


def test_an_unparseable_retry_after_falls_back_to_backoff() -> None:
    server = Server([httpx.Response(503, headers={"Retry-After": "soon"}), httpx.Response(200)])
    waits: list[float] = []
    with _client(server, waits) as client:
        client.get(PLAIN)
    assert waits == [random.Random(0).uniform(0.0, 0.5)]


@pytest.mark.parametrize(
    ("header", "low_s", "high_s"),
    [
        ("3600", 3600, 3600),
        # Two hours after the client's fixed clock: 7200 s, however long the suite runs.
        (format_datetime(NOW + timedelta(hours=2), usegmt=True), 7200, 7200),
    ],
    ids=["seconds", "http-date"],
)
def test_a_retry_after_beyond_the_limit_fails_at_once(header: str, low_s: int, high_s: int) -> None:
    server = Server([httpx.Response(429, headers={"Retry-After": header})])
    err = _fail(server, PLAIN)
    assert len(server.requests) == 1
    assert err.status == 429
    message = str(err)
    # It says how long the provider wants us to stay away, and that the limit is 120 s.
    seconds = [int(n) for n in re.findall(r"\b(\d+) s\b", message)]
    assert any(low_s <= n <= high_s for n in seconds), message
    assert 120 in seconds
    assert "later" in message


# --- transport errors -------------------------------------------------------------------


def _raising(kind: type[httpx.TransportError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        # Real httpx/httpcore messages can carry the full URL, query and key included.
        raise kind(f"boom while talking to {request.url}", request=request)

    return handler


TRANSPORT_ERRORS = [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ConnectError]


@pytest.mark.parametrize("kind", TRANSPORT_ERRORS)
def test_transport_errors_are_retried(kind: type[httpx.TransportError]) -> None:
    server = Server([_raising(kind), _raising(kind), httpx.Response(200, content=b"ok")])
    waits: list[float] = []
    with _client(server, waits) as client:
        payload = client.get(KEYED)
    assert payload.body == b"ok"
    assert len(server.requests) == 3
    replay = random.Random(0)
    assert waits == [replay.uniform(0.0, 0.5), replay.uniform(0.0, 1.0)]


@pytest.mark.parametrize("kind", TRANSPORT_ERRORS)
def test_transport_errors_fail_after_max_attempts_without_chaining(
    kind: type[httpx.TransportError],
) -> None:
    server = Server([_raising(kind)])
    err = _fail(server, KEYED)
    assert len(server.requests) == 4
    assert err.url == display_url(KEYED)
    assert err.url == f"{URL}?series_id=GDP&file_type=json"
    assert err.status is None
    assert err.source == "fred_api"
    assert kind.__name__ in str(err)
    assert "after 4 attempt(s)" in str(err)
    # The original message embeds the URL with the key: it must not travel with the error.
    assert err.__cause__ is None
    assert err.__context__ is None  # the httpx error (which may hold the URL) is dropped
    shown = _error_text(err)
    assert "boom while talking to" not in shown
    assert SECRET not in shown


# --- final statuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, b"Series does not exist."),
        (400, b'{"error_code":400,"error_message":"Bad Request.  Variable observation_start"}'),
        (403, b"<html><body>Access denied</body></html>"),
    ],
)
def test_client_errors_fail_at_once_with_a_snippet(status: int, body: bytes) -> None:
    server = Server([httpx.Response(status, content=body)])
    err = _fail(server, PLAIN)
    assert len(server.requests) == 1
    assert err.status == status
    assert err.url == display_url(PLAIN)
    assert f"HTTP {status}" in str(err)
    assert body.decode()[:40] in str(err)


def test_the_body_snippet_is_short() -> None:
    body = b"<html>" + b"x" * 10_000 + b"THE-END</html>"
    err = _fail(Server([httpx.Response(404, content=body)]), PLAIN)
    assert "<html>xxxx" in str(err)
    assert "THE-END" not in str(err)
    assert len(str(err)) < 300


def test_an_empty_error_body_says_so() -> None:
    err = _fail(Server([httpx.Response(410)]), PLAIN)
    assert "(empty body)" in str(err)


# --- secrets ----------------------------------------------------------------------------


def test_the_key_is_sent_but_never_kept() -> None:
    server = Server([httpx.Response(200, content=b"{}")])
    with _client(server) as client:
        payload = client.get(KEYED)

    (sent,) = server.requests
    assert sent.url.params["api_key"] == SECRET
    assert sent.url.query.decode() == f"series_id=GDP&file_type=json&api_key={SECRET}"

    assert payload.request == KEYED
    assert payload.request.params == (("series_id", "GDP"), ("file_type", "json"))
    assert display_url(payload.request) == f"{URL}?series_id=GDP&file_type=json"
    for text in (repr(payload), repr(payload.request), display_url(payload.request)):
        assert SECRET not in text


def _echo_query(status: int) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=f"bad request: {request.url.query.decode()}")

    return handler


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param([httpx.Response(500)], id="500-forever"),
        pytest.param([_echo_query(503)], id="503-echo-forever"),
        pytest.param([httpx.Response(404, text="no such series")], id="404"),
        pytest.param([httpx.Response(429, headers={"Retry-After": "86400"})], id="429-too-long"),
        pytest.param([_raising(httpx.ConnectTimeout)], id="connect-timeout"),
    ],
)
def test_no_fetch_error_contains_the_key(answers: list[Handler | httpx.Response]) -> None:
    server = Server(answers)
    err = _fail(server, KEYED)
    assert server.requests[0].url.params["api_key"] == SECRET  # it was really sent
    assert err.url == f"{URL}?series_id=GDP&file_type=json"
    assert SECRET not in _error_text(err)


def test_a_400_that_echoes_the_query_does_not_leak_the_key() -> None:
    server = Server([_echo_query(400)])
    err = _fail(server, KEYED)
    assert server.requests[0].url.params["api_key"] == SECRET
    assert err.status == 400
    assert SECRET not in _error_text(err)


def test_the_key_never_reaches_a_log_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = Server([httpx.Response(503), httpx.Response(200)])
    with _client(server, []) as client:
        client.get(KEYED)
    assert caplog.records, "httpx logs each request; nothing captured means no check"
    for record in caplog.records:
        assert SECRET not in record.getMessage()


@pytest.mark.parametrize("secrets", [{}, {"fred_api_key": ""}])
def test_a_missing_key_is_a_config_error_naming_the_variable(secrets: dict[str, str]) -> None:
    server = Server([httpx.Response(200)])
    with (
        _client(server, secrets=secrets) as client,
        pytest.raises(ConfigError, match="FRED_API_KEY") as info,
    ):
        client.get(KEYED)
    assert "fred_api" in str(info.value)
    assert server.requests == []  # nothing was sent without the key
    assert client.has_secret("fred_api_key") is False


def test_has_secret_reports_a_configured_key() -> None:
    with _client(Server([httpx.Response(200)])) as client:
        assert client.has_secret("fred_api_key") is True
        assert client.has_secret("other_key") is False


def test_display_url() -> None:
    assert display_url(FetchRequest(source="s", url="https://h.test/a")) == "https://h.test/a"
    request = FetchRequest(
        source="s", url="https://h.test/a", params=(("q", "a b&c"), ("id", "DGS10"))
    )
    assert display_url(request) == "https://h.test/a?q=a+b%26c&id=DGS10"


# --- per-host concurrency ---------------------------------------------------------------


class Gate:
    """A handler that holds every request until released, counting who is inside."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.inside: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        with self._lock:
            self.inside[host] += 1
            self.peak[host] = max(self.peak[host], self.inside[host])
            self.peak_total = max(self.peak_total, self.inside.total())
        try:
            self.release.wait(timeout=10)
        finally:
            with self._lock:
                self.inside[host] -= 1
        return httpx.Response(200, content=host.encode())

    def wait_until(self, inside: dict[str, int], timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if all(self.inside[h] >= n for h, n in inside.items()):
                    return
            time.sleep(0.005)
        raise AssertionError(f"never reached {inside}; inside: {dict(self.inside)}")


@pytest.fixture
def gate() -> Iterator[Gate]:
    handler = Gate()
    yield handler
    handler.release.set()  # never leave a worker thread blocked


def _run(client: HttpClient, urls: list[str], gate: Gate, expect: dict[str, int]) -> list[bytes]:
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        futures = [pool.submit(client.get, FetchRequest(source="s", url=u)) for u in urls]
        gate.wait_until(expect)
        # Give the other workers time to barge in if the limit did not hold.
        time.sleep(0.2)
        with gate._lock:
            snapshot = dict(gate.inside)
        gate.release.set()
        bodies = [f.result(timeout=10).body for f in futures]
    assert snapshot == expect
    return bodies


def test_at_most_max_per_host_requests_are_in_flight(gate: Gate) -> None:
    urls = [f"https://fred.stlouisfed.org/graph/{i}.csv" for i in range(8)]
    with _client(gate, max_per_host=2) as client:
        bodies = _run(client, urls, gate, {"fred.stlouisfed.org": 2})
    assert bodies == [b"fred.stlouisfed.org"] * 8
    assert gate.peak == Counter({"fred.stlouisfed.org": 2})


def test_the_limit_is_per_host(gate: Gate) -> None:
    hosts = ["www.mof.go.jp", "home.treasury.gov"]
    urls = [f"https://{hosts[i % 2]}/data/{i}.csv" for i in range(8)]
    with _client(gate, max_per_host=2) as client:
        bodies = _run(client, urls, gate, dict.fromkeys(hosts, 2))
    assert Counter(bodies) == Counter({h.encode(): 4 for h in hosts})
    assert gate.peak == Counter(dict.fromkeys(hosts, 2))
    assert gate.peak_total == 4


# --- headers and timeouts ---------------------------------------------------------------


def test_user_agent_and_request_headers_are_sent() -> None:
    server = Server([httpx.Response(200)])
    request = FetchRequest(
        source="japan_mof",
        url="https://www.mof.go.jp/english/policy/jgbs/reference/interest_rate/jgbcme.csv",
        headers=(("Referer", "https://www.mof.go.jp/"), ("Accept", "text/csv")),
    )
    with _client(server) as client:
        client.get(request)
    (sent,) = server.requests
    assert sent.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("carrywatch/")
    assert "python-httpx" not in sent.headers["User-Agent"]
    assert sent.headers["Referer"] == "https://www.mof.go.jp/"
    assert sent.headers["Accept"] == "text/csv"


def test_timeouts_come_from_the_client_and_the_request() -> None:
    server = Server([httpx.Response(200)])
    request = FetchRequest(source="s", url="https://h.test/slow", timeout_s=45.0)
    with _client(server, connect_timeout_s=2.5) as client:
        client.get(request)
    timeout = server.requests[0].extensions["timeout"]
    assert timeout["connect"] == 2.5
    assert timeout["read"] == 45.0


# --- resource limits --------------------------------------------------------------------


class Drip(httpx.SyncByteStream):
    """A body sent chunk by chunk as the client reads it; counts what was pulled."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.pulled += 1
            yield chunk


def _limited(server: Handler, **limits: object) -> HttpClient:
    return HttpClient(
        transport=httpx.MockTransport(server),
        sleep=_no_sleep,
        rng=random.Random(0),
        clock=lambda: NOW,
        **limits,  # type: ignore[arg-type]
    )


def test_an_endless_body_stops_at_the_size_limit_without_retry() -> None:
    stream = Drip(endless(b"2024-08-01,3.98\n" * 4096))  # 64 KiB per chunk, for ever
    server = Server([httpx.Response(200, stream=stream)])
    with _limited(server, max_body_bytes=1 << 20) as client, pytest.raises(FetchError) as info:
        client.get(PLAIN)
    assert "larger than 1 MiB" in str(info.value)
    assert "CARRYWATCH_FRED_MAX_BODY_MB" in str(info.value)
    assert len(server.requests) == 1  # a size limit is final
    # 1 MiB = 16 chunks of 64 KiB: the 17th crosses the limit and reading stops there.
    assert stream.pulled == 17


def test_a_gzip_bomb_is_counted_after_decompression_and_stops_early() -> None:
    # 2 GiB of zeros compress to about 2 MB; the client must stop after ~1 MiB of output.
    stream = Drip(gzip_bomb(2048))
    server = Server([httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=stream)])
    with _limited(server, max_body_bytes=1 << 20) as client, pytest.raises(FetchError) as info:
        client.get(PLAIN)
    assert "after decompression" in str(info.value)
    # zlib emits output in blocks of a few KiB of input: far fewer than the 2048 MiB fed.
    assert stream.pulled < 8


def test_a_per_source_limit_overrides_the_default() -> None:
    body = b"x" * 2000
    server = Server([httpx.Response(200, content=body)])
    with _limited(server, max_body_bytes_by_source={"fred": 1000}) as client:
        with pytest.raises(FetchError, match="larger than"):
            client.get(PLAIN)
        other = FetchRequest(source="tic", url="https://h.test/file.txt")
        assert client.get(other).body == body


def test_a_declared_length_beyond_the_limit_is_refused_before_reading() -> None:
    stream = Drip(endless(b"x" * 1024))
    response = httpx.Response(200, headers={"Content-Length": str(10 << 20)}, stream=stream)
    client = _limited(Server([response]), max_body_bytes=1 << 20)
    with client, pytest.raises(FetchError, match="larger than 1 MiB"):
        client.get(PLAIN)
    assert stream.pulled == 0


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_answers_are_decoded(encoding: str) -> None:
    body = b"observation_date,DGS10\n2024-08-01,3.98\n"
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    packed = compressor.compress(body) + compressor.flush()
    stream = Drip(iter([packed[:10], packed[10:]]))
    server = Server([httpx.Response(200, headers={"Content-Encoding": encoding}, stream=stream)])
    with _limited(server) as client:
        assert client.get(PLAIN).body == body


def test_a_cut_off_gzip_answer_is_an_error_not_a_shorter_body() -> None:
    body = b"observation_date,DGS10\n" + b"2024-08-01,3.98\n" * 200
    packed = gzip.compress(body)
    server = Server(
        [
            httpx.Response(
                200, headers={"Content-Encoding": "gzip"}, stream=Drip(iter([packed[:-12]]))
            )
        ]
    )
    with _limited(server) as client, pytest.raises(FetchError, match="end marker"):
        client.get(PLAIN)


def test_an_unrequested_content_encoding_is_refused() -> None:
    server = Server(
        [httpx.Response(200, headers={"Content-Encoding": "br"}, stream=Drip(iter([b"x"])))]
    )
    with _limited(server) as client, pytest.raises(FetchError, match="'br'"):
        client.get(PLAIN)


class Ticks:
    """A monotonic clock that advances ``step_s`` each time it is read."""

    def __init__(self, step_s: float) -> None:
        self.now = 0.0
        self.step_s = step_s

    def __call__(self) -> float:
        self.now += self.step_s
        return self.now


def test_a_slow_drip_ends_at_the_deadline_without_retry() -> None:
    # One byte per read, each read "taking" a second: per-read timeouts never trip.
    stream = Drip(endless(b"1"))
    server = Server([httpx.Response(200, stream=stream)])
    client = _limited(server, deadline_s=30.0, monotonic=Ticks(1.0))
    with client, pytest.raises(FetchError) as info:
        client.get(PLAIN)
    assert "longer than 30 s" in str(info.value)
    assert "CARRYWATCH_HTTP_DEADLINE_S" in str(info.value)
    assert len(server.requests) == 1
    assert stream.pulled < 31


def test_the_read_timeout_never_exceeds_the_deadline() -> None:
    server = Server([httpx.Response(200)])
    request = FetchRequest(source="s", url="https://h.test/slow", timeout_s=45.0)
    with _limited(server, deadline_s=20.0) as client:
        client.get(request)
    assert server.requests[0].extensions["timeout"]["read"] == 20.0


def _redirect(location: str) -> httpx.Response:
    return httpx.Response(302, headers={"Location": location})


def test_a_same_host_redirect_is_followed() -> None:
    server = Server([_redirect("/graph/moved.csv"), httpx.Response(200, content=b"ok")])
    with _limited(server) as client:
        assert client.get(PLAIN).body == b"ok"
    assert [r.url.path for r in server.requests] == ["/graph/fredgraph.csv", "/graph/moved.csv"]


def test_a_redirect_to_another_host_is_refused_naming_both() -> None:
    server = Server([_redirect("https://elsewhere.test/fredgraph.csv"), httpx.Response(200)])
    with _limited(server) as client, pytest.raises(FetchError) as info:
        client.get(PLAIN)
    message = str(info.value)
    assert "https://fred.stlouisfed.org" in message
    assert "https://elsewhere.test" in message
    assert "CARRYWATCH_FRED_ORIGIN=https://elsewhere.test" in message
    assert len(server.requests) == 1  # the other host was never asked


def test_a_redirect_to_plain_http_is_another_origin() -> None:
    server = Server([_redirect("http://fred.stlouisfed.org/graph/fredgraph.csv")])
    with _limited(server) as client, pytest.raises(FetchError, match="http://fred"):
        client.get(PLAIN)


def test_a_redirect_loop_ends() -> None:
    server = Server([_redirect("/graph/fredgraph.csv")])
    with _limited(server) as client, pytest.raises(FetchError, match="redirects"):
        client.get(PLAIN)
    assert len(server.requests) == 6  # the first request and five redirects


class HeaderDrip:
    """A loopback server that sends its status line and headers one byte every 50 ms and
    never finishes them: each read is quick, so only a deadline on the whole attempt
    (not the per-read timeout) ends the request."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HeaderDrip:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nX-Pad: " + b"a" * 10_000
                for byte in head:
                    if self._stop.wait(0.05):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:  # the client gave up, as it should
                        break


def test_headers_dripped_a_byte_at_a_time_end_at_the_deadline() -> None:
    with HeaderDrip() as server:
        request = FetchRequest(source="fred", url=f"http://127.0.0.1:{server.port}/x.csv")
        client = HttpClient(deadline_s=1.0, sleep=_no_sleep, clock=lambda: NOW)
        with client, pytest.raises(FetchError) as info:
            client.get(request)
    assert "longer than 1 s" in str(info.value)
    assert server.connections == 1  # a deadline failure is final
