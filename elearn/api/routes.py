"""GET /api/v1/completions (cursor pagination) and /api/v1/users/<employee_id>/status."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from functools import wraps

from flask import g, jsonify, request
from sqlalchemy import select

from .. import security_log
from ..extensions import csrf, db
from ..models import Assignment, Completion, User
from ..training.learner_status import status_expression
from ..web import get_catalog
from . import bp
from .tokens import check_token

MAX_LIMIT = 1000


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization")
        token = check_token(header)
        if token is None:
            if header and header.startswith("Bearer "):
                security_log.api_token_rejected()
            from flask_login import current_user

            if current_user.is_authenticated:
                # A signed-in person is known but not allowed: the API takes only tokens.
                response = jsonify(error="forbidden", message="The API needs a token, not a session.")
                response.status_code = 403
                return response
            response = jsonify(error="unauthorized", message="A valid bearer token is required.")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="elearn"'
            return response
        g.api_token = token
        security_log.api_token_used(token.id)
        db.session.commit()  # records last use
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)


def _bad(message: str):
    response = jsonify(error="bad_request", message=message)
    response.status_code = 400
    return response


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"c:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not raw.startswith("c:") or not raw[2:].isdigit():
        return None
    return int(raw[2:])


@bp.get("/completions")
@token_required
def completions():
    """Completions in a stable order (by id); `cursor` continues where the last page ended."""
    limit = request.args.get("limit", 100, type=int)
    if not 1 <= limit <= MAX_LIMIT:
        return _bad(f"limit must be between 1 and {MAX_LIMIT}")
    query = (
        select(Completion, User.employee_id)
        .join(User, User.id == Completion.user_id)
        .order_by(Completion.id)
        .limit(limit + 1)
    )
    if request.args.get("cursor"):
        after = decode_cursor(request.args["cursor"])
        if after is None:
            return _bad("cursor is not valid")
        query = query.where(Completion.id > after)
    course = request.args.get("course")
    if course:
        if course not in get_catalog().courses:
            return _bad("unknown course")
        query = query.where(Completion.course_id == course)
    rows = db.session.execute(query).all()
    page, more = rows[:limit], len(rows) > limit
    items = [
        {
            "employee_id": employee_id,
            "course_id": c.course_id,
            "course_version": c.course_version,
            "locale": c.locale,
            "region": c.region,
            "score": c.score,
            "completed_at": _iso(c.completed_at),
            "expires_at": _iso(c.expires_at),
            "certificate_code": c.certificate_code,
        }
        for c, employee_id in page
    ]
    return jsonify(items=items, next_cursor=encode_cursor(page[-1][0].id) if more else None)


@bp.get("/users/<employee_id>/status")
@token_required
def user_status(employee_id: str):
    user = db.session.scalar(select(User).where(User.employee_id == employee_id[:64]))
    if user is None:
        response = jsonify(error="not_found", message="No user has this employee ID.")
        response.status_code = 404
        return response
    rows = db.session.execute(
        select(
            Assignment.course_id,
            Assignment.cycle,
            Assignment.due_at,
            status_expression(),
            Completion.completed_at,
            Completion.expires_at,
            Completion.certificate_code,
        )
        .outerjoin(Completion, Completion.assignment_id == Assignment.id)
        .where(Assignment.user_id == user.id, Assignment.current.is_(True))
        .order_by(Assignment.course_id)
    ).all()
    return jsonify(
        employee_id=user.employee_id,
        active=user.active,
        courses=[
            {
                "course_id": r.course_id,
                "cycle": r.cycle,
                "status": r.status,
                "due_at": _iso(r.due_at),
                "completed_at": _iso(r.completed_at),
                "expires_at": _iso(r.expires_at),
                "certificate_code": r.certificate_code,
            }
            for r in rows
        ],
    )
