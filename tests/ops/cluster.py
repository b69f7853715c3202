"""A throw-away PostgreSQL cluster of the test's own (initdb in a temporary directory, its own
port and socket directory), so a test may stop and restart it; never the shared server."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        if not (BIN / "initdb").exists():
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL 15's initdb is required in CI ({BIN})")
            pytest.skip("PostgreSQL 15 server binaries not installed")
        self.root = Path(tempfile.mkdtemp(prefix="tb_cluster_"))
        self.data = self.root / "data"
        self.port = _free_port()
        # initdb refuses root: run the server as the postgres user when we are root.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: object) -> None:
        subprocess.run(
            [*self.as_user, *map(str, args)], check=True, capture_output=True, timeout=120
        )

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log", "-w", *args
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> float:
        """Restart (fast: open connections are cut); the seconds it was away."""
        started = time.monotonic()
        self._ctl("restart", "-m", "fast")
        return time.monotonic() - started

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
