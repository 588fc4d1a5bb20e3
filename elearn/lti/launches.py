"""The rules of a validated launch: which course the link names, whom it signs in,
whether it runs in a frame, and where the grade goes back to.

Identity comes only from the platform's signed claims and the registration an admin
made: the issuer + `sub` (federation.person_for with provider `lti:<registration id>`),
and the employee ID from the claim the admin named on the registration, never from the
custom parameters a course author types on a link. The course may come from them: it
names what to learn, not who learns it."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import security_log
from ..auth import federation
from ..auth.federation import Claims, Rules, SignIn
from ..auth.grants import holds_privileged_role
from ..catalog import Catalog, Course
from ..extensions import db
from ..models import LTI_EMPLOYEE_ID_PREFIX, User, utcnow
from ..training.assignments import assign
from .framing import origin
from .models import LtiGradeTarget, LtiNonce, LtiRegistration

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CUSTOM_CLAIM = CLAIM + "custom"
PRESENTATION_CLAIM = CLAIM + "launch_presentation"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#: the custom parameter of a link that names the course (deep linking writes it)
COURSE_PARAMETER = "course"
#: why a launch is refused (security log reasons)
PRIVILEGED = "privileged_person"
UNKNOWN_COURSE = "unknown_course"
REPLAYED = "replayed_nonce"


def provider_key(registration: LtiRegistration) -> str:
    return f"lti:{registration.id}"


def synthetic_employee_id(registration: LtiRegistration, subject: str) -> str:
    """The employee ID of a person the platform knows only by `sub`."""
    return f"{LTI_EMPLOYEE_ID_PREFIX}{registration.id}-{hashlib.sha256(subject.encode()).hexdigest()[:16]}"


def claim_path_allowed(path: str) -> bool:
    """A registration's employee-ID claim: any signed claim but the custom parameters
    (course authors type those)."""
    path = path.strip()
    return bool(path) and not path.startswith(CUSTOM_CLAIM)


def claim_at(claims: dict[str, Any], path: str) -> object:
    """The value at `path`: a top-level claim name ("employee_id",
    "https://purl.imsglobal.org/spec/lti/claim/lis"), or one followed by "." and the name
    of a claim inside it ("https://purl.imsglobal.org/spec/lti/claim/lis.person_sourcedid").
    Claim names hold dots themselves: at each level the longest name that fits is taken."""
    if not claim_path_allowed(path):
        return None
    node: object = claims
    rest = path.strip()
    while rest:
        if not isinstance(node, dict):
            return None
        names = [k for k in node if isinstance(k, str) and (rest == k or rest.startswith(k + "."))]
        if not names:
            return None
        name = max(names, key=len)
        if name == CUSTOM_CLAIM:
            return None
        node, rest = node[name], rest[len(name) + 1 :]
    return node


def course_of(claims: dict[str, Any], catalog: Catalog) -> Course | None:
    custom = claims.get(CUSTOM_CLAIM)
    course_id = custom.get(COURSE_PARAMETER) if isinstance(custom, dict) else None
    return catalog.courses.get(course_id) if isinstance(course_id, str) else None


def in_frame(fetch_dest: str | None, claims: dict[str, Any]) -> bool:
    """Whether the launch page shows inside the platform's page: the browser's own
    Sec-Fetch-Dest when it sends one, else the platform's document_target. Without
    either, a frame (its page works at top level too)."""
    if fetch_dest in ("document", "iframe", "frame"):
        return fetch_dest != "document"
    presentation = claims.get(PRESENTATION_CLAIM)
    target = presentation.get("document_target") if isinstance(presentation, dict) else None
    return target != "window"


def spend_nonce(value: str, seconds: int) -> bool:
    """Records a nonce (or a one-time link id) as used; False when it was already: one
    INSERT, so two requests with the same value cannot both pass (the primary key)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(LtiNonce)
        .values(value=value, expires_at=utcnow() + timedelta(seconds=seconds))
        .on_conflict_do_nothing(index_elements=["value"])
        .returning(LtiNonce.value)
    )
    return db.session.scalar(statement) is not None


def forget_spent_nonces() -> None:
    """Nonces whose tokens have expired cannot be replayed any more: they go."""
    db.session.execute(delete(LtiNonce).where(LtiNonce.expires_at <= utcnow()))


def person_for(registration: LtiRegistration, claims: dict[str, Any], catalog: Catalog) -> SignIn:
    """Whom a validated launch signs in; a person holding a privileged role is refused."""
    subject = federation.text(claims.get("sub"), 255)
    if subject is None:
        return SignIn(refused=federation.BAD_CLAIMS)
    employee_id = None
    if registration.employee_id_claim:
        employee_id = federation.text(claim_at(claims, registration.employee_id_claim), 64)
    presentation = claims.get(PRESENTATION_CLAIM)
    details = Claims(
        employee_id=employee_id or synthetic_employee_id(registration, subject),
        name=claims.get("name"),
        locale=presentation.get("locale") if isinstance(presentation, dict) else None,
    )
    outcome = federation.person_for(provider_key(registration), subject, details, Rules(jit=True), catalog)
    if outcome.user is not None and holds_privileged_role(outcome.user.roles):
        return SignIn(refused=PRIVILEGED)
    return outcome


def may_sign_in(user: User) -> bool:
    """Checked again when a framed launch's link is used: the person may have changed since."""
    return bool(user.active) and not holds_privileged_role(user.roles)


def give_course(user: User, course: Course) -> None:
    """The course the link names, assigned when the person does not have it."""
    due = utcnow() + timedelta(days=current_app.config["ELEARN_DEFAULT_DUE_DAYS"])
    assign(user, course, due, "lti")


def remember_grade_target(registration: LtiRegistration, user: User, course: Course, claims: dict[str, Any]) -> None:
    """Where the completion's score goes: the launch's line item, when the platform lets
    the tool post scores to it."""
    endpoint = claims.get(AGS_CLAIM)
    if not isinstance(endpoint, dict):
        return
    lineitem, scopes = endpoint.get("lineitem"), endpoint.get("scope")
    if not isinstance(lineitem, str) or not isinstance(scopes, list) or SCORE_SCOPE not in scopes:
        return
    # the worker posts there with a token: only to the platform's own hosts, never to an
    # address a launch could point at inside our network
    if origin(lineitem) not in {origin(registration.issuer), origin(registration.auth_token_url)}:
        security_log.event("lti.lineitem_refused", registration=registration.id)
        return
    target = db.session.scalar(
        select(LtiGradeTarget).where(
            LtiGradeTarget.registration_id == registration.id,
            LtiGradeTarget.user_id == user.id,
            LtiGradeTarget.course_id == course.id,
        )
    )
    if target is None:
        target = LtiGradeTarget(registration_id=registration.id, user_id=user.id, course_id=course.id)
        db.session.add(target)
    target.subject = str(claims["sub"])
    target.lineitem_url = lineitem
    target.scopes = [s for s in scopes if isinstance(s, str)]
    target.updated_at = utcnow()
    db.session.flush()
