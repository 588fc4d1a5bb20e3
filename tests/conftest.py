"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (override with ELEARN_TEST_PG_URL); each
run creates a throw-away database and drops it at the end. If the server is
unreachable the PostgreSQL half of the suite errors: it is never skipped.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from elearn import create_app
from elearn.extensions import db

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
#: the shipped courses
CONTENT = Path(__file__).resolve().parents[1] / "content"


@functools.cache
def shipped_catalog():
    """The shipped content, loaded once per test run (seconds each time): apps made on
    CONTENT share it (create_app's ELEARN_LOADED_CATALOG)."""
    from elearn.catalog import load_catalog

    return load_catalog(CONTENT)


PG_SERVER = os.environ.get("ELEARN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def postgresql_database():
    name = f"elearn_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_SERVER}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'elearn-test.sqlite'}"


_migrated: set[str] = set()


@pytest.fixture(autouse=True, scope="session")
def tasks_run_immediately():
    """In-process tests run tasks at once; tests/test_tasks.py also drives real workers."""
    from elearn.tasks.queue import huey

    huey.immediate = True
    yield
    huey.immediate = False


def make_app(database_url: str, instance_path: Path, content_dir: Path = FIXTURE_CONTENT, **extra):
    os.environ["ELEARN_INSTANCE_DIR"] = str(instance_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "ELEARN_CONTENT_DIR": str(content_dir),
            "SERVER_NAME": None,
            # the fixtures' admins sign in with a password alone; test_second_factor.py turns it on
            "ELEARN_REQUIRE_SECOND_FACTOR": "off",
            **({"ELEARN_LOADED_CATALOG": shipped_catalog()} if Path(content_dir).resolve() == CONTENT else {}),
            **extra,
        }
    )
    if database_url not in _migrated:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
        _migrated.add(database_url)
    return app


def wipe(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one per test session (Playwright's sync API
    runs one at a time: every browser test shares this one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    return request.getfixturevalue(f"{request.param}_database")


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    wipe(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    from elearn.auth.passwords import hash_password
    from elearn.models import User
    from elearn.training.assignments import apply_audience_rules

    def make(
        employee_id="u1",
        country="AE",
        hr_locale="hi",
        department="Construction",
        roles="learner",
        active=True,
        password=PASSWORD,
        assign=True,
        **fields,
    ):
        with app.app_context():
            user = User(
                employee_id=employee_id,
                name=fields.pop("name", "Test Person"),
                country=country,
                hr_locale=hr_locale,
                department=department,
                roles=roles,
                active=active,
                password_hash=hash_password(password) if password else None,
                **fields,
            )
            db.session.add(user)
            db.session.flush()
            if assign:
                apply_audience_rules(user, app.extensions["elearn_catalog"], 30)
            db.session.commit()
            return user.id

    return make


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, login="u1", password=PASSWORD, next_url=None):
        page = self.client.get("/login")
        data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "login": login, "password": password}
        if next_url is not None:
            data["next"] = next_url
        return self.client.post("/login", data=data)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def scoped_admin(app, make_user):
    """A signed-in admin limited to one scope: scoped_admin("region", "arab_states")
    returns their test client."""

    def make(kind: str, value: str, employee_id: str = "scoped", **fields):
        from elearn.admin.models import AdminScope

        uid = make_user(employee_id=employee_id, roles="admin", hr_locale="en", assign=False, **fields)
        with app.app_context():
            db.session.add(AdminScope(admin_id=uid, kind=kind, value=value))
            db.session.commit()
        client = app.test_client()
        Auth(client).login(employee_id)
        return client

    return make


@pytest.fixture
def admin_client(app, make_user):
    """A signed-in admin without a scope (employee id "admin")."""
    make_user(employee_id="admin", roles="learner admin", hr_locale="en", country="US")
    client = app.test_client()
    Auth(client).login("admin")
    return client
