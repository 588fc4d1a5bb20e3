"""Large report exports run as tasks (issue #17): queued by a POST, progress on a page,
the file kept in the database for its requester only, the scope read when the task runs,
expired files never served and purged. Small reports still download at once."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from elearn.admin.models import AdminScope, GeneratedFile
from elearn.extensions import db
from elearn.models import User, utcnow
from elearn.tasks.models import TaskRun
from elearn.tasks.queue import huey

from .conftest import Auth, csrf_token, make_app, wipe


@pytest.fixture
def big_app(database_url, tmp_path):
    """Reports of more than 2 rows are exported in the background."""
    app = make_app(database_url, tmp_path, ELEARN_EXPORT_INLINE_ROWS=2)
    yield app
    wipe(app)


@pytest.fixture
def people(big_app):
    """Four learners (two in the Arab States, one each in North America and elsewhere) and
    two unscoped admins; returns the admins' signed-in clients by employee id."""
    from elearn.auth.passwords import hash_password
    from elearn.training.assignments import apply_audience_rules

    from .conftest import PASSWORD

    with big_app.app_context():
        catalog = big_app.extensions["elearn_catalog"]
        for employee_id, country, roles in (
            ("ae1", "AE", "learner"),
            ("jo1", "JO", "learner"),
            ("us1", "US", "learner"),
            ("ke1", "KE", "learner"),
            ("boss", "US", "admin"),
            ("other", "US", "admin"),
        ):
            user = User(
                employee_id=employee_id,
                name=f"Person {employee_id}",
                country=country,
                hr_locale="en",
                department="Construction",
                roles=roles,
                active=True,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
            if roles == "learner":
                apply_audience_rules(user, catalog, 30)
        db.session.commit()
    clients = {}
    for employee_id in ("boss", "other", "ae1"):
        clients[employee_id] = big_app.test_client()
        Auth(clients[employee_id]).login(employee_id)
    return clients


def queue(client, fmt="xlsx", **filters):
    page = client.get("/admin/reports").get_data(as_text=True)
    return client.post("/admin/reports/export", data={"csrf_token": csrf_token(page), "format": fmt, **filters})


def finished_file(client, response) -> str:
    """Follows the export to its page; returns the download link it shows."""
    assert response.status_code == 302 and "/admin/exports/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done" in page and 'value="100"' in page
    match = re.search(r'href="(/admin/files/\d+)"', page)
    assert match, page
    return match.group(1)


def sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_a_large_report_offers_background_buttons_and_its_get_starts_no_work(big_app, people):
    boss = people["boss"]
    page = boss.get("/admin/reports").get_data(as_text=True)
    assert 'action="/admin/reports/export"' in page and "/admin/reports.xlsx" not in page
    assert "/admin/reports.csv" in page  # the machine CSV streams at any size
    response = boss.get("/admin/reports.xlsx?course=demo_course")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/reports?course=demo_course")
    assert boss.get("/admin/reports-for-excel.csv").status_code == 302
    with big_app.app_context():
        assert db.session.scalar(select(TaskRun.id)) is None


def test_a_small_report_downloads_at_once(big_app, people):
    boss = people["boss"]
    page = boss.get("/admin/reports?country=AE").get_data(as_text=True)
    assert "/admin/reports.xlsx?country=AE" in page and 'action="/admin/reports/export"' not in page
    response = boss.get("/admin/reports.xlsx?country=AE")
    assert response.status_code == 200
    assert [row[0] for row in sheet_rows(response.data)[1:]] == ["ae1"]


def test_queued_export_is_downloaded_by_its_requester_only(big_app, people):
    boss, other, learner = people["boss"], people["other"], people["ae1"]
    response = queue(boss, "xlsx", department="Construction")
    link = finished_file(boss, response)
    download = boss.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=completions.xlsx"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    rows = sheet_rows(download.data)
    assert rows[0][0] == "Employee ID" and sorted(r[0] for r in rows[1:]) == ["ae1", "jo1", "ke1", "us1"]
    assert other.get(link).status_code == 404
    assert other.get(response.headers["Location"]).status_code == 404  # nor its progress page
    assert learner.get(link).status_code == 403
    assert boss.get(link.replace("/files/", "/files/9")).status_code == 404


def test_export_for_excel_in_the_background_is_the_same_csv(big_app, people):
    boss = people["boss"]
    link = finished_file(boss, queue(boss, "csv-excel"))
    download = boss.get(link)
    assert download.headers["Content-Disposition"] == "attachment; filename=completions-excel.csv"
    text = download.get_data(as_text=True)
    assert text.startswith("\ufeffEmployee ID,") and text.count("\r\n") == 5  # heading and 4 rows


def test_scope_narrowed_after_queueing_applies_when_the_task_runs(big_app, people):
    boss = people["boss"]
    with big_app.app_context():
        boss_id = db.session.scalar(select(User.id).where(User.employee_id == "boss"))

    @huey.pre_execute()
    def narrow_scope(task):
        """Runs between queueing and running (tasks run at once in tests)."""
        with db.engine.begin() as conn:
            conn.execute(insert(AdminScope).values(admin_id=boss_id, kind="region", value="arab_states"))

    try:
        response = queue(boss, "xlsx")
    finally:
        huey.unregister_pre_execute(narrow_scope)
    rows = sheet_rows(boss.get(finished_file(boss, response)).data)
    assert sorted(r[0] for r in rows[1:]) == ["ae1", "jo1"]


def test_no_file_after_expiry_or_once_the_requester_is_no_active_admin(big_app, people):
    boss = people["boss"]
    link = finished_file(boss, queue(boss))
    with big_app.app_context():
        db.session.execute(update(GeneratedFile).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert boss.get(link).status_code == 404
    with big_app.app_context():
        db.session.execute(update(GeneratedFile).values(expires_at=utcnow() + timedelta(hours=1)))
        db.session.execute(update(User).where(User.employee_id == "boss").values(roles="learner"))
        db.session.commit()
    assert boss.get(link).status_code == 403  # no longer an admin
    with big_app.app_context():
        db.session.execute(update(User).where(User.employee_id == "boss").values(roles="admin", active=False))
        db.session.commit()
    response = boss.get(link)  # a deactivated person's session ends: to the sign-in page
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_bad_format_is_refused_and_queues_nothing(big_app, people):
    response = queue(people["boss"], "pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/reports")
    assert "Choose the file format" in people["boss"].get("/admin/reports").get_data(as_text=True)
    with big_app.app_context():
        assert db.session.scalar(select(TaskRun.id)) is None


def test_purge_removes_expired_files_only(big_app, people):
    boss = people["boss"]
    finished_file(boss, queue(boss))
    finished_file(boss, queue(boss, "csv-excel"))
    with big_app.app_context():
        first = db.session.scalar(select(GeneratedFile.id).order_by(GeneratedFile.id))
        db.session.execute(
            update(GeneratedFile).where(GeneratedFile.id == first).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    result = big_app.test_cli_runner().invoke(args=["files", "purge"])
    assert result.exit_code == 0 and "purged 1 expired file(s)" in result.output
    with big_app.app_context():
        assert db.session.scalars(select(GeneratedFile.id)).all() != [first]
        assert len(db.session.scalars(select(GeneratedFile.id)).all()) == 1


def test_a_file_goes_when_its_requesters_scope_changes(big_app, people):
    """A file made under the old scope may list people now outside it."""
    from elearn.admin.scope import set_scope
    from elearn.auth.grants import Scope

    boss = people["boss"]
    link = finished_file(boss, queue(boss))
    assert boss.get(link).status_code == 200
    with big_app.app_context():
        boss_id = db.session.scalar(select(User.id).where(User.employee_id == "boss"))
        set_scope(boss_id, Scope(regions=frozenset({"arab_states"})))  # what the user form calls
        db.session.commit()
        assert db.session.scalar(select(GeneratedFile.id)) is None
    assert boss.get(link).status_code == 404
