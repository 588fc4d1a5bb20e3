"""The OpenAPI 3.1 document of the HR API and SCIM: generated from the code, covering
every /api/v1 and /scim/v2 route, and true: schemathesis fuzzes the live app against it,
SCIM's writes included (any 5xx, any response outside the document, any HTML error fails).

The fuzz runs on PostgreSQL only (a time budget of seconds, not minutes): it is the
stricter database for hostile input (column lengths, integer ranges, NUL bytes raise
there where SQLite stores anything), so a missed check shows up there first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy import select
from werkzeug.serving import make_server

from elearn.api.openapi import PREFIXES, build_document, openapi_path
from elearn.api.tokens import create_token
from elearn.auth.passwords import hash_password
from elearn.extensions import db
from elearn.models import Assignment, User
from elearn.training.assignments import apply_audience_rules

from .conftest import make_app, wipe
from .helpers import completion_of


def test_document_is_openapi_3_1_and_describes_every_api_and_scim_route(app):
    body = app.test_client().get("/api/v1/openapi.json")
    assert body.status_code == 200 and body.mimetype == "application/json"
    document = body.get_json()
    assert document["openapi"] == "3.1.0"
    schemes = document["components"]["securitySchemes"]
    assert {schemes[name]["scheme"] for name in ("bearerToken", "scimToken")} == {"bearer"}
    loaded = schemathesis.openapi.from_dict(document)
    loaded.validate()  # against the OpenAPI 3.1 meta-schema
    operations = {(op.ok().method.upper(), op.ok().path) for op in loaded.get_all_operations()}
    routes = {
        (method, openapi_path(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIXES)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert {path.split("/")[1] for _method, path in routes} == {"api", "scim"}
    assert routes and operations == {(method, path) for method, path in routes}
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    assert document["paths"]["/api/v1/completions"]["get"]["security"] == [{"bearerToken": []}]
    assert document["paths"]["/scim/v2/Users"]["post"]["security"] == [{"scimToken": []}]
    ids = [op["operationId"] for operations in document["paths"].values() for op in operations.values()]
    assert len(ids) == len(set(ids))  # /Users/.search and /.search are one view


def test_scim_bodies_are_the_models_the_views_read(app):
    """The User schema is scim2-models' (the model POST/PUT/PATCH validate with), in SCIM's
    media type, and every SCIM error is a SCIM error body with a string status."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    create = document["paths"]["/scim/v2/Users"]["post"]
    user = {"$ref": "#/components/schemas/User_EnterpriseUser_"}
    assert create["requestBody"]["content"]["application/scim+json"]["schema"] == user
    assert create["responses"]["201"]["content"]["application/scim+json"]["schema"] == user
    properties = document["components"]["schemas"]["User_EnterpriseUser_"]["properties"]
    assert {"userName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"} <= set(properties)
    assert create["responses"]["409"] == {"$ref": "#/components/responses/ScimError409"}
    error = document["components"]["responses"]["ScimError409"]["content"]["application/scim+json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ScimError"}
    assert document["components"]["schemas"]["ScimError"]["properties"]["status"] == {"type": "string"}
    assert "content" not in document["paths"]["/scim/v2/Users/{person_id}"]["delete"]["responses"]["204"]


def test_a_scim_route_without_a_description_is_refused(app):
    app.add_url_rule("/scim/v2/Groups", "scim_groups", lambda: {})
    with app.app_context(), pytest.raises(LookupError, match="scim_groups"):
        build_document(app)


