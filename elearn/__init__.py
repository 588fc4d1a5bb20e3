"""elearn: human-rights compliance training (Flask application factory)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import DEFAULTS, PROJECT_ROOT, Config


class ElearnFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Flask's line for an unhandled exception, with the request id; on concern
        paths without the exception's message (see security_log)."""
        from .security_log import log_exception

        log_exception(self, exc_info)


def create_app(config: dict | None = None) -> Flask:
    """defaults -> Config from the environment -> the mapping passed in (tests)."""
    app = ElearnFlask(__name__, instance_path=os.environ.get("ELEARN_INSTANCE_DIR") or str(PROJECT_ROOT / "instance"))
    app.config.update(DEFAULTS)
    app.config.from_object(Config(app.instance_path))
    if config:
        app.config.update(config)
    if "TRUSTED_HOSTS" not in (config or {}):
        from .urls import trusted_hosts

        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["ELEARN_BASE_URL"], app.config["ELEARN_TRUSTED_HOSTS"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from .instance_keys import require_keys

    require_keys(app)
    from . import error_reporting, security_log

    security_log.init_app(app)
    error_reporting.init_app(app)

    from .catalog import load_catalog

    # A catalog already loaded from ELEARN_CONTENT_DIR may be passed in by code that builds
    # many apps from one content folder (the tests): loading takes seconds; it is read-only.
    catalog = app.config.get("ELEARN_LOADED_CATALOG") or load_catalog(app.config["ELEARN_CONTENT_DIR"])
    if catalog.errors:
        listing = "\n".join(str(p) for p in catalog.errors[:20])
        raise RuntimeError(f"content has errors (run `elearn content check`):\n{listing}")
    app.extensions["elearn_catalog"] = catalog

    from . import wiring
    from .tasks import jobs  # noqa: F401 - registers the task bodies (workers run them)

    wiring.init_app(app)
    from . import branding

    branding.init_app(app)  # a logo or colour it cannot use stops the app here, with the reason

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .concerns import bp as concerns_bp
    from .courses import bp as courses_bp
    from .scim import bp as scim_bp
    from .scorm import bp as scorm_bp
    from .team import bp as team_bp

    app.register_blueprint(auth_bp)
    from .auth import learner_sessions

    learner_sessions.init_app(app)  # LMS-opened sessions stay learner-only
    app.register_blueprint(courses_bp)
    app.register_blueprint(concerns_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(scim_bp)
    app.register_blueprint(scorm_bp)
    app.register_blueprint(team_bp)
    from . import lti

    lti.init_app(app)  # the LTI 1.3 tool: its key, grade passback and blueprint

    from . import reminders  # noqa: F401 - its model is part of the schema
    from .cli import register_cli
    from .tasks import models as task_models  # noqa: F401

    register_cli(app)
    return app
