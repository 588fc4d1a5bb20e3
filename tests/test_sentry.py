"""Optional Sentry: events reach the DSN's host without form bodies; events of concern
routes never leave the process. A real Sentry transport posts to a local HTTP server."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import sentry_sdk

from elearn import create_app

from .concern_helpers import file_report
from .conftest import FIXTURE_CONTENT, PASSWORD, csrf_token

REPORT = "Our recruiter Farid took 4000 dollars and our passports at the Dubai camp."
TYPED_LOGIN = "typed-login-7731"


class Collector(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        else:
            assert encoding in ("", "identity"), encoding
        self.server.received.append(body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    client = sentry_sdk.get_client()
    client.close()  # flushes and stops its transport
    sentry_sdk.get_global_scope().set_client(None)  # no Sentry for the other tests
    server.shutdown()
    server.server_close()


def envelope_items(body: bytes):
    """(item header, payload) of a Sentry envelope: a header line, then items."""
    _header, _, rest = body.partition(b"\n")
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        item = json.loads(line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        yield item, payload


def events(received):
    return [
        json.loads(payload)
        for body in received
        for item, payload in envelope_items(body)
        if item.get("type") == "event"
    ]


def test_events_leave_without_bodies_and_never_from_concern_routes(sentry_host, monkeypatch, tmp_path):
    # A database without tables: the sign-in and the concern report both fail for real
    # (no such table) and reach Flask's error handling, as a lost database would.
    monkeypatch.setenv("ELEARN_INSTANCE_DIR", str(tmp_path))
    dsn = f"http://public@127.0.0.1:{sentry_host.server_address[1]}/1"
    app = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "SECRET_KEY": "test-secret",
            "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT),
            "SENTRY_DSN": dsn,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}",
        }
    )
    sentry = sentry_sdk.get_client()
    assert sentry.is_active() and not sentry.should_send_default_pii()
    assert sentry.options["include_local_variables"] is False
    client = app.test_client()
    page = client.get("/login", query_string={"next": "/courses?ref=mail-4411"})
    signed_in = client.post(
        "/login",
        query_string={"ref": "mail-4411"},
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "login": TYPED_LOGIN, "password": PASSWORD},
    )
    assert signed_in.status_code == 500
    reported = file_report(
        client, description=REPORT, site="Camp 9, Dubai", anonymous=None, contact="farid-witness@example.com"
    )
    assert reported.status_code == 500
    sentry_sdk.flush(timeout=10)

    everything = b"".join(sentry_host.received)
    login_events = [
        e for e in events(sentry_host.received) if urlsplit((e.get("request") or {}).get("url", "")).path == "/login"
    ]
    assert login_events, everything[:2000]  # the transport works: the ordinary error arrived
    for event in login_events:
        assert event.get("transaction") == "auth.login"
        request = event["request"]
        assert "data" not in request and "cookies" not in request and "query_string" not in request
        assert not {name.lower() for name in request.get("headers", {})} & {"cookie", "authorization"}
    for secret in (PASSWORD, TYPED_LOGIN, "mail-4411", "test-secret"):
        assert secret.encode() not in everything

    for event in events(sentry_host.received):
        assert not urlsplit((event.get("request") or {}).get("url", "")).path.startswith("/concerns")
        assert not (event.get("transaction") or "").startswith("concerns.")
    for secret in (REPORT, "Farid", "Camp 9", "farid-witness"):
        assert secret.encode() not in everything
