"""Where a person whose only work here is concerns starts: a case handler with no
training lands on the case queue, a grievance-statistics reader on the statistics,
not on an empty "My training"."""

from __future__ import annotations

from flask import url_for

from .grants import CASE_HANDLER_ROLES


def staff_start_page(user) -> str | None:
    """The page to go to instead of "My training" (called when it has nothing to show)."""
    if user.has_role("learner") or user.has_role("admin"):
        return None
    if any(user.has_role(role) for role in CASE_HANDLER_ROLES):
        return url_for("concerns.queue")
    if user.has_role("grievance_reporting"):
        return url_for("concerns.statistics")
    return None
