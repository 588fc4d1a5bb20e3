"""JSON errors of /api/v1: every error is `{"error": {"code": ..., "message": ...}}` with
an English message (an HR system's log reads it, not a person's screen), whatever
raised it: a view, the input guard, routing (404, 405), a limit (413, 429), a bug (500).
"""

from __future__ import annotations

from typing import TypedDict

from flask import Flask, Response, jsonify
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from .. import json_errors
from ..security_log import request_id
from . import bp


class ErrorDetail(TypedDict):
    #: stable, for programs: bad_request, unauthorized, forbidden, not_found, ...
    code: str
    #: for the person reading the HR system's log
    message: str


class ErrorBody(TypedDict):
    error: ErrorDetail


#: status -> (code, the message when nothing more precise is known)
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is not valid."),
    401: ("unauthorized", "A valid bearer token is required."),
    403: ("forbidden", "This token or session may not use this resource."),
    404: ("not_found", "There is nothing at this URL."),
    405: ("method_not_allowed", "This method is not allowed at this URL."),
    413: ("payload_too_large", "The request body is too large."),
    429: ("too_many_requests", "Too many requests: wait a moment and try again."),
    500: ("server_error", "Something went wrong on the server."),
}


def error_response(status: int, message: str | None = None) -> Response:
    code, default = ERRORS.get(status, (f"http_{status}", "The request failed."))
    body: ErrorBody = {"error": {"code": code, "message": message or default}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="elearn"'
    return response


def from_exception(error: HTTPException) -> Response:
    """The JSON answer to an HTTP error raised on an API path (abort, routing, a bug)."""
    status = error.code or 500
    # A description given where the error was raised says more than the default one.
    message = error.description if error.description != type(error).description else None
    if status >= 500:
        message = f"{ERRORS[500][1]} Reference: {request_id()}."
    response = error_response(status, message)
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response


@bp.record_once
def register_json_errors(state: BlueprintSetupState) -> None:
    assert isinstance(state.app, Flask)  # typed as Flask's sans-IO base class
    json_errors.register(state.app, state.url_prefix or "", from_exception)
