"""Admin: xAPI export as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, request

from ...auth.roles import role_required
from ...urls import base_url
from ...web import get_catalog
from ...xapi.statements import statements_since
from .. import bp
from ..scope import require_unscoped


@bp.get("/xapi.json")
@role_required("admin")
def xapi_export():
    require_unscoped()
    since = None
    if request.args.get("since"):
        try:
            since = datetime.fromisoformat(request.args["since"][:32]).astimezone(UTC)
        except ValueError:
            return jsonify(error="bad_request", message="since must be an ISO 8601 date or time"), 400
    return jsonify(statements_since(since, get_catalog(), current_app.config["ELEARN_XAPI_HOMEPAGE"], base_url()))
