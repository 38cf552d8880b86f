"""A throwaway PostgreSQL server for the tests: the distribution's binaries, a temporary
data directory, a free loopback port and a unix socket in that directory.

PostgreSQL refuses to run as root; when the tests run as root (CI), ``initdb`` and the
server run as the unprivileged user ``nobody`` through ``runuser``, with the temporary
directory owned by it. Authentication is ``trust`` on loopback and the socket only: the
server is reachable from this machine alone and removed at the end.

:func:`start` gives a :class:`Server`, or the reason none could be started (no
binaries, ``initdb`` failed, ...), which the fixtures turn into a skip (or a failure
under ``CARRYWATCH_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["REQUIRE_ENV", "Server", "start", "unavailable"]

#: Set to 1 (as ``.ci/run`` does) to make "PostgreSQL is not available" a failure.
REQUIRE_ENV = "CARRYWATCH_REQUIRE_POSTGRES"

_SUPERUSER = "carrywatch"
_UNPRIVILEGED = "nobody"


@dataclass
class Server:
    """A running throwaway server; :meth:`database` makes a fresh, empty database."""

    bindir: Path
    root: Path
    port: int
    run_as: list[str]
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres", user: str = _SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new empty database's URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def version(self) -> str:
        """The server's version, as ``postgres -V`` prints it."""
        found = _run(str(self.bindir / "postgres"), "-V")
        return found.stdout.strip()

    def stop(self) -> None:
        pg_ctl = str(self.bindir / "pg_ctl")
        _run(*self.run_as, pg_ctl, "stop", "--mode=immediate", f"--pgdata={self.root / 'data'}")
        shutil.rmtree(self.root, ignore_errors=True)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def _bindir() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    # Debian and Ubuntu keep the server binaries out of PATH, one folder per major version.
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> Server | str:
    """Start a server; the reason in a sentence when it cannot be done."""
    bindir = _bindir()
    if bindir is None:
        return (
            "PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql); "
            "on Debian: apt-get install postgresql"
        )
    try:
        import psycopg
    except ImportError:
        return "the PostgreSQL driver psycopg is not installed (pip install -e '.[dev]')"
    as_root = os.geteuid() == 0
    # As root, a folder the unprivileged user can reach (TMPDIR may be root's own).
    root = Path(tempfile.mkdtemp(prefix="carrywatch-pg-", dir="/tmp" if as_root else None))
    run_as: list[str] = []
    if as_root:
        runuser = shutil.which("runuser")
        if runuser is None:
            shutil.rmtree(root, ignore_errors=True)
            return "running as root without runuser: cannot start PostgreSQL as another user"
        user = pwd.getpwnam(_UNPRIVILEGED)
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = [runuser, "-u", _UNPRIVILEGED, "--"]
    (root / "socket").mkdir()
    if run_as:
        user = pwd.getpwnam(_UNPRIVILEGED)
        os.chown(root / "socket", user.pw_uid, user.pw_gid)
    port = _free_port()
    server = Server(bindir=bindir, root=root, port=port, run_as=run_as)
    initdb = _run(
        *run_as,
        str(bindir / "initdb"),
        "--auth=trust",
        "--encoding=UTF8",
        "--no-sync",
        "--locale=C.UTF-8",
        f"--username={_SUPERUSER}",
        f"--pgdata={root / 'data'}",
    )
    if initdb.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        return f"initdb failed: {initdb.stderr.strip().splitlines()[-1:]}"
    # A throwaway server: durability off (fsync), so the tests do not wait on the disk.
    options = (
        f"-p {port} -k {root / 'socket'} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    started = _run(
        *run_as,
        str(bindir / "pg_ctl"),
        "start",
        "--wait",
        "--timeout=60",
        f"--options={options}",
        f"--log={root / 'server.log'}",
        f"--pgdata={root / 'data'}",
    )
    if started.returncode != 0:
        log = ""
        with contextlib.suppress(OSError):
            log = (root / "server.log").read_text().strip().splitlines()[-1]
        server.stop()
        return f"the PostgreSQL server did not start: {log or started.stderr.strip()}"
    # pg_ctl -w returns once the server accepts connections; poll briefly in case it
    # reported readiness on the socket before the TCP listener.
    for _ in range(50):
        try:
            import psycopg

            psycopg.connect(server.url(), connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    return server


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it under ``CARRYWATCH_REQUIRE_POSTGRES=1``."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")
