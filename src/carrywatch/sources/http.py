"""The one module that talks HTTP: timeouts, limits, retries, per-host limits, secrets.

:class:`HttpClient` wraps an ``httpx.Client`` whose transport is injectable
(``httpx.MockTransport`` or a local server in tests). Policy:

* transient failures are retried: connect/read timeouts and other transport errors,
  HTTP 429 and 5xx; any other status is final. The retry loop is ``tenacity``'s
  (docs/decisions/0010-hostile-inputs.md), with our own wait:
* the wait before retry ``k`` (1-based) is ``uniform(0, min(cap, base * 2**(k-1)))``
  ("full jitter", Brooker 2015, *Exponential Backoff And Jitter*, AWS Architecture
  Blog), except that a ``Retry-After`` header (seconds or HTTP date, RFC 9110 §10.2.3)
  is honoured when present, up to ``max_retry_after_s``; a longer demand fails at once
  with a message that says when to come back;
* resource limits, each final (not retried): a body is read as a stream and counted
  *after* decompression, so that neither a huge body nor a gzip bomb is ever held in
  memory beyond ``max_body_bytes`` (per source when configured); one attempt, from the
  request to the last byte, ends after ``deadline_s`` (the read timeout bounds only the
  wait for each read: a server dripping one byte a second would never trip it), headers
  included (:class:`_Watchdog`); a
  redirect is followed only to the same scheme and host (at most
  :data:`MAX_REDIRECTS`), a redirect elsewhere is an error naming both hosts;
* at most ``max_per_host`` requests are in flight per host, across threads;
* credentials are added to the query only when sending: the ``RawPayload`` keeps the
  request without them, and no error message or log line contains them.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final
from urllib.parse import urlencode, urlsplit

import httpx
import tenacity

from carrywatch.errors import ConfigError, FetchError
from carrywatch.sources.base import ascii_digits
from carrywatch.types import FetchRequest, RawPayload, utc_now

__all__ = [
    "DEFAULT_DEADLINE_S",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_USER_AGENT",
    "MAX_REDIRECTS",
    "HttpClient",
    "RetryPolicy",
    "display_url",
    "transport_failure",
]

DEFAULT_USER_AGENT: Final = (
    "carrywatch/0.1 (policy-divergence monitor; +https://github.com/carrywatch/carrywatch)"
)

#: The largest body accepted from a source, after decompression: 16 MiB. The largest
#: real answer carrywatch reads (MOF's ``jgbcm_all.csv``, 1974 to date) is about 1 MB,
#: and a FRED API page holds at most 100,000 observations (about 10 MB).
DEFAULT_MAX_BODY_BYTES: Final = 16 * 1024 * 1024

#: The longest one attempt may take, from sending the request to the body's last byte.
DEFAULT_DEADLINE_S: Final = 120.0

#: Same-host redirects followed before giving up (httpx's own default is 20).
MAX_REDIRECTS: Final = 5

_RETRYABLE_STATUS: Final = frozenset({429, 500, 502, 503, 504})


class RetryPolicy:
    """How often and how long to retry; see the module docstring for the formula."""

    __slots__ = ("backoff_base_s", "backoff_cap_s", "max_attempts", "max_retry_after_s")

    def __init__(
        self,
        *,
        max_attempts: int = 4,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        max_retry_after_s: float = 120.0,
    ) -> None:
        if max_attempts < 1:
            raise ConfigError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.max_retry_after_s = max_retry_after_s

    def backoff_s(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter wait before retry number ``attempt`` (1-based)."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (attempt - 1))
        return rng.uniform(0.0, ceiling)


def display_url(request: FetchRequest) -> str:
    """The request's URL with its (secret-free) query, as stored and shown to users."""
    return f"{request.url}?{urlencode(request.params)}" if request.params else request.url


