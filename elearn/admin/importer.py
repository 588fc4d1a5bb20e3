"""Users from an HR feed (CSV): validate every row, then apply all or only the valid rows.

Idempotent by employee id: a re-import updates and never duplicates, and never touches
the language a user picked (chosen_locale) or their password.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from ..auth.grants import SELF_MANAGER, UNSCOPED, Person, Scope, names_self_manager, refusal
from ..catalog import Catalog
from ..extensions import db
from ..i18n import closest_locale, supported
from ..models import ROLES, User
from ..training.assignments import apply_audience_rules_to_many

COLUMNS = ("employee_id", "name", "email", "department", "country", "locale", "roles", "manager_email")
#: errors of the whole file (read_rows): no row can be imported, valid rows only or not
FILE_ERRORS = frozenset({"unreadable", "empty_file", "bad_header"})
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_EMPLOYEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class RowError:
    row: int  #: 1-based line number in the file (the header is row 1)
    code: str  #: a stable key; the message is translated where it is shown
    value: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def error_rows(self) -> int:
        """Rows with at least one problem (a row may have several)."""
        return len({error.row for error in self.errors})


@dataclass(frozen=True)
class UserRow:
    row: int
    employee_id: str
    name: str
    email: str | None
    department: str | None
    country: str
    locale: str | None
    roles: str
    manager_email: str | None


def read_rows(text: str) -> tuple[list[list[str]], list[RowError]]:
    """The rows after the header, or the error that makes the whole file unreadable
    (a field over csv's limit of 131,072 characters, a broken quote...)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error:
        return [], [RowError(reader.line_num or 1, "unreadable")]
    if not rows:
        return [], [RowError(1, "empty_file")]
    header = [h.strip().lower() for h in rows[0]]
    if tuple(header) != COLUMNS:
        return [], [RowError(1, "bad_header", ",".join(header))]
    return rows[1:], []


def validate(
    rows: list[list[str]],
    catalog: Catalog,
    existing_emails: dict[str, str],
    grantor: Scope = UNSCOPED,
    existing_people: dict[str, Person] | None = None,
    grantor_email: str | None = None,
    stored_managers: dict[str, str | None] | None = None,
) -> tuple[list[UserRow], list[RowError]]:
    """existing_emails: lower-cased email -> employee id of the user who has it;
    existing_people: employee id -> the person as they are (needed for a scoped grantor);
    grantor_email, stored_managers: who imports, and the managers stored for the people
    whose rows name them (auth/grants.py names_self_manager)."""
    valid: list[UserRow] = []
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, str] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(cell.strip() for cell in raw):
            continue  # blank line
        if len(raw) != len(COLUMNS):
            errors.append(RowError(index, "column_count", str(len(raw))))
            continue
        values = dict(zip(COLUMNS, (cell.strip() for cell in raw), strict=True))
        row_errors = _check_row(index, values, catalog)
        employee_id = values["employee_id"]
        if employee_id in seen_ids:
            row_errors.append(RowError(index, "duplicate_employee_id", employee_id))
        email = values["email"].lower()
        if email:
            owner = existing_emails.get(email)
            if (owner and owner != employee_id) or (email in seen_emails and seen_emails[email] != employee_id):
                row_errors.append(RowError(index, "email_taken", values["email"]))
        if names_self_manager(grantor_email, values["manager_email"], (stored_managers or {}).get(employee_id)):
            row_errors.append(RowError(index, SELF_MANAGER, values["manager_email"]))
        if not row_errors:
            why = refusal(
                grantor,
                (existing_people or {}).get(employee_id),
                Person.of(
                    roles_of(values["roles"]),
                    values["country"].upper(),
                    values["department"] or None,
                    catalog.region_for,
                ),
            )
            if why is not None:
                row_errors.append(RowError(index, why, employee_id))
        if row_errors:
            errors.extend(row_errors)
            continue
        seen_ids[employee_id] = index
        if email:
            seen_emails[email] = employee_id
        valid.append(
            UserRow(
                index,
                employee_id,
                values["name"],
                values["email"] or None,
                values["department"] or None,
                values["country"].upper(),
                locale_of(values["locale"]),
                roles_of(values["roles"]),
                values["manager_email"] or None,
            )
        )
    return valid, errors


def _check_row(index: int, v: dict[str, str], catalog: Catalog) -> list[RowError]:
    return [RowError(index, code, value) for code, value in field_errors(v, catalog)]


def field_errors(v: Mapping[str, str], catalog: Catalog) -> list[tuple[str, str]]:
    """The one check of a person's fields, whatever sends them (this import, SCIM):
    (error code, the value at fault) for each problem. `v` has every key of COLUMNS,
    stripped strings, "" for none."""
    if any("\x00" in value for value in v.values()):
        return [("nul_byte", "")]  # nothing else is worth saying about the row
    errors = []
    if not _EMPLOYEE_ID.match(v["employee_id"]):
        errors.append(("bad_employee_id", v["employee_id"]))
    if not v["name"] or len(v["name"]) > 200:
        errors.append(("bad_name", v["name"][:50]))
    for key in ("email", "manager_email"):
        if v[key] and (len(v[key]) > 254 or not _EMAIL.match(v[key])):
            errors.append((f"bad_{key}", v[key]))
    if v["country"].upper() not in catalog.regions:
        errors.append(("bad_country", v["country"]))
    if v["locale"] and locale_of(v["locale"]) is None:
        errors.append(("bad_locale", v["locale"]))
    if any(role not in ROLES for role in roles_of(v["roles"]).split()):
        errors.append(("bad_roles", v["roles"]))
    if len(v["department"]) > 120:
        errors.append(("bad_department", v["department"][:50]))
    return errors


