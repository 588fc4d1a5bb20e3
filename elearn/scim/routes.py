"""The SCIM endpoints: discovery, and Users (create, read, query, replace, patch, delete).

Deleting keeps the person's training records for reports: the account is deactivated
and marked deleted, and from then on answers 404 and leaves every query. A later
create with the same userName rehires that person (the same account, history kept).
"""

from __future__ import annotations

import json
import re
from functools import wraps
from typing import Any

from flask import current_app, g, request
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidFilterException,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    PatchOp,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
    ServiceProviderConfig,
)
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from .. import security_log
from ..admin.audit import record, snapshot
from ..api.models import SCIM
from ..api.openapi import path_parameter
from ..api.tokens import check_token
from ..extensions import csrf, db
from ..models import User as Person
from ..models import utcnow
from ..training.assignments import apply_audience_rules
from ..web import get_catalog
from . import PREFIX, bp
from .discovery import (
    MAX_RESULTS,
    ResourceType,
    ResourceTypeList,
    list_response,
    schemas,
    service_provider_config,
    user_resource_type,
)
from .operations import MEDIA_TYPE, QUERY, SHOWN_ATTRIBUTES, USER_ID, scim_operation
from .users import ScimUser, check_unique, checked_fields, fields_of, manager_ids, to_resource

_FILTER = re.compile(r'^\s*(userName|externalId|id)\s+eq\s+"((?:[^"\\]|\\.){0,255})"\s*$', re.IGNORECASE)


def _json(body: Any, status: int = 200, location: str | None = None):
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    if location:
        response.headers["Location"] = location
    return response


def _error(exc: SCIMException):
    error = exc.to_error()
    return _json(error.model_dump(), int(error.status or 400))


def _error_of(status: int, detail: str, scim_type: str | None = None):
    body = Error(status=status, detail=detail, scim_type=scim_type).model_dump()
    return _json(body, status)


def http_error(error: HTTPException):
    """An HTTP error (unknown URL, method not allowed, body too large...) as a SCIM error."""
    code = error.code or 500
    response = _error_of(code, error.description or error.name)
    if code == 405 and error.get_headers():
        response.headers.update({k: v for k, v in error.get_headers() if k.lower() == "allow"})
    return response


def _base_url() -> str:
    return request.host_url.rstrip("/") + PREFIX


def scim_endpoint(view):
    """Token with the scim scope, SCIM errors as JSON, and nothing written when one is raised."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = check_token(request.headers.get("Authorization"))
        if token is None:
            if request.headers.get("Authorization", "").startswith("Bearer "):
                security_log.api_token_rejected()
            response = _error_of(401, "A valid bearer token is required.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="elearn"'
            return response
        if not token.allows(SCIM):
            return _error_of(403, "This token has no scim scope.")
        g.api_token = token
        security_log.api_token_used(token.id)
        try:
            response = view(*args, **kwargs)
        except SCIMException as exc:
            db.session.rollback()
            return _error(exc)
        except ValidationError as exc:
            db.session.rollback()
            return _json(Error.from_validation_errors(exc.errors())[0].model_dump(), 400)
        db.session.commit()  # the change, its audit record, the token's last use
        return response

    return csrf.exempt(wrapped)


def _payload() -> dict:
    if request.mimetype not in (MEDIA_TYPE, "application/json"):
        raise InvalidSyntaxException(detail="Send JSON as application/scim+json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="The body is not a JSON object.")
    return body


def _person(person_id: str) -> Person:
    person = db.session.get(Person, int(person_id)) if person_id.isdigit() and len(person_id) < 18 else None
    if person is None or person.deleted_at is not None:
        raise NotFoundException(detail=f"No User has the id {person_id[:40]!r}.")
    return person


def _resources(people: list[Person]) -> list[dict]:
    managers = manager_ids({p.manager_email.lower() for p in people if p.manager_email})
    base = _base_url()
    return [to_resource(p, base, managers.get((p.manager_email or "").lower())) for p in people]


def _shown(resource: dict, status: int = 200):
    """One User, with the attributes/excludedAttributes the request asks for."""
    user = ScimUser.model_validate(resource)
    return _json(
        user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_response_parameters()), status
    )


def _response_parameters(body: dict | None = None) -> ResponseParameters | None:
    """attributes/excludedAttributes of the query string, or of a search request's body."""
    wanted: dict[str, list[str]] = {}
    for parameter in ("attributes", "excludedAttributes"):
        value = body.get(parameter) if body is not None else request.args.get(parameter)
        names = value if isinstance(value, list) else str(value or "").split(",")
        names = [str(name).strip() for name in names if str(name).strip()]
        if names:
            wanted[parameter] = names
    return ResponseParameters.model_validate(wanted) if wanted else None