def _retry_after_s(response: httpx.Response, now: datetime) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if ascii_digits(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # the obsolete asctime form carries no zone; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


#: What an OS error met while connecting says about where the failure lies.
_UNREACHABLE: Final = {
    errno.ENETUNREACH: "the network is unreachable",
    errno.EHOSTUNREACH: "the host is unreachable from this network",
    errno.ECONNREFUSED: "the connection was refused (nothing answers at that address)",
}


def transport_failure(exc: httpx.TransportError, host: str, source: str) -> str:
    """What a transport failure means for the user, without the exception's text (which
    may embed the URL and a credential).

    A failure to connect is told apart from a provider's failure: a host name that does
    not resolve (no network, no DNS, or a mistyped origin), a network or host that is
    unreachable, and a refused connection are this side's problem and say what to check;
    a timeout or a broken answer is the provider's.
    """
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"{name}: no connection to {host} within the time limit (the network or the "
            "provider is down); check the connection, then try again later"
        )
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, socket.gaierror):
                reason = f"the host name {host} could not be resolved (no network or no DNS)"
                break
            if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
                reason = _UNREACHABLE[cause.errno]
                break
            cause = cause.__cause__ or cause.__context__
        else:
            reason = f"no connection to {host} could be made"
        override = f"CARRYWATCH_{source.upper()}_ORIGIN"
        return (
            f"{name}: {reason}; the network is unreachable from here or the address is "
            f"wrong: check the connection (and {override} if set)"
        )
    return f"{name}: the provider did not answer in time or broke the connection; try again later"


def _utc_now() -> datetime:
    """The default clock: ``utc_now`` looked up at each call (tests may patch it)."""
    return utc_now()


