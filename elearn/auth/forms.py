from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..forms import BaseForm


class LoginForm(BaseForm):
    login = StringField(
        _l("Employee ID or email"),
        validators=[DataRequired(message=_l("Enter your employee ID or email.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ActivateForm(BaseForm):
    employee_id = StringField(
        _l("Employee ID"),
        validators=[DataRequired(message=_l("Enter your employee ID.")), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )
    code = StringField(
        _l("Activation code"),
        validators=[DataRequired(message=_l("Enter the activation code from your sheet.")), Length(max=40)],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(min=10, max=200, message=_l("Use between %(min)d and %(max)d characters.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set my password"))


PIN_MESSAGE = _l("A PIN is 4 to 8 digits.")
#: a PIN typed on a shared device: never autofilled or remembered, a number pad on phones
PIN_INPUT = {"autocomplete": "off", "inputmode": "numeric"}


def pin_field(label, missing_message) -> PasswordField:
    """The one PIN rule (4 to 8 digits) for signing in and for choosing a PIN."""
    return PasswordField(
        label,
        validators=[DataRequired(message=missing_message), Regexp(r"^[0-9]{4,8}$", message=PIN_MESSAGE)],
        render_kw=dict(PIN_INPUT),
    )


class KioskSignInForm(BaseForm):
    """On a shared device nothing is remembered: no autofill, no saved logins."""

    employee_id = StringField(
        _l("Employee ID"),
        validators=[DataRequired(message=_l("Enter your employee ID.")), Length(max=64)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    pin = pin_field(_l("PIN"), _l("Enter your PIN."))
    submit = SubmitField(_l("Sign in"))


class ChoosePinForm(BaseForm):
    pin = pin_field(_l("Your new PIN"), _l("Choose a PIN."))
    confirm = PasswordField(
        _l("Your new PIN again"),
        validators=[
            DataRequired(message=_l("Type the PIN again.")),
            EqualTo("pin", message=_l("The two PINs are not the same.")),
        ],
        render_kw=dict(PIN_INPUT),
    )
    submit = SubmitField(_l("Save my PIN"))


class SecondFactorForm(BaseForm):
    """The code of an authenticator app, or (at sign-in) a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter the code.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Continue"))
