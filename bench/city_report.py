#!/usr/bin/env python3
"""City-scale consent-rate report: a generated city on PostgreSQL, exported through the app, against the bare SQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_city .venv/bin/python bench/city_report.py
    ... bench/city_report.py --scale 0.1            # a quick run: 100 compounds, 100,000 units, ~64,000 ballots
    ... bench/city_report.py --history 5            # plus 5 older announced votes per compound, outside the export

At scale 1 the city has 1,000 compounds of 1,000 units (1,000,000 units, one owner each but for a few shared),
one announced vote per compound (1,000 votes, 1,534 items) with ~643,000 confirmed ballots, each vote's figures
stored as announcing stores them (``flask votes store-figures`` after the COPY). Everything is written
with COPY into a scratch database (created when missing; a database that is not this bench's is refused) and kept
for the next run of the same size. The export is measured in a child process, so its peak memory is the exporting
process's own, and prints:

    first row: the CSV's first data line, from the request; total: the whole-city CSV read to its end;
    statements: SQL statements the CSV export ran; bare aggregate: one GROUP BY of the same figures, no app;
    roll-up per level (when reports/rollup.py is there); peak memory of the exporting process;
    last, ``export_vs_aggregate: R`` (total over the bare aggregate, the same run), comparable across machines.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_city"
URL = "/api/v1/reports/consent-rates"
EXPORT_FROM = "2026-06-01"  # the export covers the recent votes; the history closes years before
# The same figures as the export, with no app: one GROUP BY over the recent votes' standing, confirmed ballots.
BARE_SQL = """
SELECT b.vote_id, c.item_id, c.option, COUNT(DISTINCT b.owner_id), SUM(vu.area_cents)
FROM ballot_choices c
JOIN ballots b ON b.id = c.ballot_id
JOIN vote_units vu ON vu.vote_id = b.vote_id AND vu.unit_id = b.unit_id
JOIN votes v ON v.id = b.vote_id
WHERE v.status <> 'draft' AND COALESCE(v.closed_at, v.closes_at) >= '2026-05-31 16:00'
  AND b.superseded_at IS NULL AND b.confirmed_at IS NOT NULL
