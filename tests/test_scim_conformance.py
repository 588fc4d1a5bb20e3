"""An independent SCIM client, scim2-tester, checks /scim/v2 over HTTP against a live
server: discovery, then create, read, query, replace, patch and delete of Users with
the values it makes up from the schemas the server publishes. Any failed check fails."""

from __future__ import annotations

import threading

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from werkzeug.serving import make_server

from elearn.api.tokens import create_token
from elearn.extensions import db


@pytest.fixture
def scim_server(app):
    with app.app_context():
        _row, token = create_token("Identity provider", None, ("scim",))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/scim/v2", token
    server.shutdown()
    thread.join(5)


def test_scim2_tester_finds_no_failed_check(scim_server):
    base_url, token = scim_server
    with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)
    failed = [f"{r.title}: {r.reason}" for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    assert not failed, "\n".join(failed)
    assert sum(r.status == Status.SUCCESS for r in results) > 20
