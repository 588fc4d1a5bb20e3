"""Admin users: list, create, edit, deactivate, scope, CSV import, activation codes."""

import pytest
from sqlalchemy import func, select

from elearn.auth.models import ActivationCode
from elearn.extensions import db
from elearn.models import Assignment, AuditLog, User

from .conftest import Auth, csrf_token
from .helpers import upload_csv

HEADER = "employee_id,name,email,department,country,locale,roles,manager_email\n"
GOOD = HEADER + (
    "E100,Amina Yusuf,amina@example.com,Warehouse,KE,en,learner,boss@example.com\n"
    "E101,Ravi Kumar,,Construction,AE,hi,,\n"
    "E102,María Pérez,maria@example.com,Sourcing,US,es-MX,learner,\n"
)
BAD = HEADER + (
    "E200,Good Row,good@example.com,Warehouse,KE,en,learner,\n"
    "E201,Bad Email,not-an-email,Warehouse,KE,en,learner,\n"
    "E202,Bad Country,,Warehouse,XX,en,learner,\n"
    "E200,Duplicate,,Warehouse,KE,en,learner,\n"
    "E204,Too,Few,Columns\n"
)


upload = upload_csv


def users(app):
    with app.app_context():
        return {u.employee_id: u for u in db.session.scalars(select(User))}


def test_import_creates_users_without_password_and_assigns_courses(app, admin_client):
    response = upload(admin_client, GOOD)
    assert response.status_code == 200
    assert "3 created" in response.get_data(as_text=True)
    people = users(app)
    assert people["E101"].password_hash is None and people["E101"].hr_locale == "hi"
    assert people["E102"].hr_locale == "es" and people["E101"].email is None
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Assignment)
                .join(User)
                .where(User.employee_id.in_(["E100", "E101", "E102"]))
            )
            == 3
        )
        assert db.session.scalars(select(AuditLog.action)).all() == ["users.import"]


def test_reimport_updates_never_duplicates_and_keeps_picked_language(app, admin_client):
    upload(admin_client, GOOD)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.employee_id == "E101"))
        user.chosen_locale = "ar"
        db.session.commit()
    response = upload(admin_client, GOOD.replace("Construction", "Logistics"))
    assert "0 created, 1 updated, 2 unchanged" in response.get_data(as_text=True)
    people = users(app)
    assert len([k for k in people if k.startswith("E1")]) == 3
    assert people["E101"].department == "Logistics" and people["E101"].chosen_locale == "ar"


def test_bad_file_is_rejected_with_row_messages_and_nothing_written(app, admin_client):
    before = len(users(app))
    response = upload(admin_client, BAD)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    rows = html.split("import-errors")[1]
    for row, text in ((3, "not-an-email"), (4, "XX"), (5, "E200"), (6, "Expected 8 columns, found 4")):
        assert f"<td>{row}</td>" in rows and text in rows
    assert len(users(app)) == before


def test_bad_file_messages_in_admins_language(app, admin_client):
    response = upload(admin_client, BAD, lang="es")
    # the admin's saved HR locale wins
    assert response.status_code == 400 and 'lang="en"' in response.get_data(as_text=True)


def test_valid_rows_only_imports_the_good_row(app, admin_client):
    response = upload(admin_client, BAD, valid_only=True)
    assert response.status_code == 200
    assert "E200" in users(app) and "E201" not in users(app)
    assert users(app)["E200"].name == "Good Row"


def test_cli_import_with_progress_and_all_or_nothing(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1 and "row 4: 'XX' is not an ISO country code" in result.output
    assert "E200" not in users(app)
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["users", "import", str(good)])
    assert result.exit_code == 0 and "created 3" in result.output


