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
from functools import lru_cache

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..catalog import Course, CourseView
from ..dbread import CompiledStatement
from ..extensions import db
from ..models import Completion, ModuleProgress, QuizAttempt, utcnow
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


@lru_cache(maxsize=None)
def _insert_statement(table: Table, unique: tuple[str, ...], dialect: str) -> CompiledStatement:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return CompiledStatement(insert(table).on_conflict_do_nothing(index_elements=list(unique))
                             .returning(table.c.id))


def _insert_unless_exists(model, unique: tuple[str, ...], own_transaction: bool = False,
                          **values) -> int | None:
    """INSERT ... ON CONFLICT (unique) DO NOTHING RETURNING id: the new row's id, or None
    when the row exists (a resubmitted form, two tabs, two app instances). One round
    trip; any other constraint still fails loudly. Every column is given here: Python
    defaults are not applied on this path. With own_transaction the row is committed
    at once, apart from the session's transaction."""
    engine = db.session.get_bind()
    statement = _insert_statement(model.__table__, unique, engine.dialect.name)
    if own_transaction:
        return statement.scalar_committed(engine, values)
    return statement.scalar(db.session, values)


def acknowledge_module(assignment_id: int, user_id: int, view: CourseView, module_id: str) -> None:
    _insert_unless_exists(ModuleProgress, ("assignment_id", "module_id"), assignment_id=assignment_id,
                          module_id=module_id, locale=view.locale, region=view.region, acknowledged_at=utcnow())
    complete_if_done(assignment_id, user_id, view)


def may_complete_course(view: CourseView, result: QuizResult, acknowledged: frozenset[str] | None,
                        completed: bool) -> bool:
    """Whether this attempt can complete the course, given what the learner had done
    (None: not known, so maybe)."""
    return result.passed and not completed and (acknowledged is None or view.module_ids <= acknowledged)


def record_attempt(assignment_id: int, user_id: int, view: CourseView, token: str, shown: list[dict],
                   answers: dict[str, list[str]], result: QuizResult,
                   acknowledged: frozenset[str] | None = None, completed: bool = False) -> int:
    """Store the attempt once per token and return its id; a resubmitted token returns the
    first attempt. `acknowledged` and `completed` are what the learner had done when the
    request began: when they show that this attempt cannot complete the course (failed,
    modules still open, or already complete), the attempt is the only write and is its
    own transaction."""
    may_complete = may_complete_course(view, result, acknowledged, completed)
    attempt_id = _insert_unless_exists(
        QuizAttempt, ("token",), own_transaction=not may_complete, assignment_id=assignment_id,
        token=token, questions=shown, answers=answers, score=result.score, passed=result.passed,
        locale=view.locale, region=view.region, course_version=view.course.version, submitted_at=utcnow())
    if attempt_id is None:
        return db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.token == token))
    if may_complete:
        complete_if_done(assignment_id, user_id, view)
    return attempt_id


def complete_if_done(assignment_id: int, user_id: int, view: CourseView) -> Completion | None:
    if not view.module_ids <= acknowledged_modules(assignment_id):
        return None
    best = db.session.scalar(select(func.max(QuizAttempt.score)).where(
        QuizAttempt.assignment_id == assignment_id, QuizAttempt.passed.is_(True)))
    if best is None:
        return None
    existing = completion_for(assignment_id)
    if existing is not None:
        return existing
    course: Course = view.course
    now = utcnow()
    expires = add_months(now, course.recertify_months) if course.recertify_months else None
    _insert_unless_exists(Completion, ("assignment_id",), assignment_id=assignment_id, user_id=user_id,
                          course_id=course.id, course_version=course.version, locale=view.locale,
                          region=view.region, score=best, completed_at=now, expires_at=expires,
                          certificate_code=new_certificate_code())
    return completion_for(assignment_id)


def completion_for(assignment_id: int) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.assignment_id == assignment_id))


def completion_by_code(code: str) -> Completion | None:
    normalised = code.strip().upper().replace(" ", "")
    return db.session.scalar(select(Completion).where(Completion.certificate_code == normalised))
