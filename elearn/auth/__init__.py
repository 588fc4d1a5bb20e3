from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from . import kiosk_routes, models, routes  # noqa: E402,F401
