"""Assignment cycles: who must take which course, by when, and when a cycle restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..catalog import Catalog, Course
from ..extensions import db
from ..models import Assignment, Completion, User, utcnow


def in_audience(course: Course, user: User, manages_others: bool = False) -> bool:
    """course.yaml's audience: everyone, some departments, or people who manage others
    (named as someone's manager in the HR feed)."""
    if course.audience_everyone or (course.audience_managers and manages_others):
        return True
    department = (user.department or "").strip().casefold()
    return department in {d.casefold() for d in course.audience_departments}


def managing(users: list[User]) -> set[int]:
    """The ids of these users whom an active person names as their manager (by email,
    as the HR feed does): one query."""
    emails = {u.email.casefold(): u.id for u in users if u.email}
    if not emails:
        return set()
    named = db.session.scalars(
        select(func.lower(User.manager_email))
        .where(User.active.is_(True), func.lower(User.manager_email).in_(emails))
        .distinct()
    )
    return {emails[email] for email in named}


def named_managers(users: list[User]) -> list[User]:
    """The learners these users name as their manager, not among them: a new report makes
    their manager someone who manages others."""
    emails = {u.manager_email.casefold() for u in users if u.manager_email}
    ids = {u.id for u in users}
    if not emails:
        return []
    found = db.session.scalars(select(User).where(User.active.is_(True), func.lower(User.email).in_(emails)))
    return [m for m in found if m.id not in ids and m.has_role("learner")]


def current_assignment(user_id: int, course_id: str) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.user_id == user_id, Assignment.course_id == course_id, Assignment.current.is_(True)
        )
    )


def assign(user: User, course: Course, due_at: datetime | None, source: str) -> Assignment:
    """Give the user a current cycle of the course (a no-op when one exists)."""
    existing = current_assignment(user.id, course.id)
    if existing is not None:
        return existing
    assignment = first_cycle(user, course, due_at, source)
    db.session.flush()
    return assignment


def first_cycle(user: User, course: Course, due_at: datetime | None, source: str) -> Assignment:
    """A user's first cycle of a course, added to the session."""
    assignment = Assignment(
        user_id=user.id,
        course_id=course.id,
        cycle=1,
        current=True,
        course_major=course.major_version,
        due_at=due_at,
        source=source,
    )
    db.session.add(assignment)
    return assignment


def apply_audience_rules(user: User, catalog: Catalog, due_days: int) -> list[Assignment]:
    return apply_audience_rules_to_many([user], catalog, due_days)


def apply_audience_rules_to_many(
    users: list[User], catalog: Catalog, due_days: int, new_users: bool = False
) -> list[Assignment]:
    """The course.yaml audience rules for many (flushed) users at once: one query for
    what they already have (none when they were just created), then the missing current
    assignments. Returns the users' current assignments that the rules call for."""
    if not users:
        return []
    due = utcnow() + timedelta(days=due_days)
    by_managers = any(c.audience_managers for c in catalog.courses.values())
    managers = named_managers(users) if by_managers else []
    known = managers if new_users else [*users, *managers]
    have = (
        {
            (a.user_id, a.course_id): a
            for a in db.session.scalars(
                select(Assignment).where(Assignment.user_id.in_([u.id for u in known]), Assignment.current.is_(True))
            )
        }
        if known
        else {}
    )
    everyone = [*users, *managers]
    manager_ids = managing(everyone) if by_managers else set()
    result = []
    for user in everyone:
        for course in catalog.courses.values():
            if not in_audience(course, user, user.id in manager_ids):
                continue
            assignment = have.get((user.id, course.id))
            if assignment is None:
                assignment = first_cycle(user, course, due, "audience")
            result.append(assignment)
    db.session.flush()
    return result


def start_new_cycle(assignment: Assignment, course: Course, due_at: datetime | None) -> Assignment:
    """Close this cycle and open the next; history of the old one stays."""
    assignment.current = False
    db.session.flush()
    fresh = Assignment(
        user_id=assignment.user_id,
        course_id=assignment.course_id,
        cycle=assignment.cycle + 1,
        current=True,
        course_major=course.major_version,
        due_at=due_at,
        source=assignment.source,
    )
    db.session.add(fresh)
    db.session.flush()
    return fresh


def renew_cycles(user: User, catalog: Catalog, due_days: int) -> bool:
    """Start a new cycle where a completion expired (recertification) or the course has
    a new major version that requires retraining. Returns True when anything changed."""
    return renew_expired_cycles(catalog, due_days, user_id=user.id) > 0


def renew_expired_cycles(catalog: Catalog, due_days: int, user_id: int | None = None) -> int:
    """For one user (on their training page) or everyone (the daily task)."""
    now = utcnow()
    query = (
        select(Assignment, Completion.expires_at)
        .outerjoin(Completion, Completion.assignment_id == Assignment.id)
        .where(Assignment.current.is_(True))
    )
    if user_id is not None:
        query = query.where(Assignment.user_id == user_id)
    else:
        retrain = [c.id for c in catalog.courses.values() if c.retrain_on_major]
        query = query.where((Completion.expires_at <= now) | Assignment.course_id.in_(retrain))
    changed = 0
    for assignment, expires_at in db.session.execute(query).all():
        course = catalog.courses.get(assignment.course_id)
        if course is None:
            continue
        expired = expires_at is not None and expires_at <= now
        new_major = course.retrain_on_major and course.major_version > assignment.course_major
        if expired or new_major:
            start_new_cycle(assignment, course, now + timedelta(days=due_days))
            changed += 1
    return changed