def test_create_edit_and_deactivate_user_is_audited(app, admin_client):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "employee_id": "N1",
        "name": "New Person",
        "email": "",
        "department": "Warehouse",
        "country": "KE",
        "hr_locale": "en",
        "timezone": "Africa/Nairobi",
        "roles": ["learner"],
        "active": "y",
    }
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    uid = users(app)["N1"].id
    data.pop("active")
    assert admin_client.post(f"/admin/users/{uid}", data=data).status_code == 302
    assert users(app)["N1"].active is False
    with app.app_context():
        actions = db.session.execute(
            select(AuditLog.action, AuditLog.before, AuditLog.after).order_by(AuditLog.id)
        ).all()
    assert [a[0] for a in actions] == ["user.create", "user.update"]
    assert actions[1][1] == {"active": True} and actions[1][2] == {"active": False}
    client = app.test_client()
    assert Auth(client).login("N1").status_code == 400  # deactivated, and no password


def test_bad_input_changes_nothing(app, admin_client):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    response = admin_client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "employee_id": "bad id!",
            "name": "",
            "email": "nope",
            "country": "KE",
            "timezone": "Mars/Base",
            "roles": ["learner"],
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count('class="error"') >= 4
    assert "bad id!" not in users(app)


def test_duplicate_employee_id_is_refused(app, admin_client):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    response = admin_client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "employee_id": "admin",
            "name": "X",
            "country": "KE",
            "hr_locale": "",
            "roles": ["learner"],
        },
    )
    assert response.status_code == 400 and "Another user has this employee ID." in response.get_data(as_text=True)


def test_list_search_and_filters(app, admin_client):
    upload(admin_client, GOOD)

    def names(query):
        return admin_client.get("/admin/users?" + query).get_data(as_text=True)

    assert "Amina Yusuf" in names("q=amina") and "Ravi Kumar" not in names("q=amina")
    assert "Ravi Kumar" in names("country=AE") and "Amina" not in names("country=AE")
    assert "María" in names("department=Sourcing") and "Ravi" not in names("department=Sourcing")
    assert "Amina" in names("q=%27%20OR%201%3D1%20--") or "0 users" in names("q=%27%20OR%201%3D1%20--")
    assert "0 users" in names("q=%27%20OR%201%3D1%20--")


def test_scoped_admin_sees_and_changes_only_their_scope(app, admin_client, scoped_admin):
    upload(admin_client, GOOD)
    client = scoped_admin("region", "arab_states", country="AE")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Ravi Kumar" in listing and "Amina Yusuf" not in listing and "María" not in listing
    people = users(app)
    assert client.get(f"/admin/users/{people['E100'].id}").status_code == 404
    assert client.get(f"/admin/users/{people['E101'].id}").status_code == 200
    page = client.get(f"/admin/users/{people['E101'].id}").get_data(as_text=True)
    moved = client.post(
        f"/admin/users/{people['E101'].id}",
        data={
            "csrf_token": csrf_token(page),
            "employee_id": "E101",
            "name": "Ravi Kumar",
            "country": "KE",
            "hr_locale": "hi",
            "roles": ["learner"],
            "active": "y",
        },
    )
    assert moved.status_code == 400 and users(app)["E101"].country == "AE"
    assert "outside the users you manage" in moved.get_data(as_text=True)


@pytest.mark.parametrize("roles", ["learner", "case_handler"])
def test_learner_and_case_handler_get_403_on_admin_pages(app, make_user, roles):
    make_user(employee_id="someone", roles=roles, hr_locale="en")
    client = app.test_client()
    Auth(client).login("someone")
    for path in (
        "/admin/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/import",
        "/admin/activation-codes",
        "/admin/users/1",
    ):
        assert client.get(path).status_code == 403, path


