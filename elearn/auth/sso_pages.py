"""What a person sees when single sign-on (OpenID Connect or SAML) cannot sign them in:
one page and one wording for each refusal of the shared rules (federation.py)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from . import federation


def problem_page(title: str, message: str, status: int):
    return render_template("auth/sso_problem.html", title=title, message=message), status


def refusal_message(reason: str, provider: str) -> str:
    if reason == federation.INACTIVE:
        return _("Your account here is not active. Ask your training administrator if you think this is a mistake.")
    if reason == federation.LINKED_ELSEWHERE:
        return _(
            "Your account here is already linked to another %(provider)s sign-in. Ask your training administrator.",
            provider=provider,
        )
    if reason == federation.BAD_CLAIMS:
        return _(
            "%(provider)s did not tell us your employee ID, so we cannot set up your account. "
            "Ask your training administrator.",
            provider=provider,
        )
    return _(
        "Your account is not set up here yet. Ask HR or your training administrator to add you, then sign in again."
    )