GROUP BY b.vote_id, c.item_id, c.option
"""
OPTIONS = json.dumps(
    [{"code": "agree", "label": "同意"}, {"code": "disagree", "label": "不同意"}, {"code": "abstain", "label": "弃权"}],
    ensure_ascii=False,
)
MATTERS = ["rebuild", "property_manager", "fund_use", "fund_raising", "common_use_change", "other_major"]


def sizes(scale):
    compounds = max(2, round(1000 * scale))
    return {"compounds": compounds, "units_per_compound": 1000, "communities": max(1, compounds // 2)}


class Copier:
    """Rows for one table, spooled to a temporary file and sent with one COPY when closed (several tables are
    generated side by side; one connection runs one COPY at a time)."""

    def __init__(self, cursor, table, columns):
        self.cursor, self.sql = cursor, f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def add(self, *values):
        self.file.write("\t".join(r"\N" if v is None else str(v) for v in values) + "\n")

    def close(self):
        self.file.seek(0)
        with self.cursor.copy(self.sql) as copy:
            while chunk := self.file.read(1 << 20):
                copy.write(chunk)
        self.file.close()


def build(conn, scale, history):
    """The city, written with COPY; ids are assigned here so every table is one pass."""
    size = sizes(scale)
    now, old = "2026-06-15 08:00:00", "2021-03-01 08:00:00"
    with conn.cursor() as cur:
        out = Copier(cur, "orgs", ["id", "name", "level", "parent_id", "path"])
        out.add(1, "基准市", "city", None, "/1/")
        org_id, community_ids = 1, []
        districts = max(1, size["communities"] // 50)
        for d in range(districts):
            org_id += 1
            district = org_id
            out.add(district, f"第{d + 1}区", "district", 1, f"/1/{district}/")
            for s in range(5):
                org_id += 1
                street = org_id
                out.add(street, f"第{d + 1}区第{s + 1}街道", "street", district, f"/1/{district}/{street}/")
                for _ in range(10):
                    if len(community_ids) == size["communities"]:
                        break
                    org_id += 1
                    community_ids.append(org_id)
                    out.add(
                        org_id,
                        f"幸福{len(community_ids)}社区",
                        "community",
                        street,
                        f"/1/{district}/{street}/{org_id}/",
                    )
        out.close()
        out = Copier(
            cur,
            "users",
            ["id", "username", "password_hash", "role", "org_id", "display_name", "active", "is_demo", "created_at"],
        )
        out.add(1, "bench-admin", "!", "admin", None, "", "t", "f", now)
        out.add(2, "bench-city", "!", "official", 1, "", "t", "f", now)
        out.close()
        out = Copier(
            cur, "compounds", ["id", "org_id", "name", "address", "notice_lead_days", "publicity_days", "created_at"]
        )
        for c in range(1, size["compounds"] + 1):
            out.add(c, community_ids[(c - 1) % len(community_ids)], f"基准{c}小区", "", 15, 7, old)
        out.close()

        per = size["units_per_compound"]
        owners = Copier(cur, "owners", ["id", "compound_id", "key", "owner_type", "merged_into_id"])
        units = Copier(
            cur,
            "units",
            [
                "id",
                "compound_id",
                "building",
                "entrance",
                "room",
                "floor",
                "area",
                "area_source",
                "owner_id",
                "roster_digest",
                "updated_at",
            ],
        )
        unit_rows = {}  # compound → [(unit id, building, entrance, room, area cents, owner id)]
        unit_id = owner_id = 0
        for c in range(1, size["compounds"] + 1):
            rows = unit_rows[c] = []
            for k in range(per):
                unit_id += 1
                if k % 50 != 1:  # every fiftieth unit belongs to the previous unit's owner
                    owner_id += 1
                    owners.add(owner_id, c, None, "person", None)
                building, entrance, room = (
                    str(k // 120 + 1),
                    str(k // 20 % 6 + 1),
                    f"{k % 6 + 1}0{k % 20 // 6 + 1}{k % 2}",
                )
                cents = 6000 + (k * 37) % 9000
                units.add(
                    unit_id,
                    c,
                    building,
                    entrance,
                    room,
                    k % 6 + 1,
                    f"{cents // 100}.{cents % 100:02d}",
                    "register",
                    owner_id,
                    None,
                    old,
                )
                rows.append((unit_id, building, entrance, room, cents, owner_id))
        owners.close()
        units.close()

        votes = Copier(
            cur,
            "votes",
            [
                "id",
                "compound_id",
                "title",
                "description",
                "opens_at",
                "closes_at",
                "status",
                "require_confirmation",
                "warnings_json",
                "electorate_units",
                "electorate_owners",
                "electorate_area_cents",
                "created_by",
                "created_at",
                "published_at",
                "closed_at",
                "announced_at",
                "publicity_until",
            ],
        )
        items = Copier(cur, "vote_items", ["id", "vote_id", "position", "title", "matter", "options_json"])
        electorate = Copier(
            cur, "vote_units", ["vote_id", "unit_id", "building", "entrance", "room", "area_cents", "owner_id"]
        )
        ballots = Copier(
            cur,
            "ballots",
            [
                "id",
                "vote_id",
                "unit_id",
                "owner_id",
                "channel",
                "receipt",
                "entered_by",
                "created_at",
                "confirmed_by",
                "confirmed_at",
            ],
        )
        choices = Copier(cur, "ballot_choices", ["ballot_id", "item_id", "option"])
        vote_id = item_id = ballot_id = 0
        counts = {"votes": 0, "items": 0, "ballots": 0, "history_votes": 0}
        # Older votes first (ids lower, as they would be), then the one recent vote of each compound.
        rounds = [(h, f"2021-{h % 12 + 1:02d}-10 08:00:00") for h in range(history)] + [(None, None)]
        for h, closed in rounds:
            for c in range(1, size["compounds"] + 1):
                vote_id += 1
                n_items = 2 if (c * 7 + (h or 0)) % 1000 < 534 else 1
                rows = unit_rows[c]
                owners_ = len({r[5] for r in rows})
                area = sum(r[4] for r in rows)
                opened, closing = ("2021-01-01 08:00:00", closed) if h is not None else ("2026-06-01 08:00:00", now)
                votes.add(
                    vote_id,
                    c,
                    f"基准{c}小区第{vote_id}次表决",
                    "",
                    opened,
                    closing,
                    "announced",
                    "f",
                    "[]",
                    len(rows),
                    owners_,
                    area,
                    "bench",
                    opened,
                    opened,
                    closing,
                    closing,  # announced as it closed, the figures stored after the COPY (announce_all)
                    closing,
                )
                mine = []
                for p in range(n_items):
                    item_id += 1
                    mine.append(item_id)
                    items.add(
                        item_id,
                        vote_id,
                        p,
                        "加装电梯" if p == 0 else "选聘物业",
                        MATTERS[(c + p) % len(MATTERS)],
                        OPTIONS,
                    )
                # ~64% turnout, varying by compound so ratios differ; an owner's units vote alike.
                turnout = 560 + (c * 53 + (h or 0) * 11) % 170
                for k, (uid, building, entrance, room, cents, oid) in enumerate(rows):
                    electorate.add(vote_id, uid, building, entrance, room, cents, oid)
                    if k < turnout:
                        ballot_id += 1
                        ballots.add(
                            ballot_id, vote_id, uid, oid, "paper", f"B{ballot_id}", "bench", closing, "bench", closing
                        )
                        option = ("agree", "agree", "agree", "disagree", "abstain")[(oid + c) % 5]
                        for i in mine:
                            choices.add(ballot_id, i, option)
                if h is None:
                    counts["votes"] += 1
                    counts["items"] += n_items
                    counts["ballots"] += min(turnout, len(rows))
                else:
                    counts["history_votes"] += 1
        for copier in (votes, items, electorate, ballots, choices):
            copier.close()
        for table, column in (
            ("orgs", "id"),
            ("users", "id"),
            ("compounds", "id"),
            ("owners", "id"),
            ("units", "id"),
            ("votes", "id"),
            ("vote_items", "id"),
            ("ballots", "id"),
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT MAX({column}) FROM {table}))"
            )
        cur.execute("INSERT INTO bench_city_meta VALUES (%s, %s, %s)", (scale, history, json.dumps(counts)))
    conn.commit()
    with conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
        conn.autocommit = False
    return counts


def prepare(url, scale, history):
    """The scratch database holding this size of city: reused when it does, rebuilt (all tables dropped) when not."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin_url = u.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{u.database}"')
    plain = u.render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(plain) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        if tables and "bench_city_meta" not in tables:
            sys.exit(f"{u.database} holds tables that are not this bench's: refusing to touch it")
        found = conn.execute("SELECT scale, history, counts FROM bench_city_meta").fetchone() if tables else None
        reuse = found is not None and (found[0], found[1]) == (scale, history)
        if tables and not reuse:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        if not reuse:
            # Marked as this bench's before anything else, so an interrupted build is rebuilt next time.
            conn.execute("CREATE TABLE bench_city_meta (scale float, history int, counts text)")
        conn.commit()
    start = time.perf_counter()
    from flask_migrate import upgrade

    from backend import create_app

    app = create_app({"RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="heads")  # on a reused city too: new migrations' indexes are part of what is measured
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if reuse:
        stored = announce_all(app)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("ANALYZE")
        return json.loads(found[2]), 0.0, stored
    with psycopg.connect(plain) as conn:
        counts = build(conn, scale, history)
    stored = announce_all(app)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("ANALYZE vote_item_figures")
    return counts, time.perf_counter() - start, stored


def announce_all(app):
    """Every generated vote announced, with its figures stored as announcing stores them (``flask votes
    store-figures``: the live count of each vote that has none). A city built before votes stored their figures
    (its votes left closed) is brought up to date once; (votes stored, seconds)."""
    from sqlalchemy import text

    from backend.extensions import db
    from votes.tally import store_missing_figures

    start = time.perf_counter()
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE votes SET status = 'announced', announced_at = COALESCE(closed_at, closes_at),"
                " publicity_until = COALESCE(closed_at, closes_at) WHERE status = 'closed'"
            )
        )
        stored = store_missing_figures()  # commits
        db.session.remove()
    return stored, time.perf_counter() - start


