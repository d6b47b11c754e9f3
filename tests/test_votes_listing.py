"""Vote lists cost the same number of queries for two votes as for twelve (no query per vote)."""

from tests.statements import statements_of


def queries(call):
    response, statements = statements_of(call)
    assert response.status_code == 200
    return len(statements)


def test_vote_lists_do_not_query_per_vote(kit, make, client):
    units = make.units(kit.compound, 4)
    resident = make.resident(*units)
    staff_list = lambda: client.get("/api/v1/votes", headers=kit.h)  # noqa: E731
    my_list = lambda: client.get("/api/v1/my/votes", headers=make.headers(resident))  # noqa: E731
    cost = {}
    for total in (2, 12):
        while len(staff_list().get_json()) < total:
            kit.cast(kit.vote(), units[:2], "agree")
        assert len(my_list().get_json()) == total
        cost[total] = (queries(staff_list), queries(my_list))
    assert cost[2] == cost[12], cost
