"""The courses inside a company's own LMS: SCORM 1.2 and 2004 packages (package.py),
the dispatch launch and result relay (dispatch.py, routes.py), and the admin page
that makes LMS connections and builds packages (admin_routes.py)."""

from flask import Blueprint

bp = Blueprint("scorm", __name__, template_folder="templates")

from . import admin_routes, models, routes  # noqa: E402,F401
