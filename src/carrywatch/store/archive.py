"""Raw payload bodies kept by SHA-256, so a parser fix can re-parse without re-fetching.

Layout: ``raw/<first two hex digits>/<sha256>``. Files are written to a temporary name,
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
    """A content-addressed directory of payload bodies."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StoreError(f"not a sha256 digest: {sha256!r}", path=str(self.root))
        return self.root / sha256[:2] / sha256

    def put(self, body: bytes) -> str:
        """Store ``body``; returns its sha256. Already-present bodies are not rewritten."""
        digest = sha256_hex(body)
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
        return self.path_for(sha256).exists()
