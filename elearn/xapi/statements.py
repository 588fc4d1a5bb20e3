"""Training events -> xAPI 1.0.3 statements.

Verbs are ADL's; the actor is an account named by the employee id on the configured
home page; the statement id is a UUID5 of the event, so resending the same event
gives the same id and a Learning Record Store never stores it twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..catalog import Catalog
from ..extensions import db
from ..i18n import bcp47
from ..models import Assignment, Completion, QuizAttempt, User

VERBS = {
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
#: fixed namespace for statement ids; changing it would duplicate every resent statement
NAMESPACE = uuid.UUID("6d1f6c38-53b2-4c5e-9b8e-0b1d2f8a7c11")
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement(
    verb: str,
    event_key: str,
    employee_id: str,
    home_page: str,
    activity_base: str,
    catalog: Catalog,
    course_id: str,
    locale: str,
    course_version: str,
    at: datetime,
    score: int | None = None,
    success: bool | None = None,
    quiz: bool = False,
    extensions: dict[str, Any] | None = None,
) -> dict:
    course = catalog.courses.get(course_id)
    activity_id = f"{activity_base.rstrip('/')}/courses/{course_id}" + ("/quiz" if quiz else "")
    names = {bcp47(loc): title for loc, title in (course.titles.items() if course else [])} or {"en": course_id}
    result: dict = {}
    if score is not None:
        result["score"] = {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}
    if success is not None:
        result["success"] = success
    if verb == "completed":
        result["completion"] = True
    context: dict[str, Any] = {"language": bcp47(locale), "revision": course_version, "platform": "elearn"}
    if extensions:
        context["extensions"] = extensions
    data: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"{verb}|{event_key}")),
        "actor": {"objectType": "Agent", "account": {"homePage": home_page, "name": employee_id}},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {"type": ASSESSMENT_TYPE if quiz else COURSE_TYPE, "name": names},
        },
        "context": context,
        "timestamp": _timestamp(at),
    }
    if result:
        data["result"] = result
    return data


def attestation_extension(completion: Completion, activity_base: str) -> dict[str, Any] | None:
    """The course's final statement as the learner confirmed it: which one, the SHA-256
    of the text shown, its language and when (context extensions take IRIs as keys)."""
    if completion.attestation_id is None:
        return None
    return {
        f"{activity_base.rstrip('/')}/xapi/extensions/attestation": {
            "id": completion.attestation_id,
            "sha256": completion.attestation_hash,
            "language": bcp47(completion.attestation_locale or completion.locale),
            "timestamp": _timestamp(completion.attested_at or completion.completed_at),
        }
    }


def statements_since(
    since: datetime | None, catalog: Catalog, home_page: str, activity_base: str, limit: int = 10000
) -> list[dict]:
    """Every attempt (attempted + passed/failed) and completion since a moment, oldest first."""
    out = []
    attempts = (
        select(QuizAttempt, User.employee_id, Assignment.course_id)
        .join(Assignment, Assignment.id == QuizAttempt.assignment_id)
        .join(User, User.id == Assignment.user_id)
        .order_by(QuizAttempt.submitted_at)
        .limit(limit)
    )
    completions = (
        select(Completion, User.employee_id)
        .join(User, User.id == Completion.user_id)
        .order_by(Completion.completed_at)
        .limit(limit)
    )
    if since is not None:
        attempts = attempts.where(QuizAttempt.submitted_at >= since)
        completions = completions.where(Completion.completed_at >= since)
    common: dict[str, Any] = {"home_page": home_page, "activity_base": activity_base, "catalog": catalog}
    for attempt, employee_id, course_id in db.session.execute(attempts):
        for verb in ("attempted", "passed" if attempt.passed else "failed"):
            out.append(
                statement(
                    verb,
                    f"attempt:{attempt.token}",
                    employee_id,
                    course_id=course_id,
                    locale=attempt.locale,
                    course_version=attempt.course_version,
                    at=attempt.submitted_at,
                    score=attempt.score,
                    success=attempt.passed if verb != "attempted" else None,
                    quiz=True,
                    **common,
                )
            )
    for completion, employee_id in db.session.execute(completions):
        out.append(
            statement(
                "completed",
                f"completion:{completion.certificate_code}",
                employee_id,
                course_id=completion.course_id,
                locale=completion.locale,
                course_version=completion.course_version,
                at=completion.completed_at,
                score=completion.score,
                success=True,
                extensions=attestation_extension(completion, activity_base),
                **common,
            )
        )
    return sorted(out, key=lambda s: s["timestamp"])
