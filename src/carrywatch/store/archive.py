"""Raw payload bodies kept by SHA-256, so a parser fix can re-parse without re-fetching.

Beside a SQLite store they are files under ``raw/`` (one machine, one folder). A
PostgreSQL store is shared by a team, so its bodies are shared too: rows of its
``payloads`` table (:meth:`RawArchive.of`), written in their own transaction, so every
machine reads what the refresher kept and a read-only reader needs no folder of its own.

Files: ``raw/<first two hex digits>/<sha256>``. Files are written to a temporary name,
flushed to disk and renamed into place, so a killed process leaves either the whole file
or none (an orphan temporary file at worst, removed by a later write into the same
folder once it is a day old, so a concurrent writer's file is never touched). Content
addressing makes writes idempotent.
"""

from __future__ import annotations

import time
from pathlib import Path

from carrywatch.errors import StoreError
from carrywatch.files import write_atomic
from carrywatch.store.sqlite import Store
from carrywatch.types import sha256_hex

__all__ = ["RawArchive"]

_TMP_PREFIX = ".tmp-"
_ORPHAN_AGE_S = 86_400.0


def _remove_orphans(folder: Path) -> None:
    """Delete temporary files a killed writer left, once they are a day old."""
    now = time.time()
    for leftover in folder.glob(f"{_TMP_PREFIX}*"):
        try:
            if now - leftover.stat().st_mtime > _ORPHAN_AGE_S:
                leftover.unlink()
        except OSError:
            continue  # another process removed it first, or it is not ours to remove


class RawArchive:
    """A content-addressed archive of payload bodies: a directory, or (:meth:`of` a
    PostgreSQL store) that store's ``payloads`` table."""

    def __init__(self, root: Path, *, store: Store | None = None) -> None:
        self.root = root
        self._store = store

    @classmethod
    def of(cls, store: Store) -> RawArchive:
        """The archive of ``store``: ``raw/`` beside a SQLite file, the ``payloads``
        table of a PostgreSQL database."""
        if store.backend == "sqlite":
            return cls(Path(store.location).parent / "raw")
        return cls(Path(), store=store)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StoreError(f"not a sha256 digest: {sha256!r}", path=self._where())
        return self.root / sha256[:2] / sha256

    def _where(self) -> str:
        return str(self.root) if self._store is None else f"{self._store.location} (payloads)"

    def put(self, body: bytes) -> str:
        """Store ``body``; returns its sha256. Already-present bodies are not rewritten."""
        digest = sha256_hex(body)
        if self._store is not None:
            with self._store.transaction() as db:
                db.execute(
                    "INSERT INTO payloads(sha256, body) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (digest, body),
                )
            return digest
        target = self.path_for(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove_orphans(target.parent)
            write_atomic(target, body, prefix=_TMP_PREFIX)
        except OSError as exc:
            raise StoreError(f"cannot write raw payload: {exc}", path=str(target)) from exc
        return digest

    def get(self, sha256: str) -> bytes:
        """The body with digest ``sha256``; ``StoreError`` if absent or corrupted."""
        path = self.path_for(sha256)
        if self._store is not None:
            return self._from_table(sha256)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            raise StoreError(
                "raw payload is not in the archive (was the raw/ folder removed?)", path=str(path)
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot read raw payload: {exc}", path=str(path)) from exc
        if sha256_hex(body) != sha256:
            raise StoreError("raw payload does not match its sha256 (corrupted)", path=str(path))
        return body

    def has(self, sha256: str) -> bool:
        path = self.path_for(sha256)
        if self._store is not None:
            with self._store.snapshot() as db:
                found = db.execute("SELECT 1 FROM payloads WHERE sha256 = ?", (sha256,))
                return found.fetchone() is not None
        return path.exists()

    def _from_table(self, sha256: str) -> bytes:
        assert self._store is not None
        with self._store.snapshot() as db:
            row = db.execute("SELECT body FROM payloads WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise StoreError("raw payload is not in the store's payloads table", path=self._where())
        body = bytes(row[0])
        if sha256_hex(body) != sha256:
            raise StoreError(
                "raw payload does not match its sha256 (corrupted)", path=self._where()
            )
        return body
