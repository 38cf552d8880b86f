"""Crash consistency: ``carrywatch refresh`` killed with SIGKILL at random moments.

A refresh runs as a real process (``python -m carrywatch.cli refresh --source japan_mof``)
against a :class:`~tests.helpers.replay_server.ReplayServer` serving MOF's JGB history
file, and is killed (SIGKILL: no ``finally``, no ``atexit``) after a random delay drawn
from a seeded ``random.Random``. Some runs start from a fresh home, so the kill often
lands in the seeding of the embedded snapshot (about 340 000 rows, one transaction);
the others start from a copy of a seeded home, so it lands in the fetch, the parse or
the write of the payload.

The payload. The real history file ``jgbcm_all_1974-09_to_2022-05_cp932.csv`` holds
exactly the values the snapshot already has (the snapshot was built from MOF's file),
so refreshing it writes no observation. To make the killed write large, most runs serve
a *revised* history derived in memory from those real bytes: every yield moved by
+0.001 (``revised_history``), 147 952 revisions in one transaction. The other runs serve
the real bytes unchanged. The current-month path serves the constructed ``jgbcm.csv``.

After each kill the store must open, pass ``PRAGMA integrity_check`` and
``foreign_key_check``, and show nothing of an unfinished write:

* seeding is all or nothing: the meta key ``snapshot_sha256`` is present exactly when
  every snapshot fetch row and observation is, and otherwise none is;
* each live ``japan_mof`` fetch row carries exactly the observations that a completed
  reference refresh of the same payload (same sha256) stored, and its raw body is in
  the archive;
* every file under ``raw/`` (temporary ``.tmp-*`` files aside) holds the bytes its name
  promises.

Finally a normal refresh of a killed home completes and yields the reference state.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import carrywatch
from carrywatch.catalog.spec import load_catalog
from carrywatch.store.archive import RawArchive
from carrywatch.store.sqlite import Store
from tests.helpers.replay_server import ReplayServer, Reply

PAYLOADS = Path(__file__).parent / "payloads" / "japan_mof"
HISTORY_FILE = PAYLOADS / "jgbcm_all_1974-09_to_2022-05_cp932.csv"
CURRENT_FILE = PAYLOADS / "constructed_jgbcm_R8-06.csv"
HISTORY_PATH = "/jgbs/reference/interest_rate/data/jgbcm_all.csv"
CURRENT_PATH = "/jgbs/reference/interest_rate/jgbcm.csv"

SEED = 20_261_125
ITERATIONS = 20
FRESH_ITERATIONS = 6
STORE_NAME = "carrywatch.sqlite"

_ERA_ROW = re.compile(rb"^[SHR][0-9]{1,2}\.")


def revised_history(body: bytes) -> bytes:
    """The real MOF history with every yield revised by +0.001 (the ``-`` markers kept).

    Data lines are ASCII (era date, numbers), so the CP932 title and header lines pass
    through untouched and the result is still a valid MOF file.
    """
    lines = body.split(b"\r\n")
    for i, line in enumerate(lines):
        if not _ERA_ROW.match(line):
            continue
        cells = line.split(b",")
        revised = [c if c == b"-" else f"{float(c) + 0.001:.3f}".encode() for c in cells[1:]]
        lines[i] = b",".join([cells[0], *revised])
    return b"\r\n".join(lines)


@dataclass(frozen=True)
class Reference:
    """What a completed refresh leaves, and how long each phase takes."""

    counts: tuple[int, int]
    snapshot: tuple[int, int]  # (fetch rows, observations) of origin 'snapshot'
    live: Mapping[str, int]  # sha256 -> observations of a live japan_mof fetch row
    frame: pd.DataFrame  # the JGB series: series_id, obs_date, value, origin
    seed_s: float
    refresh_s: float


def _jgb_ids() -> list[str]:
    return sorted(s.id for s in load_catalog().by_source("japan_mof"))


def _per_fetch(path: Path) -> dict[int, int]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT fetch_id, COUNT(*) FROM observations GROUP BY fetch_id")
        return {int(f): int(n) for f, n in rows}


def _snapshot_totals(store: Store, per_fetch: Mapping[int, int]) -> tuple[int, int]:
    rows = store.fetches(origin="snapshot")
    return len(rows), sum(per_fetch.get(f.fetch_id, 0) for f in rows)


def _jgb_frame(store: Store) -> pd.DataFrame:
    frame = store.read(_jgb_ids())
    return frame[["series_id", "obs_date", "value", "origin"]].reset_index(drop=True)


def _env(home: Path, origin: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARRYWATCH_")}
    env.update(
        CARRYWATCH_HOME=str(home),
        CARRYWATCH_JAPAN_MOF_ORIGIN=origin,
        CARRYWATCH_RETRY_BASE_S="0.01",
        CARRYWATCH_HTTP_TIMEOUT_S="30",
    )
    env.pop("FRED_API_KEY", None)
    return env


def _start_refresh(home: Path, origin: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "carrywatch.cli", "refresh", "--source", "japan_mof"],
            env=_env(home, origin),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def _complete_refresh(home: Path, origin: str, log: Path) -> tuple[float, float]:
    """Run a refresh to its end; (monotonic start, duration in seconds)."""
    started = time.monotonic()
    process = _start_refresh(home, origin, log)
    try:
        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:  # only on a timeout: never leave it running
            process.kill()
            process.wait()
    assert code == 0, log.read_text(errors="replace")
    return started, time.monotonic() - started


def _refresh_killed_after(home: Path, origin: str, delay_s: float, log: Path) -> bool:
    """Run a refresh and SIGKILL it after ``delay_s``; False if it finished first."""
    process = _start_refresh(home, origin, log)
    try:
        process.wait(timeout=delay_s)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return True
    assert process.returncode == 0, log.read_text(errors="replace")
    return False


def check_consistent(home: Path, reference: Reference) -> str:
    """Assert the crash invariants of the module docstring; describe the state found."""
    path = home / STORE_NAME
    # Store.open, not open_store: look at what the killed process left, without seeding.
    with Store.open(path) as store:
        assert store.integrity_check() == "ok"
        per_fetch = _per_fetch(path)
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        seeded = store.get_meta("snapshot_sha256") is not None
        snapshot = _snapshot_totals(store, per_fetch)
        assert snapshot == (reference.snapshot if seeded else (0, 0)), (seeded, snapshot)
        live = store.fetches(source="japan_mof", origin="live")
        assert store.fetches(origin="live") == live  # nothing else was refreshed
    archive = RawArchive(home / "raw")
    for fetch in live:
        assert seeded, "a live fetch row without a completed seeding"
        assert fetch.sha256 in reference.live, "a payload no completed refresh stores"
        assert per_fetch.get(fetch.fetch_id, 0) == reference.live[fetch.sha256]
        assert archive.get(fetch.sha256)  # present and matching its digest
    for file in (home / "raw").rglob("*") if (home / "raw").exists() else ():
        if file.is_file() and not file.name.startswith(".tmp-"):
            assert hashlib.sha256(file.read_bytes()).hexdigest() == file.name
    if not seeded:
        return "unseeded"
    return f"seeded+{len(live)}live"


def assert_reference_state(home: Path, reference: Reference) -> None:
    with carrywatch.open_store(home) as store:
        assert store.integrity_check() == "ok"
        assert store.counts() == reference.counts
        per_fetch = _per_fetch(home / STORE_NAME)
        live = store.fetches(source="japan_mof", origin="live")
        assert {f.sha256: per_fetch[f.fetch_id] for f in live} == dict(reference.live)
        pd.testing.assert_frame_equal(_jgb_frame(store), reference.frame)


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history() -> tuple[bytes, bytes]:
    """(real history bytes, revised history bytes)."""
    real = HISTORY_FILE.read_bytes()
    return real, revised_history(real)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A seeded home (copy it, never use it) and how long seeding took."""
    folder = tmp_path_factory.mktemp("crash-seeded") / "home"
    started = time.monotonic()
    carrywatch.open_store(folder).close()
    return folder, time.monotonic() - started


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        replay.route(CURRENT_PATH, Reply.payload(CURRENT_FILE.read_bytes()))
        yield replay


