"""PostgreSQL and Redis servers of a test's own, on free ports, to stop and restart under the app (no tests here).

Never the shared servers on 5432/6379: a fault test kills what it starts. PostgreSQL refuses to run as root, so as
root the cluster belongs to the ``postgres`` OS user (``runuser``), in a temporary directory it owns. Missing
binaries skip the test with the reason, unless ``REQUIRE_POSTGRES=1`` (CI), which makes them a failure.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

# Bounded waits for a server to come up or go down (a loop of short sleeps, not a timed assertion).
START_TRIES = 300
STEP = 0.05


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(reason):
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PostgresServer:
    """A throwaway cluster: ``start``, ``stop`` (fast: connections are cut, as in a crash or failover), ``url``."""

    def __init__(self):
        bindir = _postgres_bin()
        if bindir is None:
            missing("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        self.bindir, self.port = bindir, free_port()
        self.root = tempfile.mkdtemp(prefix="gongjian-pg-")  # under /tmp: the postgres user can reach it
        self.data, self.log = os.path.join(self.root, "data"), os.path.join(self.root, "server.log")
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root and there is no postgres OS user to run PostgreSQL as")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program, *args):
        command = [os.path.join(self.bindir, program), *args]
        if self.user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def destroy(self):
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """``redis-server`` on a free port, nothing saved to disk; ``stop`` and ``start`` again on the same port."""

    def __init__(self):
        self.program = shutil.which("redis-server")
        if self.program is None:
            missing("redis-server is not installed")
        self.port, self.process = free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        for _ in range(START_TRIES):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(STEP)
        raise RuntimeError("redis-server did not answer")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None
