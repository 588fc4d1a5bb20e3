from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

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
