from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

from . import jobs, models, routes  # noqa: E402,F401
