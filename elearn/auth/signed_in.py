"""Who is signed in, as one rule: the session names a user id, and that user counts
only while the account is active, so deactivating someone ends their sessions at
their next request.

Flask-Login asks `load_user` for the person its session names. Most pages get the ORM
User. The learner's course pages (module, acknowledge, quiz: the busiest requests)
first say which course they show (`learner_course`); for them the loader reads the
person, their current assignment of the course, acknowledged modules and completion
in one query, and answers with a read-only SignedInUser. Every page view reads it, so
a deactivation (an admin, SCIM, the CSV feed) refuses the person at their very next
request, on every page. What was read is also kept in the signed session for
ELEARN_STATE_RECHECK_SECONDS (written again only when it changed or grew old), for
the one request that may use it instead of reading: the quiz submission, whose one
INSERT checks the account and the cycle itself (training/completion.record_attempt).
Requests that change the state drop the saved copy (forget_learner_state). The session
is signed: a client can replay its own older state for at most that long, never forge
one. Signing out removes it from the cookie.
"""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass

from flask import current_app, g, session
from flask_login import UserMixin, current_user
from sqlalchemy import and_, bindparam, select

from ..extensions import db
from ..models import Assignment, Completion, ModuleProgress, PersonFacts, User, active_user


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

    @property
    def cycle(self) -> int:
        """The current cycle's assignment id (pages of a course require it assigned)."""
        if self.assignment_id is None:
            raise LookupError("the course is not assigned to this learner")
        return self.assignment_id


_USER_COLUMNS = (
    User.id,
    User.name,
    User.display_name,
    User.country,
    User.hr_locale,
    User.chosen_locale,
    User.timezone,
    User.roles,
)
_LEARNER_COURSE = (
    select(
        *_USER_COLUMNS,
        Assignment.id.label("assignment_id"),
        ModuleProgress.module_id,
        Completion.id.label("completion_id"),
    )
    .select_from(User)
    .outerjoin(
        Assignment,
        and_(
            Assignment.user_id == User.id, Assignment.course_id == bindparam("course_id"), Assignment.current.is_(True)
        ),
    )
    .outerjoin(ModuleProgress, ModuleProgress.assignment_id == Assignment.id)
    .outerjoin(Completion, Completion.assignment_id == Assignment.id)
    .where(active_user(bindparam("user_id")))
)

#: session key: {course id: (read at (epoch seconds), user fields..., assignment id,
#: acknowledged module ids, completed)}
STATE_KEY = "_course_state"


def load_user(user_id: str) -> User | SignedInUser | None:
    """Flask-Login's user loader: None unless the account is active. On a learner's
    course page, the person as read with their course (see learner_course)."""
    if not user_id.isdigit():
        return None
    course_id = g.get("learner_course_id")
    if course_id is None:
        return db.session.scalar(select(User).where(active_user(int(user_id))))
    state = g.learner_course = _course_state(int(user_id), course_id)
    return None if state is None else state.user


def learner_course(course_id: str, saved: bool | None = None) -> LearnerCourse | None:
    """The signed-in learner and their current cycle of the course; None when nobody
    (active) is signed in. Their SignedInUser is Flask-Login's current_user for this
    request. `saved`: whether the state saved in the session will do (only for a request
    whose own statement checks the account again: the quiz submission)."""
    g.learner_course_id = course_id
    g.learner_course_saved = bool(saved)
    user = current_user._get_current_object()  # Flask-Login calls load_user (once per request)
    if not user.is_authenticated:
        return None
    state = g.get("learner_course")
    if state is None:  # the user was loaded before this request named its course
        state = g.learner_course = _course_state(user.id, course_id)
    return state


def forget_learner_state(course_id: str | None = None) -> None:
    """Drop the saved state of one course (after a submission) or of all (profile change,
    sign-out)."""
    saved = session.get(STATE_KEY)
    if saved is not None and course_id is None:
        session.pop(STATE_KEY)
    elif saved and course_id in saved:
        session[STATE_KEY] = {k: v for k, v in saved.items() if k != course_id}


def account_active(user_id: int) -> bool:
    return db.session.scalar(select(User.id).where(active_user(user_id))) is not None


def _course_state(user_id: int, course_id: str) -> LearnerCourse | None:
    """The state saved in the session while it is recent, where it will do (see
    learner_course), else read, and saved for such a request when it changed or grew old
    (so a page view rewrites the cookie at most once per ELEARN_STATE_RECHECK_SECONDS)."""
    saved_state = _saved_state(user_id, course_id)
    if saved_state is not None and g.get("learner_course_saved", False):
        return saved_state
    state = _read_state(user_id, course_id)
    if state is not None and state != saved_state and current_app.config["ELEARN_STATE_RECHECK_SECONDS"] > 0:
        saved = dict(session.get(STATE_KEY) or {})
        saved[course_id] = (
            int(time.time()),
            *astuple(state.user),
            state.assignment_id,
            tuple(sorted(state.acknowledged)),
            state.completed,
        )
        session[STATE_KEY] = saved
    return state


def _saved_state(user_id: int, course_id: str) -> LearnerCourse | None:
    saved = (session.get(STATE_KEY) or {}).get(course_id)
    fields = len(_USER_COLUMNS)
    if (
        not saved
        or len(saved) != fields + 4
        or saved[1] != user_id
        or not 0 <= time.time() - saved[0] <= current_app.config["ELEARN_STATE_RECHECK_SECONDS"]
    ):
        return None
    return LearnerCourse(
        user=SignedInUser(*saved[1 : 1 + fields]),
        assignment_id=saved[-3],
        acknowledged=frozenset(saved[-2]),
        completed=saved[-1],
    )


def _read_state(user_id: int, course_id: str) -> LearnerCourse | None:
    # One statement on its own (SQLAlchemy's AUTOCOMMIT isolation level): one round trip,
    # where the session's BEGIN, SELECT and ROLLBACK at the end of the request take three.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        rows = connection.execute(_LEARNER_COURSE, {"user_id": user_id, "course_id": course_id}).mappings().all()
    if not rows:
        return None
    first = rows[0]
    return LearnerCourse(
        user=SignedInUser(*(first[column.key] for column in _USER_COLUMNS)),
        assignment_id=first["assignment_id"],
        acknowledged=frozenset(row["module_id"] for row in rows if row["module_id"] is not None),
        completed=first["completion_id"] is not None,
    )
