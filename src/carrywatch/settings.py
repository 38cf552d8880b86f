"""Settings, built at the edge (CLI or the library's caller) and passed down.

Nothing here runs at import time. :meth:`Settings.from_env` reads:

``CARRYWATCH_HOME``
    where the store lives (default: the platform's user data directory, via
    ``platformdirs``);
``CARRYWATCH_DATABASE_URL``
    ``postgresql://user[:password]@host[:port]/database``: the store is that PostgreSQL
    database (a team's shared store, docs/deployment.md) instead of the SQLite file under
    ``CARRYWATCH_HOME`` (which still holds caches);
``CARRYWATCH_<SOURCE>_ORIGIN``
    replaces scheme, host and port of a source (``CARRYWATCH_JAPAN_MOF_ORIGIN=
    http://127.0.0.1:8765``), keeping the provider's real path and query;
``FRED_API_KEY``
    enables the keyed FRED API (never stored, logged or shown);
``CARRYWATCH_MAX_PER_HOST``
    requests in flight per host during a refresh (default 2);
``CARRYWATCH_HTTP_TIMEOUT_S``
    an upper bound on every request's read timeout (default: each source's own);
``CARRYWATCH_RETRY_BASE_S``
    the base of the exponential backoff between retries (default 0.5 s);
``CARRYWATCH_HTTP_DEADLINE_S``
    the longest one request may take, first byte sent to last byte received
    (default 120 s; the read timeout alone bounds only each wait for data);
``CARRYWATCH_HTTP_MAX_BODY_MB``
    the largest answer accepted from any source, in MiB after decompression
    (default 16);
``CARRYWATCH_<SOURCE>_MAX_BODY_MB``
    the same for one source, overriding the one above.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from carrywatch.errors import ConfigError

__all__ = ["Settings", "check_database_url", "max_body_env_var", "origin_env_var"]

#: Defaults of the HTTP limits (also in :mod:`carrywatch.sources.http`, which does not
#: read settings: the CLI passes them in).
DEFAULT_HTTP_DEADLINE_S = 120.0
DEFAULT_MAX_BODY_MB = 16.0


def origin_env_var(source: str) -> str:
    """The environment variable that overrides ``source``'s origin."""
    return f"CARRYWATCH_{source.upper()}_ORIGIN"


def max_body_env_var(source: str) -> str:
    """The environment variable that sets ``source``'s largest accepted answer (MiB)."""
    return f"CARRYWATCH_{source.upper()}_MAX_BODY_MB"


def _check_origin(name: str, origin: str) -> str:
    expected = "use scheme://host[:port], e.g. http://127.0.0.1:8765"
    try:
        parts = urlsplit(origin)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        raise ConfigError(f"{name}={origin!r} is not a valid origin; {expected}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{name}={origin!r} is not an origin; {expected}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ConfigError(
            f"{name}={origin!r} must not carry a path or query: only scheme, host and port "
            f"are replaced, the provider's own path is kept; {expected}"
        )
    _ = port
    return f"{parts.scheme}://{parts.netloc}"


