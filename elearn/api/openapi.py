"""The OpenAPI 3.1 document of the HR API, generated from the code (apispec): served at
GET /api/v1/openapi.json, built once per app (app.extensions["elearn_openapi"]).

Each view declares its operation once, beside it, with `describe`:

    @bp.get("/users/<employee_id>/status")
    @describe(
        "One person's current courses",
        parameters=[path_parameter("employee_id", "The HR system's employee ID")],
        response=UserStatus,  # the TypedDict the view builds its JSON as
        errors=(401, 403, 404),
    )
    @token_required
    def user_status(employee_id): ...

Response bodies are TypedDicts that the view annotates what it returns with, so mypy
holds the view to the schema and the schema cannot drift from the JSON. `build_document`
walks the app's URL map: every rule under a prefix in PREFIXES must be described (it
raises otherwise, and tests/test_openapi.py fails). A body may also be a pydantic model
(SCIM's, from scim2-models: the model the view reads the payload with): its JSON Schema
comes from the model (`models_json_schema`, validation mode), its parts become components.
/scim/v2 is described by elearn/scim/operations.py the same way, with its own media type,
error body and token scope.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from http import HTTPStatus
from typing import Any, Literal, NewType, Union, get_args, get_origin, get_type_hints, is_typeddict

from apispec import APISpec
from flask import Flask, current_app, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .errors import ERRORS, ErrorBody, error_response

#: URL prefixes the document covers; every rule under one of them must be described
PREFIXES = ("/api/v1/", "/scim/v2/")
#: a timestamp in the API's JSON: ISO 8601 in UTC ("2026-01-31T12:00:00Z")
Timestamp = NewType("Timestamp", str)
EXTENSION = "elearn_openapi"
ATTRIBUTE = "openapi_operation"
SECURITY_SCHEME = "bearerToken"
#: each scheme is an API token (Admin → API tokens) with the scope its area needs
SECURITY_SCHEMES = {
    SECURITY_SCHEME: "An API token with the hr_read scope (the HR API).",
    "scimToken": "An API token with the scim scope (SCIM provisioning).",
}

DESCRIPTION = """Training completions and status for HR systems.

Send `Authorization: Bearer <token>`; admins create tokens at /admin/api-tokens.
Every error, on any path under /api/v1 (including 404 for an unknown URL, 405 for a
method a path does not allow, 413 and 429), is JSON: `{"error": {"code": "...",
"message": "..."}}` (schema `ErrorBody`); `code` is stable, `message` is English
for a person reading a log.

SCIM 2.0 provisioning (RFC 7643/7644) is under /scim/v2 (tag SCIM): bodies are
`application/scim+json`, the token needs the scim scope, and every error there is a
SCIM error body (schema `ScimError`, RFC 7644 §3.12)."""


@dataclass(frozen=True)
class Operation:
    summary: str
    response: Any  # a TypedDict, a pydantic model, a JSON Schema dict; None: no body
    #: OpenAPI parameter objects, or functions returning one when the document is built
    #: (in an app context: e.g. an enum of the catalog's course ids)
    parameters: Sequence[dict | Callable[[], dict]] = ()
    errors: Sequence[int] = ()
    description: str = ""
    #: False: no token needed (this document)
    secured: bool = True
    error_schema: Any = ErrorBody
    tags: Sequence[str] = field(default_factory=lambda: ("HR API",))
    #: the status of a successful answer (201 for a creation, 204 with no body)
    status: int = 200
    #: the body the operation reads (a TypedDict, a pydantic model, a JSON Schema dict)
    request_body: Any = None
    #: of the request and response bodies, errors included
    media_type: str = "application/json"
    security_scheme: str = SECURITY_SCHEME


def describe(summary: str, **options: Any) -> Callable:
    """Declare the view's operation (see `Operation`); stored on the view itself."""
    operation = Operation(summary, **options)

    def decorate(view: Callable) -> Callable:
        setattr(view, ATTRIBUTE, operation)
        return view

    return decorate