def test_the_meta_schema_check_can_fail(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    document["paths"]["/api/v1/completions"]["get"]["responses"]["200"] = {"content": {}}  # no description
    with pytest.raises(Exception, match="description"):
        schemathesis.openapi.from_dict(document).validate()


def test_an_api_route_without_a_description_is_refused(app):
    app.add_url_rule("/api/v1/undescribed", "api_undescribed", lambda: {})
    with app.app_context(), pytest.raises(LookupError, match="no OpenAPI description"):
        build_document(app)


def test_document_is_built_once_per_app(app):
    client = app.test_client()
    first = client.get("/api/v1/openapi.json").get_json()
    assert app.extensions["elearn_openapi"] == first == client.get("/api/v1/openapi.json").get_json()


def test_response_schema_is_the_views_typed_dict(app):
    with app.app_context():
        schemas = build_document(app)["components"]["schemas"]
    item = schemas["CompletionItem"]
    assert item["additionalProperties"] is False and "certificate_code" in item["required"]
    assert item["properties"]["completed_at"] == {"type": "string", "format": "date-time"}
    status = schemas["CourseStatus"]["properties"]["status"]
    assert status["enum"] == ["completed", "overdue", "expired", "in_progress", "not_started"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/completions", 401, "unauthorized"),
        ("GET", "/api/v1/no-such-thing", 404, "not_found"),
        ("POST", "/api/v1/completions", 405, "method_not_allowed"),
        ("DELETE", "/api/v1/users/x/status", 405, "method_not_allowed"),
        ("GET", "/api/v1/completions?course=%00", 400, "bad_request"),
        ("GET", "/api/v1/users/%00/status", 400, "bad_request"),
    ],
)
def test_api_errors_are_json_not_html(client, method, path, status, code):
    response = client.open(path, method=method)
    assert response.status_code == status and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == code and response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/completions?limit=abc",
        "/api/v1/completions?limit=1e3",
        "/api/v1/completions?limit=%EF%BC%95",  # a full-width digit
        "/api/v1/completions?limit=0",
        "/api/v1/completions?cursor=YzrCsg",  # "c:" and a superscript two
        "/api/v1/completions?cursor=YzoxMDAwMDAwMDAwMDAwMDAwMDAwMDAw",  # an id past 64 bits
        "/api/v1/completions?course=nope",
        "/api/v1/completions?courses=demo_course",  # misspelt: never ignored
        "/api/v1/users/" + "x" * 65 + "/status",
    ],
)
def test_bad_parameters_get_a_clear_400(app, path):
    with app.app_context():
        _row, token = create_token("HR", None)
        db.session.commit()
    response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.mimetype == "application/json", response.get_data()
    assert response.get_json()["error"]["code"] == "bad_request" and len(response.get_json()["error"]["message"]) > 10


def test_a_large_body_gets_413_json_and_pages_keep_their_html(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/api/v1/completions", data="x" * 100, content_type="application/json")
    assert response.status_code in (405, 413) and response.mimetype == "application/json"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


@dataclass
class LiveApi:
    base: str
    #: hr_read scope
    token: str
    #: scim scope
    scim_token: str


@pytest.fixture
def live_api(postgresql_database, tmp_path) -> Iterator[LiveApi]:
    """The app on a real port, on PostgreSQL (a throw-away database: SCIM's writes are
    fuzzed too), with two learners (one completed), an hr_read token and a scim token."""
    app = make_app(postgresql_database, tmp_path)
    with app.app_context():
        for employee_id in ("E1001", "E1002"):
            user = User(
                employee_id=employee_id,
                name="Test Person",
                country="AE",
                hr_locale="en",
                department="Construction",
                roles="learner",
                password_hash=hash_password("correct horse battery staple"),
            )
            db.session.add(user)
            db.session.flush()
            apply_audience_rules(user, app.extensions["elearn_catalog"], 30)
        first = db.session.scalar(select(Assignment).order_by(Assignment.id))
        assert first is not None
        db.session.add(completion_of(first, score=90, certificate_code="FUZZ-0001"))
        _row, token = create_token("Fuzz", None)
        _row, scim_token = create_token("Fuzz SCIM", None, ("scim",))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveApi(f"http://127.0.0.1:{server.server_port}", token, scim_token)
    finally:
        server.shutdown()
        thread.join(5)
        wipe(app)


def fuzz_config(live_api: LiveApi) -> schemathesis.Config:
    """schemathesis's defaults with each scheme's token (requests meant to break the auth go
    without it). A valid request may still get 400: a cursor is opaque, so a string that
    fits its pattern can still be no cursor the API gave out; a SCIM User that fits the
    schema may name a country the catalog lacks (400), an id nobody has (404), or a
    userName in use (409)."""
    return schemathesis.Config.from_dict(
        {
            "auth": {
                "openapi": {"bearerToken": {"bearer": live_api.token}, "scimToken": {"bearer": live_api.scim_token}}
            },
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}},
        }
    )


#: the operations of each area, and how many requests each gets in each mode: bounded, so
#: the whole fuzz takes seconds (derandomized: the same requests on every run)
AREAS = {"hr_api": ("/api/v1/", 40), "scim": ("/scim/v2/", 25)}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_api_conforms_to_its_document(live_api, mode, area):
    """Each operation of the document served by the live app, with requests schemathesis
    generates from it (valid ones, then ones breaking its parameters and bodies), through
    every check schemathesis has: not_a_server_error, status_code_conformance,
    content_type_conformance, response_schema_conformance, negative_data_rejection..."""
    prefix, examples = AREAS[area]
    schema = schemathesis.openapi.from_url(f"{live_api.base}/api/v1/openapi.json", config=fuzz_config(live_api))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if operation.path.startswith(prefix)]
    # loaded from a URL, schemathesis leaves out that URL itself
    assert len(operations) >= {"hr_api": 2, "scim": 13}[area]
    for operation in operations:

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case):
            case.call_and_validate(timeout=10)

        conforms()
