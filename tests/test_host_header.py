"""The Host header is the client's to choose: it is never trusted. Requests naming a host
that is not configured are refused, and every absolute address comes from
ELEARN_BASE_URL (activation sheets, certificates, xAPI activity ids, emails)."""

import pytest

from elearn.urls import trusted_hosts

from .conftest import Auth, csrf_token, make_app, wipe
from .helpers import ANSWERS, acknowledge_all, submit

BASE = "https://learn.example.com/"


@pytest.fixture
def site(database_url, tmp_path, make_user):
    app = make_app(
        database_url, tmp_path, ELEARN_BASE_URL=BASE, TRUSTED_HOSTS=trusted_hosts(BASE, "internal.example, localhost")
    )
    yield app
    wipe(app)


def test_trusted_hosts_from_the_base_url():
    assert trusted_hosts("https://learn.example.com/") == ["learn.example.com"]
    assert trusted_hosts("https://learn.example.com:8443/", "lb.internal, ") == ["learn.example.com", "lb.internal"]
    assert set(trusted_hosts("http://127.0.0.1:5000/")) == {"127.0.0.1", "localhost", "::1"}


def internal_client(app):
    """A browser that reached the site through another trusted name (a load balancer's)."""
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "internal.example"
    return client


def test_a_forged_host_is_refused(app):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "evil.example:5000"}).status_code == 400


def test_absolute_addresses_come_from_the_base_url(site):
    from elearn.auth.passwords import hash_password
    from elearn.extensions import db
    from elearn.models import User
    from elearn.training.assignments import apply_audience_rules

    from .conftest import PASSWORD

    with site.app_context():
        for employee_id, roles, password in (
            ("boss", "admin", PASSWORD),
            ("x1", "learner", PASSWORD),
            ("new", "learner", None),
        ):
            user = User(
                employee_id=employee_id,
                name=employee_id,
                country="AE",
                hr_locale="en",
                roles=roles,
                password_hash=hash_password(password) if password else None,
            )
            db.session.add(user)
            db.session.flush()
            apply_audience_rules(user, site.extensions["elearn_catalog"], 30)
        db.session.commit()
    # The learner finishes the course on the internal host name.
    learner = internal_client(site)
    Auth(learner).login("x1")
    acknowledge_all(learner, ["basics", "signs", "risks"])
    submit(learner, ANSWERS)
    certificate = learner.get("/courses/demo_course/certificate").get_data(as_text=True)
    assert BASE + "verify/" in certificate and "internal.example" not in certificate

    admin = internal_client(site)
    Auth(admin).login("boss")
    page = admin.get("/admin/activation-codes").get_data(as_text=True)
    sheet = admin.post("/admin/activation-codes", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert BASE + "activate" in sheet and "internal.example" not in sheet
    statements = admin.get("/admin/xapi.json").get_json()
    assert statements and all(s["object"]["id"].startswith(BASE) for s in statements)
