"""The vote's audit chain: every change appended, one chain per vote, and tampering caught by `flask audit verify`."""

import itertools

from sqlalchemy import update

from backend.audit import AuditEntry, entries
from backend.extensions import db


def test_every_vote_change_is_chained(kit, make, world):
    units = make.units(kit.compound, 3)
    vote = kit.vote(require_confirmation=True)
    ballot = kit.paper(vote, units[0], "agree", sheet_no="0007").get_json()
    other = make.headers(make.user("committee_b", "committee", world.c1))
    kit.client.post(f"/api/v1/votes/{vote['id']}/ballots/{ballot['ballot_id']}/confirm", headers=other)
    kit.client.post(
        f"/api/v1/votes/{vote['id']}/ballots/{ballot['ballot_id']}/correct",
        headers=kit.h,
        json={"choices": {str(vote["items"][0]["id"]): "disagree"}, "reason": "复核发现录入错误"},
    )
    kit.post(vote, "close")
    chain = entries(f"vote:{vote['id']}")
    assert [e.action for e in chain] == [
        "vote_created",
        "vote_published",
        "ballot_entered",
        "ballot_confirmed",
        "ballot_corrected",
        "vote_closed",
    ]
    assert [e.seq for e in chain] == list(range(1, 7))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(chain))
    entered = chain[2].data
    assert entered["sheet_no"] == "0007" and entered["channel"] == "paper" and entered["confirmed"] is False
    assert chain[4].data["reason"] == "复核发现录入错误" and chain[4].actor.startswith("committee:")
    second = kit.vote()
    assert entries(f"vote:{second['id']}")[0].seq == 1  # its own chain


def test_audit_verify_names_the_tampered_entry(kit, make, runner):
    units = make.units(kit.compound, 2)
    vote = kit.vote()
    kit.cast(vote, units, "agree")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    target = entries(f"vote:{vote['id']}")[2]
    forged = target.payload.replace("agree", "disagree")
    db.session.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(payload=forged))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"vote:{vote['id']}: entry #3 (id {target.id}, ballot_entered) does not match its hash" in result.output
