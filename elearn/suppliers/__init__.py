"""Supply-chain workers without an account: supplier sites, their public course link
and poster, and their anonymous counts (README: Supplier sites)."""

from flask import Blueprint, Flask

bp = Blueprint(
    "suppliers", __name__, template_folder="templates", static_folder="static", static_url_path="/supplier-static"
)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from . import models, routes  # noqa: E402,F401
