"""What production runs: the gunicorn configuration loads and answers on /readyz, and the backup script's dump
restores with every row (PostgreSQL)."""

import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

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


def _backup(app, tmp_path, photos):
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    from backend.extensions import db

    db.session.remove()
    return subprocess.run(
        ["bash", "deploy/backup.sh", str(tmp_path / "backups")],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PHOTO_DIR": str(photos)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def app_config(tmp_path):
    return {"PHOTO_DIR": str(tmp_path / "photos")}


@pytest.mark.postgres_only
def test_the_backup_restores_every_row_and_photo(app, kit, make, client, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump/psql are not installed")
    from tests.test_construction_problems import file, gps_jpeg, png
    from tests.test_projects import create

    units = make.units(kit.compound, 5)
    kit.vote()
    t = SimpleNamespace(client=client, h=kit.h, c1=kit.compound)
    resident = make.headers(make.resident(units[0]))
    file(t, create(t), resident, photos=[("a.jpg", gps_jpeg()), ("b.png", png())])
    photos = Path(app.config["PHOTO_DIR"])
    assert len(list(photos.iterdir())) == 2
    run = _backup(app, tmp_path, photos)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "restore check: every table has the same rows" in run.stdout
    assert "restore check: every photo restored (2 files" in run.stdout
    assert list((tmp_path / "backups").glob("gongjian-*.dump"))
    with tarfile.open(next((tmp_path / "backups").glob("gongjian-photos-*.tar.gz"))) as archive:
        assert sorted(Path(n).name for n in archive.getnames() if n != ".") == sorted(p.name for p in photos.iterdir())


@pytest.mark.postgres_only
def test_the_backup_fails_when_a_photo_is_missing_or_unset(app, kit, make, client, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump/psql are not installed")
    from tests.test_construction_problems import file, gps_jpeg
    from tests.test_projects import create

    units = make.units(kit.compound, 1)
    t = SimpleNamespace(client=client, h=kit.h, c1=kit.compound)
    file(t, create(t), make.headers(make.resident(units[0])), photos=[("a.jpg", gps_jpeg())])
    photos = Path(app.config["PHOTO_DIR"])
    for stored in photos.iterdir():
        stored.unlink()  # the database names a photo the folder lost: the backup must say so
    run = _backup(app, tmp_path, photos)
    assert run.returncode != 0 and "photos the database names are not in the archive" in run.stderr, run.stdout
    run = _backup(app, tmp_path, "")
    assert run.returncode != 0 and "PHOTO_DIR" in run.stderr
