"""Full-feed mode of the HR import: a file that lists everyone, so the people it does
not list have left and are deactivated.

It runs in two steps. The upload is checked and kept as a preview (a TaskRun row in
state "preview": the file lives in the database, never on one worker's disk) with a
digest of the people it would deactivate; the admin confirms that preview, and the
import applies only if the same people would still be deactivated.

Who may be deactivated is auth/grants.refusal (the one rule for whom an admin may
change): an unscoped admin every active person the file does not list, a scoped admin
only learners inside the scope. Never the importing admin themself; people already
inactive or deleted are not counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, func, select, update

from ..auth.grants import Person, Scope, holds_privileged_role, refusal
from ..catalog import Catalog
from ..extensions import db
from ..models import User, made_for_an_lms, utcnow
from ..tasks.models import TaskRun
from .importer import read_rows
from .scope import scope_clause

#: the TaskRun state of an upload waiting for its admin's confirmation
PREVIEW = "preview"
#: how long a preview can be confirmed; older ones are refused and removed
PREVIEW_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class Leaver:
    id: int
    employee_id: str
    name: str
    roles: str

    @property
    def privileged(self) -> bool:
        return holds_privileged_role(self.roles)


def listed_ids(text: str) -> set[str]:
    """The employee ids the file lists (read as the import reads them)."""
    rows, _errors = read_rows(text)
    return {raw[0].strip() for raw in rows if raw and raw[0].strip()}


def leavers(text: str, grantor: Scope, actor_id: int | None, catalog: Catalog) -> list[Leaver]:
    """Active people the file does not list whom `grantor` may change, by employee id."""
    listed = listed_ids(text)
    query = select(User.id, User.employee_id, User.name, User.roles, User.country, User.department).where(
        User.active.is_(True), User.deleted_at.is_(None)
    )
    clause = scope_clause(grantor, catalog)  # narrows the read; refusal below decides
    if clause is not None:
        query = query.where(clause)
    if actor_id is not None:
        query = query.where(User.id != actor_id)
    found = []
    for user_id, employee_id, name, roles, country, department in db.session.execute(query.order_by(User.employee_id)):
        if employee_id in listed or made_for_an_lms(employee_id):
            continue
        if refusal(grantor, Person.of(roles, country, department, catalog.region_for)) is None:
            found.append(Leaver(user_id, employee_id, name, roles))
    return found


def unknown_count(employee_ids: list[str]) -> int:
    """How many of these employee ids nobody has yet (the people the import would add)."""
    known = 0
    for start in range(0, len(employee_ids), 1000):
        chunk = employee_ids[start : start + 1000]
        known += db.session.scalar(select(func.count()).select_from(User).where(User.employee_id.in_(chunk))) or 0
    return len(employee_ids) - known


def digest(people: list[Leaver]) -> str:
    """Names the set of people, so a confirmation applies exactly what was previewed."""
    return hashlib.sha256(",".join(str(p.id) for p in sorted(people, key=lambda p: p.id)).encode()).hexdigest()


def deactivate(people: list[Leaver]) -> int:
    """Deactivates them (their sessions end at their next request: auth/signed_in.py)."""
    ids = [p.id for p in people]
    count = 0
    for start in range(0, len(ids), 1000):
        done = db.session.execute(
            update(User).where(User.id.in_(ids[start : start + 1000]), User.active.is_(True)).values(active=False)
        )
        count += cast(CursorResult, done).rowcount  # an UPDATE's result is a CursorResult
    return count


def audit_fields(people: list[Leaver]) -> dict:
    return {"deactivated": len(people), "employee_ids": [p.employee_id for p in people]}


def save_preview(text: str, filename: str, people: list[Leaver], new_people: int, admin_id: int) -> int:
    """Keeps the checked file until its admin confirms it; drops this admin's earlier
    previews and everyone's expired ones (they hold people's data). Commits."""
    db.session.execute(
        delete(TaskRun).where(
            TaskRun.state == PREVIEW,
            (TaskRun.created_by == admin_id) | (TaskRun.created_at < utcnow() - PREVIEW_LIFETIME),
        )
    )
    run = TaskRun(
        name="import_users",
        state=PREVIEW,
        created_by=admin_id,
        # created/updated/applied: what the tasks page shows of an import
        result={
            "created": 0,
            "updated": 0,
            "applied": False,
            "new_people": new_people,
            "filename": filename,
            "leavers": digest(people),
            "text": text,
        },
    )
    db.session.add(run)
    db.session.commit()
    return run.id


def open_preview(run_id: int | None, admin_id: int) -> TaskRun | None:
    """The admin's own preview, if it can still be confirmed."""
    if run_id is None:
        return None
    return db.session.scalar(
        select(TaskRun).where(
            TaskRun.id == run_id,
            TaskRun.name == "import_users",
            TaskRun.state == PREVIEW,
            TaskRun.created_by == admin_id,
            TaskRun.created_at >= utcnow() - PREVIEW_LIFETIME,
        )
    )
