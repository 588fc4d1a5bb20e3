from flask import Blueprint

bp = Blueprint("concerns", __name__, template_folder="templates")

from . import cases, models, routes  # noqa: E402,F401
