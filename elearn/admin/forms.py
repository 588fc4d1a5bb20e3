from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from ..i18n import LOCALES
from ..models import ROLES

_MAX = _l("Use at most %(max)d characters.")


def role_labels():
    return {
        "learner": _l("Learner"),
        "admin": _l("Administrator"),
        "case_handler": _l("Case handler"),
        "lead_case_handler": _l("Lead case handler"),
        "grievance_reporting": _l("Grievance statistics"),
    }


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(BaseForm):
    employee_id = StringField(
        _l("Employee ID"),
        validators=[
            DataRequired(message=_l("Enter the employee ID.")),
            Length(max=64, message=_MAX),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message=_l("Use letters, digits, dot, dash or underscore.")),
        ],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=200, message=_MAX)]
    )
    display_name = StringField(
        _l("Name in the person's own script (optional)"), validators=[Optional(), Length(max=200, message=_MAX)]
    )
    email = StringField(
        _l("Email (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_MAX),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    department = StringField(_l("Department"), validators=[Optional(), Length(max=120, message=_MAX)])
    country = SelectField(
        _l("Work country"), choices=[], validators=[DataRequired(message=_l("Choose the work country."))]
    )
    hr_locale = SelectField(_l("Language from HR"), choices=[])
    timezone = StringField(_l("Time zone (e.g. Asia/Dubai)"), validators=[Optional(), Length(max=64, message=_MAX)])
    manager_email = StringField(
        _l("Manager's email (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_MAX),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    active = BooleanField(_l("Active (can sign in)"), default=True)
    scope_regions = MultiCheckboxField(_l("Regions this administrator manages (none ticked: all)"), choices=[])
    scope_departments = StringField(
        _l("Departments this administrator manages (separated by commas; empty: all)"),
        validators=[Optional(), Length(max=2000, message=_MAX)],
    )

    def __init__(self, *args, countries=(), roles=ROLES, regions=(), sets_scopes=False, **kwargs):
        """roles: those the editing admin may grant; regions: (id, name) pairs;
        sets_scopes: whether they may set an administrator's scope (auth/grants.py
        decides both)."""
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + list(countries)
        self.hr_locale.choices = [("", _l("None"))] + [(c, n) for c, (n, _t, _d) in LOCALES.items()]
        labels = role_labels()
        self.roles.choices = [(r, labels[r]) for r in roles]
        if sets_scopes:
            self.scope_regions.choices = list(regions)
        else:
            del self.scope_regions
            del self.scope_departments

    def scope_department_list(self) -> frozenset[str]:
        text = (self.scope_departments.data or "") if "scope_departments" in self else ""
        return frozenset(part.strip()[:120] for part in text.split(",") if part.strip())

    def validate_timezone(self, field):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if field.data:
            try:
                ZoneInfo(field.data)
            # OSError: a name longer than the file system allows (tzdata reads a file by name)
            except (ZoneInfoNotFoundError, ValueError, OSError) as error:
                raise ValidationError(_l("Unknown time zone. Use a name such as Europe/Paris.")) from error


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
    valid_only = BooleanField(_l("Import the valid rows even if some rows have errors"))
    full_feed = BooleanField(_l("This file lists everyone: deactivate the people who are not in it"))


class FullFeedConfirmForm(BaseForm):
    """Confirms one full-feed preview (admin/full_feed.py), kept on the server."""

    preview = HiddenField(validators=[DataRequired()])

    def preview_id(self) -> int | None:
        value = (self.preview.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


class AssignForm(BaseForm):
    course_id = SelectField(_l("Course"), choices=[])
    target = SelectField(_l("Assign to"), choices=[])
    employee_id = StringField(_l("Employee ID"), validators=[Optional(), Length(max=64, message=_MAX)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=120, message=_MAX)])
    due = DateField(_l("Due date"), validators=[DataRequired(message=_l("Enter a due date."))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        needed = self.employee_id if self.target.data == "user" else self.department
        if not (needed.data or "").strip():
            needed.errors = list(needed.errors) + [
                _l("Enter the employee ID.") if needed is self.employee_id else _l("Enter the department.")
            ]
            return False
        return ok

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.course_id.choices = list(courses)
        self.target.choices = [("user", _l("One person")), ("department", _l("A whole department"))]


class KioskForm(BaseForm):
    name = StringField(
        _l("Kiosk name (e.g. Canteen tablet, Plant 2)"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=120, message=_MAX)],
    )
    country = SelectField(_l("Country"), choices=[], validators=[DataRequired(message=_l("Choose the country."))])
    locale = SelectField(_l("Language its pages open in"), choices=[])

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + list(countries)
        self.locale.choices = [(c, n) for c, (n, _t, _d) in LOCALES.items()]


class KioskPinForm(BaseForm):
    employee_id = StringField(
        _l("Employee ID"),
        validators=[DataRequired(message=_l("Enter the employee ID.")), Length(max=64, message=_MAX)],
    )