def measure(url):
    """In the child process: the CSV through the app, its statements, a JSON page and the XLSX; prints JSON."""
    from sqlalchemy import event, text

    from backend import create_app
    from backend.auth.models import User
    from backend.auth.services import issue_tokens
    from backend.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    with app.app_context():
        token = issue_tokens(db.session.get(User, 2))["access_token"]  # the city's official
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    statements = []
    event_target = None

    def record(*args):
        statements.append(args[2])

    def csv_once():
        start = time.perf_counter()
        r = client.get(f"{URL}?format=csv&from={EXPORT_FROM}", headers=headers, buffered=False)
        assert r.status_code == 200, r.status_code
        first, lines, seen = None, 0, b""
        for chunk in r.response:
            chunk = chunk if isinstance(chunk, bytes) else chunk.encode()
            lines += chunk.count(b"\n")
            if first is None and lines >= 2:
                first = time.perf_counter() - start
            seen = chunk
        r.close()
        return first, time.perf_counter() - start, lines - 1, seen

    with app.app_context():
        event_target = db.engine
    csv_once()  # warm the connection pool and the caches
    firsts, totals = [], []
    for n in range(3):
        if n == 0:
            event.listen(event_target, "before_cursor_execute", record)
        first, total, rows, _ = csv_once()
        if n == 0:
            event.remove(event_target, "before_cursor_execute", record)
        firsts.append(first)
        totals.append(total)
    start = time.perf_counter()
    page = client.get(f"{URL}?from={EXPORT_FROM}&per_page=100&page=3", headers=headers)
    page_s = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = client.get(f"{URL}?format=xlsx&from={EXPORT_FROM}", headers=headers)
    xlsx_s = time.perf_counter() - start

    export_peak = peak_mib()  # before the bare aggregate and the roll-up, which are not the export
    with app.app_context():
        bare = []
        for _ in range(3):
            db.session.remove()
            start = time.perf_counter()
            found = db.session.execute(text(BARE_SQL)).all()
            bare.append(time.perf_counter() - start)
        bare_groups = len(found)
        rollups = rollup_times(db)
    print(
        json.dumps(
            {
                "first": sorted(firsts)[1],
                "total": sorted(totals)[1],
                "rows": rows,
                "statements": len(statements),
                "page_s": page_s,
                "page_rows": len(page.get_json()),
                "page_total": page.headers.get("X-Total-Count"),
                "xlsx_s": xlsx_s,
                "xlsx_bytes": len(xlsx.data),
                "bare": sorted(bare)[1],
                "bare_groups": bare_groups,
                "rollups": rollups,
                "peak_mib": export_peak,
                "peak_after_rollup_mib": peak_mib(),
            }
        )
    )


