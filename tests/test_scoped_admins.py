"""A scoped admin manages learners in their scope only: every path that could make
them (or anyone) more powerful is refused, and changes nothing."""

import re

import pytest
from sqlalchemy import func, select

from elearn.admin.models import AdminScope
from elearn.auth.models import ActivationCode
from elearn.extensions import db
from elearn.models import AuditLog, User
from elearn.tasks.models import TaskRun

from .conftest import Auth, csrf_token
from .helpers import upload_csv

HEADER = "employee_id,name,email,department,country,locale,roles,manager_email\n"
SCOPES = [("region", "arab_states"), ("department", "Construction")]


def state(app):
    """Everything an escalation could change: people, their roles, scopes, codes."""
    with app.app_context():
        return (
            sorted(
                db.session.execute(
                    select(User.employee_id, User.name, User.country, User.department, User.roles, User.password_hash)
                ).all()
            ),
            sorted(db.session.execute(select(AdminScope.admin_id, AdminScope.kind, AdminScope.value)).all()),
            db.session.scalar(select(func.count()).select_from(ActivationCode)),
        )


@pytest.fixture
def people(app, make_user):
    """In the Arab States and in Construction: a learner, a case handler and an admin;
    outside both: a learner in Kenya's warehouse."""
    return {
        "learner": make_user(employee_id="L1", country="AE", department="Construction", hr_locale="en"),
        "handler": make_user(
            employee_id="H1", country="AE", department="Construction", roles="case_handler", assign=False
        ),
        "admin": make_user(employee_id="A1", country="JO", department="Construction", roles="learner admin"),
        "outsider": make_user(employee_id="K1", country="KE", department="Warehouse", hr_locale="en"),
    }


def user_form(user_id=None, **fields):
    data = {
        "employee_id": "N1",
        "name": "New Person",
        "country": "AE",
        "department": "Construction",
        "hr_locale": "en",
        "roles": ["learner"],
        "active": "y",
    }
    data.update(fields)
    return data


def post_user(client, path, data):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


upload = upload_csv


@pytest.mark.parametrize("kind,value", SCOPES)
def test_scoped_admin_cannot_create_an_admin_or_case_handler(app, people, scoped_admin, kind, value):
    client = scoped_admin(kind, value, country="AE", department="Construction")
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="learner"' in form and 'value="admin"' not in form and 'value="case_handler"' not in form
    assert 'name="scope_regions"' not in form and 'name="scope_departments"' not in form
    before = state(app)
    for roles in (["learner", "admin"], ["case_handler"]):
        response = post_user(client, "/admin/users/new", user_form(roles=roles))
        assert response.status_code == 400
    response = post_user(client, "/admin/users/new", user_form(scope_regions=["europe"]))
    assert response.status_code == 302  # a learner: the scope field is ignored, no scope written
    after = state(app)
    assert after[1] == before[1] and [r for r in after[0] if r[0] == "N1"][0][4] == "learner"


@pytest.mark.parametrize("kind,value", SCOPES)
def test_scoped_admin_gets_403_on_privileged_people_and_cannot_promote(app, people, scoped_admin, kind, value):
    client = scoped_admin(kind, value, country="AE", department="Construction")
    before = state(app)
    for target in ("handler", "admin"):
        assert client.get(f"/admin/users/{people[target]}").status_code == 403
        page = client.get(f"/admin/users/{people['learner']}").get_data(as_text=True)
        response = client.post(
            f"/admin/users/{people[target]}",
            data={"csrf_token": csrf_token(page), **user_form(employee_id="H1", roles=["learner"])},
        )
        assert response.status_code == 403
    assert client.get(f"/admin/users/{people['outsider']}").status_code == 404
    promoted = post_user(client, f"/admin/users/{people['learner']}", user_form(employee_id="L1", roles=["admin"]))
    assert promoted.status_code == 400
    assert state(app) == before


