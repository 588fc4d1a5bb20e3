"""The HR JSON API: /api/v1, bearer tokens created by admins (stored hashed)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import models, routes  # noqa: E402,F401