def query_parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def path_parameter(name: str, description: str, schema: dict | None = None) -> dict:
    schema = schema or {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


class SchemaBuilder:
    """Python types -> JSON Schema; TypedDicts and pydantic models become components,
    referenced by name. Call `finish` once every schema is asked for."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}
        #: pydantic models asked for, and the $ref given out for each (filled by finish)
        self.models: dict[type[BaseModel], dict] = {}

    def schema(self, kind: Any) -> dict:
        if kind is Timestamp:
            return {"type": "string", "format": "date-time"}
        if kind in (str, int, bool, float):
            return {"type": {str: "string", int: "integer", bool: "boolean", float: "number"}[kind]}
        if isinstance(kind, type) and issubclass(kind, Enum):
            return {"type": "string", "enum": [member.value for member in kind]}
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return self.models.setdefault(kind, {})
        if is_typeddict(kind):
            return {"$ref": f"#/components/schemas/{self.component(kind)}"}
        origin, args = get_origin(kind), get_args(kind)
        if origin is Literal:
            return {"enum": list(args)}
        if origin is list:
            return {"type": "array", "items": self.schema(args[0])}
        if origin in (Union, types.UnionType):
            options = [self.schema(arg) for arg in args if arg is not type(None)]
            schema = options[0] if len(options) == 1 else {"anyOf": options}
            if type(None) in args:
                schema = {"anyOf": [schema, {"type": "null"}]}
            return schema
        if isinstance(kind, dict):
            return kind
        raise TypeError(f"no JSON Schema for {kind!r}")

    def component(self, typed_dict: Any) -> str:
        name = typed_dict.__name__
        if name not in self.components:
            self.components[name] = {}  # reserved first: a TypedDict may refer to itself
            hints = get_type_hints(typed_dict)
            self.components[name] = {
                "type": "object",
                "properties": {key: self.schema(kind) for key, kind in hints.items()},
                "required": sorted(typed_dict.__required_keys__),
                "additionalProperties": False,
            }
        return name

    def finish(self) -> None:
        """The pydantic models' schemas, generated together (pydantic names their parts
        once for all), as components; the refs given out by `schema` now point at them."""
        if not self.models:
            return
        refs, generated = models_json_schema(
            [(model, "validation") for model in self.models], ref_template="#/components/schemas/{model}"
        )
        # through JSON: a schema's keys may be str subclasses (scim2-models' URNs)
        parts: dict[str, dict] = json.loads(json.dumps(generated.get("$defs", {})))
        for name, schema in parts.items():
            if self.components.setdefault(name, schema) != schema:
                raise ValueError(f"two schemas are named {name!r}")
        for model, ref in self.models.items():
            ref.update(refs[model, "validation"])


def openapi_path(rule: str) -> str:
    """/users/<employee_id>/status -> /users/{employee_id}/status (converters dropped)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def build_document(app: Flask) -> dict:
    """In an app context (parameters may read the app's catalog)."""
    spec = APISpec(
        title="elearn HR API and SCIM provisioning",
        version="1.0.0",
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
    )
    for scheme, scheme_description in SECURITY_SCHEMES.items():
        spec.components.security_scheme(scheme, {"type": "http", "scheme": "bearer", "description": scheme_description})
    schemas = SchemaBuilder()
    error_responses: dict[str, dict] = {}

    def error_response(status: int, error_schema: Any, media_type: str) -> str:
        name = f"{schemas.component(error_schema)}{status}"
        if name not in error_responses:
            code, message = ERRORS[status] if error_schema is ErrorBody else ("", HTTPStatus(status).phrase)
            content = {media_type: {"schema": schemas.schema(error_schema)}}
            error_responses[name] = {"description": f"{code}: {message}" if code else message, "content": content}
        return name

    for status in ERRORS:  # every error the API can answer, documented even where no route names it
        error_response(status, ErrorBody, "application/json")
    rules = sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES)), key=lambda r: r.rule)
    rules_of_endpoint = {
        endpoint: [r for r in rules if r.endpoint == endpoint] for endpoint in {r.endpoint for r in rules}
    }
    paths: dict[str, dict[str, dict]] = {}
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        operation: Operation | None = getattr(view, ATTRIBUTE, None)
        if operation is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) has no OpenAPI description: add @describe(...)")
        parameters = [p() if callable(p) else p for p in operation.parameters]
        declared = {p["name"] for p in parameters if p["in"] == "path"}
        if declared != set(rule.arguments):
            raise LookupError(f"{rule.endpoint}: path parameters {sorted(rule.arguments)} != described {declared}")
        success: dict[str, Any] = {"description": HTTPStatus(operation.status).phrase}
        if operation.response is not None:
            success["content"] = {operation.media_type: {"schema": schemas.schema(operation.response)}}
        responses: dict[Any, Any] = {str(operation.status): success}
        # 400: the input guard refuses a NUL anywhere in the path or query, on every route
        statuses = {400, 500, *operation.errors} | ({401, 403} if operation.secured else set())
        for status in sorted(statuses):
            responses[str(status)] = error_response(status, operation.error_schema, operation.media_type)
        path = openapi_path(rule.rule)
        # one view may answer at several URLs (SCIM's /.search): operation ids stay unique
        operation_id = rule.endpoint.replace(".", "_")
        if len(rules_of_endpoint[rule.endpoint]) > 1:
            operation_id += "_at_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            described: dict[str, Any] = {
                "operationId": operation_id if len(methods) == 1 else f"{operation_id}_{method.lower()}",
                "summary": operation.summary,
                "description": operation.description,
                "tags": list(operation.tags),
                "parameters": parameters,
                "responses": responses,
                "security": [{operation.security_scheme: []}] if operation.secured else [],
            }
            if operation.request_body is not None:
                body = {operation.media_type: {"schema": schemas.schema(operation.request_body)}}
                described["requestBody"] = {"required": True, "content": body}
            paths.setdefault(path, {})[method.lower()] = described
    schemas.finish()
    for name, schema in schemas.components.items():
        spec.components.schema(name, schema)
    for name, response in error_responses.items():
        spec.components.response(name, response)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def document(app: Flask) -> dict:
    """The document, built on first use and kept for the app's life (routes and catalog do
    not change while it runs)."""
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = build_document(app)
    return app.extensions[EXTENSION]


def refuse_undeclared_query_parameters():
    """before_request: a query parameter the operation does not declare is refused (400),
    so a misspelt filter never returns everything unfiltered."""
    view = current_app.view_functions.get(request.endpoint or "")
    operation: Operation | None = getattr(view, ATTRIBUTE, None)
    if operation is None:
        return None
    declared = {p["name"] for p in (p() if callable(p) else p for p in operation.parameters) if p["in"] == "query"}
    unknown = sorted(set(request.args) - declared)
    if unknown:
        allowed = ", ".join(sorted(declared)) or "none"
        return error_response(400, f"Unknown query parameter {unknown[0]!r} (allowed: {allowed}).")
    return None
