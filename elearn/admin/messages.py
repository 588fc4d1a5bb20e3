"""Import row errors in the admin's language."""

from flask_babel import gettext as _

from .importer import COLUMNS, RowError


def import_error_message(error: RowError) -> str:
    v = error.value
    messages = {
        "empty_file": lambda: _("The file is empty."),
        "unreadable": lambda: _("This row cannot be read as CSV: one of its fields is too long."),
        "nul_byte": lambda: _("This row contains a NUL character, which cannot be stored. Remove it and try again."),
        "bad_header": lambda: _("The first row must be exactly: %(columns)s", columns=",".join(COLUMNS)),
        "column_count": lambda: _("Expected %(expected)s columns, found %(found)s.", expected=len(COLUMNS), found=v),
        "duplicate_employee_id": lambda: _("Employee ID %(value)s appears more than once in the file.", value=v),
        "email_taken": lambda: _("Email %(value)s belongs to another person.", value=v),
        "bad_employee_id": lambda: _(
            "Employee ID “%(value)s” is missing or has characters that are not allowed.", value=v
        ),
        "bad_name": lambda: _("The name is missing or longer than 200 characters."),
        "bad_email": lambda: _("“%(value)s” is not a valid email address.", value=v),
        "self_manager": lambda: _("You cannot name yourself as this person's manager: the HR feed does."),
        "bad_manager_email": lambda: _("Manager email “%(value)s” is not a valid email address.", value=v),
        "bad_country": lambda: _("“%(value)s” is not an ISO 3166-1 country code (such as AE or MX).", value=v),
        "bad_locale": lambda: _("Language “%(value)s” is not one we support.", value=v),
        "bad_roles": lambda: _("Roles “%(value)s”: use learner, admin or case_handler.", value=v),
        "bad_department": lambda: _("The department is longer than 120 characters."),
        "outside_scope": lambda: _(
            "Employee ID %(value)s: this person is, or would be, outside the users you manage.", value=v
        ),
        "privileged_person": lambda: _(
            "Employee ID %(value)s is an administrator or case handler: only an "
            "administrator without a scope may change them.",
            value=v,
        ),
        "role_not_grantable": lambda: _(
            "Employee ID %(value)s: only an administrator without a scope may give "
            "the administrator or case handler role.",
            value=v,
        ),
    }
    return messages[error.code]()


def rows_with_messages(errors) -> list[tuple[int, list[str]]]:
    """(row, [its problems]) in file order: a row with several problems is one row."""
    by_row: dict[int, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(import_error_message(error))
    return sorted(by_row.items())
