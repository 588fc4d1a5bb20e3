from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from . import account_routes, kiosk_routes, models, routes, saml_routes, sso_routes  # noqa: E402,F401
