"""The one module that talks HTTP: timeouts, retries, per-host limits, secrets.

:class:`HttpClient` wraps an ``httpx.Client`` whose transport is injectable
(``httpx.MockTransport`` or a local server in tests). Policy:

* transient failures are retried: connect/read timeouts and other transport errors,
  HTTP 429 and 5xx; any other status is final;
* the wait before retry ``k`` (1-based) is ``uniform(0, min(cap, base * 2**(k-1)))``
  ("full jitter", Brooker 2015, *Exponential Backoff And Jitter*, AWS Architecture
  Blog), except that a ``Retry-After`` header (seconds or HTTP date, RFC 9110 §10.2.3)
  is honoured when present, up to ``max_retry_after_s``; a longer demand fails at once
  with a message that says when to come back;
* at most ``max_per_host`` requests are in flight per host, across threads;
* credentials are added to the query only when sending: the ``RawPayload`` keeps the
  request without them, and no error message or log line contains them.
"""

from __future__ import annotations

import errno
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final
from urllib.parse import urlencode, urlsplit

import httpx

from carrywatch.errors import ConfigError, FetchError
from carrywatch.sources.base import ascii_digits
from carrywatch.types import FetchRequest, RawPayload, utc_now

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpClient",
    "RetryPolicy",
    "display_url",
    "transport_failure",
]

DEFAULT_USER_AGENT: Final = (
    "carrywatch/0.1 (policy-divergence monitor; +https://github.com/carrywatch/carrywatch)"
)

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


def _retry_after_s(response: httpx.Response) -> float | None:
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
    return max(0.0, (when - utc_now()).total_seconds())


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


class HttpClient:
    """Thread-safe GET (and POST) with retries, per-host concurrency limits and secret injection.

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
    sleep, rng:
        Injected so that tests run retries instantly and deterministically.
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
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._client = httpx.Client(
            transport=transport,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            timeout=httpx.Timeout(30.0, connect=connect_timeout_s),
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
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not cryptography
        self._rng_lock = threading.Lock()
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
            after the last attempt of a transient failure, at once for a non-retryable
            status (4xx other than 429), or when a Retry-After exceeds the limit.
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
        host = urlsplit(request.url).netloc
        attempt = 0
        while True:
            attempt += 1
            sent = self._send(request, params, host, content)
            if isinstance(sent, str):  # a transport failure, described without its text
                if attempt >= self._retry.max_attempts:
                    raise FetchError(
                        f"after {attempt} attempt(s), {sent}",
                        source=request.source,
                        url=url,
                    )
                self._sleep(self._backoff(attempt))
                continue
            response, body = sent
            status = response.status_code
            if 200 <= status < 300:
                return RawPayload(
                    request=request,
                    body=body,
                    status=status,
                    media_type=response.headers.get("Content-Type", "").split(";")[0],
                    retrieved_at=utc_now(),
                )
            if status not in _RETRYABLE_STATUS:
                raise FetchError(
                    f"HTTP {status} {response.reason_phrase}: "
                    f"{_snippet(body, self._secrets.values())}",
                    source=request.source,
                    url=url,
                    status=status,
                )
            if attempt >= self._retry.max_attempts:
                raise FetchError(
                    f"HTTP {status} after {attempt} attempt(s); try again later",
                    source=request.source,
                    url=url,
                    status=status,
                )
            retry_after = _retry_after_s(response)
            if retry_after is not None and retry_after > self._retry.max_retry_after_s:
                raise FetchError(
                    f"HTTP {status}: the provider asks to wait {retry_after:.0f} s "
                    f"(more than {self._retry.max_retry_after_s:.0f} s); refresh later",
                    source=request.source,
                    url=url,
                    status=status,
                )
            self._sleep(retry_after if retry_after is not None else self._backoff(attempt))

    def _send(
        self,
        request: FetchRequest,
        params: list[tuple[str, str | int | float | bool | None]],
        host: str,
        content: bytes | None = None,
    ) -> tuple[httpx.Response, bytes] | str:
        """One attempt: the response and its body, or the name of the transport error.

        The exception itself is dropped on purpose: its text may embed the URL with its
        query (and a credential), so it is neither repeated nor chained.
        """
        try:
            with self._host_slot(host):
                response = self._client.request(
                    "GET" if content is None else "POST",
                    request.url,
                    params=params,
                    headers=dict(request.headers),
                    content=content,
                    timeout=self._timeout(request),
                )
                return response, response.content
        except httpx.TransportError as exc:
            return transport_failure(exc, host, request.source)

    def _timeout(self, request: FetchRequest) -> httpx.Timeout:
        read_s = request.timeout_s
        if self._max_timeout_s is not None:
            read_s = min(read_s, self._max_timeout_s)
        return httpx.Timeout(read_s, connect=min(self._connect_timeout_s, read_s))

    def _backoff(self, attempt: int) -> float:
        with self._rng_lock:
            return self._retry.backoff_s(attempt, self._rng)

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._hosts_lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self._max_per_host)
                self._hosts[host] = slot
            return slot


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
