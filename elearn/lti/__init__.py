"""The LTI 1.3 tool: an LMS (Moodle, Canvas...) launches elearn's courses, deep linking
lets its teachers pick one, and completions go back as grades (Assignment and Grade
Services). Registrations of platforms are an unscoped admin's (registrations.py, cli.py)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")


def init_app(app: Flask) -> None:
    """The tool key, the grade passback receiver and the blueprint."""
    from . import grades, keys, models, registrations, routes  # noqa: F401 - models and routes register

    keys.init_app(app)
    grades.init_app(app)
    app.register_blueprint(bp)