class _Transient(Exception):  # noqa: N818 -- a signal to the retry loop, never shown
    """A failure worth another attempt: what to say if it is the last, and how long the
    provider asked us to wait (``Retry-After``) if it did."""

    def __init__(self, message: str, *, status: int | None, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after_s = retry_after_s


class HttpClient:
    """Thread-safe GET (and POST) with retries, resource limits, per-host concurrency limits
    and secret injection.

    Parameters
    ----------
    transport:
        An ``httpx`` transport; ``None`` uses the network.
    secrets:
        Settings keys to credential values (e.g. ``{"fred_api_key": "..."}``).
    retry:
        The retry policy.
    max_per_host:
        Requests in flight per host at once.
    max_body_bytes:
        The largest body accepted, counted after decompression.
    max_body_bytes_by_source:
        Per-source exceptions to ``max_body_bytes``.
    deadline_s:
        The longest one attempt may take, first byte sent to last byte received.
    sleep, rng, clock, monotonic:
        Injected so that tests run retries instantly and deterministically and never
        depend on the wall clock (``clock`` reads ``Retry-After`` dates, ``monotonic``
        measures the deadline).
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        secrets: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        max_per_host: int = 2,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout_s: float = 10.0,
        max_timeout_s: float | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_body_bytes_by_source: Mapping[str, int] | None = None,
        deadline_s: float = DEFAULT_DEADLINE_S,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = httpx.Client(
            transport=transport,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            # Redirects are followed by hand, after checking where they lead.
            follow_redirects=False,
            timeout=httpx.Timeout(30.0, connect=connect_timeout_s),
            # A fresh connection per request: the deadline's watchdog learns the socket of
            # a request when it connects (a reused connection would hide it).
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._secrets = dict(secrets or {})
        if any(self._secrets.values()):
            self._log_filter: _RedactSecrets | None = _RedactSecrets(self._secrets.values())
            for name in ("httpx", "httpcore"):
                logging.getLogger(name).addFilter(self._log_filter)
        else:
            self._log_filter = None
        self._retry = retry or RetryPolicy()
        self._max_per_host = max_per_host
        self._connect_timeout_s = connect_timeout_s
        self._max_timeout_s = max_timeout_s
        self._max_body_bytes = max_body_bytes
        self._max_body_by_source = dict(max_body_bytes_by_source or {})
        self._deadline_s = deadline_s
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not cryptography
        self._rng_lock = threading.Lock()
        self._clock = clock if clock is not None else _utc_now
        self._monotonic = monotonic
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
        if self._log_filter is not None:
            for name in ("httpx", "httpcore"):
                logging.getLogger(name).removeFilter(self._log_filter)

    def has_secret(self, key: str) -> bool:
        """Whether a credential is configured under settings key ``key``."""
        return bool(self._secrets.get(key))

    def get(self, request: FetchRequest) -> RawPayload:
        """GET ``request`` with retries; the untouched body and its provenance.

        Raises
        ------
        FetchError
            after the last attempt of a transient failure; at once for a non-retryable
            status (4xx other than 429), a Retry-After beyond the limit, a body larger
            than the limit, an attempt longer than the deadline or a redirect to
            another host.
        """
        return self._exchange(request, None)

    def post(self, request: FetchRequest, content: bytes, media_type: str) -> RawPayload:
        """POST ``content`` (of ``media_type``) to ``request``, with the retries, limits and
        redaction of :meth:`get` (a webhook: a 2xx answer is delivered)."""
        headers = (*request.headers, ("Content-Type", media_type))
        return self._exchange(replace(request, headers=headers), content)

    def _exchange(self, request: FetchRequest, content: bytes | None) -> RawPayload:
        url = display_url(request)
        params: list[tuple[str, str | int | float | bool | None]] = list(request.params)
        if request.secret_param is not None:
            query_name, settings_key = request.secret_param
            secret = self._secrets.get(settings_key)
            if not secret:
                raise ConfigError(
                    f"{request.source} needs a credential: set {settings_key.upper()} "
                    "in the environment"
                )
            params.append((query_name, secret))
        attempts = 0

        def attempt() -> RawPayload:
            nonlocal attempts
            attempts += 1
            return self._attempt(request, params, url, content)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._retry.max_attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Transient as exc:
            last = exc
        # Raised outside the ``except``: the transport error (whose text may hold the
        # URL with a credential) must not travel as the context of the error shown.
        if last.status is None:  # a transport failure: its description says what to do
            message = f"after {attempts} attempt(s), {last.message}"
        else:
            message = f"{last.message} after {attempts} attempt(s); try again later"
        raise FetchError(
            message,
            source=request.source,
            url=url,
            status=last.status,
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        """The wait before the next attempt: the provider's Retry-After, else full jitter."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Transient) and failure.retry_after_s is not None:
            return failure.retry_after_s
        with self._rng_lock:
            return self._retry.backoff_s(state.attempt_number, self._rng)

    def _attempt(
        self,
        request: FetchRequest,
        params: list[tuple[str, str | int | float | bool | None]],
        url: str,
        content: bytes | None = None,
    ) -> RawPayload:
        """One attempt (a POST of ``content`` when given); ``_Transient`` for what is worth
        retrying, ``FetchError`` for not.

        A transport exception itself is dropped on purpose: its text may embed the URL
        with its query (and a credential), so it is neither repeated nor chained.
        """
        origin = urlsplit(request.url)
        deadline = self._monotonic() + self._deadline_s
        watchdog = _Watchdog(self._deadline_s)
        try:
            with self._host_slot(origin.netloc), watchdog:
                outgoing = self._client.build_request(
                    "GET" if content is None else "POST",
                    request.url,
                    params=params,
                    headers=dict(request.headers),
                    content=content,
                    timeout=self._timeout(request),
                )
                for _ in range(MAX_REDIRECTS + 1):
                    outgoing.extensions["trace"] = watchdog.trace
                    response = self._client.send(outgoing, stream=True)
                    try:
                        if response.next_request is None:
                            body = self._read_body(response, request, url, deadline)
                            break
                        outgoing = self._same_host(response.next_request, request, url)
                    finally:
                        response.close()
                else:
                    raise FetchError(
                        f"more than {MAX_REDIRECTS} redirects; the provider's address changed?",
                        source=request.source,
                        url=url,
                    )
                if watchdog.fired:
                    # The shut-down socket can look like the natural end of a body sent
                    # without Content-Length: what was read is not the whole answer.
                    raise self._too_slow(request, url)
        except httpx.TransportError as exc:
            if watchdog.fired or self._monotonic() >= deadline:
                raise self._too_slow(request, url) from None
            failure = transport_failure(exc, origin.netloc, request.source)
            raise _Transient(failure, status=None, retry_after_s=None) from None
        return self._outcome(request, url, response, body)

    def _outcome(
        self, request: FetchRequest, url: str, response: httpx.Response, body: bytes
    ) -> RawPayload:
        status = response.status_code
        if 200 <= status < 300:
            return RawPayload(
                request=request,
                body=body,
                status=status,
                media_type=response.headers.get("Content-Type", "").split(";")[0],
                retrieved_at=self._clock(),
            )
        if status not in _RETRYABLE_STATUS:
            raise FetchError(
                f"HTTP {status} {response.reason_phrase}: {_snippet(body, self._secrets.values())}",
                source=request.source,
                url=url,
                status=status,
            )
        retry_after = _retry_after_s(response, self._clock())
        if retry_after is not None and retry_after > self._retry.max_retry_after_s:
            raise FetchError(
                f"HTTP {status}: the provider asks to wait {retry_after:.0f} s "
                f"(more than {self._retry.max_retry_after_s:.0f} s); refresh later",
                source=request.source,
                url=url,
                status=status,
            )
        raise _Transient(f"HTTP {status}", status=status, retry_after_s=retry_after)

    def _same_host(self, target: httpx.Request, request: FetchRequest, url: str) -> httpx.Request:
        """``target`` when it stays on the request's scheme and host; else a ``FetchError``
        naming both (a provider that moved is followed only on the user's say-so)."""
        origin = urlsplit(request.url)
        if (target.url.scheme, target.url.netloc.decode("ascii")) == (
            origin.scheme,
            origin.netloc,
        ):
            return target
        moved_to = f"{target.url.scheme}://{target.url.netloc.decode('ascii')}"
        raise FetchError(
            f"redirected from {origin.scheme}://{origin.netloc} to {moved_to}, another host; "
            "not followed. If the provider has moved, set "
            f"CARRYWATCH_{request.source.upper()}_ORIGIN={moved_to}",
            source=request.source,
            url=url,
            status=None,
        )

    def _read_body(
        self, response: httpx.Response, request: FetchRequest, url: str, deadline: float
    ) -> bytes:
        """The body, decompressed, read chunk by chunk within the size and time limits.

        Decompression is ours (``zlib`` with ``max_length``) rather than httpx's, so that
        one compressed chunk can never expand past the limit in memory (a 64 KiB deflate
        chunk can expand about a thousandfold).
        """
        limit = self._max_body_by_source.get(request.source, self._max_body_bytes)
        declared = response.headers.get("Content-Length", "").strip()
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if response.is_stream_consumed:
            # Built in memory (``httpx.MockTransport``): httpx has read and decoded it.
            chunks: Iterable[bytes] = [response.content]
            encoding = "identity"
        else:
            chunks = response.iter_raw()  # as received: no re-buffering
        if encoding in {"", "identity"} and ascii_digits(declared) and int(declared) > limit:
            raise self._too_large(request, url, limit)
        inflate = _Inflater(encoding, source=request.source, url=url)
        parts: list[bytes] = []
        size = 0
        for raw in chunks:
            if self._monotonic() >= deadline:
                raise self._too_slow(request, url)
            data = inflate.feed(raw, limit - size + 1)
            size += len(data)
            if size > limit:
                raise self._too_large(request, url, limit)
            parts.append(data)
        inflate.finish()
        return b"".join(parts)

    def _too_large(self, request: FetchRequest, url: str, limit: int) -> FetchError:
        return FetchError(
            f"the answer is larger than {limit / 2**20:g} MiB (after decompression) and "
            "was not read further; if the provider really sends that much, raise "
            f"CARRYWATCH_{request.source.upper()}_MAX_BODY_MB",
            source=request.source,
            url=url,
        )

    def _too_slow(self, request: FetchRequest, url: str) -> FetchError:
        return FetchError(
            f"the download took longer than {self._deadline_s:g} s and was abandoned; "
            "try again later, or raise CARRYWATCH_HTTP_DEADLINE_S",
            source=request.source,
            url=url,
        )

    def _timeout(self, request: FetchRequest) -> httpx.Timeout:
        read_s = min(request.timeout_s, self._deadline_s)
        if self._max_timeout_s is not None:
            read_s = min(read_s, self._max_timeout_s)
        return httpx.Timeout(read_s, connect=min(self._connect_timeout_s, read_s))

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._hosts_lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self._max_per_host)
                self._hosts[host] = slot
            return slot


