"""Managers see their team (issue #17): the people the HR feed names them manager of,
directly or through others, their status per course (the one status rule), reminders,
and nothing else; everyone else gets 403."""

import re
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from elearn.extensions import db
from elearn.models import Assignment, AuditLog, ModuleProgress, User, utcnow
from elearn.reminders import Reminder
from elearn.training.learner_status import status_expression

from .conftest import Auth, csrf_token
from .helpers import completion_of
from .test_tasks import mail_app, smtp  # noqa: F401 - an app sending to a real SMTP server

NAME_CELL = re.compile(r"<tr><td data-content><bdi>([^<]+)</bdi></td>")
#: (name, status) of each row of the team table
ROW_STATUS = re.compile(r"<tr><td data-content><bdi>([^<]+)</bdi>.*?status status-(\w+)", re.S)


def person(make_user, employee_id, manager=None, **fields):
    """A person in the HR feed: email <employee_id>@example.com, the given manager's email."""
    fields.setdefault("email", f"{employee_id}@example.com")
    fields.setdefault("name", f"{employee_id.title()} Person")
    return make_user(employee_id=employee_id, hr_locale="en", manager_email=manager, **fields)


@pytest.fixture
def chain(make_user):
    """C reports to B, B to A (named with another case, as HR feeds do); D is elsewhere."""
    return {
        "a": person(make_user, "a"),
        "b": person(make_user, "b", "A@Example.COM"),
        "c": person(make_user, "c", "b@example.com"),
        "d": person(make_user, "d", "someone@example.com"),
    }


def signed_in(app, employee_id):
    client = app.test_client()
    assert Auth(client).login(employee_id).status_code == 302
    return client


def names_on(client, query=""):
    response = client.get(f"/team{query}")
    assert response.status_code == 200, response.status_code
    return NAME_CELL.findall(response.get_data(as_text=True))


def set_user(app, user_id, **values):
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def current_assignment(app, user_id):
    with app.app_context():
        return db.session.scalar(select(Assignment).where(Assignment.user_id == user_id))


def test_a_sees_b_and_c_b_sees_c_c_is_refused(app, chain):
    assert names_on(signed_in(app, "a")) == ["B Person", "C Person"]
    assert names_on(signed_in(app, "b")) == ["C Person"]
    assert signed_in(app, "c").get("/team").status_code == 403
    assert signed_in(app, "d").get("/team").status_code == 403


def test_the_page_shows_nothing_else(app, chain):
    set_user(app, chain["c"], department="Dyeing", display_name="साक्षी")
    html = signed_in(app, "b").get("/team").get_data(as_text=True)
    assert "C Person" in html and "Dyeing" in html
    for private in ("c@example.com", "b@example.com", "Score", "साक्षी"):
        assert private not in html


def test_a_deactivated_report_disappears(app, chain):
    set_user(app, chain["b"], active=False)
    # a chain goes through active people only: C's manager has left
    assert signed_in(app, "a").get("/team").status_code == 403
    set_user(app, chain["b"], active=True)
    set_user(app, chain["c"], active=False)
    assert names_on(signed_in(app, "a")) == ["B Person"]
    assert signed_in(app, "b").get("/team").status_code == 403


def test_a_loop_of_managers_ends(app, make_user):
    person(make_user, "x", "y@example.com")
    person(make_user, "y", "x@example.com")
    person(make_user, "z", "y@example.com")
    assert names_on(signed_in(app, "x")) == ["Y Person", "Z Person"]
    assert names_on(signed_in(app, "y")) == ["X Person", "Z Person"]


def test_statuses_are_those_of_the_status_expression(app, make_user):
    person(make_user, "boss")
    ids = {name: person(make_user, name, "boss@example.com") for name in ("fresh", "started", "late", "done")}
    with app.app_context():
        by_user = {a.user_id: a for a in db.session.scalars(select(Assignment))}
        db.session.add(ModuleProgress(assignment_id=by_user[ids["started"]].id, module_id="basics", locale="en"))
        by_user[ids["late"]].due_at = utcnow() - timedelta(days=2)
        db.session.add(completion_of(by_user[ids["done"]]))
        db.session.commit()
        expected = dict(
            db.session.execute(select(User.name, status_expression()).join(User, User.id == Assignment.user_id)).all()
        )
    html = signed_in(app, "boss").get("/team").get_data(as_text=True)
    shown = dict(ROW_STATUS.findall(html))
    assert shown == {n: s for n, s in expected.items() if n != "Boss Person"}
    assert sorted(shown.values()) == ["completed", "in_progress", "not_started", "overdue"]
    client = signed_in(app, "boss")
    for name, status in shown.items():
        assert ROW_STATUS.findall(client.get(f"/team?status={status}").get_data(as_text=True)) == [(name, status)]


