from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import BaseForm
from .models import CATEGORIES, STATUSES


def category_labels():
    return {
        "forced_labour": _l("Modern slavery and forced labour"),
        "health_safety": _l("Safe and healthy working conditions"),
        "wages_hours": _l("Fair wages and working hours"),
        "association": _l("Freedom of association"),
        "dei": _l("Diversity, equity and inclusion"),
        "privacy": _l("Right to privacy"),
        "product_safety": _l("Product safety and security"),
        "justice": _l("Social, economic and environmental justice"),
        "future_of_work": _l("Future of work"),
        "other": _l("Something else"),
    }


def status_labels():
    return {
        "received": _l("Received"),
        "under_review": _l("Under review"),
        "action_taken": _l("Action taken"),
        "closed": _l("Closed"),
    }


class ConcernForm(BaseForm):
    category = SelectField(
        _l("What is it about?"), choices=[], validators=[DataRequired(message=_l("Choose what the concern is about."))]
    )
    country = SelectField(_l("Country where it happened"), choices=[], validate_choice=True, validators=[Optional()])
    site = StringField(
        _l("Site, workplace or supplier, if you know it"),
        validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    description = TextAreaField(
        _l("What happened?"),
        description=_l(
            "Say what you saw or heard: who, what, when and where. Do not put yourself at risk to find out more."
        ),
        validators=[
            DataRequired(message=_l("Describe what happened.")),
            Length(max=10000, message=_l("Use at most %(max)d characters.")),
        ],
    )
    anonymous = BooleanField(_l("Stay anonymous"), default=True)
    contact = StringField(
        _l("How can we contact you? (optional)"),
        description=_l("Only if you do not stay anonymous: a phone number or email."),
        validators=[Optional(), Length(max=300, message=_l("Use at most %(max)d characters."))],
    )
    language = SelectField(_l("Language for our answers"), choices=[])

    def __init__(self, *args, countries=(), locales=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = category_labels()
        self.category.choices = [("", _l("Choose…"))] + [(c, labels[c]) for c in CATEGORIES]
        self.country.choices = [("", _l("I do not know or prefer not to say"))] + list(countries)
        self.language.choices = list(locales)

    def validate_category(self, field):
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Choose what the concern is about."))

    def validate_contact(self, field):
        if self.anonymous.data and field.data and field.data.strip():
            raise ValidationError(
                _l("You chose to stay anonymous. Leave the contact field empty, or untick “Stay anonymous”.")
            )


class StatusLookupForm(BaseForm):
    code = StringField(
        _l("Your receipt code"),
        validators=[
            DataRequired(message=_l("Enter your receipt code.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class CaseStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = status_labels()
        self.status.choices = [(s, labels[s]) for s in STATUSES]


class CaseMessageForm(BaseForm):
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(max=10000, message=_l("Use at most %(max)d characters.")),
        ],
    )
