"""The LMS page's forms: a new LMS connection, and a package to build."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm, printable_text, stripped


class ConnectionForm(BaseForm):
    name = StringField(
        _l("Name of the LMS (for example: Workday, Europe)"),
        validators=[
            DataRequired(message=_l("Enter a name.")),
            Length(max=120, message=_l("Use at most %(max)d characters.")),
            printable_text,
        ],
        filters=[stripped],
    )
    learner_ids_are_employee_ids = BooleanField(_l("This LMS identifies learners by their employee ID"))


class PackageForm(BaseForm):
    course = SelectField(_l("Course"), choices=[])
    locale = SelectField(_l("Language"), choices=[])
    region = SelectField(_l("Region"), choices=[])
    version = SelectField(_l("SCORM version"), choices=[("2004", "SCORM 2004 (4th edition)"), ("1.2", "SCORM 1.2")])
    mode = SelectField(
        _l("Kind of package"),
        choices=[
            ("dispatch", _l("Dispatch: opens the course on this site (recommended)")),
            ("standalone", _l("Standalone: the whole course in the file, for an LMS that cannot reach this site")),
        ],
    )
    connection = SelectField(_l("LMS connection (dispatch packages)"), choices=[], coerce=int)


class CountryForm(BaseForm):
    """A person an LMS launch created has no country here: it picks the regional module,
    the helplines and the emergency numbers they are shown."""

    country = SelectField(_l("Which country do you work in?"), choices=[])