# -- tests ----------------------------------------------------------------------------


def test_revised_history_is_the_real_file_with_every_value_moved() -> None:
    real = HISTORY_FILE.read_bytes()
    revised = revised_history(real)
    real_lines, revised_lines = real.split(b"\r\n"), revised.split(b"\r\n")
    assert len(real_lines) == len(revised_lines)
    assert real_lines[:2] == revised_lines[:2]  # CP932 title and header untouched
    assert real_lines[2].startswith(b"S49.9.24,10.327,9.362,")
    assert revised_lines[2].startswith(b"S49.9.24,10.328,9.363,")
    assert revised_lines[2].endswith(b",-,-,-,-,-,-")
    assert real_lines[-2] == b"R4.5.31,-0.085,-0.07,-0.049,-0.026,0.01,0.064,0.122,0.173," + (
        b"0.213,0.246,0.521,0.766,0.909,1.021,1.092"
    )
    assert revised_lines[-2].startswith(b"R4.5.31,-0.084,-0.069,")


@pytest.mark.slow
def test_refresh_killed_at_random_moments_leaves_a_consistent_store(
    tmp_path: Path,
    seeded: tuple[Path, float],
    history: tuple[bytes, bytes],
    server: ReplayServer,
) -> None:
    base, seed_s = seeded
    real, revised = history
    logs = tmp_path / "logs"
    logs.mkdir()

    # The reference: a completed refresh of the revised history on a seeded copy.
    server.route(HISTORY_PATH, Reply.payload(revised))
    reference_home = tmp_path / "reference"
    shutil.copytree(base, reference_home)
    started, refresh_s = _complete_refresh(reference_home, server.origin, logs / "reference.log")
    # When the payload was asked for: before it, start-up and opening the store; after
    # it, the fetch, the parse and the write (the part worth killing most).
    fetch_s = server.requests_for(HISTORY_PATH)[0].at - started
    with carrywatch.open_store(reference_home) as store:
        per_fetch = _per_fetch(reference_home / STORE_NAME)
        live = {
            f.sha256: per_fetch[f.fetch_id]
            for f in store.fetches(source="japan_mof", origin="live")
        }
        reference = Reference(
            counts=store.counts(),
            snapshot=_snapshot_totals(store, per_fetch),
            live=live,
            frame=_jgb_frame(store),
            seed_s=seed_s,
            refresh_s=refresh_s,
        )
    revised_sha = hashlib.sha256(revised).hexdigest()
    # The real bytes add nothing (they are what the snapshot holds); the revision adds
    # one fetch row whose observations are every yield of the file.
    assert dict(reference.live) == {revised_sha: 147_952}
    assert reference.snapshot[1] > 300_000

    rng = random.Random(SEED)
    kinds = ["fresh"] * FRESH_ITERATIONS + ["seeded"] * (ITERATIONS - FRESH_ITERATIONS)
    rng.shuffle(kinds)
    homes: dict[str, Path] = {}
    outcomes: list[str] = []
    for i, kind in enumerate(kinds):
        home = tmp_path / f"run-{i:02d}-{kind}"
        if kind == "fresh":  # mostly lands in the seeding
            delay_s = rng.uniform(0.05, fetch_s + seed_s)
        else:
            shutil.copytree(base, home)
            early = rng.random() < 0.4
            delay_s = rng.uniform(0.05, fetch_s) if early else rng.uniform(fetch_s, refresh_s)
        body = revised if rng.random() < 0.75 else real
        server.route(HISTORY_PATH, Reply.payload(body))
        asked = len(server.requests_for(HISTORY_PATH))
        killed = _refresh_killed_after(home, server.origin, delay_s, logs / f"run-{i:02d}.log")
        fetched = len(server.requests_for(HISTORY_PATH)) > asked
        state = check_consistent(home, reference)
        outcomes.append(
            f"{kind}:{delay_s:.2f}s:{'killed' if killed else 'done'}:"
            f"{'after' if fetched else 'before'}-fetch:{state}"
        )
        homes[kind] = home

    kills = [o for o in outcomes if ":killed:" in o]
    assert len(kills) >= ITERATIONS // 2, outcomes
    assert any(o.startswith("fresh") and o.endswith("unseeded") for o in kills), outcomes
    assert sum(":after-fetch:" in o for o in kills) >= 2, outcomes

    # A normal refresh after the kills completes and gives the reference state.
    server.route(HISTORY_PATH, Reply.payload(revised))
    for kind, home in sorted(homes.items()):
        _complete_refresh(home, server.origin, logs / f"final-{kind}.log")
        assert_reference_state(home, reference)


