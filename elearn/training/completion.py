"""Where module acknowledgements, quiz attempts and completions are written.

A course is complete when every module of the learner's view is acknowledged and
the quiz is passed, within one assignment cycle. Unique constraints (module per
cycle, attempt token, completion per cycle) make every write idempotent, also
when two app instances race.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from blinker import Namespace
from sqlalchemy import Executable, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..catalog import Course, CourseView, QuizRules
from ..extensions import db
from ..models import Assignment, Completion, ModuleProgress, QuizAttempt, User, active_user, utcnow
from ..months import add_months
from .attempt_rules import standing_after
from .scoring import QuizResult

#: sent once per completion, right after it is written (in the request's transaction):
#: user_id, course_id, score, completed_at (ISO 8601). Receivers: the LTI grade passback
#: (elearn/lti/grades.py), which training must not import.
completion_stored = Namespace().signal("completion-stored")


def new_certificate_code() -> str:
    """80 random bits, base32 without ambiguous padding, grouped for reading aloud."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def acknowledged_modules(assignment_id: int) -> set[str]:
    return set(
        db.session.scalars(select(ModuleProgress.module_id).where(ModuleProgress.assignment_id == assignment_id))
    )


def _insert(model: type[Any], dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The database's own INSERT, the one that has ON CONFLICT."""
    return postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)


def _insert_unless_exists(
    model: type[ModuleProgress] | type[Completion], unique: tuple[str, ...], **values: object
) -> int | None:
    """INSERT ... ON CONFLICT (unique) DO NOTHING RETURNING id, in the session's
    transaction: the new row's id, or None when the row exists (a resubmitted form, two
    tabs, two app instances). One statement; any other constraint still fails loudly."""
    statement = (
        _insert(model, db.engine.dialect.name)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(model.id)
    )
    new_id: int | None = db.session.scalar(statement)
    return new_id


_ATTEMPT_COLUMNS = (
    "assignment_id",
    "token",
    "questions",
    "answers",
    "score",
    "passed",
    "locale",
    "region",
    "course_version",
    "submitted_at",
)


def _attempt_insert(dialect: str) -> Executable:
    """The attempt, stored only if the person is active and the attempt's cycle is theirs
    and current: checked by the database in the same statement. Returns the new id, the
    cycle's acknowledged-module count and completion count (what decides whether the
    course may now be complete)."""
    attempts = QuizAttempt.__table__
    source = (
        select(Assignment.id, *(bindparam(name, type_=attempts.c[name].type) for name in _ATTEMPT_COLUMNS[1:]))
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.id == bindparam("assignment_id"), Assignment.current.is_(True), active_user(bindparam("user_id"))
        )
    )
    acknowledged = (
        select(func.count(ModuleProgress.id))
        .where(ModuleProgress.assignment_id == bindparam("assignment_id"))
        .scalar_subquery()
    )
    completions = (
        select(func.count(Completion.id))
        .where(Completion.assignment_id == bindparam("assignment_id"))
        .scalar_subquery()
    )
    return (
        _insert(QuizAttempt, dialect)
        .from_select(list(_ATTEMPT_COLUMNS), source)
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(QuizAttempt.id, acknowledged, completions)
    )


#: built once per database; the values are bound when it runs
_ATTEMPT_INSERT = {dialect: _attempt_insert(dialect) for dialect in ("postgresql", "sqlite")}


def acknowledge_module(assignment_id: int, user_id: int, view: CourseView, module_id: str) -> None:
    """Records the module confirmed, with the statement shown beside the button (its id
    and the hash of its text in the view's locale) when the course has one."""
    statement = view.course.module_statement
    _insert_unless_exists(
        ModuleProgress,
        ("assignment_id", "module_id"),
        assignment_id=assignment_id,
        module_id=module_id,
        locale=view.locale,
        region=view.region,
        acknowledged_at=utcnow(),
        statement_id=statement.id if statement else None,
        statement_hash=statement.hash_in(view.locale) if statement else None,
    )
    complete_if_done(assignment_id, user_id, view)


class AttemptsUsedUp(Exception):
    """The course's attempt rule refuses the attempt: others, submitted at the same
    time from other tabs, used the last ones."""


