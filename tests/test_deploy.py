"""What production runs: the gunicorn configuration loads and answers on /readyz, and the backup script's dump
restores with every row (PostgreSQL)."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_gunicorn_serves_with_the_production_config(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "LOG_FORMAT": "json",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    body, request_id = r.read().decode(), r.headers["X-Request-Id"]
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert '"database":"ok"' in body.replace(" ", "")
    finally:
        server.terminate()
        out = server.communicate(timeout=20)[0]
    access = [line for line in out.splitlines() if '"logger": "access"' in line]
    mine = [line for line in access if f'"request_id": "{request_id}"' in line]
    assert mine and '"status": 200' in mine[0] and '"path": "/readyz"' in mine[0], out


@pytest.mark.postgres_only
def test_the_backup_restores_every_row(app, kit, make, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump/psql are not installed")
    make.units(kit.compound, 5)
    kit.vote()
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    from backend.extensions import db

    db.session.remove()
    run = subprocess.run(
        ["bash", "deploy/backup.sh", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "restore check: every table has the same rows" in run.stdout
    assert list(tmp_path.glob("gongjian-*.dump"))
