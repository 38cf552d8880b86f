"""Answers ``serve`` keeps built: each computed once per store version, by one thread.

:class:`SharedCache` holds the newest answers by key, where a key names the store version
it was built from (:meth:`~carrywatch.store.sqlite.Store.data_version`, or the last fetch
id for a series): a write makes new keys, so nothing is ever served stale and nothing has
to be invalidated. Callers asking for a key that another thread is building wait for that
build (a single flight): 16 readers of one uncached page build it once.

:class:`BriefCache` is the served brief: the page written as ``carrywatch brief`` writes
it, kept in memory with the served app's date bar, and rebuilt when the store changed.
"""

from __future__ import annotations

import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Final, Generic, TypeVar

from carrywatch.catalog.spec import Catalog
from carrywatch.report.compare_page import date_bar
from carrywatch.report.metrics import default_asof
from carrywatch.report.render import PLOTLY_FILE, build_report, write_report
from carrywatch.store.sqlite import Store
from carrywatch.types import utc_now

__all__ = ["MAX_BRIEFS", "BriefCache", "SharedCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Briefs kept rendered for as-of days other than the default (oldest dropped first).
MAX_BRIEFS: Final = 8
#: Briefs built at the same time (each a few hundred MB of work at most; the rest wait).
_BUILDS_AT_ONCE: Final = 2


class SharedCache(Generic[K, V]):
    """The last ``size`` values by key, each built once (see the module docstring).

    A build that raises is not kept: its waiters get the same exception, and the next
    caller builds again.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[K, V] = OrderedDict()
        self._building: dict[K, tuple[Future[V], list[int]]] = {}

    def get(self, key: K, build: Callable[[], V]) -> V:
        """The value of ``key``: kept, being built by another thread (wait for it), or
        built now by this one."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            pending = self._building.get(key)
            if pending is None:
                future: Future[V] = Future()
                self._building[key] = (future, [0])
            else:
                pending[1][0] += 1
        if pending is not None:
            return pending[0].result()
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                del self._building[key]
            future.set_exception(exc)
            raise
        with self._lock:
            self._done[key] = value
            while len(self._done) > self._size:
                self._done.popitem(last=False)
            del self._building[key]
        future.set_result(value)
        return value

    def waiting(self, key: K) -> int:
        """How many callers wait for the build of ``key`` now (0 when none is running)."""
        with self._lock:
            pending = self._building.get(key)
            return 0 if pending is None else pending[1][0]

    def held(self) -> list[K]:
        """The keys kept, least recently used first, then those being built."""
        with self._lock:
            return [*self._done, *self._building]


class BriefCache:
    """The served brief per as-of day, rebuilt only when the store has changed."""

    def __init__(
        self,
        catalog_of: Callable[[Store], Catalog],
        folder: Path,
        *,
        template_cache: Path | None = None,
    ) -> None:
        self._catalog_of = catalog_of
        self._folder = folder
        self._template_cache = template_cache
        # Key: (as-of day or None for the default, today's date for the default, version).
        self._pages: SharedCache[tuple[date | None, date | None, int], bytes] = SharedCache(
            MAX_BRIEFS + 2
        )
        self._builds = threading.BoundedSemaphore(_BUILDS_AT_ONCE)
        # One build at a time per folder (two store versions of one day write the same
        # files): a lock per stripe of days, a fixed number however many days are asked.
        self._folder_locks = tuple(threading.Lock() for _ in range(_BUILDS_AT_ONCE * 4))
        self._plotly: bytes | None = None

    def key(self, store: Store, asof: date | None) -> tuple[date | None, date | None, int]:
        """The cache key of the page as of ``asof`` on ``store`` as it is now."""
        today = utc_now().date() if asof is None else None  # the default day moves with it
        return (asof, today, store.data_version())

    def page(self, store: Store, asof: date | None = None) -> bytes:
        """The brief.html as of ``asof`` (default: :func:`default_asof`) with the served
        app's date bar, built first if the store changed since it was last built."""
        key = self.key(store, asof)
        return self._pages.get(key, lambda: self._build(store, asof))

    def waiting(self, store: Store, asof: date | None = None) -> int:
        """How many requests wait for the page as of ``asof`` being built now."""
        return self._pages.waiting(self.key(store, asof))

    def _build(self, store: Store, asof: date | None) -> bytes:
        folder = self._folder if asof is None else self._folder / asof.isoformat()
        folder_lock = self._folder_locks[hash(asof) % len(self._folder_locks)]
        with folder_lock, self._builds:
            day = asof or default_asof(store, utc_now().date())
            report = build_report(store, self._catalog_of(store), day)
            paths = write_report(report, folder, template_cache=self._template_cache)
            page = _with_date_bar(paths.html.read_bytes(), asof)
        self._forget_old_folders()
        return page

    def _forget_old_folders(self) -> None:
        """Remove the folders of dated briefs no longer kept (the newest
        :data:`MAX_BRIEFS` days stay)."""
        kept = [day for day, _, _ in self._pages.held() if day is not None]
        keep = {day.isoformat() for day in kept[-MAX_BRIEFS:]}
        for child in self._folder.iterdir() if self._folder.is_dir() else ():
            if child.is_dir() and child.name[:1].isdigit() and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def plotly_js(self, store: Store) -> bytes:
        """``plotly.min.js`` as written beside the brief (read once)."""
        if self._plotly is None:
            if not (self._folder / PLOTLY_FILE).is_file():
                self.page(store)
            self._plotly = (self._folder / PLOTLY_FILE).read_bytes()
        return self._plotly


def _with_date_bar(page: bytes, asof: date | None) -> bytes:
    """The brief with the served app's date bar after its ``<body>`` tag (the written,
    offline page has none: its form would need this server)."""
    start = page.find(b"<body")
    end = page.find(b">", start) + 1 if start >= 0 else 0
    if not end:
        return page
    return page[:end] + date_bar(asof).encode("utf-8") + page[end:]
