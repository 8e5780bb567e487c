"""PostgreSQL restarted under a running server: requests recover without restarting the application.

Django keeps a connection per thread (``CONN_MAX_AGE``); after a database restart that connection is dead.
``CONN_HEALTH_CHECKS`` (spm/settings.py) makes Django test a reused connection at the start of each request
and open a new one when it is broken, so the first request after the restart already succeeds.

The test starts a PostgreSQL cluster of its own (initdb into a temporary directory, as the ``postgres``
user, on a free port), migrates it, serves the app from it with gunicorn, makes a request, restarts the
cluster (fast shutdown, start again on the same port) and makes requests again. Every process it starts is
stopped by its PID. It runs only where the suite runs on PostgreSQL (``DATABASE_URL=postgres://…``, as in
``.ci/run``) and needs the PostgreSQL server binaries and a ``postgres`` system user; elsewhere it is skipped
with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/katalog/"  # public, and it reads the database on every request


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} tidak siap dalam {timeout:.0f} detik")


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Cluster:
    """A throw-away PostgreSQL cluster owned by the ``postgres`` user, started and stopped by PID."""

    def __init__(self, bindir: Path, data: Path, port: int, log: Path) -> None:
        self.bindir, self.data, self.port, self.log = bindir, data, port, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(self.bindir / "postgres"),
            *("-D", str(self.data), "-p", str(self.port), "-k", str(self.data)),
            *("-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, user="postgres", stdout=log, stderr=subprocess.STDOUT)
        _wait(lambda: self._ready(), 60, "PostgreSQL uji")

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"PostgreSQL uji berhenti: {self.log.read_text(errors='replace')[-2000:]}")
        result = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
        )
        return result.returncode == 0

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # "fast" shutdown: clients are disconnected, as in a restart
        self.process = None


@pytest.fixture
def cluster():
    if connection.vendor != "postgresql":
        pytest.skip("uji mulai ulang PostgreSQL hanya berjalan bila DATABASE_URL menunjuk PostgreSQL")
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bindirs or not (Path(bindirs[-1]) / "initdb").exists():
        pytest.skip("program server PostgreSQL (initdb) tidak ada")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("pengguna sistem 'postgres' tidak ada")
    if os.geteuid() != 0:
        pytest.skip("menjalankan klaster sebagai pengguna 'postgres' memerlukan root")
    bindir = Path(bindirs[-1])
    base = Path(tempfile.mkdtemp(prefix="espm-pg-"))
    data = base / "data"
    data.mkdir()
    for path in (base, data):
        os.chown(path, owner.pw_uid, owner.pw_gid)
    data.chmod(0o700)
    log = base / "postgres.log"
    log.touch()
    os.chown(log, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "root", "--no-sync", "-E", "UTF8"],
        user="postgres",
        check=True,
        capture_output=True,
    )
    instance = Cluster(bindir, data, _free_port(), log)
    try:
        instance.start()
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def server(cluster, tmp_path):
    """gunicorn serving the app from the test cluster (one worker, one thread: one reused connection)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://root@127.0.0.1:{cluster.port}/postgres",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    python = str(Path(sys.executable))
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600
    )
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "spm.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: _accepts(port), 60, "gunicorn")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)
        log.close()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_requests_recover_after_postgresql_restarts(cluster, server):
    assert [_get(server + PAGE) for _ in range(3)] == [200, 200, 200]  # the connection is reused (CONN_MAX_AGE)

    # No request while it is down: one would fail and make Django drop the connection, hiding the stale one.
    cluster.stop()
    cluster.start()

    # Not one failed request after the restart: CONN_HEALTH_CHECKS finds the dead connection before the view
    # runs and opens a new one (without it, the first request would fail and close the connection).
    assert [_get(server + PAGE) for _ in range(5)] == [200] * 5