def locale_of(value: str) -> str | None:
    return supported(value) or (closest_locale(value) if value else None)


def roles_of(value: str) -> str:
    roles = [r for r in re.split(r"[\s;|]+", value.strip().lower()) if r]
    return " ".join(dict.fromkeys(roles or ["learner"]))


def run_import(
    text: str,
    catalog: Catalog,
    due_days: int,
    valid_only: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda rows: rows,
    grantor: Scope = UNSCOPED,
    grantor_email: str | None = None,
) -> ImportResult:
    """grantor: the scope of the admin importing (UNSCOPED: an unscoped admin or the
    operator's command line), grantor_email theirs; a row they may not write is a row
    error (auth/grants.py)."""
    valid, errors = check_file(text, catalog, grantor, grantor_email)
    result = ImportResult(errors=errors)
    unreadable = any(error.code in FILE_ERRORS for error in errors)
    if errors and (unreadable or not valid_only):
        return result  # a file with any bad row changes nothing
    _apply(valid, catalog, due_days, result, progress)
    result.applied = True
    return result


def check_file(
    text: str, catalog: Catalog, grantor: Scope = UNSCOPED, grantor_email: str | None = None
) -> tuple[list[UserRow], list[RowError]]:
    """Every row checked, nothing written: the valid rows and the errors."""
    rows, errors = read_rows(text)
    if errors:
        return [], errors
    emails = dict(db.session.execute(select(User.email, User.employee_id).where(User.email.is_not(None))).all())
    people = None if grantor.unscoped else _people(rows, catalog)
    return validate(
        rows,
        catalog,
        {e.lower(): i for e, i in emails.items() if e},
        grantor,
        people,
        grantor_email,
        _stored_managers(rows, grantor_email),
    )


def _stored_managers(rows: list[list[str]], grantor_email: str | None) -> dict[str, str | None]:
    """The managers stored for the people whose rows name the importing admin as manager."""
    own = (grantor_email or "").casefold()
    ids = [raw[0].strip() for raw in rows if own and len(raw) == len(COLUMNS) and raw[-1].strip().casefold() == own]
    stored: dict[str, str | None] = {}
    for start in range(0, len(ids), 1000):
        query = select(User.employee_id, User.manager_email).where(User.employee_id.in_(ids[start : start + 1000]))
        stored.update({employee_id: manager for employee_id, manager in db.session.execute(query)})
    return stored


def _people(rows: list[list[str]], catalog: Catalog) -> dict[str, Person]:
    """The people the file names who exist already, as the grant rule sees them."""
    ids = [raw[0].strip() for raw in rows if raw]
    people: dict[str, Person] = {}
    for start in range(0, len(ids), 1000):
        for employee_id, roles, country, department in db.session.execute(
            select(User.employee_id, User.roles, User.country, User.department).where(
                User.employee_id.in_(ids[start : start + 1000])
            )
        ):
            people[employee_id] = Person.of(roles, country, department, catalog.region_for)
    return people


def _apply(rows: list[UserRow], catalog: Catalog, due_days: int, result: ImportResult, progress) -> None:
    """In chunks of 1,000 with the chunk's objects leaving the session afterwards, so
    memory stays flat. Who already exists is read once, before anything is written:
    queries after this transaction's own inserts would be planned on stale statistics."""
    ids = [r.employee_id for r in rows]
    existing_ids: dict[str, int] = {}
    for start in range(0, len(ids), 1000):
        existing_ids.update(
            db.session.execute(
                select(User.employee_id, User.id).where(User.employee_id.in_(ids[start : start + 1000]))
            ).all()
        )
    chunk: list[UserRow] = []
    for row in progress(rows):
        chunk.append(row)
        if len(chunk) == 1000:
            _apply_chunk(chunk, existing_ids, catalog, due_days, result)
            chunk = []
    _apply_chunk(chunk, existing_ids, catalog, due_days, result)


def _apply_chunk(
    rows: list[UserRow], existing_ids: dict[str, int], catalog: Catalog, due_days: int, result: ImportResult
) -> None:
    if not rows:
        return
    wanted = [existing_ids[r.employee_id] for r in rows if r.employee_id in existing_ids]
    existing = {u.employee_id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    created, updated = [], []
    for row in rows:
        user = existing.get(row.employee_id)
        fields = {
            "name": row.name,
            "email": row.email,
            "department": row.department,
            "country": row.country,
            "hr_locale": row.locale,
            "roles": row.roles,
            "manager_email": row.manager_email,
        }
        if user is None:
            user = User(employee_id=row.employee_id, active=True, password_hash=None, **fields)
            db.session.add(user)
            created.append(user)
        elif any(getattr(user, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(user, key, value)
            updated.append(user)
        else:
            result.unchanged += 1
    result.created += len(created)
    result.updated += len(updated)
    db.session.flush()
    assignments = apply_audience_rules_to_many(
        [u for u in created if u.has_role("learner")], catalog, due_days, new_users=True
    )
    assignments += apply_audience_rules_to_many([u for u in updated if u.has_role("learner")], catalog, due_days)
    for obj in [*existing.values(), *created, *assignments]:
        if obj in db.session:
            db.session.expunge(obj)