def test_filters_direct_reports_and_course(app, chain):
    client = signed_in(app, "a")
    assert names_on(client, "?direct=y") == ["B Person"]
    assert names_on(client, "?course=demo_course") == ["B Person", "C Person"]
    assert names_on(client, "?course=no_such_course&status=nonsense") == ["B Person", "C Person"]  # dropped
    set_user(app, chain["c"], active=True)
    with app.app_context():
        db.session.add(completion_of(db.session.scalar(select(Assignment).where(Assignment.user_id == chain["c"]))))
        db.session.commit()
    assert names_on(client, "?status=completed") == ["C Person"]
    assert names_on(client, "?status=completed&direct=y") == []


def test_a_page_is_one_query_whatever_the_number_of_reports(app, make_user):
    person(make_user, "boss")
    for n in range(53):
        person(make_user, f"r{n:02}", "boss@example.com", password=None)
    client = signed_in(app, "boss")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = client.get("/team")
        on_first = len(statements)
        statements.clear()
        second = client.get("/team?page=2")
        on_second = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(NAME_CELL.findall(first.get_data(as_text=True))) == 50
    assert len(NAME_CELL.findall(second.get_data(as_text=True))) == 3
    assert "Page 2 of 2" in second.get_data(as_text=True)
    assert on_first == on_second <= 4  # the person, whether they manage, the page (and a BEGIN)


def test_the_team_link_is_for_managers_and_costs_page_views_no_query(app, chain):
    learner = signed_in(app, "c")
    assert "/team" not in learner.get("/training").get_data(as_text=True)
    manager = signed_in(app, "b")
    assert 'href="/team"' in manager.get("/training").get_data(as_text=True)
    assert 'href="/team"' in manager.get("/courses/demo_course/modules/basics").get_data(as_text=True)
    assert "/team" not in learner.get("/courses/demo_course/modules/basics").get_data(as_text=True)  # shell cache
    asked = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "lower(users.manager_email)" in statement:
            asked.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        manager.get("/training")
        manager.get("/courses/demo_course/modules/basics")
        assert asked == []
        app.config["ELEARN_MANAGER_RECHECK_SECONDS"] = -1  # the saved answer is never recent: asked again
        manager.get("/courses/demo_course/modules/basics")
        assert len(asked) == 1
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with manager.session_transaction() as saved:
        assert saved["_manages"][0::2] == (chain["b"], True)
    manager.post("/logout", data={"csrf_token": csrf_token(manager.get("/training").get_data(as_text=True))})
    with manager.session_transaction() as saved:
        assert "_manages" not in saved  # nothing of this person stays in the cookie


def test_the_page_is_valid_html_right_to_left(app, chain, tmp_path):
    from .test_html_validity import VNU

    set_user(app, chain["a"], hr_locale="ar")
    page = tmp_path / "team.html"
    page.write_bytes(signed_in(app, "a").get("/team").data)
    checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", str(page)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_route_role_table(app, chain, make_user):
    make_user(employee_id="admin", roles="learner admin", hr_locale="en")
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    table = {  # role: (GET /team, POST /team/remind without a course)
        "anon": (302, 302),
        "c": (403, 403),  # a learner who manages nobody
        "b": (200, 400),  # a manager
        "admin": (403, 403),  # admins use the reports
        "handler": (403, 403),
    }
    for role, (page, remind) in table.items():
        client = app.test_client() if role == "anon" else signed_in(app, role)
        token = csrf_token(client.get("/concerns").get_data(as_text=True))
        assert client.get("/team").status_code == page, role
        assert client.post("/team/remind", data={"csrf_token": token}).status_code == remind, role
        assert client.post("/team/remind", data={"course": "demo_course"}).status_code == 400, role  # no token


# --- reminders -------------------------------------------------------------------------


@pytest.fixture
def mail_chain(mail_app):  # noqa: F811
    from elearn.auth.passwords import hash_password
    from elearn.training.assignments import apply_audience_rules

    from .conftest import PASSWORD

    ids = {}
    with mail_app.app_context():
        for employee_id, manager, locale in (("a", None, "en"), ("b", "a", "en"), ("c", "b", "es"), ("d", "x", "en")):
            user = User(
                employee_id=employee_id,
                name=f"{employee_id.title()} Person",
                email=f"{employee_id}@example.com",
                manager_email=f"{manager}@example.com" if manager else None,
                hr_locale=locale,
                country="AE",
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
            apply_audience_rules(user, mail_app.extensions["elearn_catalog"], 30)
            ids[employee_id] = user.id
        db.session.commit()
    return ids


def remind(client, **data):
    token = csrf_token(client.get("/team").get_data(as_text=True))
    return client.post("/team/remind", data={"csrf_token": token, **data}, follow_redirects=True)


def reminder_rows(app):
    with app.app_context():
        return db.session.scalars(select(Reminder.assignment_id)).all()


def test_a_reminder_reaches_the_report_in_their_language(mail_app, mail_chain, smtp):  # noqa: F811
    _, inbox = smtp
    client = signed_in(mail_app, "a")
    page = remind(client, course="demo_course", person=str(mail_chain["c"])).get_data(as_text=True)
    assert "1 reminder sent, 0 skipped: reminded in the last day." in page
    assert [m["To"] for m in inbox.messages] == ["c@example.com"]
    assert "Recordatorio" in inbox.messages[0]["Subject"]  # C reads Spanish: the learner's own reminder
    with mail_app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "team.remind"))
        assert (entry.actor_id, entry.target) == (mail_chain["a"], "c")
        assert entry.after == {"course": "demo_course", "sent": 1, "skipped": 0}


