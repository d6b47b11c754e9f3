"""Who may see and change what: role and place, checked inside every service.

admin: everything. official: read within the subtree of their org. committee: read and manage the compounds
of their own community. provider (a property-service company): only the compounds a committee granted it, and only
where a view admits the role (fees). resident: only the units they are bound to.
"""

from sqlalchemy import select

from .auth.models import ProviderCompound
from .errors import Forbidden, NotFound
from .extensions import db
from .roster.models import Compound, HouseholdBinding, Org, Unit

JURISDICTION_MESSAGE = "该小区不在您的管辖范围内"


def is_resident(actor):
    return getattr(actor, "role", "resident") == "resident"


def org_filter(actor, org_column):
    """A WHERE clause restricting ``org_column`` (an orgs.id column) to the actor's region; None for admin."""
    role = actor.role
    if role == "admin":
        return None
    if role == "committee":
        return org_column == actor.org_id
    if role == "official":
        subtree = select(Org.id).where(Org.path.startswith(actor.org.path))
        return org_column.in_(subtree)
    return org_column.in_([])  # residents reach compounds only through their bindings


def compounds_query(actor):
    stmt = select(Compound).order_by(Compound.id)
    if is_resident(actor):
        bound = (
            select(Unit.compound_id)
            .join(HouseholdBinding, HouseholdBinding.unit_id == Unit.id)
            .where(HouseholdBinding.resident_id == actor.id, HouseholdBinding.status == "active")
        )
        return stmt.where(Compound.id.in_(bound))
    if actor.role == "provider":
        return stmt.where(Compound.id.in_(_granted(actor)))
    clause = org_filter(actor, Compound.org_id)
    return stmt if clause is None else stmt.where(clause)


def _granted(provider):
    return select(ProviderCompound.compound_id).where(ProviderCompound.user_id == provider.id)


def _is_granted(actor, compound):
    return (
        actor.role == "provider"
        and db.session.scalar(_granted(actor).where(ProviderCompound.compound_id == compound.id)) is not None
    )


def can_read_compound(actor, compound):
    if is_resident(actor):
        return db.session.scalar(compounds_query(actor).where(Compound.id == compound.id)) is not None
    if actor.role == "admin":
        return True
    if actor.role == "committee":
        return compound.org_id == actor.org_id
    if actor.role == "provider":
        return _is_granted(actor, compound)
    return actor.role == "official" and actor.org is not None and actor.org.contains(compound.org)


def can_manage_compound(actor, compound):
    """Committee (its community) and admin; a provider only its granted compounds, and only through the views that
    admit the provider role at all (fee collection)."""
    if actor.role == "provider":
        return _is_granted(actor, compound)
    return actor.role == "admin" or (actor.role == "committee" and compound.org_id == actor.org_id)


def require_compound(actor, compound_id, manage=False):
    """Load a compound the actor may read (or manage); 404 if it does not exist, 403 if it is not theirs."""
    compound = db.session.get(Compound, compound_id)
    if compound is None:
        raise NotFound("compound_not_found", "找不到该小区")
    allowed = can_manage_compound(actor, compound) if manage else can_read_compound(actor, compound)
    if not allowed:
        if manage and can_read_compound(actor, compound):
            raise Forbidden("read_only", "您只能查看，不能修改该小区的数据")
        raise Forbidden("outside_jurisdiction", JURISDICTION_MESSAGE)
    return compound


def require_org(actor, org_id):
    """An org the actor may read (used by reports and compound creation)."""
    org = db.session.get(Org, org_id)
    if org is None:
        raise NotFound("org_not_found", "找不到该组织")
    if actor.role == "admin":
        return org
    mine = actor.org
    if mine is None or not mine.contains(org):
        raise Forbidden("outside_jurisdiction", "该组织不在您的管辖范围内")
    return org


def bound_unit_ids(resident, relation=None):
    stmt = select(HouseholdBinding.unit_id).where(
        HouseholdBinding.resident_id == resident.id, HouseholdBinding.status == "active"
    )
    if relation:
        stmt = stmt.where(HouseholdBinding.relation == relation)
    return set(db.session.scalars(stmt))


def voting_binding(resident, unit_id):
    """The binding that lets this resident cast the unit's ballot: as its owner, or as an approved proxy."""
    binding = db.session.scalar(
        select(HouseholdBinding).where(
            HouseholdBinding.resident_id == resident.id,
            HouseholdBinding.unit_id == unit_id,
            HouseholdBinding.status == "active",
            HouseholdBinding.relation.in_(("owner", "proxy")),
        )
    )
    if binding is None:
        raise Forbidden("unit_not_bound", "您未绑定该房屋，或不是该房屋的业主（或经批准的委托人）")
    return binding
