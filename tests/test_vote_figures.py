"""An announced vote's counts are stored as it is announced (vote_item_figures) and reports read them: the stored
rows equal a live count, votes announced before the table existed are counted by the migration and by
``flask votes store-figures``, and an export of announced votes reads no ballot."""

from flask_migrate import upgrade
from sqlalchemy import delete, select, text

from backend import create_app
from backend.extensions import db
from tests.statements import statements_of
from tests.test_reports import URL, votes  # noqa: F401 - the fixture
from tests.test_votes_kit import item
from votes import tally as counting
from votes.models import Ballot, VoteItemFigure


def stored_rows(vote_ids):
    rows = db.session.execute(
        select(VoteItemFigure.vote_id, VoteItemFigure.item_id, VoteItemFigure.option, VoteItemFigure.owners)
        .add_columns(VoteItemFigure.area_cents)
        .where(VoteItemFigure.vote_id.in_(vote_ids))
    )
    return sorted(tuple(r) for r in rows)


def live_rows(vote_ids):
    return sorted((v, i, o, int(n), int(a)) for v, i, o, n, a in db.session.execute(counting.aggregate_stmt(vote_ids)))


def report(kit, world, fmt="json"):
    r = kit.client.get(f"{URL}?format={fmt}", headers=world.h["official_city"])
    assert r.status_code == 200
    return r.get_json() if fmt == "json" else r.get_data(as_text=True)


def announce(kit, *chosen):
    kit.clock.advance(days=1)
    for vote in chosen:
        if kit.tally(vote)["status"] != "closed":
            assert kit.post(vote, "close").status_code == 200
        assert kit.post(vote, "announce").status_code == 200, kit.post(vote, "announce").get_json()


def corrected_vote(kit, make):
    """A vote with an owner of two units (one head, their area twice) whose ballots were corrected before closing."""
    owner = make.owner(kit.compound, names=("周八",), ids=("ID-ZB",))
    shared = [make.unit(kit.compound, "9", "1", room, owner=owner) for room in ("101", "102")]
    others = make.units(kit.compound, 4, building="8")
    vote = kit.vote([item("rebuild"), item("property_manager", "管理模式", ["professional", "quasi"])])
    for unit, choices in zip(
        shared + others[:3], [["disagree", "quasi"]] * 2 + [["agree", "professional"]] * 3, strict=True
    ):
        assert kit.paper(vote, unit, choices=choices).status_code == 201
    first = db.session.scalars(select(Ballot).where(Ballot.unit_id == shared[0].id)).one()
    r = kit.client.post(
        f"/api/v1/votes/{vote['id']}/ballots/{first.id}/correct",
        json={
            "choices": {str(vote["items"][0]["id"]): "agree", str(vote["items"][1]["id"]): "quasi"},
            "reason": "更正",
        },
        headers=kit.h,
    )
    assert r.status_code == 201, r.get_json()
    return vote


def test_announcing_stores_the_live_count_and_reports_do_not_change(kit, make, votes, world):  # noqa: F811
    first, second, _ = votes
    third = corrected_vote(kit, make)
    ids = [first["id"], second["id"], third["id"]]
    before = report(kit, world)
    tallies = {v["id"]: kit.tally(v)["items"] for v in (first, second, third)}
    assert stored_rows(ids) == []
    announce(kit, first, second, third)
    assert stored_rows(ids) == live_rows(ids) and len(stored_rows(ids)) == 10
    after = report(kit, world)
    assert {r["vote_id"] for r in after if r["status"] == "announced"} == set(ids)  # and one still open elsewhere
    moved = lambda rows: [{k: v for k, v in r.items() if k not in ("status", "status_name")} for r in rows]  # noqa: E731
    assert moved(after) == moved(before)  # only the status moved; every figure is the one counted live
    assert {v["id"]: kit.tally(v)["items"] for v in (first, second, third)} == tallies


