"""The admin audit log: who did what, when, with the values before and after."""

from __future__ import annotations

from flask_login import current_user

from .. import security_log
from ..extensions import db
from ..models import AUDIT_TARGET_LENGTH, AuditLog, User

USER_FIELDS = (
    "employee_id",
    "email",
    "name",
    "display_name",
    "department",
    "country",
    "hr_locale",
    "timezone",
    "roles",
    "manager_email",
    "active",
)


def snapshot(user: User) -> dict:
    return {field: getattr(user, field) for field in USER_FIELDS}


def record(
    action: str,
    target: str | None,
    before: dict | None = None,
    after: dict | None = None,
    note: str | None = None,
    actor_id: int | None = None,
) -> None:
    if actor_id is None and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    if target is not None:
        target = target[:AUDIT_TARGET_LENGTH]
    db.session.add(AuditLog(actor_id=actor_id, action=action, target=target, before=before, after=after, note=note))
    security_log.audit(action, target, set(before or ()) | set(after or ()), actor_id)
