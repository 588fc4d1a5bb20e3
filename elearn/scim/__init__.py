"""SCIM 2.0 provisioning (RFC 7643/7644): an identity provider or HR system creates,
updates, deactivates and deletes people at /scim/v2 with an API token that has the
`scim` scope. JSON only; errors are SCIM error bodies (RFC 7644 §3.12)."""

from typing import cast

from flask import Blueprint, Flask

from .. import json_errors

PREFIX = "/scim/v2"
bp = Blueprint("scim", __name__, url_prefix=PREFIX)

from . import routes  # noqa: E402

# every error under /scim/v2, a URL no route matches included, is a SCIM error body
bp.record_once(lambda state: json_errors.register(cast(Flask, state.app), PREFIX, routes.http_error))