def test_killed_archive_write_leaves_no_partial_body(tmp_path: Path) -> None:
    """SIGKILL between writing the temporary file and renaming it into place."""
    root = tmp_path / "raw"
    body = HISTORY_FILE.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from carrywatch.store.archive import RawArchive\n"
        "os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "RawArchive(Path(sys.argv[1])).put(Path(sys.argv[2]).read_bytes())\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(root), str(HISTORY_FILE)], check=False)
    assert done.returncode == -signal.SIGKILL

    archive = RawArchive(root)
    assert not archive.has(digest)  # never a partial body under the final name
    (orphan,) = root.rglob(".tmp-*")
    assert orphan.parent == root / digest[:2]

    # A young orphan may belong to a concurrent writer: a write into its folder keeps it.
    neighbour = next(
        b
        for b in (str(i).encode() for i in range(100_000))
        if hashlib.sha256(b).hexdigest()[:2] == digest[:2]
    )
    archive.put(neighbour)
    assert orphan.exists()
    # A day-old orphan is removed by the next write into its folder.
    two_days_ago = time.time() - 2 * 86_400
    os.utime(orphan, (two_days_ago, two_days_ago))
    assert archive.put(body) == digest
    assert not orphan.exists()
    assert archive.get(digest) == body
    assert sorted(p.name for p in (root / digest[:2]).iterdir()) == sorted(
        [digest, hashlib.sha256(neighbour).hexdigest()]
    )
