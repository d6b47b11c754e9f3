"""Unit order and a unit's floor (DOMAIN.md §1): the one definition every list, share and rounding tie uses."""

import re

from sqlalchemy import case, func


def natural(text):
    """'2' before '10', numbers before text, text by code point: buildings and rooms are strings but people
    count them as numbers."""
    text = "" if text is None else str(text)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def unit_key(unit):
    """Sort key for anything with building, entrance and room (a Unit, a row, a share)."""
    return (natural(unit.building), natural(unit.entrance), natural(unit.room))


def sort_units(units):
    return sorted(units, key=unit_key)


def natural_sql(column):
    """``natural`` as ORDER BY terms the database runs (SQLite and PostgreSQL alike): digits-only values first,
    by length then text (which is numeric order), then the rest by text."""
    stripped = column
    for digit in "0123456789":
        stripped = func.replace(stripped, digit, "")
    numeric = (stripped == "") & (column != "")
    return (case((numeric, 0), else_=1), case((numeric, func.length(column)), else_=0), column)


def unit_order(model):
    """ORDER BY building, entrance, room in unit order, for any table with those three columns."""
    return (*natural_sql(model.building), *natural_sql(model.entrance), *natural_sql(model.room))


ROOM_FLOOR = re.compile(r"^(\d+)\d\d$")


def floor_of(unit):
    """The roster's 楼层 where given, else the room number without its last two digits ('502' → 5,
    '1203' → 12); None when neither says ('A', '12')."""
    if unit.floor is not None:
        return unit.floor
    match = ROOM_FLOOR.match(unit.room or "")
    return int(match.group(1)) if match else None
