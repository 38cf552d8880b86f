"""The console script owns its process and tunes its collector; ``main`` called from
Python leaves the caller's collector alone (docs/decisions/0020-cold-brief-collector.md)."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carrywatch.cli import main

_RUN = """
import atexit, gc, sys
atexit.register(lambda: print(gc.get_freeze_count() > 0, gc.isenabled(), file=sys.stderr))
from carrywatch.cli import run
sys.argv = ["carrywatch", *sys.argv[1:]]
run()
"""


@pytest.fixture
def seeded_home(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeded home, as ``CARRYWATCH_HOME``."""
    folder = tmp_path / "home"
    shutil.copytree(seeded, folder)
    monkeypatch.setenv("CARRYWATCH_HOME", str(folder))
    return folder


@pytest.mark.usefixtures("seeded_home")
def test_the_console_script_freezes_what_the_brief_imported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["brief", "--asof", "2024-08-05", "--out", str(out)]
    command = [sys.executable, "-c", _RUN, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # Frozen after the imports, and collecting again for what the run made.
    assert done.stderr.strip().splitlines()[-1] == "True True"
    # The same brief as from Python (generated_at aside).
    here = tmp_path / "here"
    assert main(["brief", "--asof", "2024-08-05", "--out", str(here)]) == 0
    ran, made = (json.loads((d / "brief.json").read_text("utf-8")) for d in (out, here))
    assert {**ran, "generated_at": None} == {**made, "generated_at": None}


@pytest.mark.usefixtures("seeded_home")
def test_main_from_python_leaves_the_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    assert main(["brief", "--asof", "2024-08-05", "--out", str(tmp_path / "out")]) == 0
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
