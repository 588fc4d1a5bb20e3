"""xAPI statements: validated by an independent model (ralph), deterministic ids, no
duplicates when resent to an LRS."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from elearn.xapi.lrs import LrsError, send
from elearn.xapi.statements import VERBS, statements_since

from .conftest import Auth
from .helpers import ANSWERS, WRONG, acknowledge_all, submit


@pytest.fixture
def finished(app, client, auth, make_user):
    """A learner who failed once, passed, and completed."""
    make_user(employee_id="x1", country="AE", hr_locale="ar")
    auth.login("x1")
    acknowledge_all(client, ["basics", "signs", "risks"])
    submit(client, WRONG)
    submit(client, ANSWERS)


def export(app):
    with app.app_context():
        return statements_since(
            None, app.extensions["elearn_catalog"], "https://hr.example.com", "https://elearn.example.com"
        )


def test_statements_have_the_adl_verbs_and_validate_independently(app, finished):
    statements = export(app)
    verbs = sorted(s["verb"]["id"] for s in statements)
    assert verbs == sorted(
        [VERBS["attempted"], VERBS["failed"], VERBS["attempted"], VERBS["passed"], VERBS["completed"]]
    )
    for s in statements:
        BaseXapiStatement(**s)  # raises on an invalid statement
        assert s["actor"]["account"] == {"homePage": "https://hr.example.com", "name": "x1"}
        assert s["context"]["language"] == "ar" and s["context"]["revision"] == "1.0.0"
    passed = next(s for s in statements if s["verb"]["id"] == VERBS["passed"])
    assert passed["result"] == {"score": {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}, "success": True}
    failed = next(s for s in statements if s["verb"]["id"] == VERBS["failed"])
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.8


def test_statement_ids_are_deterministic(app, finished):
    first, second = export(app), export(app)
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert len({s["id"] for s in first}) == len(first)


class FakeLrs(BaseHTTPRequestHandler):
    stored: dict = {}
    fail = False

    def do_POST(self):  # noqa: N802
        if FakeLrs.fail:
            self.send_response(503)
            self.end_headers()
            return
        assert self.headers["X-Experience-API-Version"] == "1.0.3"
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        duplicate = any(s["id"] in FakeLrs.stored for s in batch)
        for s in batch:
            FakeLrs.stored.setdefault(s["id"], s)
        self.send_response(409 if duplicate else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs():
    FakeLrs.stored, FakeLrs.fail = {}, False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLrs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/xapi"
    server.shutdown()


def test_resending_creates_no_duplicate(app, finished, lrs):
    statements = export(app)
    assert send(statements, lrs, "user", "pw") == len(statements)
    assert send(export(app), lrs, "user", "pw") == len(statements)
    assert len(FakeLrs.stored) == len(statements)


def test_failing_lrs_raises(app, finished, lrs):
    FakeLrs.fail = True
    with pytest.raises(LrsError):
        send(export(app), lrs, "user", "pw")


def test_admin_export_endpoint(app, finished, make_user):
    make_user(employee_id="boss", roles="admin", hr_locale="en", assign=False)
    admin = app.test_client()
    Auth(admin).login("boss")
    body = admin.get("/admin/xapi.json").get_json()
    assert len(body) == 5
    assert admin.get("/admin/xapi.json?since=not-a-date").status_code == 400
    assert admin.get("/admin/xapi.json?since=2999-01-01").get_json() == []
