from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import BaseForm
from .models import STATUSES


def status_labels():
    return {
        # "Received" alone is the date column's heading; the state needs its own word
        "received": lazy_pgettext("case status", "Received"),
        "under_review": _l("Under review"),
        "action_taken": _l("Action taken"),
        "closed": _l("Closed"),
    }


class ConcernForm(BaseForm):
    # only the catalog's ids (validate_category), refused with the form's own message
    category = SelectField(
        _l("What is it about?"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose what the concern is about."))],
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
    files = MultipleFileField(
        _l("Photos or documents (optional)"),
        description=_l(
            "Photos (JPEG, PNG, HEIC), PDF, text or Office files without macros. We remove the place and time "
            "stored in photos."
        ),
    )

    def __init__(self, *args, categories=(), countries=(), locales=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose…"))] + list(categories)
        self.country.choices = [("", _l("I do not know or prefer not to say"))] + list(countries)
        self.language.choices = list(locales)

    def validate_category(self, field):
        if field.data not in {category_id for category_id, _name in self.category.choices if category_id}:
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


def files_field():
    return MultipleFileField(
        _l("Attach files (optional)"),
        description=_l("Photos (JPEG, PNG, HEIC), PDF, text or Office files without macros."),
    )


class CaseMessageForm(BaseForm):
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(max=10000, message=_l("Use at most %(max)d characters.")),
        ],
    )
    files = files_field()
    #: answers only: this answer tells the reporter what was done or is planned
    feedback = BooleanField(_l("This answer is the feedback: what we did or will do about the report"))


class ReporterMessageForm(BaseForm):
    """The reporter's message. `conversation` proves the receipt code was typed on this
    visit (dialogue.py); the code itself is never in the page, a URL or the cookie."""

    conversation = HiddenField()
    body = TextAreaField(
        _l("Your message"),
        validators=[Length(max=10000, message=_l("Use at most %(max)d characters."))],
    )
    files = files_field()


class ConversationForm(BaseForm):
    """Downloading a file: the conversation proof and which file (in the form, not the
    address, which an access log keeps)."""

    conversation = HiddenField()
    attachment = HiddenField()


class ConflictForm(BaseForm):
    confirm = BooleanField(
        _l("I confirm: I have a conflict of interest in this case"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class AssignForm(BaseForm):
    group = SelectField(_l("Handler group"), choices=[], validate_choice=True)
    assignee = SelectField(_l("Handler"), choices=[], validate_choice=True)

    def __init__(self, *args, groups=(), handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [("", _l("No group"))] + [(str(i), name) for i, name in groups]
        self.assignee.choices = [("", _l("Anyone in the group"))] + [(str(i), name) for i, name in handlers]
