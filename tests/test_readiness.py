"""/healthz: the process answers. /readyz: the database answers too, without error details."""

import socket

from elearn import create_app

from .conftest import FIXTURE_CONTENT


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens on it once the socket is closed


def test_readyz_is_ready_when_the_database_answers(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_readyz_is_unavailable_without_details_when_the_database_is_unreachable(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("ELEARN_INSTANCE_DIR", str(tmp_path))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT),
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres:pw-not-shown@127.0.0.1:{closed_port()}/elearn",
        }
    )
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    assert client.get("/healthz").status_code == 200  # liveness does not depend on the database
    assert "readiness check failed: OperationalError" in caplog.text
    assert "pw-not-shown" not in caplog.text
