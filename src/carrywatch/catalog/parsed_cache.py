"""The catalog's TOML files as parsed, kept between runs (decision 0019).

Parsing ``series.toml``, ``events.toml`` and ``releases.toml`` (about 170 kB) with
:mod:`tomllib` costs about 17 ms, a tenth of what a cold brief spends beyond importing
pandas. :func:`parsed_documents` keeps what :func:`tomllib.loads` returned in one file,
``catalog.pickle`` in the cache folder, under a key that is the SHA-256 of the files' bytes
(and of this format's version):

* **a stale cache is never used**: the files are read on every run (1 ms) and hashed; a
  cache whose key differs is ignored and replaced;
* **a corrupt cache is ignored and rebuilt**: anything that cannot be unpickled into the
  expected shape means parsing again, never an error;
* **nothing but data is unpickled**: the unpickler admits no class except
  :class:`datetime.date`, :class:`~datetime.datetime`, :class:`~datetime.time`,
  :class:`~datetime.timedelta` and :class:`~datetime.timezone` (what TOML's values can be),
  so a planted file cannot run code;
* **a folder that cannot be written only means parsing** on each run.

The documents are still checked by the catalog's parsers on every load (the cache holds
TOML's output, not the catalog), so a cached file can never hold a catalog the checks would
refuse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from carrywatch.errors import CatalogError
from carrywatch.files import write_atomic

__all__ = ["CACHE_FILE", "parsed_documents"]

#: The cache's file name inside its folder.
CACHE_FILE: Final = "catalog.pickle"
#: Bumped when what is stored changes shape: an older file's key then never matches.
_FORMAT: Final = b"carrywatch parsed catalog 1\n"
#: The classes a TOML document's values can be, the only ones the unpickler admits.
_ALLOWED: Final = frozenset(
    {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time")}
    | {("datetime", "timedelta"), ("datetime", "timezone")}
)


class _DataOnly(pickle.Unpickler):
    """An unpickler for plain data and ``datetime`` values: any other global is refused
    (the pattern of the :mod:`pickle` documentation's "Restricting Globals")."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a catalog cache")


def _key(texts: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256(_FORMAT)
    for name, text in texts:
        encoded = text.encode("utf-8")
        # Name and length first, so no two sets of files can hash the same stream.
        digest.update(f"{name}\n{len(encoded)}\n".encode())
        digest.update(encoded)
    return digest.hexdigest()


def _cached(path: Path, key: str, names: Sequence[str]) -> dict[str, dict[str, Any]] | None:
    """The documents kept in ``path`` under ``key``, else ``None`` (no file, another key,
    or anything unreadable)."""
    try:
        stored = _DataOnly(io.BytesIO(path.read_bytes())).load()
    except Exception:  # a corrupt file may fail in any way: parse again
        return None
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
        return None
    documents = stored[1]
    if not (isinstance(documents, dict) and sorted(documents) == sorted(names)):
        return None
    if not all(isinstance(doc, dict) for doc in documents.values()):
        return None
    return documents


def parsed_documents(texts: Mapping[str, str], cache: Path | None) -> dict[str, dict[str, Any]]:
    """Each of ``texts`` (file name to its text) parsed by :func:`tomllib.loads`, taken
    from ``cache/catalog.pickle`` when it was parsed from the same bytes, else parsed
    and kept there (``cache`` ``None``: parsed, nothing kept).

    Raises :class:`~carrywatch.errors.CatalogError` naming a malformed file (never for a
    malformed cache, which is only ignored).
    """
    ordered = sorted(texts.items())
    key = _key(ordered)
    path = None if cache is None else cache / CACHE_FILE
    if path is not None:
        found = _cached(path, key, [name for name, _ in ordered])
        if found is not None:
            return found
    documents = {}
    for name, text in ordered:
        try:
            documents[name] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"catalog file {name} cannot be read: {exc}") from exc
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps((key, documents), protocol=pickle.HIGHEST_PROTOCOL)
            # Atomic, so a concurrent reader sees a whole file; not synced: a lost or
            # empty file after a power failure is only parsed again.
            write_atomic(path, data, prefix=".catalog-", durable=False)
        except OSError:
            pass  # a read-only or full home: parse again next time
    return documents
