"""Sessions opened by a learning platform (a SCORM dispatch launch, an LTI launch) carry
a learner only, as kiosk sessions do.

SCORM gives no proof of who the learner is, and an LMS is another party: such a session
must never become a way into privileged pages. The launch refuses privileged people,
and this module keeps that true for the session's whole life: a person who is given a
privileged role later is signed out at their next request, and the team pages (which
show other people) are closed to these sessions. One rule for both launches.
"""

from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import security_log
from ..models import User
from .grants import holds_privileged_role
from .kiosk import in_kiosk_session

#: session key: this session was opened by a learning platform
LEARNER_ONLY = "_learner_only"


def start(user: User) -> None:
    """Sign `user` in for a learning platform: a fresh session (nothing of a person who
    was signed in before stays in it), marked learner-only."""
    session.clear()
    login_user(user)
    session[LEARNER_ONLY] = True


def learner_only() -> bool:
    """A session that must show nobody else's data: a kiosk's or a learning platform's."""
    return LEARNER_ONLY in session or in_kiosk_session()


def init_app(app: Flask) -> None:
    @app.before_request
    def end_if_privileged():
        if LEARNER_ONLY not in session or request.endpoint == "static":
            return None
        if current_user.is_authenticated and holds_privileged_role(current_user.roles):
            security_log.event("auth.learner_session_ended", actor=current_user.id, reason="privileged_role")
            logout_user()
            session.clear()
            return redirect(url_for("auth.login"))
        return None
