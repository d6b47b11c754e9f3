#!/usr/bin/env python3
"""Load benchmark: the production server (gunicorn, deploy/gunicorn.conf.py) on PostgreSQL under 64 connections.

    .venv/bin/python bench/load.py        # BENCH_LOAD_URL (a scratch database, emptied first), REDIS_URL

Builds a compound of 3,000 units, each with its own owner and a resident bound to it, an open vote of two items
and a vote notice; starts the app and, beside it, the bare one-row insert app (bench/bare_app.py) with the same
gunicorn config; then a second process drives both from 127.0.0.1 with 64 concurrent connections (asyncio, HTTP/1.1
keep-alive where the server keeps the connection; gunicorn's sync workers close it after each answer):

- ``healthz``: the framework's ceiling; ``bare_insert``: one row stored per request, the floor for any write;
- ``ballot``: every resident casts their unit's ballot once, and 5 % send the same ballot again (a client retrying
  after a timeout), which must be refused with 409 ``ballot_exists``; ``landing``: the notice page a QR scan opens.

Prints throughput, p50 and p99 and the status counts of each, then ``lost_or_doubled`` (the ballots stored, counted
in SQL, against the distinct receipts of the 201 answers: a retry gets its first answer again), the scan count against the pages served, ``landing_vs_healthz`` and, last,
``ballot_vs_bare_insert``: ratios of throughputs in the same run, so they compare across machines and loads.
"""

import argparse
import asyncio
import json
import logging
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECTIONS = 64
RETRY_SHARE = 0.05
GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]


# --- the compound -----------------------------------------------------------------------------------------