def peak_mib():
    """This process's peak resident memory. VmHWM belongs to the process's own address space; ``ru_maxrss`` would
    also carry the parent's peak across the spawn (Linux keeps it through exec), the parent that built the city."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rollup_times(db):
    """Seconds for one level of the roll-up (an org's total and a row per child), at the first org of each level,
    when reports/rollup.py is in this checkout (written beside this work); else the reason it is skipped."""
    import importlib.util

    if importlib.util.find_spec("reports.rollup") is None:
        return "skipped: reports/rollup.py is not in this checkout"
    try:
        from reports import rollup
    except ImportError as e:
        return f"skipped: reports/rollup.py does not import here: {e}"
    from datetime import date

    from sqlalchemy import func, select

    from backend.auth.models import User
    from backend.roster.models import Org

    if not callable(getattr(rollup, "rollup", None)):
        return "skipped: reports/rollup.py has no rollup(actor, org_id, filters)"
    official = db.session.get(User, 2)
    filters = rollup.Filters(start=date.fromisoformat(EXPORT_FROM)) if hasattr(rollup, "Filters") else None
    found = {}
    for level in ("city", "district", "street", "community"):
        org_id = db.session.scalar(select(func.min(Org.id)).where(Org.level == level))
        start = time.perf_counter()
        try:
            rollup.rollup(official, org_id, filters)
        except Exception as e:  # another helper's module: report it, do not fail the bench
            return f"skipped: rollup() failed: {e.__class__.__name__}: {e}"[:200]
        found[level] = time.perf_counter() - start
        db.session.remove()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000 compounds and 1,000,000 units")
    parser.add_argument("--history", type=int, default=0, help="older announced votes per compound, not exported")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        sys.exit("bench/city_report.py needs PostgreSQL (DATABASE_URL=postgresql://...)")
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if "+" not in url.split(":")[0] else url
    for noisy in ("werkzeug", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.measure:
        measure(url)
        return
    counts, built, (stored, storing) = prepare(url, args.scale, args.history)
    size = sizes(args.scale)
    print(
        f"database: postgresql; city of {size['compounds']:,} compounds, {size['compounds'] * size['units_per_compound']:,} units, "
        f"{counts['votes']:,} announced votes with {counts['items']:,} items, {counts['ballots']:,} ballots; "
        f"{counts['history_votes']:,} older votes" + (f"; built with COPY in {built:.1f} s" if built else "; reused")
    )
    if stored:
        print(f"announced: figures stored for {stored:,} votes in {storing:.1f} s (flask votes store-figures)")
    child = subprocess.run(
        [sys.executable, __file__, "--measure", "--scale", str(args.scale)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        sys.exit(f"measuring failed:\n{child.stderr[-3000:]}")
    m = json.loads(child.stdout.strip().splitlines()[-1])
    assert m["rows"] == counts["items"], (m["rows"], counts["items"])  # every item, none of the history
    print(f"csv first row (median of 3): {m['first']:.3f} s")
    print(f"csv total, {m['rows']:,} rows (median of 3): {m['total']:.3f} s")
    print(f"sql statements per export: {m['statements']}")
    print(
        f"json page of 100 (X-Total-Count {m['page_total']}): {m['page_s']:.3f} s; xlsx whole city: {m['xlsx_s']:.3f} s"
    )
    print(f"bare SQL aggregate, {m['bare_groups']:,} groups (median of 3): {m['bare']:.3f} s")
    if isinstance(m["rollups"], dict):
        for level, seconds in m["rollups"].items():
            print(f"roll-up at a {level} (its total and a row per child): {seconds:.3f} s")
        print(f"peak memory after the roll-ups: {m['peak_after_rollup_mib']:.0f} MiB")
    else:
        print(f"roll-up: {m['rollups']}")
    print(f"exporting process peak memory: {m['peak_mib']:.0f} MiB")
    print(f"export_vs_aggregate: {m['total'] / m['bare']:.2f}")


if __name__ == "__main__":
    main()
