"""Who is signed in, as one rule: the session names a user id, and that user counts
only while the account is active, so deactivating someone ends their sessions at
their next request.

Most pages get the ORM User through Flask-Login's loader. The learner's course
pages (module, acknowledge, quiz: the busiest requests) read the person, their
current assignment of the course, acknowledged modules and completion in one query
(`learner_course`), without a transaction or ORM objects. Page views (GET) then reuse
that state from the signed session for ELEARN_STATE_RECHECK_SECONDS; submissions
always read the database, and those that change the state drop the saved copy
(forget_learner_state), so the learner's own progress shows at once. The session is
signed: a client can replay its own older state for at most that long, never forge
one. Signing out removes it from the cookie.
"""
from __future__ import annotations

import time
from dataclasses import astuple, dataclass

from flask import current_app, request, session
from flask_login import UserMixin
from sqlalchemy import and_, bindparam, select

from ..dbread import CompiledStatement
from ..extensions import db
from ..models import Assignment, Completion, ModuleProgress, PersonFacts, User, active_user

#: where Flask-Login keeps the signed-in user's id in the session
SESSION_USER_KEY = "_user_id"


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader."""
    if not user_id.isdigit():
        return None
    return db.session.scalar(select(User).where(active_user(int(user_id))))


@dataclass(frozen=True, slots=True)
class SignedInUser(PersonFacts, UserMixin):
    """The signed-in person as read with their course: what pages show, read-only."""
    id: int
    name: str
    display_name: str | None
    country: str | None
    hr_locale: str | None
    chosen_locale: str | None
    timezone: str | None
    roles: str


@dataclass(frozen=True, slots=True)
class LearnerCourse:
    user: SignedInUser
    assignment_id: int | None  #: the current cycle; None when the course is not assigned
    acknowledged: frozenset[str]  #: module ids acknowledged in this cycle
    completed: bool  #: this cycle has its completion


_USER_COLUMNS = (User.id, User.name, User.display_name, User.country, User.hr_locale,
                 User.chosen_locale, User.timezone, User.roles)
_LEARNER_COURSE = CompiledStatement(
    select(*_USER_COLUMNS, Assignment.id, ModuleProgress.module_id, Completion.id)
    .select_from(User)
    .outerjoin(Assignment, and_(Assignment.user_id == User.id,
                                Assignment.course_id == bindparam("course_id"),
                                Assignment.current.is_(True)))
    .outerjoin(ModuleProgress, ModuleProgress.assignment_id == Assignment.id)
    .outerjoin(Completion, Completion.assignment_id == Assignment.id)
    .where(active_user(bindparam("user_id"))))


#: session key: {course id: (read at (epoch seconds), user fields..., assignment id,
#: acknowledged module ids, completed)}
STATE_KEY = "_course_state"


def session_user_id() -> int | None:
    """The user id the signed session names (whether that account is active is for the
    database to say)."""
    user_id = str(session.get(SESSION_USER_KEY, ""))
    return int(user_id) if user_id.isdigit() else None


def learner_course(course_id: str) -> LearnerCourse | None:
    """The signed-in learner and their current cycle of the course; None when nobody
    (active) is signed in. Makes them Flask-Login's current_user for this request."""
    user_id = session_user_id()
    if user_id is None:
        return None
    state = _saved_state(user_id, course_id) if request.method == "GET" else None
    if state is None:
        state = _read_state(user_id, course_id)
        if state is None:
            return None
        if request.method == "GET" and current_app.config["ELEARN_STATE_RECHECK_SECONDS"] > 0:
            saved = dict(session.get(STATE_KEY) or {})
            # Tuples: the session hands out a fresh copy per request, and immutable
            # values need none (see sessions.py).
            saved[course_id] = (int(time.time()), *astuple(state.user), state.assignment_id,
                                tuple(sorted(state.acknowledged)), state.completed)
            session[STATE_KEY] = saved
    # Flask-Login's own hook for "this request's user" (what its loader would set).
    current_app.login_manager._update_request_context_with_user(state.user)
    return state


def forget_learner_state(course_id: str | None = None) -> None:
    """Drop the saved state of one course (after a submission) or of all (profile change,
    sign-out)."""
    saved = session.get(STATE_KEY)
    if saved is not None and course_id is None:
        session.pop(STATE_KEY)
    elif saved and course_id in saved:
        session[STATE_KEY] = {k: v for k, v in saved.items() if k != course_id}


def _saved_state(user_id: int, course_id: str) -> LearnerCourse | None:
    saved = (session.get(STATE_KEY) or {}).get(course_id)
    fields = len(_USER_COLUMNS)
    if (not saved or len(saved) != fields + 4 or saved[1] != user_id
            or not 0 <= time.time() - saved[0] <= current_app.config["ELEARN_STATE_RECHECK_SECONDS"]):
        return None
    return LearnerCourse(user=SignedInUser(*saved[1:1 + fields]), assignment_id=saved[-3],
                         acknowledged=frozenset(saved[-2]), completed=saved[-1])


def _read_state(user_id: int, course_id: str) -> LearnerCourse | None:
    rows = _LEARNER_COURSE.all(db.engine, {"user_id": user_id, "course_id": course_id})
    if not rows:
        return None
    first = rows[0]
    return LearnerCourse(user=SignedInUser(*first[:len(_USER_COLUMNS)]), assignment_id=first[-3],
                         acknowledged=frozenset(row[-2] for row in rows if row[-2] is not None),
                         completed=first[-1] is not None)
