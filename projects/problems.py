"""Construction-problem reports (issue 13 §6): filed by a resident of a project's compound, with up to three photos;
seen by the reporter, the compound's committee and the region's officials; answered and closed by the committee.

Photos. Each is read up to ``PROBLEM_PHOTO_MAX_BYTES`` (refused beyond), opened and verified by Pillow — its type is
what its content is, never its name or the browser's word — and only JPEG, PNG or WebP pass. It is then decoded,
turned upright by its EXIF orientation, and re-encoded from the pixels alone: EXIF (the GPS location among it), XMP,
ICC and text chunks are all left behind. Files go under ``PHOTO_DIR`` (default: the instance folder's ``photos``)
with random names; they are served only through :func:`photo_for`.

State changes are conditional UPDATEs (``WHERE status IN (…)``): of two clerks closing at once, the row count lets
one win and the other gets 409.
"""

import contextlib
import os
import secrets

from flask import current_app
from sqlalchemy import delete, func, select, update

from backend import audit, uploads
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.extensions import db
from backend.jurisdiction import bound_unit_ids, require_compound, require_org
from backend.roster.models import Compound, Org, Unit
from backend.types import utcnow

from .models import Project
from .problem_models import ConstructionProblem, ProblemPhoto, ProjectContractor

MAX_PHOTOS = 3
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def max_bytes():
    return current_app.config.get("PROBLEM_PHOTO_MAX_BYTES") or DEFAULT_MAX_BYTES


def photo_dir():
    path = current_app.config.get("PHOTO_DIR") or os.path.join(current_app.instance_path, "photos")
    os.makedirs(path, exist_ok=True)
    return path


def chain(problem):
    return f"problems:{problem.compound_id}"


# ---- photos ---------------------------------------------------------------------------------------------------


def _refuse(n, code, message):
    raise Invalid(code, f"第{n}张照片：{message}", {"files": {"photos": {str(n - 1): [message]}}})


def clean_photo(n, content):
    """The ``n``th photo re-encoded from its pixels (``backend.uploads.clean_photo``): (bytes, mime, ext, width,
    height). Refuses clearly, naming which photo."""
    try:
        return uploads.clean_photo(content, max_bytes())
    except uploads.PhotoRefused as e:
        _refuse(n, e.code, e.message)


def _read(file):
    return file.read(max_bytes() + 1)


# ---- filing ---------------------------------------------------------------------------------------------------


def _reporter_unit(resident, project, compound_id=None):
    """The resident's unit in one of the project's compounds (the one named, if several); 403 otherwise."""
    units = db.session.scalars(
        select(Unit)
        .where(Unit.id.in_(bound_unit_ids(resident)), Unit.compound_id.in_(project.compound_ids))
        .order_by(Unit.id)
    ).all()
    if compound_id is not None:
        units = [u for u in units if u.compound_id == compound_id]
    if not units:
        raise Forbidden("not_your_compound", "您没有绑定该改造项目所在小区的房屋，不能反映该项目的施工问题")
    return units[0]


