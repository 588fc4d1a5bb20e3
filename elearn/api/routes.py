"""GET /api/v1/completions (cursor pagination), /api/v1/users/<employee_id>/status and
/api/v1/openapi.json. Each view declares its operation with `describe` (openapi.py) and
builds its JSON as the TypedDict the document is generated from."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from functools import wraps
from typing import TypedDict

from flask import current_app, g, jsonify, request
from sqlalchemy import select

from .. import security_log
from ..extensions import csrf, db
from ..models import Assignment, Completion, User
from ..training.learner_status import Status, status_expression
from ..web import get_catalog
from . import bp
from .errors import error_response
from .models import HR_READ
from .openapi import (
    Timestamp,
    describe,
    document,
    path_parameter,
    query_parameter,
    refuse_undeclared_query_parameters,
)
from .tokens import check_token

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
#: User.employee_id's column length
EMPLOYEE_ID_LENGTH = 64
#: a cursor's content: "c:" and the last id of the page before (ids fit in 63 bits)
_CURSOR = re.compile(r"c:([0-9]{1,18})")

bp.before_request(refuse_undeclared_query_parameters)


class CompletionItem(TypedDict):
    employee_id: str
    course_id: str
    course_version: str
    locale: str
    region: str | None
    score: int
    completed_at: Timestamp
    expires_at: Timestamp | None
    certificate_code: str


class CompletionPage(TypedDict):
    items: list[CompletionItem]
    #: pass as `cursor` for the next page; null on the last page
    next_cursor: str | None


class CourseStatus(TypedDict):
    course_id: str
    cycle: int
    status: Status
    due_at: Timestamp | None
    completed_at: Timestamp | None
    expires_at: Timestamp | None
    certificate_code: str | None


class UserStatus(TypedDict):
    employee_id: str
    active: bool
    courses: list[CourseStatus]


def timestamp(value: datetime) -> Timestamp:
    return Timestamp(value.isoformat().replace("+00:00", "Z"))


def optional_timestamp(value: datetime | None) -> Timestamp | None:
    return timestamp(value) if value else None


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
                return error_response(403, "The API needs a token, not a session.")
            return error_response(401)
        if not token.allows(HR_READ):
            return error_response(403, "This token has no hr_read scope.")
        g.api_token = token
        security_log.api_token_used(token.id)
        db.session.commit()  # records last use
        return view(*args, **kwargs)

    return csrf.exempt(wrapped)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"c:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = _CURSOR.fullmatch(raw)
    return int(match.group(1)) if match else None


def parse_limit(text: str | None) -> int | None:
    """The page size asked for (DEFAULT_LIMIT if none); None unless 1..MAX_LIMIT in ASCII digits."""
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", text):
        return None
    return int(text) if 1 <= int(text) <= MAX_LIMIT else None


@bp.get("/completions")
@describe(
    "Completions, oldest first",
    description="In a stable order (by id); pass `next_cursor` back as `cursor` for the next page.",
    parameters=[
        query_parameter(
            "limit",
            "Items per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        query_parameter(
            "cursor",
            "`next_cursor` of the page before (opaque: any other value is refused with 400)",
            {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 40},
        ),
        lambda: query_parameter(
            "course", "Only this course's completions", {"type": "string", "enum": sorted(get_catalog().courses)}
        ),
    ],
    response=CompletionPage,
)
@token_required
def completions():
    limit = parse_limit(request.args.get("limit"))
    if limit is None:
        return error_response(400, f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    query = (
        select(Completion, User.employee_id)
        .join(User, User.id == Completion.user_id)
        .order_by(Completion.id)
        .limit(limit + 1)
    )
    if "cursor" in request.args:
        after = decode_cursor(request.args["cursor"])
        if after is None:
            return error_response(400, "cursor is not valid: pass next_cursor from the previous page.")
        query = query.where(Completion.id > after)
    if "course" in request.args:
        course = request.args["course"]
        if course not in get_catalog().courses:
            return error_response(400, "course is not a known course id.")
        query = query.where(Completion.course_id == course)
    rows = db.session.execute(query).all()
    page, more = rows[:limit], len(rows) > limit
    items: list[CompletionItem] = [
        {
            "employee_id": employee_id,
            "course_id": c.course_id,
            "course_version": c.course_version,
            "locale": c.locale,
            "region": c.region,
            "score": c.score,
            "completed_at": timestamp(c.completed_at),
            "expires_at": optional_timestamp(c.expires_at),
            "certificate_code": c.certificate_code,
        }
        for c, employee_id in page
    ]
    body: CompletionPage = {"items": items, "next_cursor": encode_cursor(page[-1][0].id) if more else None}
    return jsonify(body)


@bp.get("/users/<employee_id>/status")
@describe(
    "One person's current courses and their status",
    parameters=[
        path_parameter(
            "employee_id",
            "The person's employee ID in the HR system",
            {"type": "string", "minLength": 1, "maxLength": EMPLOYEE_ID_LENGTH, "examples": ["E1001"]},
        )
    ],
    response=UserStatus,
    errors=(404,),
)
@token_required
def user_status(employee_id: str):
    if len(employee_id) > EMPLOYEE_ID_LENGTH:
        return error_response(400, f"employee_id is longer than {EMPLOYEE_ID_LENGTH} characters.")
    user = db.session.scalar(select(User).where(User.employee_id == employee_id))
    if user is None:
        return error_response(404, "No user has this employee ID.")
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
    body: UserStatus = {
        "employee_id": user.employee_id,
        "active": user.active,
        "courses": [
            {
                "course_id": r.course_id,
                "cycle": r.cycle,
                "status": Status(r.status),
                "due_at": optional_timestamp(r.due_at),
                "completed_at": optional_timestamp(r.completed_at),
                "expires_at": optional_timestamp(r.expires_at),
                "certificate_code": r.certificate_code,
            }
            for r in rows
        ],
    }
    return jsonify(body)


@bp.get("/openapi.json")
@describe(
    "This document (OpenAPI 3.1)",
    response={"type": "object", "required": ["openapi", "paths"]},
    secured=False,
    tags=("Documentation",),
)
def openapi_document():
    return jsonify(document(current_app))
