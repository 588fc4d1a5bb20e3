"""The rules of a dispatch package: its key, whom a launch signs in, and the result the
package relays to the LMS.

A package's key names its LMS connection and its course, signed with the app's secret
(itsdangerous, no timestamp: the same package gives the same key, so a rebuilt package
is the same file; SECRET_KEY_FALLBACKS keep keys valid across a key rotation). Revoking
the connection refuses every package that carries it; a key opens its own course only.

SCORM gives the content no proof of who the learner is: the LMS passes its learner id
to the page, and anyone holding a package can open it with any id. So a launch signs
in a learner only (people with privileged roles are refused, and the session stays
learner-only: auth/learner_sessions.py), and the LMS's ids are linked to HR-imported
people only where the admin said they are employee ids (then only to people who exist:
an id nobody has is refused, so a launch cannot claim an employee ID ahead of the HR
import). LTI 1.3 is the signed alternative (README).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import desc, func, select

from ..auth import federation
from ..auth.grants import holds_privileged_role
from ..catalog import Catalog
from ..extensions import db
from ..models import LMS_EMPLOYEE_ID_PREFIX, Completion, ExternalIdentity, ModuleProgress, QuizAttempt, User
from ..training.assignments import assign, current_assignment
from .models import LmsConnection

KEY_SALT = "elearn.scorm.package-key"
#: why a launch is refused (security log reasons; the page says each in words)
REVOKED = "revoked"
PRIVILEGED = "privileged"

#: what the LMS is told of a learner's course: SCORM 1.2's lesson status words
NOT_ATTEMPTED, INCOMPLETE, PASSED, FAILED = "not attempted", "incomplete", "passed", "failed"


def _serializer() -> URLSafeSerializer:
    config = current_app.config
    secrets = [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]  # newest last
    return URLSafeSerializer(secrets, salt=KEY_SALT)


def package_key(connection: LmsConnection, course_id: str) -> str:
    return str(_serializer().dumps([connection.id, course_id]))


@dataclass(frozen=True)
class PackageKey:
    connection: LmsConnection  #: revoked or not
    course_id: str  #: the one course the package opens


def read_key(key: str) -> PackageKey | None:
    """What a key names; None for a key this app did not sign (or a connection deleted)."""
    try:
        payload = _serializer().loads(key)
    except BadSignature:
        return None
    if not isinstance(payload, list) or len(payload) != 2:
        return None
    connection_id, course_id = payload
    if not isinstance(connection_id, int) or isinstance(connection_id, bool) or not isinstance(course_id, str):
        return None
    connection = db.session.get(LmsConnection, connection_id)
    return PackageKey(connection, course_id) if connection is not None else None


def provider(connection: LmsConnection) -> str:
    """The ExternalIdentity provider of the connection's learners."""
    return f"lms:{connection.id}"


def learner_employee_id(connection: LmsConnection, learner_id: str) -> str:
    """The employee ID a launch names: the LMS's id itself where the admin said the LMS
    uses employee IDs, else one made from the connection and the id (the LMS's ids are
    only unique within it)."""
    if connection.learner_ids_are_employee_ids:
        return learner_id
    return f"{LMS_EMPLOYEE_ID_PREFIX}{connection.id}-{hashlib.sha256(learner_id.encode()).hexdigest()[:16]}"


def sign_in_learner(
    connection: LmsConnection, learner_id: object, name: object, locale: str, catalog: Catalog
) -> federation.SignIn:
    """Whom a launch signs in (added to the session, not committed; a refusal adds
    nothing that is then committed: the caller rolls back)."""
    if connection.revoked_at is not None:
        return federation.SignIn(refused=REVOKED)
    subject = federation.text(learner_id, 255)
    if subject is None:
        return federation.SignIn(refused=federation.BAD_CLAIMS)
    claims = federation.Claims(employee_id=learner_employee_id(connection, subject), name=name, locale=locale)
    # employee IDs: the HR person or nobody (a new person would take an HR import's row later)
    rules = federation.Rules(jit=not connection.learner_ids_are_employee_ids)
    outcome = federation.person_for(provider(connection), subject, claims, rules, catalog)
    if outcome.user is not None and holds_privileged_role(outcome.user.roles):
        return federation.SignIn(refused=PRIVILEGED)
    return outcome


def enrol(user: User, course_id: str, catalog: Catalog) -> None:
    """The package's course is the learner's from the launch on (an LMS assigned it)."""
    assign(user, catalog.courses[course_id], due_at=None, source="lms")


@dataclass(frozen=True)
class LmsResult:
    """What the package tells the LMS of the current cycle."""

    status: str
    score: int | None  #: percent; None before a quiz attempt
    modules_read: int


def lms_result(user_id: int | None, course_id: str) -> LmsResult:
    """The one mapping from elearn's record to SCORM's words: a completion is passed
    with its score; a failed latest attempt is failed; any progress is incomplete."""
    assignment = current_assignment(user_id, course_id) if user_id is not None else None
    if assignment is None:
        return LmsResult(NOT_ATTEMPTED, None, 0)
    read = db.session.scalar(select(func.count(ModuleProgress.id)).where(ModuleProgress.assignment_id == assignment.id))
    read = read or 0
    completion = db.session.scalar(select(Completion).where(Completion.assignment_id == assignment.id))
    if completion is not None:
        return LmsResult(PASSED, completion.score, read)
    latest = db.session.execute(
        select(QuizAttempt.score, QuizAttempt.passed)
        .where(QuizAttempt.assignment_id == assignment.id)
        .order_by(desc(QuizAttempt.submitted_at), desc(QuizAttempt.id))
        .limit(1)
    ).first()
    if latest is not None and not latest.passed:
        return LmsResult(FAILED, latest.score, read)
    if latest is not None or read:
        return LmsResult(INCOMPLETE, latest.score if latest is not None else None, read)
    return LmsResult(NOT_ATTEMPTED, None, 0)


def learner_user_id(connection: LmsConnection, learner_id: str) -> int | None:
    """The person the LMS's learner is here; None before their first launch."""
    return db.session.scalar(
        select(ExternalIdentity.user_id).where(
            ExternalIdentity.provider == provider(connection), ExternalIdentity.subject == learner_id
        )
    )