def build(units):
    """Units with an owner and a bound resident each, an open vote, a vote notice; what the driver needs."""
    from backend.auth.models import User
    from backend.auth.services import issue_tokens
    from backend.extensions import db
    from backend.roster.models import Compound, HouseholdBinding, Owner, OwnerMember, Resident, Unit
    from backend.roster.orgs import create_org
    from bench.scenes import open_vote
    from notices.models import Notice

    org = None
    for name, level in (("压测市", "city"), ("压测区", "district"), ("压测街道", "street"), ("压测社区", "community")):
        org = create_org(name, level, org)
    admin = User(username="bench-load", role="admin", password_hash="!")
    compound = Compound(org_id=org.id, name="压测小区")
    db.session.add_all([admin, compound])
    db.session.flush()
    made, residents = [], []
    for k in range(units):
        owner = Owner(compound_id=compound.id, owner_type="person", members=[OwnerMember(name=f"业主{k}")])
        unit = Unit(
            compound_id=compound.id,
            building=str(k // 120 + 1),
            entrance=str(k // 20 % 6 + 1),
            room=f"{k % 6 + 1}0{k % 20 // 6 + 1}{k % 2}",
            floor=k % 6 + 1,
            area=Decimal(60 + k % 37) + Decimal(k % 100) / 100,
            owner=owner,
        )
        resident = Resident(display_name=f"居民{k}")
        made.append(unit)
        residents.append(resident)
        db.session.add(HouseholdBinding(resident=resident, unit=unit, relation="owner", method="bench"))
    db.session.add_all(made)
    db.session.commit()
    vote = open_vote(admin, compound, "压测表决")
    notice = Notice(
        compound_id=compound.id, kind="vote_notice", vote_id=vote.id, title="关于加装电梯的表决通知", created_by="bench"
    )
    notice.body = "各位业主：\n本小区拟加装电梯并选聘物业，请扫码参与表决。\n居委会"
    db.session.add(notice)
    db.session.commit()
    items = [str(i.id) for i in vote.items]
    options = ["agree", "agree", "disagree", "abstain"]
    ballots = [
        {
            "token": issue_tokens(r)["access_token"],
            "body": {"unit_id": u.id, "choices": {i: options[(n + j) % 4] for j, i in enumerate(items)}},
        }
        for n, (u, r) in enumerate(zip(made, residents, strict=True))
    ]
    return {"vote_id": vote.id, "notice_id": notice.id, "notice_token": notice.token, "ballots": ballots}


def fresh_database(app):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from backend.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:  # a scratch database: start empty every run
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            conn.execute(text("CREATE TABLE bench_bare_rows (id BIGSERIAL PRIMARY KEY, note VARCHAR(64) NOT NULL)"))
        upgrade(revision="heads")


# --- the servers --------------------------------------------------------------------------------------------


def serve(target, port, env, log):
    process = subprocess.Popen(
        [*GUNICORN, target], cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"{target} did not come up on port {port}; see {log.name}")


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the driver (a second process) --------------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 client connection that reconnects when the server closes it."""

    def __init__(self, port):
        self.port, self.reader, self.writer = port, None, None

    async def request(self, method, path, headers=None, body=None):
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(raw)
        status_line = await self.reader.readline()
        if not status_line:  # the server closed a kept connection: send again on a new one
            self.close()
            return await self.request(method, path, headers, body)
        status = int(status_line.split()[1])
        length, close = 0, status_line.startswith(b"HTTP/1.0")
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value == "close"
        text = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, text

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_phase(port, requests, connections):
    """Send ``requests`` (method, path, headers, body) over ``connections`` connections; each takes the next."""
    queue = list(reversed(requests))
    latencies, statuses, codes, receipts = [], Counter(), Counter(), set()

    async def worker():
        conn = Connection(port)
        while queue:
            method, path, headers, body = queue.pop()
            start = time.perf_counter()
            status, text = await conn.request(method, path, headers, body)
            latencies.append(time.perf_counter() - start)
            statuses[status] += 1
            if status >= 400 and text.startswith(b"{"):
                codes[json.loads(text).get("code", "?")] += 1
            elif status == 201 and b'"receipt"' in text:  # a retried ballot is answered with its first receipt
                receipts.add(json.loads(text)["receipt"])
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "throughput": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "statuses": dict(sorted(statuses.items())),
        "codes": dict(codes),
        "receipts": len(receipts),
    }


async def drive(plan):
    app, bare, n = plan["app_port"], plan["bare_port"], plan["connections"]
    rng = random.Random(14)
    ballots = [
        ("POST", f"/api/v1/votes/{plan['vote_id']}/ballots", {"Authorization": f"Bearer {b['token']}"}, b["body"])
        for b in plan["ballots"]
    ]
    # The retries follow their first sending a little later in the stream, some while it is still in flight.
    for first in rng.sample(range(len(ballots)), round(len(ballots) * RETRY_SHARE)):
        ballots.insert(min(len(ballots), first + rng.randint(1, 4 * n)), ballots[first])
    count = len(plan["ballots"])
    landing = [("GET", f"/n/{plan['notice_token']}", {}, None)] * (2 * count)
    await run_phase(app, [("GET", "/healthz", {}, None)] * (2 * n), n)  # every worker awake and connected
    warm = await run_phase(app, landing[: 2 * n], n)  # templates compiled in every worker
    await run_phase(bare, [("POST", "/insert", {}, {"note": "warm"})] * (2 * n), n)
    return {
        "healthz": await run_phase(app, [("GET", "/healthz", {}, None)] * (2 * count), n),
        "bare_insert": await run_phase(bare, [("POST", "/insert", {}, {"note": f"row {k}"}) for k in range(count)], n),
        "ballot": await run_phase(app, ballots, n),
        "landing": await run_phase(app, landing, n),
        "warm_landing": warm,
    }


def driver_main(plan_path):
    plan = json.loads(Path(plan_path).read_text())
    print(json.dumps(asyncio.run(drive(plan))))


# --- the run ------------------------------------------------------------------------------------------------


def serve_and_drive(plan, env, folder):
    """Start both servers, run the driver as a second process, stop the servers; the driver's figures."""
    servers = []
    with open(folder / "servers.log", "w") as log:
        try:
            servers.append(serve("wsgi:app", plan["app_port"], env, log))
            servers.append(serve("bench.bare_app:app", plan["bare_port"], env, log))
            driven = subprocess.run(
                [sys.executable, __file__, "--drive", str(folder / "plan.json")],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
        finally:
            for process in servers:
                process.terminate()
            for process in servers:
                process.wait()
    if driven.returncode:
        raise SystemExit(driven.stderr)
    return json.loads(driven.stdout)


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--keep", action="store_true", help="leave the servers' log in the temporary folder")
    args = parser.parse_args()
    url = os.environ.get("BENCH_LOAD_URL", "postgresql://postgres@127.0.0.1:5432/bench_load")
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11"),
        "SECRET_KEY": secrets.token_hex(32),
        "JWT_SECRET_KEY": secrets.token_hex(32),
        "JWT_ACCESS_MINUTES": "600",
        "PUBLIC_BASE_URL": "https://bench.example.org",
        "RESIDENT_AUTH_PROVIDERS": "dev",
    }
    os.environ.update(env)
    from sqlalchemy import func, select, text

    from backend import create_app
    from backend.audit import AuditEntry, verify_chain
    from backend.auth.tokens import redis_client
    from backend.extensions import db
    from notices import scans
    from notices.models import Notice
    from votes.models import Ballot

    app = create_app({"TESTING": True})  # the builder's own app: no refusal of demo accounts, no server
    logging.getLogger().setLevel(logging.WARNING)  # not every migration's name
    fresh_database(app)
    with app.app_context():
        started = time.perf_counter()
        plan = build(args.units)
        built = time.perf_counter() - started
        redis_client().delete(*scans._keys(plan["notice_id"]))  # a scratch Redis database: no earlier run's scans
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    plan.update(app_port=free_port(), bare_port=free_port(), connections=args.connections)
    (folder / "plan.json").write_text(json.dumps(plan))
    before = load_average()
    figures = serve_and_drive(plan, env, folder)
    after = load_average()
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == plan["vote_id"]))
        shown = scans.settle([db.session.get(Notice, plan["notice_id"])])[0].scan_count  # as staff see it
        bare_rows = db.session.scalar(text("SELECT count(*) FROM bench_bare_rows"))
        trail = f"vote:{plan['vote_id']}"
        unlinked = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == trail, AuditEntry.seq.is_(None))
        )
        chain_problem = verify_chain(trail)
        cast = db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.chain == trail, AuditEntry.action == "ballot_cast")
        )
    workers = env.get("WEB_CONCURRENCY") or os.cpu_count() * 2 + 1
    print(f"database: PostgreSQL; {args.units} units, owners and bound residents built in {built:.1f} s")
    print(
        f"server: gunicorn {workers} sync workers; driver: 1 process, {args.connections} connections; "
        f"{os.cpu_count()} CPUs; load average before {before}, after {after}"
    )
    warm = figures.pop("warm_landing")["statuses"].get("200", 0)
    for name, f in figures.items():
        codes = f" codes {f['codes']}" if f["codes"] else ""
        print(
            f"{name}: {f['requests']} requests in {f['seconds']:.1f} s, {f['throughput']:.0f}/s, "
            f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, status {f['statuses']}{codes}"
        )
    created = figures["ballot"]["statuses"].get("201", 0)
    receipts = figures["ballot"]["receipts"]
    print(f"ballots stored: {stored}, 201 answers: {created} with {receipts} receipts; bare rows stored: {bare_rows}")
    served = figures["landing"]["statuses"].get("200", 0) + warm
    print(f"scans counted: {shown}, landing pages served: {served} (with {warm} to warm up)")
    print(f"audit chain: {cast} ballots entered, {unlinked} left unlinked, {chain_problem or 'verified'}")
    print(f"lost_or_doubled: {abs(stored - receipts)}")  # a retry answered 201 repeats its ballot's receipt
    print(f"landing_vs_healthz: {figures['landing']['throughput'] / figures['healthz']['throughput']:.2f}")
    print(f"ballot_vs_bare_insert: {figures['ballot']['throughput'] / figures['bare_insert']['throughput']:.2f}")
    if args.keep:
        print(f"servers' log: {folder / 'servers.log'}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--drive":
        driver_main(sys.argv[2])
    else:
        main()