def check_database_url(name: str, url: str) -> str:
    """``url`` if it names a PostgreSQL database; otherwise one line saying what to give."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres"} or not (parts.hostname or parts.path):
        raise ConfigError(
            f"{name} must be a PostgreSQL URL such as postgresql://carrywatch@db.example/"
            f"carrywatch (got the scheme {parts.scheme!r}); leave it unset for the SQLite "
            "store under CARRYWATCH_HOME"
        )
    return url


def _redacted(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}").geturl()


def _positive_float(env: Mapping[str, str], name: str, unit: str = "seconds") -> float | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise ConfigError(f"{name}={text!r} must be a positive number of {unit}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, resolved once."""

    home: Path
    origins: Mapping[str, str] = field(default_factory=dict)
    fred_api_key: str | None = None
    max_per_host: int = 2
    http_timeout_s: float | None = None
    retry_base_s: float = 0.5
    http_deadline_s: float = DEFAULT_HTTP_DEADLINE_S
    max_body_mb: float = DEFAULT_MAX_BODY_MB
    max_body_mb_by_source: Mapping[str, float] = field(default_factory=dict)
    #: A PostgreSQL store's URL (may hold a password: never shown), or None for SQLite.
    database_url: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, source_names: tuple[str, ...] = ()
    ) -> Settings:
        """Settings from environment variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        home_text = env.get("CARRYWATCH_HOME", "").strip()
        if home_text:
            home = Path(home_text).expanduser()
        else:
            home = Path(platformdirs.user_data_dir("carrywatch", appauthor=False))
        origins: dict[str, str] = {}
        for name in source_names:
            var = origin_env_var(name)
            value = env.get(var, "").strip()
            if value:
                origins[name] = _check_origin(var, value)
        max_text = env.get("CARRYWATCH_MAX_PER_HOST", "2").strip()
        if not (max_text.isascii() and max_text.isdecimal()) or int(max_text) < 1:
            raise ConfigError(f"CARRYWATCH_MAX_PER_HOST={max_text!r} must be a positive integer")
        key = env.get("FRED_API_KEY", "").strip() or None
        url = env.get("CARRYWATCH_DATABASE_URL", "").strip() or None
        if url is not None:
            check_database_url("CARRYWATCH_DATABASE_URL", url)
        timeout = _positive_float(env, "CARRYWATCH_HTTP_TIMEOUT_S")
        retry_base = _positive_float(env, "CARRYWATCH_RETRY_BASE_S")
        deadline = _positive_float(env, "CARRYWATCH_HTTP_DEADLINE_S")
        max_body = _positive_float(env, "CARRYWATCH_HTTP_MAX_BODY_MB", "MiB")
        by_source: dict[str, float] = {}
        for name in source_names:
            own = _positive_float(env, max_body_env_var(name), "MiB")
            if own is not None:
                by_source[name] = own
        return cls(
            home=home,
            origins=origins,
            fred_api_key=key,
            max_per_host=int(max_text),
            http_timeout_s=timeout,
            retry_base_s=0.5 if retry_base is None else retry_base,
            http_deadline_s=DEFAULT_HTTP_DEADLINE_S if deadline is None else deadline,
            max_body_mb=DEFAULT_MAX_BODY_MB if max_body is None else max_body,
            max_body_mb_by_source=by_source,
            database_url=url,
        )

    @property
    def store_path(self) -> Path:
        return self.home / "carrywatch.sqlite"

    @property
    def store_location(self) -> Path | str:
        """Where the store is: the PostgreSQL URL when set, else the SQLite file."""
        return self.database_url or self.store_path

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def template_cache(self) -> Path:
        """Where the brief's compiled page template is kept between runs (safe to delete)."""
        return self.home / "cache" / "jinja"

    @property
    def catalog_cache(self) -> Path:
        """Where the catalog's parsed TOML is kept between runs (safe to delete)."""
        return self.home / "cache" / "catalog"

    def secrets(self) -> dict[str, str]:
        """Credentials by settings key, for the HTTP client only."""
        return {"fred_api_key": self.fred_api_key} if self.fred_api_key else {}

    def __repr__(self) -> str:
        # Never show the key, even in a debug traceback.
        key = "set" if self.fred_api_key else "unset"
        return (
            f"Settings(home={str(self.home)!r}, origins={dict(self.origins)!r}, "
            f"fred_api_key=<{key}>, max_per_host={self.max_per_host}, "
            f"http_timeout_s={self.http_timeout_s}, retry_base_s={self.retry_base_s}, "
            f"http_deadline_s={self.http_deadline_s}, max_body_mb={self.max_body_mb}, "
            f"max_body_mb_by_source={dict(self.max_body_mb_by_source)!r}, "
            f"database_url={None if self.database_url is None else _redacted(self.database_url)!r})"
        )
