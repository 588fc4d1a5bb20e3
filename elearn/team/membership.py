"""Whether the signed-in person manages anyone, for the "My team" link on every page.

/team itself always asks the database (`manages_anyone`). The link reads the answer kept
in the signed session for ELEARN_MANAGER_RECHECK_SECONDS, so page views add no query: a
person named as manager (or no longer) sees the link change within that time. The
answer is dropped at sign-out (nothing of this person stays in the cookie).
"""

from __future__ import annotations

import time

from flask import current_app, g, session
from flask_login import current_user

from ..auth.learner_sessions import learner_only
from ..extensions import db
from ..models import User
from ..training.assignments import managing

#: session key: (user id, checked at (epoch seconds), manages anyone)
MANAGER_KEY = "_manages"


def manages_anyone(user: User) -> bool:
    """The HR feed names this person as an active person's manager (one query); the
    answer is saved for the link."""
    answer = user.id in managing([user])
    remember(user.id, answer)
    return answer


def remember(user_id: int, answer: bool) -> None:
    """Saved again only when it changed or grew old: the cookie is not rewritten on
    every /team view."""
    g.manages_team = answer
    if _saved_answer(user_id) != answer:
        session[MANAGER_KEY] = (user_id, int(time.time()), answer)


def _saved_answer(user_id: int) -> bool | None:
    saved = session.get(MANAGER_KEY)
    max_age = current_app.config["ELEARN_MANAGER_RECHECK_SECONDS"]
    if saved and len(saved) == 3 and saved[0] == user_id and 0 <= time.time() - saved[1] <= max_age:
        return bool(saved[2])
    return None


def forget(*_args, **_kwargs) -> None:
    """Flask-Login's user_logged_out signal: the answer leaves the cookie."""
    session.pop(MANAGER_KEY, None)


def manages_team() -> bool:
    """For the page chrome: the saved answer while recent, else asked again and saved.
    Never on a shared kiosk device (its screen is seen by the next person) nor in a session
    a learning platform opened (auth/learner_sessions.py)."""
    if not current_user.is_authenticated or learner_only():
        return False
    answer = g.get("manages_team")
    if answer is not None:
        return answer
    saved = _saved_answer(current_user.id)
    if saved is not None:
        g.manages_team = saved
        return saved
    # On a learner's course page current_user is a read-only SignedInUser: read the User.
    user = db.session.get(User, current_user.id)
    return user is not None and manages_anyone(user)
