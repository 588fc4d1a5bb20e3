"""Whom a verified single sign-on signs in: the rules OpenID Connect (auth/oidc.py) and
SAML 2.0 (auth/saml.py) share. Each protocol checks its own token or assertion, then calls
person_for with its provider key, the subject and the person's details as `Claims`:

- after the first sign-in a person is found by provider + subject only (ExternalIdentity);
- the first sign-in links the HR-imported person by the employee ID (exact), or by the
  email when an admin chose that and the provider vouches for the address;
- nobody found: refused, or created just in time (when the admin chose that) as a learner
  with the name, email, locale, country and department given (never a manager link: a
  claim is not a verified statement of who manages whom);
- an inactive account is refused (models.active_user, as for passwords);
- roles come from the groups only through the mapping an unscoped admin set
  (SsoGroupRole), granted under auth/grants.py like every other path.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from .. import security_log
from ..catalog import Catalog
from ..extensions import db
from ..i18n import closest_locale
from ..models import ROLES, ExternalIdentity, User, active_user
from ..training.assignments import apply_audience_rules
from .grants import UNSCOPED, Person, refusal
from .models import SsoGroupRole

#: why a sign-in is refused (security log reasons; the page says each in words)
UNKNOWN = "unknown_person"
INACTIVE = "inactive"
LINKED_ELSEWHERE = "linked_to_other_subject"
BAD_CLAIMS = "unusable_claims"


@dataclass(frozen=True)
class Rules:
    """What an admin chose for a provider."""

    #: create unknown people at their first sign-in
    jit: bool = False
    #: link a first sign-in by an email the provider vouches for
    link_by_verified_email: bool = False


@dataclass(frozen=True)
class Claims:
    """What the provider says of the person, each value as it came (checked here)."""

    employee_id: object = None
    email: object = None
    #: the provider vouches for the email (OIDC's email_verified; a signed SAML assertion)
    email_verified: bool = False
    name: object = None
    department: object = None
    country: object = None
    locale: object = None
    #: None when the provider did not say (roles then stay as they are)
    groups: object = None


@dataclass
class SignIn:
    """The outcome: the person to sign in, or why not."""

    user: User | None = None
    refused: str | None = None


def text(value: object, limit: int) -> str | None:
    """A value when it is a usable string (stripped, not longer than `limit`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit or any(ch < " " or ch == "\x7f" for ch in value):
        return None
    return value


def _verified_email(claims: Claims) -> str | None:
    email = text(claims.email, 254)
    return email if email and "@" in email and claims.email_verified else None


def person_for(provider: str, subject: object, claims: Claims, rules: Rules, catalog: Catalog) -> SignIn:
    """The rule: whom this (already verified) sign-in at `provider` signs in. Adds to the
    session (link, new person, roles) without committing; a refusal adds nothing."""
    subject = text(subject, 255)
    if subject is None:
        return _refuse(BAD_CLAIMS)
    identity = db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
    )
    created = False
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        how = "subject"
    else:
        user, how = _linkable_person(claims, rules)
        if user is None:
            if not rules.jit:
                return _refuse(UNKNOWN)
            user = _new_person(claims, catalog)
            if user is None:
                return _refuse(BAD_CLAIMS)
            how, created = "created", True
        elif db.session.scalar(
            select(ExternalIdentity.id).where(
                ExternalIdentity.user_id == user.id, ExternalIdentity.provider == provider
            )
        ):
            # the person signs in as someone else at this provider already: an admin decides
            return _refuse(LINKED_ELSEWHERE, user.id)
    if user is None or (not created and db.session.scalar(select(User.id).where(active_user(user.id))) is None):
        return _refuse(INACTIVE, user.id if user else None)
    if identity is None:
        db.session.add(ExternalIdentity(user_id=user.id, provider=provider, subject=subject))
        security_log.event("auth.sso_linked", actor=user.id, user_id=user.id, how=how)
    if created:
        apply_audience_rules(user, catalog, current_app.config["ELEARN_DEFAULT_DUE_DAYS"])
    _apply_group_roles(user, claims.groups, catalog)
    return SignIn(user=user)


def _refuse(reason: str, user_id: int | None = None) -> SignIn:
    security_log.event("auth.sso_refused", reason=reason, user_id=user_id)
    return SignIn(refused=reason)


def _linkable_person(claims: Claims, rules: Rules) -> tuple[User | None, str]:
    """The HR-imported person a first sign-in names (exact employee ID, else vouched-for email)."""
    employee_id = text(claims.employee_id, 64)
    if employee_id is not None:
        user = db.session.scalar(select(User).where(User.employee_id == employee_id))
        if user is not None:
            return user, "employee_id"
    email = _verified_email(claims) if rules.link_by_verified_email else None
    if email is not None:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is not None:
            return user, "verified_email"
    return None, ""


def _new_person(claims: Claims, catalog: Catalog) -> User | None:
    """A learner made from the claims; None without a usable, unused employee ID."""
    employee_id = text(claims.employee_id, 64)
    if employee_id is None or any(ch.isspace() for ch in employee_id):
        return None
    email = _verified_email(claims)
    if email is not None and db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        email = None  # someone else's address here: the new person goes without one
    country = (text(claims.country, 2) or "").upper()
    locale = text(claims.locale, 35)
    user = User(
        employee_id=employee_id,
        name=text(claims.name, 200) or employee_id,
        email=email,
        department=text(claims.department, 120),
        country=country if country in catalog.regions else None,
        hr_locale=closest_locale(locale) if locale else None,
        roles="learner",
        active=True,
        password_hash=None,
    )
    db.session.add(user)
    db.session.flush()
    security_log.event("auth.sso_created", actor=user.id, user_id=user.id)
    return user


def roles_after_groups(current: str, groups: list[str], mapping: list[tuple[str, str]]) -> str:
    """The roles a person holds after signing in as a member of `groups`: the mapped roles
    follow the provider's groups (given for a member, taken away otherwise); roles no
    group maps stay as an admin set them."""
    mapped = {role for _group, role in mapping}
    granted = {role for group, role in mapping if group in groups}
    roles = (set(current.split()) - mapped) | granted
    return " ".join(role for role in ROLES if role in roles) or "learner"


def _apply_group_roles(user: User, groups: object, catalog: Catalog) -> None:
    if isinstance(groups, str):
        groups = [groups]
    # No groups at all (not configured, or left out, e.g. Entra ID's group overage): roles stay.
    if not isinstance(groups, list):
        return
    mapping = [
        (row.group_name, row.role) for row in db.session.execute(select(SsoGroupRole.group_name, SsoGroupRole.role))
    ]
    roles = roles_after_groups(user.roles, [g for g in groups if isinstance(g, str)], mapping)
    if roles == user.roles:
        return
    # The mapping is an unscoped admin's grant (only they may set it), checked by the one rule.
    before = Person.of(user.roles, user.country, user.department, catalog.region_for)
    after = Person.of(roles, user.country, user.department, catalog.region_for)
    if refusal(UNSCOPED, before, after) is not None:
        return
    added, removed = set(roles.split()) - set(user.roles.split()), set(user.roles.split()) - set(roles.split())
    user.roles = roles
    security_log.event("auth.sso_roles", actor=user.id, user_id=user.id, added=sorted(added), removed=sorted(removed))