def record_attempt(
    user_id: int,
    assignment_id: int,
    view: CourseView,
    token: str,
    shown: list[dict[str, Any]],
    answers: dict[str, list[str]],
    result: QuizResult,
    rules: QuizRules | None = None,
) -> tuple[int, bool] | None:
    """Store the attempt once per token: (its id, whether the course is now complete); a
    resubmitted token gives the first attempt. None when the database refuses it: the
    person is not active, or the cycle is not theirs or no longer current.

    The attempt is one statement that commits itself (SQLAlchemy's AUTOCOMMIT isolation
    level: one round trip, where BEGIN, INSERT and COMMIT take three). A passing attempt
    may complete the course: the completion is written next, in the session. If the
    process dies in between, the learner's retry of the same submission lands on the
    duplicate path below, which completes it.

    With an attempt limit (`rules.max_attempts`) the attempt goes in only within it,
    checked under a lock: AttemptsUsedUp otherwise."""
    values = {
        "user_id": user_id,
        "assignment_id": assignment_id,
        "token": token,
        "questions": shown,
        "answers": answers,
        "score": result.score,
        "passed": result.passed,
        "locale": view.locale,
        "region": view.region,
        "course_version": view.course.version,
        "submitted_at": utcnow(),
    }
    if rules is not None and rules.max_attempts is not None:
        row = _insert_within_limit(values, rules)
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            row = connection.execute(_ATTEMPT_INSERT[connection.dialect.name], values).first()
    if row is not None:
        attempt_id, acknowledged, completions = row
        may_complete = result.passed and not completions and acknowledged >= len(view.modules)
    else:
        earlier = db.session.execute(
            select(QuizAttempt.id, QuizAttempt.passed)
            .join(Assignment)
            .where(QuizAttempt.token == token, Assignment.id == assignment_id, Assignment.user_id == user_id)
        ).first()
        if earlier is None:
            return None
        attempt_id, may_complete = earlier
    completed = may_complete and complete_if_done(assignment_id, user_id, view) is not None
    if completed:
        db.session.commit()
    return attempt_id, completed


def _insert_within_limit(values: dict[str, Any], rules: QuizRules) -> Any:
    """One cycle's attempts go in one at a time: the first statement, an UPDATE of the
    cycle's row that changes nothing, holds its lock (a row lock on PostgreSQL, the write
    lock on SQLite) while the rule is checked against the attempts stored and the attempt
    is inserted. Two tabs submitted at once cannot both take the last attempt."""
    assignment_id = values["assignment_id"]
    with db.engine.begin() as connection:
        connection.execute(update(Assignment).where(Assignment.id == assignment_id).values(id=Assignment.id))
        failed = connection.scalars(
            select(QuizAttempt.submitted_at).where(
                QuizAttempt.assignment_id == assignment_id,
                QuizAttempt.passed.is_(False),
                QuizAttempt.token != values["token"],  # the same submission again: the earlier attempt is its answer
            )
        )
        if standing_after(rules, failed, values["submitted_at"]).locked:
            raise AttemptsUsedUp
        return connection.execute(_ATTEMPT_INSERT[connection.dialect.name], values).first()


def complete_if_done(assignment_id: int, user_id: int, view: CourseView, confirmed: bool = False) -> Completion | None:
    """The cycle's completion, written now if every module is acknowledged, the quiz is
    passed and, for a course with a final statement, the learner has just confirmed it
    (`confirmed`: see confirm_completion)."""
    statement = view.course.final_statement
    if statement is not None and not confirmed:
        return completion_for(assignment_id)
    if not view.module_ids <= acknowledged_modules(assignment_id):
        return None
    best = db.session.scalar(
        select(func.max(QuizAttempt.score)).where(
            QuizAttempt.assignment_id == assignment_id, QuizAttempt.passed.is_(True)
        )
    )
    if best is None:
        return None
    existing = completion_for(assignment_id)
    if existing is not None:
        return existing
    course: Course = view.course
    now = utcnow()
    expires = add_months(now, course.recertify_months) if course.recertify_months else None
    new_id = _insert_unless_exists(
        Completion,
        ("assignment_id",),
        assignment_id=assignment_id,
        user_id=user_id,
        course_id=course.id,
        course_version=course.version,
        locale=view.locale,
        region=view.region,
        score=best,
        completed_at=now,
        expires_at=expires,
        certificate_code=new_certificate_code(),
        attestation_id=statement.id if statement else None,
        attestation_hash=statement.hash_in(view.locale) if statement else None,
        attestation_locale=statement.locale_for(view.locale) if statement else None,
        attested_at=now if statement else None,
    )
    if new_id is not None:
        completion_stored.send(None, user_id=user_id, course_id=course.id, score=best, completed_at=now.isoformat())
    return completion_for(assignment_id)


def ready_to_confirm(
    assignment_id: int, acknowledged: frozenset[str], view: CourseView, completion: Completion | None
) -> bool:
    """Everything but the course's final statement is done: it is what completes it.
    `completion`: the cycle's, which the page has read already."""
    if completion is not None or view.course.final_statement is None or not view.module_ids <= acknowledged:
        return False
    passed = db.session.scalar(
        select(QuizAttempt.id).where(QuizAttempt.assignment_id == assignment_id, QuizAttempt.passed.is_(True)).limit(1)
    )
    return passed is not None


def confirm_completion(assignment_id: int, user_id: int, view: CourseView) -> Completion | None:
    """The learner confirmed the final statement: the completion, if all else is done."""
    return complete_if_done(assignment_id, user_id, view, confirmed=True)


def completion_for(assignment_id: int) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.assignment_id == assignment_id))


def completion_by_code(code: str) -> Completion | None:
    normalised = code.strip().upper().replace(" ", "")
    return db.session.scalar(select(Completion).where(Completion.certificate_code == normalised))