class _Watchdog:
    """Ends an attempt at its deadline even while httpx waits for the status line or
    headers, which a server can drip a byte at a time (each read then beats the read
    timeout, and the body loop's own check has not started).

    httpcore reports every new connection to the request's ``trace`` extension; at the
    deadline a timer shuts those sockets down, so the blocked read returns and httpx
    raises a transport error, which the client reports as a deadline failure.
    """

    def __init__(self, deadline_s: float) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline_s, self._fire)
        self._timer.daemon = True
        self.fired = False

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: Mapping[str, object]) -> None:
        """httpcore's trace hook: keep the socket of each connection this request opens."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            get_extra_info = getattr(stream, "get_extra_info", None)
            sock = get_extra_info("socket") if get_extra_info is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                # Already closed when the request ended meanwhile: nothing to do.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Inflater:
    """Undoes one ``Content-Encoding`` (identity, gzip or deflate), never producing more
    than the caller allows per chunk."""

    def __init__(self, encoding: str, *, source: str, url: str) -> None:
        if encoding not in {"identity", "", "gzip", "x-gzip", "deflate"}:
            raise FetchError(
                f"the answer uses Content-Encoding {encoding[:30]!r}, which was not asked for",
                source=source,
                url=url,
            )
        self._source, self._url = source, url
        self._encoding = encoding
        # gzip: header and trailer checked by zlib (wbits 16 + 15); deflate: the zlib
        # wrapper RFC 9110 §8.4.1.2 names, with raw deflate as servers often send instead.
        wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits) if encoding not in {"identity", ""} else None
        self._started = False

    def feed(self, raw: bytes, max_out: int) -> bytes:
        """The decoded bytes of ``raw``; at most ``max_out`` of them (more means the
        caller's limit is exceeded, and the caller stops)."""
        if self._zlib is None:
            return raw[:max_out]
        try:
            if not self._started and self._encoding == "deflate" and raw[:1] and raw[0] & 0x0F != 8:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no wrapper
            self._started = self._started or bool(raw)
            return self._zlib.decompress(raw, max_out)
        except zlib.error as exc:
            raise FetchError(
                f"the answer's {self._encoding} compression is corrupt ({exc})",
                source=self._source,
                url=self._url,
            ) from None

    def finish(self) -> None:
        """Raise ``FetchError`` when a compressed answer stopped before its end marker
        (a cut-off stream decompresses to a plausible but incomplete prefix)."""
        if self._zlib is not None and self._started and not self._zlib.eof:
            raise FetchError(
                f"the {self._encoding}-compressed answer ends before its end marker "
                "(cut off in transfer); try again later",
                source=self._source,
                url=self._url,
            )


def _snippet(body: bytes, secrets: Iterable[str], limit: int = 160) -> str:
    text = _redact(body[: limit * 4].decode("utf-8", errors="replace"), secrets)
    text = " ".join(text.split())[:limit]
    return text or "(empty body)"


def _redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced (a server may echo the query back)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


class _RedactSecrets(logging.Filter):
    """Removes credentials from httpx's own log records (it logs every request URL)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            redacted = _redact(message, self._secrets)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True
