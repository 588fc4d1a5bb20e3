"""A person as a SCIM User, and a SCIM User as a person.

userName is the employee ID (the HR key). The fields go through the same check as a
row of the CSV import (admin/importer.field_errors): one rule per field. Provisioning
never writes roles: a new person is a learner, and the roles of an existing person
(admin, case handler) stay as an administrator set them (auth/grants.py).
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    EnterpriseUser,
    ForbiddenException,
    InvalidValueException,
    UniquenessException,
    User,
)
from sqlalchemy import func, select

from ..admin.importer import COLUMNS, field_errors, locale_of
from ..auth.grants import PRIVILEGED_ROLES
from ..catalog import Catalog
from ..extensions import db
from ..models import User as Person
from .discovery import CORE_USER, ENTERPRISE_USER

#: the SCIM model the payloads are read with (scim2-models)
ScimUser = User[EnterpriseUser]


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def to_resource(person: Person, base_url: str, manager_id: int | None) -> dict[str, Any]:
    """The person as SCIM JSON; manager_id: the id of the person their manager email names."""
    location = f"{base_url}/Users/{person.id}"
    resource: dict[str, Any] = {
        "schemas": [CORE_USER, ENTERPRISE_USER],
        "id": str(person.id),
        "userName": person.employee_id,
        "name": {"formatted": person.name},
        "active": bool(person.active),
        "addresses": [{"type": "work", "country": person.country}] if person.country else None,
        "meta": {
            "resourceType": "User",
            "created": _iso(person.created_at),
            "lastModified": _iso(person.created_at),
            "location": location,
        },
    }
    optional = {
        "externalId": person.external_id,
        "displayName": person.display_name,
        "preferredLanguage": person.hr_locale,
        "emails": [{"value": person.email, "type": "work"}] if person.email else None,
    }
    resource.update({key: value for key, value in optional.items() if value is not None})
    if resource["addresses"] is None:
        del resource["addresses"]
    enterprise: dict[str, Any] = {}
    if person.department:
        enterprise["department"] = person.department
    if manager_id is not None:
        enterprise["manager"] = {"value": str(manager_id), "$ref": f"{base_url}/Users/{manager_id}"}
    if enterprise:
        resource[ENTERPRISE_USER] = enterprise
    return resource


def manager_ids(emails: set[str]) -> dict[str, int]:
    """Lower-cased manager email -> the id of the (not deleted) person who has it."""
    if not emails:
        return {}
    rows = db.session.execute(
        select(func.lower(Person.email), Person.id).where(
            func.lower(Person.email).in_(sorted(emails)), Person.deleted_at.is_(None)
        )
    )
    return {email: person_id for email, person_id in rows}


def _primary(values: list | None):
    if not values:
        return None
    return next((v for v in values if getattr(v, "primary", False)), values[0])


def _work_address(values: list | None):
    if not values:
        return None
    return next((v for v in values if getattr(v, "type", None) == "work"), _primary(values))


def fields_of(user: ScimUser, catalog: Catalog, person_id: int | None) -> dict[str, Any]:
    """The columns a SCIM User sets, checked (InvalidValueException, UniquenessException,
    ForbiddenException: nothing is written then). person_id: who is being changed."""
    fields = checked_fields(user, catalog)
    check_unique(fields, person_id)
    return fields


def checked_fields(user: ScimUser, catalog: Catalog) -> dict[str, Any]:
    """`fields_of` but uniqueness: so a creation can look up whom it rehires with checked
    values (a NUL byte in a query fails in PostgreSQL)."""
    if user.roles and any((role.value or "").lower() in PRIVILEGED_ROLES for role in user.roles):
        raise ForbiddenException(detail="Provisioning never grants the admin or case_handler role.")
    email = _primary(user.emails)
    address = _work_address(user.addresses)
    enterprise = user[EnterpriseUser] if ENTERPRISE_USER in (user.schemas or []) or _has_extension(user) else None
    manager_email = _manager_email(enterprise.manager.value if enterprise and enterprise.manager else None)
    formatted = user.name.formatted if user.name else None
    if not formatted and user.name:
        formatted = " ".join(part for part in (user.name.given_name, user.name.family_name) if part)
    values = {
        "employee_id": (user.user_name or "").strip(),
        "name": (formatted or "").strip(),
        "email": ((email.value if email else None) or "").strip(),
        "department": ((enterprise.department if enterprise else None) or "").strip(),
        "country": ((address.country if address else None) or "").strip(),
        "locale": (user.preferred_language or user.locale or "").strip(),
        "roles": "",
        "manager_email": manager_email or "",
    }
    assert tuple(values) == COLUMNS
    problems = field_errors(values, catalog)
    if problems:
        code, value = problems[0]
        raise InvalidValueException(detail=f"{_ATTRIBUTES.get(code, code)} is not valid: {value[:80]!r}")
    external_id = (user.external_id or "").strip() or None
    if external_id is not None and len(external_id) > 255:
        raise InvalidValueException(detail="externalId is longer than 255 characters")
    display_name = (user.display_name or "").strip() or None
    if display_name is not None and (len(display_name) > 200 or "\x00" in display_name):
        raise InvalidValueException(detail="displayName is not valid")
    return {
        "employee_id": values["employee_id"],
        "external_id": external_id,
        "name": values["name"],
        "display_name": display_name,
        "email": values["email"] or None,
        "department": values["department"] or None,
        "country": values["country"].upper(),
        "hr_locale": locale_of(values["locale"]) if values["locale"] else None,
        "manager_email": manager_email,
        "active": True if user.active is None else bool(user.active),
    }


#: the SCIM attribute each check of the shared field rule is about
_ATTRIBUTES = {
    "nul_byte": "a value (NUL character)",
    "bad_employee_id": "userName",
    "bad_name": "name.formatted",
    "bad_email": "emails.value",
    "bad_manager_email": "manager",
    "bad_country": 'addresses[type eq "work"].country',
    "bad_locale": "preferredLanguage",
    "bad_department": "department",
}


def _has_extension(user: ScimUser) -> bool:
    try:
        return user[EnterpriseUser] is not None
    except KeyError:
        return False


def _manager_email(value: str | None) -> str | None:
    """The email of the person the manager reference names; never free text."""
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise InvalidValueException(detail="manager.value does not name a User of this server")
    manager = db.session.scalar(select(Person).where(Person.id == int(value), Person.deleted_at.is_(None)))
    if manager is None:
        raise InvalidValueException(detail="manager.value does not name a User of this server")
    if not manager.email:
        raise InvalidValueException(detail="the manager has no email, which is how a manager is known here")
    return manager.email


def check_unique(fields: dict[str, Any], person_id: int | None) -> None:
    employee_id, email, external_id = fields["employee_id"], fields["email"], fields["external_id"]
    checks = [
        ("userName", func.lower(Person.employee_id) == employee_id.lower()),
        ("emails", func.lower(Person.email) == (email or "").lower()),
        ("externalId", Person.external_id == external_id),
    ]
    for attribute, condition in checks:
        if attribute == "emails" and not email or attribute == "externalId" and not external_id:
            continue
        query = select(Person.id).where(condition)
        if person_id is not None:
            query = query.where(Person.id != person_id)
        if attribute == "userName" and person_id is None:
            query = query.where(Person.deleted_at.is_(None))  # a deleted person is rehired (routes.create)
        if db.session.scalar(query.limit(1)) is not None:
            raise UniquenessException(detail=f"{attribute} is already in use")