def test_scoped_admin_import_outside_scope_or_granting_roles_changes_nothing(app, people, scoped_admin):
    client = scoped_admin("region", "arab_states", country="AE", department="Construction")
    before = state(app)
    rows = [
        "N1,New Learner,,Construction,AE,en,learner,",  # fine on its own
        "N2,New Admin,,Construction,AE,en,learner admin,",  # grants admin
        "N3,New Handler,,Construction,AE,en,case_handler,",  # grants case_handler
        "N4,Kenyan,,Warehouse,KE,en,learner,",  # outside the scope
        "K1,Renamed Outsider,,Warehouse,AE,en,learner,",  # takes someone from outside
        "H1,Demoted Handler,,Construction,AE,en,learner,",  # changes a case handler
        "L1,Moved Away,,Construction,US,en,learner,",
    ]  # moves someone out of scope
    response = upload(client, HEADER + "\n".join(rows) + "\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "6 rows have errors. Nothing was imported." in html
    assert html.count("outside the users you manage") == 3
    assert html.count("only an administrator without a scope may") == 3
    assert state(app) == before


def test_scoped_admin_import_in_the_background_obeys_the_same_rule(database_url, tmp_path, make_user):
    from .conftest import make_app, wipe

    app = make_app(database_url, tmp_path, ELEARN_IMPORT_SYNC_ROWS=1)
    try:
        with app.app_context():
            admin = User(employee_id="scoped", name="S", roles="admin", country="AE", active=True)
            from elearn.auth.passwords import hash_password

            from .conftest import PASSWORD

            admin.password_hash = hash_password(PASSWORD)
            db.session.add(admin)
            db.session.flush()
            db.session.add(AdminScope(admin_id=admin.id, kind="region", value="arab_states"))
            db.session.commit()
        client = app.test_client()
        Auth(client).login("scoped")
        before = state(app)
        response = upload(
            client, HEADER + "N1,New Learner,,Construction,AE,en,learner,\nN2,New Admin,,Construction,AE,en,admin,\n"
        )
        assert response.status_code == 302
        assert state(app) == before
        with app.app_context():
            run = db.session.scalars(select(TaskRun)).one()
            assert run.result["applied"] is False
            assert [row for row, code, _v in run.result["errors"]] == [3]
            assert run.result["errors"][0][1] == "role_not_grantable"
        tasks = client.get("/admin/tasks").get_data(as_text=True)
        assert "only an administrator without a scope may give" in tasks
    finally:
        wipe(app)


def test_activation_codes_never_reach_a_privileged_person_for_a_scoped_admin(app, people, scoped_admin):
    client = scoped_admin("region", "arab_states", country="AE")
    page = client.get("/admin/activation-codes").get_data(as_text=True)
    sheet = client.post("/admin/activation-codes", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    codes = dict(re.findall(r'<bdi>(L1|H1|A1|K1|scoped)</bdi></td><td class="code" dir="ltr">([A-Z2-7-]+)<', sheet))
    assert set(codes) == {"L1"}, codes
    # The case handler's password cannot be replaced: no code of theirs exists.
    with app.app_context():
        holders = set(
            db.session.scalars(select(User.employee_id).join(ActivationCode, ActivationCode.user_id == User.id))
        )
    assert holders == {"L1"}
    person = app.test_client()
    form = csrf_token(person.get("/activate").get_data(as_text=True))
    taken = person.post(
        "/activate",
        data={
            "csrf_token": form,
            "employee_id": "H1",
            "code": codes["L1"],
            "password": "attacker-password",
            "confirm": "attacker-password",
        },
    )
    assert taken.status_code == 400
    assert Auth(app.test_client()).login("H1").status_code == 302  # their own password still works


def test_unscoped_admin_sets_scopes_and_issues_codes_to_anyone(app, people, make_user):
    make_user(employee_id="boss", roles="admin", assign=False)
    client = app.test_client()
    Auth(client).login("boss")
    response = post_user(
        client,
        "/admin/users/new",
        user_form(
            employee_id="S2", roles=["admin"], scope_regions=["arab_states"], scope_departments="Construction, Sourcing"
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        sid = db.session.scalar(select(User.id).where(User.employee_id == "S2"))
        assert set(
            db.session.execute(select(AdminScope.kind, AdminScope.value).where(AdminScope.admin_id == sid)).all()
        ) == {("region", "arab_states"), ("department", "Construction"), ("department", "Sourcing")}
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.create")).one()
        assert entry.after["scope_regions"] == ["arab_states"]
    page = client.get("/admin/activation-codes").get_data(as_text=True)
    sheet = client.post("/admin/activation-codes", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "H1" in sheet and "K1" in sheet


def test_report_filters_and_task_list_show_only_what_is_in_scope(app, people, scoped_admin, make_user):
    make_user(employee_id="E9", country="US", department="Finance")
    client = scoped_admin("region", "arab_states", country="AE", department="Construction")
    with app.app_context():
        boss = db.session.scalar(select(User.id).where(User.employee_id == "A1"))
        db.session.add(TaskRun(name="import_users", created_by=boss, result={"errors": [[2, "bad_name", ""]]}))
        db.session.commit()
    html = client.get("/admin/reports").get_data(as_text=True)
    region_select = re.search(r'<select id="r-region".*?</select>', html, re.S).group(0)
    country_select = re.search(r'<select id="r-country".*?</select>', html, re.S).group(0)
    department_select = re.search(r'<select id="r-department".*?</select>', html, re.S).group(0)
    assert 'value="arab_states"' in region_select and 'value="europe"' not in region_select
    assert 'value="AE"' in country_select and 'value="US"' not in country_select and 'value="KE"' not in country_select
    assert "Construction" in department_select and "Finance" not in department_select
    assert "Warehouse" not in department_select
    tasks = client.get("/admin/tasks").get_data(as_text=True)
    assert "User import" not in tasks
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert "Finance" not in users_page and 'value="US"' not in users_page
