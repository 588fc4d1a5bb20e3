"""Import row errors in the admin's language."""
from flask_babel import gettext as _

from .importer import COLUMNS, RowError


def import_error_message(error: RowError) -> str:
    v = error.value
    messages = {
        "empty_file": lambda: _("The file is empty."),
        "bad_header": lambda: _("The first row must be exactly: %(columns)s", columns=",".join(COLUMNS)),
        "column_count": lambda: _("Expected %(expected)s columns, found %(found)s.", expected=len(COLUMNS), found=v),
        "duplicate_employee_id": lambda: _("Employee ID %(value)s appears more than once in the file.", value=v),
        "email_taken": lambda: _("Email %(value)s belongs to another person.", value=v),
        "bad_employee_id": lambda: _("Employee ID “%(value)s” is missing or has characters that are not allowed.", value=v),
        "bad_name": lambda: _("The name is missing or longer than 200 characters."),
        "bad_email": lambda: _("“%(value)s” is not a valid email address.", value=v),
        "bad_manager_email": lambda: _("Manager email “%(value)s” is not a valid email address.", value=v),
        "bad_country": lambda: _("“%(value)s” is not an ISO 3166-1 country code (such as AE or MX).", value=v),
        "bad_locale": lambda: _("Language “%(value)s” is not one we support.", value=v),
        "bad_roles": lambda: _("Roles “%(value)s”: use learner, admin or case_handler.", value=v),
        "bad_department": lambda: _("The department is longer than 120 characters."),
    }
    return messages[error.code]()
