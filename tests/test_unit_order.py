"""Unit order (DOMAIN.md §1) where the database sorts: building 2 before 10 and room 201 before 1001, on SQLite and
PostgreSQL alike — the roster's list and a vote's chasing list read in the order people count."""

from decimal import Decimal

from backend.extensions import db
from backend.roster.models import Unit


def place(compound, make, building, room, entrance="1"):
    unit = Unit(
        compound_id=compound.id,
        building=building,
        entrance=entrance,
        room=room,
        area=Decimal("80.00"),
        owner=make.owner(compound, names=(f"业主{building}-{room}",)),
    )
    db.session.add(unit)
    db.session.commit()
    return unit


def test_units_come_in_the_order_people_count(kit, make):
    c = kit.compound
    for building, room in (("10", "101"), ("2", "1001"), ("2", "201"), ("A", "101"), ("2", "B1"), ("1", "99")):
        place(c, make, building, room)
    r = kit.client.get(f"/api/v1/compounds/{c.id}/units", query_string={"per_page": 100}, headers=kit.h)
    assert [(u["building"], u["room"]) for u in r.get_json()] == [
        ("1", "99"),
        ("2", "201"),
        ("2", "1001"),
        ("2", "B1"),
        ("10", "101"),
        ("A", "101"),
    ]
    vote = kit.vote()
    progress = kit.client.get(f"/api/v1/votes/{vote['id']}/progress", headers=kit.h).get_json()
    rooms = [(b["building"], [u["room"] for u in b["not_voted"]]) for b in progress["buildings"]]
    assert rooms == [("1", ["99"]), ("2", ["201", "1001", "B1"]), ("10", ["101"]), ("A", ["101"])]
