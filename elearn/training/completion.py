"""Where module acknowledgements, quiz attempts and completions are written.

A course is complete when every module of the learner's view is acknowledged and
the quiz is passed, within one assignment cycle. Unique constraints (module per
cycle, attempt token, completion per cycle) make every write idempotent, also
when two app instances race.
"""
from __future__ import annotations

import base64
import calendar
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..catalog import Course, CourseView
from ..extensions import db
from ..models import Assignment, Completion, ModuleProgress, QuizAttempt, utcnow
from .scoring import QuizResult


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def new_certificate_code() -> str:
    """80 random bits, base32 without ambiguous padding, grouped for reading aloud."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def acknowledged_modules(assignment_id: int) -> set[str]:
    return set(db.session.scalars(select(ModuleProgress.module_id).where(
        ModuleProgress.assignment_id == assignment_id)))


def _insert_once(row) -> bool:
    """Insert inside a savepoint; False when a unique constraint says it exists."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return True
    except IntegrityError:
        return False


def acknowledge_module(assignment: Assignment, view: CourseView, module_id: str) -> None:
    _insert_once(ModuleProgress(assignment_id=assignment.id, module_id=module_id,
                                locale=view.locale, region=view.region))
    complete_if_done(assignment, view)


def record_attempt(assignment: Assignment, view: CourseView, token: str, shown: list[dict],
                   answers: dict[str, list[str]], result: QuizResult) -> QuizAttempt:
    """Store the attempt once per token; a resubmitted token returns the first attempt."""
    attempt = QuizAttempt(assignment_id=assignment.id, token=token, questions=shown,
                          answers=answers, score=result.score, passed=result.passed,
                          locale=view.locale, region=view.region,
                          course_version=view.course.version)
    if not _insert_once(attempt):
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
    elif result.passed:
        complete_if_done(assignment, view)
    return attempt


def complete_if_done(assignment: Assignment, view: CourseView) -> Completion | None:
    if not {m.id for m in view.modules} <= acknowledged_modules(assignment.id):
        return None
    best = db.session.scalar(select(func.max(QuizAttempt.score)).where(
        QuizAttempt.assignment_id == assignment.id, QuizAttempt.passed.is_(True)))
    if best is None:
        return None
    existing = completion_for(assignment.id)
    if existing is not None:
        return existing
    course: Course = view.course
    now = utcnow()
    expires = add_months(now, course.recertify_months) if course.recertify_months else None
    completion = Completion(assignment_id=assignment.id, user_id=assignment.user_id,
                            course_id=course.id, course_version=course.version,
                            locale=view.locale, region=view.region, score=best,
                            completed_at=now, expires_at=expires,
                            certificate_code=new_certificate_code())
    if _insert_once(completion):
        return completion
    return completion_for(assignment.id)


def completion_for(assignment_id: int) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.assignment_id == assignment_id))


def completion_by_code(code: str) -> Completion | None:
    normalised = code.strip().upper().replace(" ", "")
    return db.session.scalar(select(Completion).where(Completion.certificate_code == normalised))
