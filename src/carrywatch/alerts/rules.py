"""The alert rules file (TOML): what to watch and where to send what fires.

::

    [delivery]                      # optional
    jsonl = "alerts.jsonl"          # append one JSON object per event
    webhook_url_env = "DESK_HOOK"   # the variable holding the webhook URL (keep it secret)
    lookback_days = 10              # events dated within this many days of the check count

    [[rule]]
    name = "10y spread narrows to 1.5 pp"
    kind = "crossing"               # level | crossing | sign_flip | move | stale
    target = "spread.us_jp.10y"     # a headline metric key or a series id
    below = 1.5                     # level/crossing: above = X or below = X
    note = "at least $1.2 trillion of carry trades unwind, the article says"

A ``move`` rule takes ``sigmas`` (and ``window``, the number of past changes, default
250); a ``stale`` rule takes ``max_age_days`` (default: the series' staleness limit). A
mistake in the file is one :class:`~carrywatch.errors.ConfigError` naming the rule and
the field. ``docs/alerts.md`` has an example of every kind.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from carrywatch.analytics.alerts import KINDS, AlertRule, Kind
from carrywatch.catalog.spec import Catalog
from carrywatch.errors import AnalyticsError, CarrywatchError, ConfigError
from carrywatch.files import read_user_file
from carrywatch.report.history import check_targets

__all__ = ["Delivery", "RuleSet", "load_rules", "parse_rules"]

#: The largest rules file read (a rules file is a few kilobytes).
MAX_RULES_BYTES: Final = 1_000_000

_RULE_FIELDS: Final = frozenset(
    {"name", "kind", "target", "above", "below", "sigmas", "window", "max_age_days", "note"}
)
_DELIVERY_FIELDS: Final = frozenset({"jsonl", "webhook_url", "webhook_url_env", "lookback_days"})


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where events go besides the terminal. ``webhook_url`` is a secret: never shown."""

    jsonl: Path | None = None
    webhook_url: str | None = field(default=None, repr=False)
    lookback_days: int = 10

    @property
    def webhook_origin(self) -> str | None:
        """The webhook's scheme and host, the only part of its URL ever printed."""
        if self.webhook_url is None:
            return None
        parts = urlsplit(self.webhook_url)
        return f"{parts.scheme}://{parts.hostname}"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one file and its delivery settings."""

    rules: tuple[AlertRule, ...]
    delivery: Delivery

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.target for r in self.rules))


def load_rules(path: Path, catalog: Catalog, environ: Mapping[str, str] | None = None) -> RuleSet:
    """Read and check the rules file at ``path`` (relative ``jsonl`` paths are taken
    relative to the file's folder)."""
    data = read_user_file(
        path,
        what="the rules file",
        max_bytes=MAX_RULES_BYTES,
        instead="a rules file is a short TOML file (docs/alerts.md)",
    )
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}") from exc
    return parse_rules(doc, catalog, name=path.name, folder=path.parent, environ=environ)


def parse_rules(
    doc: Mapping[str, Any],
    catalog: Catalog,
    *,
    name: str = "rules",
    folder: Path = Path(),
    environ: Mapping[str, str] | None = None,
) -> RuleSet:
    """A :class:`RuleSet` from a parsed rules document (see the module docstring)."""
    unknown = set(doc) - {"rule", "delivery"}
    if unknown:
        raise ConfigError(
            f"{name}: unknown table(s) {sorted(unknown)}; use [[rule]] and [delivery]"
        )
    entries = doc.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{name}: no [[rule]] entries")
    rules = [_rule(entry, i, name, catalog) for i, entry in enumerate(entries, start=1)]
    names = [r.name for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{name}: rule names must be unique; repeated: {', '.join(twice)}")
    delivery = _delivery(doc.get("delivery", {}), name, folder, environ or os.environ)
    return RuleSet(tuple(rules), delivery)


def _rule(entry: Any, number: int, name: str, catalog: Catalog) -> AlertRule:
    where = f"{name}: rule {number}"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} is not a table")
    if isinstance(entry.get("name"), str) and entry["name"].strip():
        where = f"{name}: rule {entry['name']!r}"
    unknown = set(entry) - _RULE_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
    for required in ("name", "kind", "target"):
        if not isinstance(entry.get(required), str) or not entry[required].strip():
            raise ConfigError(f"{where}: {required!r} must be a non-empty string")
    kind = entry["kind"]
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    try:
        check_targets(catalog, [entry["target"]])
    except CarrywatchError as exc:
        raise ConfigError(f"{where}: target: {exc}") from None
    if kind == "stale" and entry["target"] not in catalog.series:
        raise ConfigError(
            f"{where}: a stale rule watches a series id (an input), not the metric "
            f"{entry['target']!r}; a metric whose input is stale is missing"
        )
    checked: Kind = kind
    try:
        return AlertRule(
            name=entry["name"].strip(),
            kind=checked,
            target=entry["target"],
            above=_number(entry, "above", where),
            below=_number(entry, "below", where),
            sigmas=_number(entry, "sigmas", where),
            window=_whole(entry, "window", where, default=250),
            max_age_days=_whole(entry, "max_age_days", where, default=None),
            note=str(entry.get("note", "")),
        )
    except AnalyticsError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _number(entry: Mapping[str, Any], key: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {key!r} must be a number, not {value!r}")
    return float(value)


def _whole(entry: Mapping[str, Any], key: str, where: str, *, default: int | None) -> Any:
    value = entry.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise ConfigError(f"{where}: {key!r} must be a whole number 0-100000, not {value!r}")
    return value


def _delivery(entry: Any, name: str, folder: Path, environ: Mapping[str, str]) -> Delivery:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{name}: [delivery] must be a table")
    unknown = set(entry) - _DELIVERY_FIELDS
    if unknown:
        raise ConfigError(f"{name}: [delivery]: unknown field(s) {sorted(unknown)}")
    jsonl = entry.get("jsonl")
    if jsonl is not None and (not isinstance(jsonl, str) or not jsonl.strip()):
        raise ConfigError(f"{name}: [delivery] jsonl must be a file name")
    url = _webhook_url(entry, name, environ)
    lookback = _whole(entry, "lookback_days", f"{name}: [delivery]", default=10)
    return Delivery(
        jsonl=None if jsonl is None else folder / Path(jsonl).expanduser(),
        webhook_url=url,
        lookback_days=int(lookback),
    )


def _webhook_url(entry: Mapping[str, Any], name: str, environ: Mapping[str, str]) -> str | None:
    given, variable = entry.get("webhook_url"), entry.get("webhook_url_env")
    if given is not None and variable is not None:
        raise ConfigError(f"{name}: [delivery] give webhook_url or webhook_url_env, not both")
    if variable is not None:
        if not isinstance(variable, str) or not variable.strip():
            raise ConfigError(f"{name}: [delivery] webhook_url_env must name a variable")
        given = environ.get(variable, "").strip()
        if not given:
            raise ConfigError(
                f"{name}: [delivery] webhook_url_env names {variable}, which is not set"
            )
    if given is None:
        return None
    if not isinstance(given, str):
        raise ConfigError(f"{name}: [delivery] webhook_url must be a URL")
    parts = urlsplit(given.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        # Not repeated: the URL may carry a token.
        raise ConfigError(f"{name}: the webhook URL must start with http:// or https://")
    return given.strip()
