"""The registration of a platform, as an unscoped admin types it (the page) and as the
command line takes it (cli.py): one set of checks for both (`problems`)."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import BaseForm, printable_text, stripped
from .framing import origin
from .launches import claim_path_allowed


def _url(_form, field) -> None:
    if field.data and origin(field.data) is None:
        raise ValidationError(_l("Enter an address that starts with https://"))


def deployment_list(text: str | None) -> list[str]:
    """Deployment ids, one per line (or separated by commas), without repeats."""
    ids = [part.strip() for line in (text or "").splitlines() for part in line.split(",")]
    return list(dict.fromkeys(i for i in ids if i))


def key_set_of(text: str | None) -> dict | None:
    """A pasted JSON Web Key Set whose keys each have a kid; None if it is not one."""
    try:
        value = json.loads(text or "")
    except ValueError:
        return None
    keys = value.get("keys") if isinstance(value, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) and k.get("kid") for k in keys):
        return None
    return value


class RegistrationForm(BaseForm):
    label = StringField(
        _l("Name (for administrators)"),
        validators=[DataRequired(message=_l("Enter a name.")), Length(max=120), printable_text],
        filters=[stripped],
    )
    issuer = StringField(
        _l("Platform ID (issuer)"),
        validators=[DataRequired(message=_l("Enter the platform ID.")), Length(max=255), printable_text],
        filters=[stripped],
    )
    client_id = StringField(
        _l("Client ID"),
        validators=[DataRequired(message=_l("Enter the client ID.")), Length(max=255), printable_text],
        filters=[stripped],
    )
    deployment_ids = TextAreaField(
        _l("Deployment IDs (one per line)"),
        validators=[DataRequired(message=_l("Enter at least one deployment ID.")), Length(max=4000)],
    )
    auth_login_url = StringField(
        _l("Authentication request URL"),
        validators=[DataRequired(message=_l("Enter the address.")), Length(max=500), _url],
        filters=[stripped],
    )
    auth_token_url = StringField(
        _l("Access token URL"),
        validators=[DataRequired(message=_l("Enter the address.")), Length(max=500), _url],
        filters=[stripped],
    )
    key_set_url = StringField(_l("Public keyset URL"), validators=[Length(max=500), _url], filters=[stripped])
    key_set = TextAreaField(
        _l("Or the public keyset itself (JSON)"), validators=[Length(max=20000)], filters=[stripped]
    )
    employee_id_claim = StringField(
        _l("Claim with the employee ID (optional)"),
        validators=[Optional(), Length(max=255), printable_text],
        filters=[stripped],
    )

    def validate_deployment_ids(self, field) -> None:
        ids = deployment_list(field.data)
        if not ids or any(len(i) > 255 or any(ch < " " for ch in i) for i in ids):
            raise ValidationError(_l("Enter at least one deployment ID, each on its own line."))

    def validate_key_set(self, field) -> None:
        if bool(field.data) == bool(self.key_set_url.data):
            raise ValidationError(_l("Give the public keyset URL or the keyset itself (one of them)."))
        if field.data and key_set_of(field.data) is None:
            raise ValidationError(_l("Paste a JSON Web Key Set whose keys each have a kid."))

    def validate_employee_id_claim(self, field) -> None:
        if field.data and not claim_path_allowed(field.data):
            raise ValidationError(_l("Custom parameters cannot carry the employee ID: course authors type them."))