def _write(person: Person, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        setattr(person, key, value)


@bp.get("/ServiceProviderConfig")
@scim_operation("What this SCIM server supports", response=ServiceProviderConfig)
@scim_endpoint
def provider_config():
    return _json(service_provider_config(_base_url()))


@bp.get("/ResourceTypes")
@scim_operation("The resource types (User)", response=ResourceTypeList)
@scim_endpoint
def resource_types():
    return _json(list_response([user_resource_type(_base_url())], 1))


@bp.get("/ResourceTypes/<name>")
@scim_operation(
    "One resource type", parameters=[path_parameter("name", "Its name")], response=ResourceType, errors=(404,)
)
@scim_endpoint
def resource_type(name: str):
    if name != "User":
        raise NotFoundException(detail="The only resource type is User.")
    return _json(user_resource_type(_base_url()))


@bp.get("/Schemas")
@scim_operation("The schemas of the attributes kept", response=ListResponse[Schema])
@scim_endpoint
def schema_list():
    found = schemas(get_catalog(), _base_url())
    return _json(list_response(found, len(found)))


@bp.get("/Schemas/<path:schema_id>")
@scim_operation("One schema", parameters=[path_parameter("schema_id", "Its URN")], response=Schema, errors=(404,))
@scim_endpoint
def schema(schema_id: str):
    found = [s for s in schemas(get_catalog(), _base_url()) if s["id"] == schema_id]
    if not found:
        raise NotFoundException(detail="No such schema.")
    return _json(found[0])


@bp.get("/Users")
@scim_operation("Users, filtered and paged", parameters=QUERY, response=ListResponse[ScimUser])
@scim_endpoint
def list_users():
    return _query(request.args.get("filter"), request.args.get("startIndex"), request.args.get("count"))


@bp.post("/Users/.search")
@bp.post("/.search")
@scim_operation("Users, queried in the body", request_body=SearchRequest, response=ListResponse[ScimUser])
@scim_endpoint
def search_users():
    body = _payload()
    SearchRequest.model_validate(body, scim_ctx=Context.SEARCH_REQUEST)  # the documented body, or 400
    return _query(body.get("filter"), body.get("startIndex"), body.get("count"), body)


def _integer(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool | float):  # JSON true or 1.5 is no index (int() would take them)
        raise InvalidSyntaxException(detail="startIndex and count are integers.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidSyntaxException(detail="startIndex and count are integers.") from None


def _query(filter_text: Any, start: Any, count: Any, body: dict | None = None):
    """RFC 7644 §3.4.2: filter (userName, externalId or id eq), 1-based startIndex, count."""
    start_index = max(_integer(start, 1), 1)
    page_size = min(max(_integer(count, MAX_RESULTS), 0), MAX_RESULTS)
    query = select(Person).where(Person.deleted_at.is_(None))
    if filter_text:
        match = _FILTER.match(str(filter_text)) if isinstance(filter_text, str) else None
        if match is None:
            raise InvalidFilterException(detail='Filters supported: userName, externalId or id eq "value".')
        attribute, value = match.group(1).lower(), json.loads(f'"{match.group(2)}"')
        if attribute == "username":
            query = query.where(func.lower(Person.employee_id) == value.lower())
        elif attribute == "externalid":
            query = query.where(Person.external_id == value)
        else:
            query = query.where(Person.id == (int(value) if value.isdigit() and len(value) < 18 else -1))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # past the last result the page is empty: an offset past 63 bits would fail in the database
    past_the_end = start_index > total
    page = query.order_by(Person.id).offset(start_index - 1).limit(page_size)
    people = [] if past_the_end else list(db.session.scalars(page))
    parameters = _response_parameters(body)
    resources = [
        ScimUser.model_validate(r).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters)
        for r in _resources(people)
    ]
    return _json(list_response(resources, total, start_index))


@bp.get("/Users/<person_id>")
@scim_operation("One User", parameters=[USER_ID, *SHOWN_ATTRIBUTES], response=ScimUser, errors=(404,))
@scim_endpoint
def get_user(person_id: str):
    return _shown(_resources([_person(person_id)])[0])


@bp.post("/Users")
@scim_operation(
    "Create a User (or rehire a deleted one with the same userName)",
    request_body=ScimUser,
    response=ScimUser,
    status=201,
    errors=(409,),
)
@scim_endpoint
def create_user():
    user = ScimUser.model_validate(_payload(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    fields = checked_fields(user, get_catalog())
    rehired = db.session.scalar(
        select(Person).where(Person.employee_id == fields["employee_id"], Person.deleted_at.is_not(None))
    )
    check_unique(fields, rehired.id if rehired else None)
    if rehired is not None:
        before = snapshot(rehired)
        _write(rehired, {**fields, "deleted_at": None})
        person, action = rehired, "scim.user.rehire"
    else:
        before = None
        person, action = Person(roles="learner", password_hash=None, **fields), "scim.user.create"
        db.session.add(person)
    db.session.flush()
    if person.active and person.has_role("learner"):
        apply_audience_rules(person, get_catalog(), current_app.config["ELEARN_DEFAULT_DUE_DAYS"])
    record(action, person.employee_id, before, snapshot(person), note=_note())
    resource = _resources([person])[0]
    return _json(resource, 201, location=resource["meta"]["location"])


@bp.put("/Users/<person_id>")
@scim_operation("Replace a User", parameters=[USER_ID], request_body=ScimUser, response=ScimUser, errors=(404, 409))
@scim_endpoint
def replace_user(person_id: str):
    person = _person(person_id)
    user = ScimUser.model_validate(_payload(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    return _update(person, user)


@bp.patch("/Users/<person_id>")
@scim_operation(
    "Change some attributes of a User",
    parameters=[USER_ID],
    request_body=PatchOp[ScimUser],
    response=ScimUser,
    errors=(404, 409),
)
@scim_endpoint
def patch_user(person_id: str):
    person = _person(person_id)
    operations = PatchOp[ScimUser].model_validate(_payload(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    user = ScimUser.model_validate(_resources([person])[0])
    operations.patch(user)
    return _update(person, user)


def _update(person: Person, user: ScimUser):
    before = snapshot(person)
    fields = fields_of(user, get_catalog(), person.id)
    _write(person, fields)
    db.session.flush()
    if person.active and person.has_role("learner"):
        apply_audience_rules(person, get_catalog(), current_app.config["ELEARN_DEFAULT_DUE_DAYS"])
    record("scim.user.update", person.employee_id, before, snapshot(person), note=_note())
    return _shown(_resources([person])[0])


@bp.delete("/Users/<person_id>")
@scim_operation(
    "Delete a User: deactivated and gone from the API, their training records kept",
    parameters=[USER_ID],
    response=None,
    status=204,
    errors=(404,),
)
@scim_endpoint
def delete_user(person_id: str):
    person = _person(person_id)
    before = snapshot(person)
    person.active = False  # ends their sessions at their next request (auth/signed_in.py)
    person.deleted_at = utcnow()
    person.external_id = None  # the identity provider may give the id to someone else
    record("scim.user.delete", person.employee_id, before, snapshot(person), note=_note())
    return current_app.response_class(status=204)


def _note() -> str:
    return f"SCIM, API token {g.api_token.id}"