def test_activation_code_sheet_and_activation(app, admin_client):
    upload(admin_client, GOOD)
    page = admin_client.get("/admin/activation-codes").get_data(as_text=True)
    sheet = admin_client.post(
        "/admin/activation-codes",
        data={"csrf_token": csrf_token(page), "department": "Construction", "only_without_password": "y"},
    )
    html = sheet.get_data(as_text=True)
    assert "Ravi Kumar" in html and "Amina" not in html
    import re

    code = re.search(r'class="code" dir="ltr">([A-Z2-7-]+)<', html).group(1)
    with app.app_context():
        stored = db.session.scalars(select(ActivationCode.code_hash)).one()
        assert code.replace("-", "") not in stored
    person = app.test_client()
    form = person.get("/activate").get_data(as_text=True)
    wrong = person.post(
        "/activate",
        data={
            "csrf_token": csrf_token(form),
            "employee_id": "E100",
            "code": code,
            "password": "a-long-password",
            "confirm": "a-long-password",
        },
    )
    assert wrong.status_code == 400
    ok = person.post(
        "/activate",
        data={
            "csrf_token": csrf_token(form),
            "employee_id": "E101",
            "code": code.lower(),
            "password": "a-long-password",
            "confirm": "a-long-password",
        },
    )
    assert ok.status_code == 302 and person.get("/training").status_code == 200
    again = app.test_client()
    form = again.get("/activate").get_data(as_text=True)
    reused = again.post(
        "/activate",
        data={
            "csrf_token": csrf_token(form),
            "employee_id": "E101",
            "code": code,
            "password": "another-password",
            "confirm": "another-password",
        },
    )
    assert reused.status_code == 400
    assert Auth(app.test_client()).login("E101", "a-long-password").status_code == 302


def test_manual_assignment_to_department_and_person_with_due_date(app, admin_client):
    upload(admin_client, GOOD)
    page = admin_client.get("/admin/assign").get_data(as_text=True)
    token = csrf_token(page)
    response = admin_client.post(
        "/admin/assign",
        data={
            "csrf_token": token,
            "course_id": "demo_course",
            "target": "department",
            "department": "Construction",
            "due": "2027-03-31",
        },
    )
    import re as _re

    assert response.status_code == 302, _re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    with app.app_context():
        due = db.session.scalar(select(Assignment.due_at).join(User).where(User.employee_id == "E101"))
        assert due.date().isoformat() == "2027-03-31"
        other = db.session.scalar(select(Assignment.due_at).join(User).where(User.employee_id == "E100"))
        assert other.date().isoformat() != "2027-03-31"
        assert db.session.scalars(select(AuditLog.action)).all()[-1] == "assignment.manual"
    missing = admin_client.post(
        "/admin/assign",
        data={
            "csrf_token": token,
            "course_id": "demo_course",
            "target": "user",
            "employee_id": "NOPE",
            "due": "2027-03-31",
        },
    )
    assert missing.status_code == 400 and "Nobody you manage matches" in missing.get_data(as_text=True)
    empty = admin_client.post(
        "/admin/assign",
        data={"csrf_token": token, "course_id": "demo_course", "target": "user", "employee_id": "", "due": ""},
    )
    assert empty.status_code == 400


def test_an_admin_cannot_name_themself_a_manager(app, admin_client):
    """/team would show them that person's reports, also outside their scope."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.employee_id == "admin"))
        admin.email = "Boss@example.com"
        db.session.commit()
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "employee_id": "E900",
        "name": "New Person",
        "country": "KE",
        "hr_locale": "",
        "roles": ["learner"],
        "active": "y",
        "manager_email": "boss@example.com",
    }
    refused = admin_client.post("/admin/users/new", data=data)
    assert refused.status_code == 400 and "E900" not in users(app)
    assert "You cannot name yourself as this person&#39;s manager" in refused.get_data(as_text=True)
    created = admin_client.post("/admin/users/new", data={**data, "manager_email": "other@example.com"})
    assert created.status_code == 302 and users(app)["E900"].manager_email == "other@example.com"


def test_an_import_cannot_name_the_importing_admin_a_manager(app, admin_client):
    """The same rule through the HR file: a row naming the admin who uploads it is refused,
    unless the HR feed already named them."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.employee_id == "admin"))
        admin.email = "boss@example.com"
        db.session.commit()
    row = "E901,Named Report,,Warehouse,KE,en,learner,{}\n"
    refused = upload_csv(admin_client, HEADER + row.format("Boss@Example.com"))
    assert refused.status_code == 400 and "You cannot name yourself as this person" in refused.get_data(as_text=True)
    assert "E901" not in users(app)
    with app.app_context():
        db.session.add(User(employee_id="E901", name="Named Report", country="KE", manager_email="boss@example.com"))
        db.session.commit()
    kept = upload_csv(admin_client, HEADER + row.format("boss@example.com"))
    assert kept.status_code in (200, 302) and users(app)["E901"].manager_email == "boss@example.com"
