from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..forms import BaseForm


class RemindForm(BaseForm):
    """One report about one course (person given), or every report of the manager who
    has not completed the course (only direct reports when `direct`)."""

    course = SelectField(_l("Course"), choices=[], validators=[DataRequired(message=_l("Choose a course."))])
    person = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    direct = BooleanField(widget=HiddenInput())