def file_problem(resident, project_id, data, files):
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("project_not_found", "找不到该改造项目")
    unit = _reporter_unit(resident, project, data.get("compound_id"))
    files = [f for f in files if f and f.filename is not None]
    if len(files) > MAX_PHOTOS:
        raise Invalid("too_many_photos", f"最多上传{MAX_PHOTOS}张照片", {"files": {"photos": [f"最多{MAX_PHOTOS}张"]}})
    cleaned = [clean_photo(n, _read(f)) for n, f in enumerate(files, start=1)]
    problem = ConstructionProblem(
        project_id=project.id,
        compound_id=unit.compound_id,
        unit_id=unit.id,
        resident_id=resident.id,
        building=data.get("building") or "",
        category=data["category"],
        text=data["text"],
        status="open",
    )
    db.session.add(problem)
    db.session.flush()
    folder, written = photo_dir(), []
    try:
        for position, (content, mime, ext, width, height) in enumerate(cleaned):
            name = f"{secrets.token_hex(16)}.{ext}"
            path = os.path.join(folder, name)
            with open(path, "xb") as out:
                out.write(content)
            written.append(path)
            db.session.add(
                ProblemPhoto(
                    problem_id=problem.id,
                    position=position,
                    file_name=name,
                    mime=mime,
                    size_bytes=len(content),
                    width=width,
                    height=height,
                )
            )
        audit.append(
            chain(problem),
            resident,
            "problem_filed",
            {
                "problem_id": problem.id,
                "project_id": project.id,
                "unit_id": unit.id,
                "category": problem.category,
                "building": problem.building,
                "photos": len(cleaned),
            },
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for path in written:
            os.remove(path)
        raise
    db.session.refresh(problem)
    return problem


def my_problems(resident):
    return (
        select(ConstructionProblem)
        .where(ConstructionProblem.resident_id == resident.id)
        .order_by(ConstructionProblem.id.desc())
    )


# ---- the committee --------------------------------------------------------------------------------------------


def compound_problems(actor, compound_id, status=None, project_id=None):
    """The compound's reports, newest first: its committee's, and the region's officials' to read."""
    compound = require_compound(actor, compound_id)
    if actor.role not in ("admin", "official", "committee"):
        raise Forbidden("role_forbidden", "此操作仅限管理员、政府工作人员、社区居委会")
    stmt = select(ConstructionProblem).where(ConstructionProblem.compound_id == compound.id)
    if status:
        stmt = stmt.where(ConstructionProblem.status == status)
    if project_id is not None:
        stmt = stmt.where(ConstructionProblem.project_id == project_id)
    return stmt.order_by(ConstructionProblem.id.desc())


def get_problem(actor, problem_id, manage=False):
    problem = db.session.get(ConstructionProblem, problem_id)
    if problem is None:
        raise NotFound("problem_not_found", "找不到该问题反映")
    if getattr(actor, "role", "resident") == "resident":
        if problem.resident_id != actor.id or manage:  # as if it did not exist: a resident learns nothing of others'
            raise NotFound("problem_not_found", "找不到该问题反映")
        return problem
    if actor.role == "provider":
        if not is_contractor(actor, problem.project_id):
            raise Forbidden("not_your_project", "您不是该改造项目的施工单位联系人")
        return problem
    if actor.role not in ("admin", "official", "committee"):
        raise Forbidden("outside_jurisdiction", "该小区不在您的管辖范围内")
    require_compound(actor, problem.compound_id, manage=manage)
    return problem


# ---- the contractor's contact ---------------------------------------------------------------------------------


def contractor_of(project_id):
    return db.session.scalar(select(ProjectContractor).where(ProjectContractor.project_id == project_id))


def is_contractor(actor, project_id):
    found = contractor_of(project_id)
    return found is not None and found.user_id == actor.id


def set_contractor(actor, project, data):
    """Name the contractor's contact account (a company account, role provider): it then sees the project's
    reports and answers and closes them. One per project; naming another replaces it."""
    from backend.auth.models import User

    user = db.session.scalar(select(User).where(User.username == data["username"], User.active.is_(True)))
    if user is None or user.role != "provider":
        raise Invalid(
            "contractor_not_found",
            "找不到该施工单位账号（须为企业账号）",
            {"json": {"username": ["不是有效的企业账号"]}},
        )
    row = contractor_of(project.id)
    if row is None:
        row = ProjectContractor(project_id=project.id, set_by="")
        db.session.add(row)
    row.user_id, row.contact = user.id, data.get("contact") or ""
    row.set_by, row.set_at = audit.actor_label(actor), utcnow()
    audit.append(f"project:{project.id}", actor, "project_contractor_set", {"user_id": user.id, "contact": row.contact})
    db.session.commit()
    return contractor_view(project)


def contractor_view(project):
    from backend.auth.models import User

    row = contractor_of(project.id)
    user = db.session.get(User, row.user_id) if row else None
    return {
        "project_id": project.id,
        "username": user.username if user else None,
        "contact": row.contact if row else "",
    }


def contractor_problems(actor, status=None):
    """The reports of every project whose contractor's contact is this company account, newest first."""
    mine = select(ProjectContractor.project_id).where(ProjectContractor.user_id == actor.id)
    stmt = select(ConstructionProblem).where(ConstructionProblem.project_id.in_(mine))
    if status:
        stmt = stmt.where(ConstructionProblem.status == status)
    return stmt.order_by(ConstructionProblem.id.desc())


def project_problems(actor, project_id, status=None):
    """A project's reports, newest first: for its contractor's contact, and for whoever reads the project (the
    committee sees its own compounds' reports only)."""
    from . import services

    if actor.role == "provider":
        if not is_contractor(actor, project_id):
            raise Forbidden("not_your_project", "您不是该改造项目的施工单位联系人")
        stmt = select(ConstructionProblem).where(ConstructionProblem.project_id == project_id)
    else:
        project = services.get_project(actor, project_id)
        stmt = select(ConstructionProblem).where(ConstructionProblem.project_id == project.id)
        if actor.role == "committee":
            mine = select(Compound.id).where(Compound.org_id == actor.org_id)
            stmt = stmt.where(ConstructionProblem.compound_id.in_(mine))
    if status:
        stmt = stmt.where(ConstructionProblem.status == status)
    return stmt.order_by(ConstructionProblem.id.desc())


def _change(actor, problem, allowed, values, event, payload, conflict):
    moved = db.session.execute(
        update(ConstructionProblem)
        .where(ConstructionProblem.id == problem.id, ConstructionProblem.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.rollback()
        raise Conflict(*conflict)
    audit.append(chain(problem), actor, event, {"problem_id": problem.id, **payload})
    db.session.commit()
    db.session.expire_all()
    return db.session.get(ConstructionProblem, problem.id)


def answer(actor, problem, reply):
    """Answer (or answer again) a report not yet closed."""
    return _change(
        actor,
        problem,
        ("open", "answered"),
        {"status": "answered", "reply": reply, "replied_by": audit.actor_label(actor), "replied_at": utcnow()},
        "problem_answered",
        {"reply": reply},
        ("problem_closed", "该问题已关闭，不能再答复"),
    )


def close(actor, problem, reply=None):
    """Close a report; a closing note answers it if it had no answer yet."""
    values = {"status": "closed", "closed_by": audit.actor_label(actor), "closed_at": utcnow()}
    if reply:
        values.update(reply=reply, replied_by=audit.actor_label(actor), replied_at=utcnow())
    elif problem.reply is None:
        raise Invalid("reply_required", "关闭前请先答复居民", {"json": {"reply": ["请填写答复"]}})
    return _change(
        actor,
        problem,
        ("open", "answered"),
        values,
        "problem_closed",
        {"reply": reply},
        ("problem_already_closed", "该问题已被他人关闭，请刷新"),
    )


# ---- photos served --------------------------------------------------------------------------------------------


def photo_for(actor, photo_id):
    """The stored photo's path and type, for the reporter, the compound's committee, the region's officials, the
    project's contractor contact and admin; 403 for other staff (another compound's committee, another company),
    404 for another resident."""
    photo = db.session.get(ProblemPhoto, photo_id)
    if photo is None:
        raise NotFound("photo_not_found", "找不到该照片")
    problem = db.session.get(ConstructionProblem, photo.problem_id)
    try:
        get_problem(actor, problem.id)
    except NotFound as e:
        raise NotFound("photo_not_found", "找不到该照片") from e
    path = os.path.join(photo_dir(), photo.file_name)
    if not os.path.exists(path):  # the purge removed it and its row's deletion did not commit (it will next run)
        raise NotFound("photo_purged", "该照片已按保存期限删除")
    return photo, path


def purge_photos(cutoff, now):
    """PIPL retention: the photos of reports closed before ``cutoff`` (RETENTION_DAYS after closing, as bindings
    and requests are kept that long after they end) — they may show a household's door, faces, a plate. Open and
    answered reports keep theirs. The report's text, answer and dates stay with the project's records. Files go
    first, then their rows in the caller's transaction: if that fails, the next run finds the rows again."""
    photos = db.session.scalars(
        select(ProblemPhoto)
        .join(ConstructionProblem, ConstructionProblem.id == ProblemPhoto.problem_id)
        .where(ConstructionProblem.status == "closed", ConstructionProblem.closed_at < cutoff)
    ).all()
    folder = photo_dir()
    for photo in photos:
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(folder, photo.file_name))
    problem_ids = {p.problem_id for p in photos}
    if photos:
        db.session.execute(delete(ProblemPhoto).where(ProblemPhoto.id.in_([p.id for p in photos])))
        db.session.execute(
            update(ConstructionProblem).where(ConstructionProblem.id.in_(problem_ids)).values(photos_purged_at=now)
        )
    return len(photos)


# ---- for the officials ----------------------------------------------------------------------------------------


def open_counts(actor, org_id=None):
    """Per compound of the region (narrowed to ``org_id``) with any report not closed: those awaiting an answer
    (open), those answered but not closed, and both together."""
    org = require_org(actor, org_id) if org_id is not None else actor.org
    stmt = (
        select(ConstructionProblem.compound_id, ConstructionProblem.status, func.count())
        .where(ConstructionProblem.status != "closed")
        .group_by(ConstructionProblem.compound_id, ConstructionProblem.status)
    )
    if org is not None:
        region = select(Compound.id).join(Org, Org.id == Compound.org_id).where(Org.path.startswith(org.path))
        stmt = stmt.where(ConstructionProblem.compound_id.in_(region))
    counts = {}
    for compound_id, status, n in db.session.execute(stmt):
        counts.setdefault(compound_id, {"open": 0, "answered": 0})[status] = n
    rows = [
        {
            "compound": db.session.get(Compound, cid),
            "open": c["open"],
            "answered": c["answered"],
            "unclosed": c["open"] + c["answered"],
        }
        for cid, c in sorted(counts.items())
    ]
    return {
        "org": org,
        "compounds": rows,
        "open": sum(r["open"] for r in rows),
        "unclosed": sum(r["unclosed"] for r in rows),
    }
