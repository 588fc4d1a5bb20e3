"""User state only: who, what they were assigned, what they did. Content lives in files.

Rows refer to courses, modules and questions by their stable content ids.
All times are stored in UTC (naive in the database, aware in Python).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    func,
    literal,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Model

ROLES = ("learner", "admin", "case_handler", "lead_case_handler", "grievance_reporting")
#: an audit record's target is a label that may come from input (a file name, a department)
AUDIT_TARGET_LENGTH = 200


#: employee IDs elearn makes for people a learning platform sends who may not be in the HR
#: system (SCORM dispatch: scorm/dispatch.py; LTI: lti/launches.py): an HR full feed never
#: lists them, so they are not leavers
LMS_EMPLOYEE_ID_PREFIX = "lms-"
LTI_EMPLOYEE_ID_PREFIX = "lti-"


def made_for_an_lms(employee_id: str) -> bool:
    return employee_id.startswith((LMS_EMPLOYEE_ID_PREFIX, LTI_EMPLOYEE_ID_PREFIX))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every backend; hands back timezone-aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def holds_any_role(roles: Iterable[str]) -> ColumnElement[bool]:
    """Users who hold one of `roles` (User.roles is a space-separated list): the one
    way queries match roles."""
    padded = literal(" ") + func.coalesce(User.roles, "") + literal(" ")
    return or_(*[padded.like(f"% {role} %") for role in sorted(roles)])


def active_user(user_id: int | ColumnElement[Any]) -> ColumnElement[bool]:
    """The one rule for who may act: the account exists and is active (auth/signed_in.py
    for sign-in, training/completion.py where a quiz attempt is stored)."""
    return and_(User.id == user_id, User.active.is_(True))


class _Person(Protocol):
    """What PersonFacts reads from the class it is mixed into."""

    @property
    def roles(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def display_name(self) -> str | None: ...


class PersonFacts:
    """What pages show of a person, shared by the ORM User and the read-only
    SignedInUser of the learner's course pages (auth/signed_in.py)."""

    def has_role(self: _Person, role: str) -> bool:
        return role in self.roles.split()

    @property
    def shown_name(self: _Person) -> str:
        return self.display_name or self.name


class User(PersonFacts, UserMixin, Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the HR system's key; imports are idempotent on it
    employee_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: optional: many floor workers have no email
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the name in the user's own script (e.g. Devanagari), shown on certificates
    display_name: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(120), index=True)
    #: ISO 3166-1 alpha-2 work country; picks the regional module and helplines
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    #: locale sent by HR; kept apart from the user's own pick, which wins
    hr_locale: Mapped[str | None] = mapped_column(String(16))
    chosen_locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    #: space-separated subset of ROLES
    roles: Mapped[str] = mapped_column(String(100), default="learner")
    manager_email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: None until the person sets a password (imported users activate with a code)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the identity provider's own id for the person (SCIM externalId)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: set when provisioning deletes the person (inactive too); training records stay for reports
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)


class ExternalIdentity(Model):
    """A sign-in identity at an outside provider (SSO), ready for later use."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))


class Assignment(Model):
    """One cycle of a course for a user. A new cycle (recertification, new major
    version) starts clean; earlier cycles keep their history."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "cycle"),
        Index("ix_assignments_current", "course_id", "current"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    #: only the latest cycle is current
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the course's major version this cycle trains for
    course_major: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "audience" (course.yaml rule) or "manual"
    source: Mapped[str] = mapped_column(String(16), default="audience")

    user: Mapped[User] = relationship()


class ModuleProgress(Model):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("assignment_id", "module_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the statement confirmed (content/attestations.yaml id) and SHA-256 of its text in `locale`
    statement_id: Mapped[str | None] = mapped_column(String(64))
    statement_hash: Mapped[str | None] = mapped_column(String(64))


class QuizAttempt(Model):
    __tablename__ = "quiz_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    #: issued with the rendered quiz; a second submit of the same token records nothing
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: [{"id": question id, "options": [option ids in the order shown]}]
    questions: Mapped[list] = mapped_column(JSON)
    #: {question id: [chosen option ids]}
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    locale: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32))
    course_version: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Completion(Model):
    __tablename__ = "completions"
    __table_args__ = (Index("ix_completions_user_course", "user_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: at most one completion per assignment cycle
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(64))
    course_version: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when the course never needs recertification
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: printed on the certificate; anyone can check it at /verify/<code>
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: the course's final statement as confirmed: id, SHA-256 of the text shown, its locale
    attestation_id: Mapped[str | None] = mapped_column(String(64))
    attestation_hash: Mapped[str | None] = mapped_column(String(64))
    attestation_locale: Mapped[str | None] = mapped_column(String(16))
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditLog(Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(AUDIT_TARGET_LENGTH))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)

    #: who did it (None: the command line, or a deleted user)
    actor: Mapped[User | None] = relationship()