def test_an_export_of_announced_votes_reads_no_ballot(kit, make, votes, world):  # noqa: F811
    first, second, other = votes
    announce(kit, first, second)
    db.session.execute(delete(Ballot).where(Ballot.vote_id == other["id"]))  # nothing to count live but it
    db.session.commit()
    for fmt in ("csv", "xlsx", "json"):
        response, statements = statements_of(
            lambda fmt=fmt: kit.client.get(f"{URL}?format={fmt}", headers=world.h["official"])  # community 1 only
        )
        assert response.status_code == 200
        response.get_data()  # a streamed body runs its statements while it is read
        assert not [s for s in statements if "ballot" in s.lower()], statements
    # The city's export still counts the vote not announced, live: it reads ballots (and finds none).
    response, statements = statements_of(lambda: kit.client.get(URL, headers=world.h["official_city"]))
    assert response.status_code == 200 and any("ballot_choices" in s for s in statements)
    assert len(response.get_json()) == 4


def test_store_figures_command_counts_votes_announced_without_them(kit, make, votes, world, runner):  # noqa: F811
    first, second, _ = votes
    announce(kit, first, second)
    ids = [first["id"], second["id"]]
    expected, rows = stored_rows(ids), report(kit, world)
    db.session.execute(delete(VoteItemFigure))  # as if announced before the table existed, or loaded with COPY
    db.session.commit()
    r = runner.invoke(args=["votes", "store-figures"])
    assert r.exit_code == 0 and "stored the figures of 2 announced votes" in r.output, r.output
    assert stored_rows(ids) == expected and report(kit, world) == rows
    again = runner.invoke(args=["votes", "store-figures"])
    assert "of 0 announced votes" in again.output and stored_rows(ids) == expected


def test_migration_counts_the_votes_announced_before_it(tmp_path):
    """0021 creates the table and stores, for every vote announced by then, the live count of its standing,
    confirmed ballots; closed votes are left to be counted when announced."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"})
    with app.app_context():
        upgrade(revision="0020_problem_photo_retention")
        run = lambda sql, **p: db.session.execute(text(sql), p)  # noqa: E731
        vote = (
            "INSERT INTO votes (id, compound_id, title, description, opens_at, closes_at, status, require_confirmation,"
            " warnings_json, electorate_units, electorate_owners, electorate_area_cents, created_by, created_at)"
            " VALUES (:id, 1, 't', '', '2025-01-01', '2025-01-02', :status, 0, '[]', 3, 2, 24000, 'x', '2025-01-01')"
        )
        for vote_id, status in ((1, "announced"), (2, "closed")):
            run(vote, id=vote_id, status=status)
            run(
                "INSERT INTO vote_items (id, vote_id, position, title, matter, options_json)"
                " VALUES (:id, :id, 0, 'i', 'rebuild', '[]')",
                id=vote_id,
            )
            for unit, owner, area in ((1, 1, 8000), (2, 1, 9000), (3, 2, 7000)):
                run(
                    "INSERT INTO vote_units (vote_id, unit_id, building, entrance, room, area_cents, owner_id)"
                    " VALUES (:v, :u, '1', '1', '101', :a, :o)",
                    v=vote_id,
                    u=unit,
                    a=area,
                    o=owner,
                )
        ballots = [  # id, vote, unit, owner, option, superseded, confirmed
            (1, 1, 1, 1, "disagree", "2025-01-01", "2025-01-01"),  # corrected: not counted
            (2, 1, 1, 1, "agree", None, "2025-01-01"),
            (3, 1, 2, 1, "agree", None, "2025-01-01"),
            (4, 1, 3, 2, "abstain", None, "2025-01-01"),
            (5, 2, 1, 1, "agree", None, "2025-01-01"),
        ]
        for b, v, u, o, option, superseded, confirmed in ballots:
            run(
                "INSERT INTO ballots (id, vote_id, unit_id, owner_id, channel, receipt, entered_by, created_at,"
                " superseded_at, confirmed_at) VALUES (:b, :v, :u, :o, 'paper', :r, 'x', '2025-01-01', :s, :c)",
                b=b,
                v=v,
                u=u,
                o=o,
                r=f"R{b}",
                s=superseded,
                c=confirmed,
            )
            run("INSERT INTO ballot_choices (ballot_id, item_id, option) VALUES (:b, :v, :o)", b=b, v=v, o=option)
        db.session.commit()
        upgrade(revision="0021_vote_item_figures")
        found = db.session.execute(text("SELECT * FROM vote_item_figures ORDER BY option")).all()
        assert [tuple(r) for r in found] == [(1, 1, "abstain", 1, 7000), (1, 1, "agree", 1, 17000)]
        db.session.remove()
        db.engine.dispose()
