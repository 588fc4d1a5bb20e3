"""What the LTI tool stores: the platforms an admin registered, pylti1p3's launch state
(shared by every worker through the database), the nonces already spent, and where a
launched learner's grade goes back to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class LtiRegistration(Model):
    """A platform (an LMS) allowed to launch elearn: the values its admin shows for the tool."""

    __tablename__ = "lti_registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what admins call it ("Moodle, Jakarta plant")
    label: Mapped[str] = mapped_column(String(120))
    #: the platform's issuer (the id token's `iss`)
    issuer: Mapped[str] = mapped_column(String(255))
    #: the id the platform gave this tool (the id token's `aud`)
    client_id: Mapped[str] = mapped_column(String(255))
    #: the deployment ids the platform may launch with (a list of strings)
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: the platform's OIDC authorization endpoint (where login initiation sends the browser)
    auth_login_url: Mapped[str] = mapped_column(String(500))
    #: the platform's OAuth 2 token endpoint (grade passback)
    auth_token_url: Mapped[str] = mapped_column(String(500))
    #: the platform's public key set, by URL (usual) ...
    key_set_url: Mapped[str | None] = mapped_column(String(500))
    #: ... or pasted as a JSON Web Key Set (each key with its kid)
    key_set: Mapped[dict | None] = mapped_column(JSON)
    #: the id token claim holding the HR employee ID ("a.b" for a nested one); empty: none
    employee_id_claim: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def page_urls(self) -> list[str]:
        """Where the platform's pages are served (its issuer, its authentication URL): the
        origins that may frame the tool. Its token and key set hosts serve no page."""
        return [u for u in (self.issuer, self.auth_login_url) if u]


class LtiLaunchData(Model):
    """pylti1p3's launch storage (nonces issued at login, state parameters, validated
    launches), in the database so that any worker can answer any step."""

    __tablename__ = "lti_launch_data"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiNonce(Model):
    """A nonce (of a launch) or a one-time link id, spent: inserting it a second time fails."""

    __tablename__ = "lti_nonces"
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiGradeTarget(Model):
    """Where a launched learner's result for a course goes: the line item of their last launch."""

    __tablename__ = "lti_grade_targets"
    __table_args__ = (UniqueConstraint("registration_id", "user_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registrations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(64))
    #: the platform's `sub` of the learner (the score's userId)
    subject: Mapped[str] = mapped_column(String(255))
    #: the AGS claim's line item URL
    lineitem_url: Mapped[str] = mapped_column(Text)
    #: the AGS scopes the platform granted (a list of strings)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
