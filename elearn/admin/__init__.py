from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

from . import activation, assign_views, jobs, models, report_views, settings_views, task_views, users, xapi_views  # noqa: E402,F401