def test_a_non_report_is_refused_and_nothing_is_sent(mail_app, mail_chain, smtp):  # noqa: F811
    _, inbox = smtp
    client = signed_in(mail_app, "b")
    for outsider in ("a", "d", "b"):  # B's own manager, someone elsewhere, B themself
        response = remind(client, course="demo_course", person=str(mail_chain[outsider]))
        assert response.status_code == 403
    assert remind(client, course="no_such_course").status_code == 400
    assert "Not a valid choice" in remind(client, course="no_such_course").get_data(as_text=True)
    assert remind(client, course="demo_course", person="x").status_code == 400
    assert inbox.messages == [] and reminder_rows(mail_app) == []
    with mail_app.app_context():
        assert db.session.scalars(select(AuditLog)).all() == []


def test_someone_reminded_in_the_last_day_is_skipped(mail_app, mail_chain, smtp):  # noqa: F811
    _, inbox = smtp
    client = signed_in(mail_app, "a")
    remind(client, course="demo_course", person=str(mail_chain["c"]))
    page = remind(client, course="demo_course").get_data(as_text=True)  # everyone not completed: B and C
    assert "1 reminder sent, 1 skipped: reminded in the last day." in page
    assert sorted(m["To"] for m in inbox.messages) == ["b@example.com", "c@example.com"]
    with mail_app.app_context():
        db.session.execute(update(Reminder).values(sent_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    page = remind(client, course="demo_course").get_data(as_text=True)
    assert "2 reminders sent, 0 skipped" in page and len(inbox.messages) == 4
    assert len(reminder_rows(mail_app)) == 2  # one row per cycle, holding the latest


def test_the_due_date_reminder_counts_as_a_reminder(mail_app, mail_chain, smtp):  # noqa: F811
    _, inbox = smtp
    with mail_app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == mail_chain["c"]))
        db.session.add(Reminder(assignment_id=assignment.id, kind="due_soon"))
        db.session.commit()
    page = remind(signed_in(mail_app, "b"), course="demo_course").get_data(as_text=True)
    assert "0 reminders sent, 1 skipped" in page and inbox.messages == []


def test_remind_everyone_skips_the_completed_and_direct_only_stays_direct(mail_app, mail_chain, smtp):  # noqa: F811
    _, inbox = smtp
    with mail_app.app_context():
        db.session.add(
            completion_of(db.session.scalar(select(Assignment).where(Assignment.user_id == mail_chain["c"])))
        )
        db.session.commit()
    client = signed_in(mail_app, "a")
    assert "1 reminder sent, 0 skipped" in remind(client, course="demo_course").get_data(as_text=True)
    assert [m["To"] for m in inbox.messages] == ["b@example.com"]
    set_user(mail_app, mail_chain["b"], email=None)
    page = remind(client, course="demo_course", direct="y").get_data(as_text=True)
    assert "0 reminders sent, 0 skipped" in page and "1 person has no email address" in page


def test_without_a_mail_server_nothing_is_recorded(app, chain):
    page = remind(signed_in(app, "a"), course="demo_course").get_data(as_text=True)
    assert "Email is not set up on this site" in page
    assert reminder_rows(app) == []
    with app.app_context():
        assert db.session.scalars(select(AuditLog)).all() == []


def test_a_reminder_queued_for_someone_who_then_completes_is_not_sent(mail_app, mail_chain, smtp):  # noqa: F811
    """The task checks again when it runs: a queue that waited must not nag someone done."""
    from elearn.tasks.runs import new_run
    from elearn.team.jobs import remind_reports

    from .helpers import completion_of

    _, inbox = smtp
    with mail_app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == mail_chain["c"]))
        db.session.add(completion_of(assignment))
        db.session.commit()
        assignment_id = assignment.id
        run_id = new_run("reminders", mail_chain["a"])
    remind_reports(run_id, [assignment_id])
    assert inbox.messages == []
