"""One online ballot costs a fixed, small number of SQL statements: everything it needs is loaded once.

Before the routes' gate handed the vote it had loaded to the service, a ballot took 24 statements, with the vote,
the resident's bindings and the scope check each run twice and the owner read twice. It was 16 before too, but
then the binding and the frozen place, the owner and its lock were two reads each, the receipt was read back
in a second transaction, and the audit entry held the chain's head from inside the ballot's transaction to its
commit, so that every ballot of the vote queued there. Now the entry is linked after the commit (backend/audit).
"""

from backend.extensions import db
from tests.statements import statements_of

# The token check and the resident (2); the gate: the vote with its items, whether the vote is the resident's (2);
# the binding with its frozen place (1); the vote re-read under the ballot's shared lock (1); the unit's current
# owner, locked (1); the unit's and the owner's standing ballots (1); the ballot, its choices and its unlinked audit
# entry (3); after the commit, the chain linked: its head locked, the entries waiting (read once the lock is held),
# the entries linked, the head moved, and a last look for entries committed meanwhile (5). The receipt is
# answered from what was stored, not read back.
ONLINE_BALLOT_STATEMENTS = 16


def test_online_ballot_loads_each_thing_once(kit, make):
    units = make.units(kit.compound, 2)
    vote = kit.vote(
        items=[{"title": "加装电梯", "matter": "rebuild"}, {"title": "选聘物业", "matter": "property_manager"}]
    )
    resident = make.resident(units[0])
    headers, unit_id = make.headers(resident), units[0].id
    choices = {str(i["id"]): "agree" for i in vote["items"]}
    db.session.remove()  # the request starts from an empty session, as in production
    response, seen = statements_of(
        lambda: kit.client.post(
            f"/api/v1/votes/{vote['id']}/ballots", headers=headers, json={"unit_id": unit_id, "choices": choices}
        ),
        with_parameters=True,
    )
    assert response.status_code == 201, response.get_json()
    listing = "\n".join(sql[:160] for sql, _ in seen)
    assert len(seen) == ONLINE_BALLOT_STATEMENTS, listing
    assert len(set(seen)) == len(seen), listing  # no statement sent twice with the same parameters
