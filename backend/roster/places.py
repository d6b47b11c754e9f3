"""Where a compound is, in words: district, street and community names from the communities' materialised paths,
loaded in one query for a whole report (never one org per row)."""

from sqlalchemy import select

from ..extensions import db
from ..jurisdiction import org_filter, require_org
from .models import Compound, Org


def place_names(communities):
    """{community org id: (district, street, community)} for the given community Orgs."""
    communities = set(communities)
    ids = {int(i) for org in communities for i in org.path.strip("/").split("/")}
    names = {o.id: o for o in db.session.scalars(select(Org).where(Org.id.in_(ids)))} if ids else {}
    found = {}
    for org in communities:
        chain = {names[int(i)].level: names[int(i)].name for i in org.path.strip("/").split("/")}
        found[org.id] = (chain.get("district", ""), chain.get("street", ""), chain.get("community", ""))
    return found


def region_compounds(actor, org_id=None):
    """A query of the compounds in the actor's region (or the part of it under ``org_id``), in id order."""
    stmt = select(Compound).order_by(Compound.id)
    if org_id is not None:
        org = require_org(actor, org_id)
        stmt = stmt.where(Compound.org_id.in_(select(Org.id).where(Org.path.startswith(org.path))))
    clause = org_filter(actor, Compound.org_id)
    return stmt if clause is None else stmt.where(clause)
