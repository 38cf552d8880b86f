"""Deliver alert events: JSON lines appended to a file, and a webhook POST.

The terminal lines are the events' messages (the CLI prints them). A JSON-lines file
gets one object per event (:meth:`AlertEvent.to_json` plus ``asof`` and ``fired_at``),
appended in one write. The webhook gets one POST per check with every event::

    {"source": "carrywatch", "asof": "2024-08-05", "fired_at": "...Z", "events": [...]}

through the project's HTTP client (:class:`carrywatch.sources.http.HttpClient`: the same
timeouts, retries on timeouts, 429 and 5xx with backoff, as ``refresh``). The webhook URL
is handed to the client as a secret, so it is redacted from httpx's log lines and from
any echoed response; messages name only its scheme and host.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from carrywatch.alerts.rules import Delivery
from carrywatch.analytics.alerts import AlertEvent
from carrywatch.errors import ConfigError, FetchError
from carrywatch.types import FetchRequest

if TYPE_CHECKING:
    from carrywatch.sources.http import HttpClient

__all__ = ["WEBHOOK_SOURCE", "deliver", "event_records"]

#: The source name of webhook requests (in errors: ``webhook: HTTP 503 ...``).
WEBHOOK_SOURCE = "webhook"

#: Makes the HTTP client that posts to a webhook; its argument is the webhook's secrets.
ClientFactory = Callable[[Mapping[str, str]], "HttpClient"]


def event_records(
    events: Sequence[AlertEvent], asof: date, fired_at: datetime
) -> list[dict[str, object]]:
    """One JSON object per event, as written to the JSON-lines file."""
    stamp = fired_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [{"asof": asof.isoformat(), "fired_at": stamp, **e.to_json()} for e in events]


def _append_jsonl(path: Path, records: Sequence[Mapping[str, object]]) -> None:
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)  # one write: lines of one check stay together
    except OSError as exc:
        raise ConfigError(f"cannot append to {path}: {exc.strerror or exc}") from exc


def _post(url: str, origin: str, body: bytes, client: ClientFactory) -> None:
    request = FetchRequest(source=WEBHOOK_SOURCE, url=url, timeout_s=10.0)
    with client({"webhook_url": url}) as http:
        try:
            http.post(request, body, "application/json")
        except FetchError as exc:
            status = f" (HTTP {exc.status})" if exc.status else ""
            raise ConfigError(
                f"the webhook at {origin} did not take the alerts{status}: {exc}; "
                "they will be sent again by the next check"
            ) from None


def deliver(
    events: Sequence[AlertEvent],
    delivery: Delivery,
    asof: date,
    fired_at: datetime,
    *,
    client: ClientFactory,
) -> None:
    """Append ``events`` to the JSON-lines file and POST them to the webhook, when set.

    Nothing is sent for no event. Raises :class:`ConfigError` when a delivery fails.
    """
    if not events:
        return
    records = event_records(events, asof, fired_at)
    if delivery.jsonl is not None:
        _append_jsonl(delivery.jsonl, records)
    if delivery.webhook_url is not None:
        assert delivery.webhook_origin is not None
        body = {
            "source": "carrywatch",
            "asof": asof.isoformat(),
            "fired_at": fired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "events": [e.to_json() for e in events],
        }
        payload = json.dumps(body, sort_keys=True).encode("utf-8")
        _post(delivery.webhook_url, delivery.webhook_origin, payload, client)
