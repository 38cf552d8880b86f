"""Writing a file so that a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: bytes, *, prefix: str, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (named
    ``prefix...``), flushed to disk, then renamed over ``path``: a reader sees the old
    file or the new one, never a part, and a crash leaves at most the temporary file.

    ``mode`` sets the file's permissions (``mkstemp`` makes it 0600, private to the user).
    Any failure removes the temporary file and re-raises.
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
