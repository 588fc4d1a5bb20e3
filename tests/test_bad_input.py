"""Bad input gets a clear message in the user's language and changes nothing (never a 500)."""

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import AuditLog, User

from .conftest import Auth, csrf_token
from .helpers import upload_csv

HEADER = "employee_id,name,email,department,country,locale,roles,manager_email\n"


upload = upload_csv


def user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_csv_field_over_the_limit_is_a_row_error(app, make_user, admin_client):
    client = admin_client
    before = user_count(app)
    text = HEADER + "E1,Fine,,D,US,en,learner,\n" + "E2," + "x" * 300_000 + ",,D,US,en,learner,\n"
    response = upload(client, text)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "one of its fields is too long" in html
    assert user_count(app) == before
    make_user(employee_id="jefa", roles="admin", hr_locale="es", country="US", assign=False)
    spanish_admin = app.test_client()
    Auth(spanish_admin).login("jefa")
    spanish = upload(spanish_admin, text).get_data(as_text=True)
    assert "uno de sus campos es demasiado largo" in spanish  # the admin's language, not English


def test_nul_in_a_csv_field_is_a_row_error(app, make_user, admin_client):
    client = admin_client
    before = user_count(app)
    response = upload(client, HEADER + "E1,Fine,,D,US,en,learner,\nE2,Bad\x00Name,,D,US,en,learner,\n")
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert user_count(app) == before
    partial = upload(client, HEADER + "E1,Fine,,D,US,en,learner,\nE2,Bad\x00Name,,D,US,en,learner,\n", valid_only=True)
    assert partial.status_code == 200 and user_count(app) == before + 1


def test_nul_in_a_form_field_or_url_is_refused_with_a_message(app, make_user):
    make_user(employee_id="u1", hr_locale="en")
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "login": "a\x00b", "password": "x"})
    assert response.status_code == 400 and "NUL byte" in response.get_data(as_text=True)
    assert client.get("/verify/a%00b").status_code == 400
    assert client.get("/concerns?country=A%00E").status_code == 400
    arabic = client.get("/verify/a%00b", headers={"Accept-Language": "ar"})
    assert arabic.status_code == 400 and "NUL byte" not in arabic.get_data(as_text=True)


def test_a_choice_never_offered_is_a_field_error(app, make_user, admin_client):
    client = admin_client
    page = csrf_token(client.get("/admin/users/new").get_data(as_text=True))
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": page,
            "employee_id": "N1",
            "name": "N",
            "country": "US",
            "hr_locale": "en",
            "roles": ["superuser", "learner"],
            "active": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "superuser" in html and "not a valid choice" in html
    assert user_count(app) == 1


def test_import_summary_counts_rows_not_problems(app, make_user, admin_client):
    client = admin_client
    text = HEADER + (
        "E1,Good,,D,US,en,learner,\n"
        "E2,Two Problems,not-an-email,D,XX,en,learner,\n"
        "bad id!,,also-bad,D,XX,zz,superuser,\n"
    )
    html = upload(client, text).get_data(as_text=True)
    assert "2 rows have errors. Nothing was imported." in html
    assert html.count("<tr><td>") == 2  # one table row per file row, its problems listed in it
    done = upload(client, text, valid_only=True).get_data(as_text=True)
    assert "2 rows were skipped" in done
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "users.import")).one()
        assert entry.after["skipped_rows"] == 2
