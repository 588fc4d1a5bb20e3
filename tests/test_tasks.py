"""Background tasks: reminders by real SMTP, LRS retries shown to admins, large imports
as jobs, and two Redis consumers that never run a task twice."""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Assignment, User, utcnow
from elearn.tasks.jobs import forward_xapi, send_reminders_task
from elearn.tasks.models import TaskRun
from elearn.tasks.runs import new_run

from .conftest import FIXTURE_CONTENT, Auth, csrf_token, make_app, wipe
from .helpers import completion_of
from .test_access_log import free_port

ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def mail_app(database_url, tmp_path, smtp):
    app = make_app(database_url, tmp_path, ELEARN_SMTP_HOST="127.0.0.1", ELEARN_SMTP_PORT=smtp[0])
    yield app
    wipe(app)


def due_in(app, uid, days):
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        a.due_at = utcnow() + timedelta(days=days)
        db.session.commit()


def test_reminders_reach_a_real_smtp_server_in_the_recipients_language(mail_app, smtp, make_user):
    _, inbox = smtp
    app = mail_app
    from elearn.auth.passwords import hash_password

    from .conftest import PASSWORD

    with app.app_context():
        for employee_id, email, locale, manager in (
            ("soon", "soon@example.com", "hi", None),
            ("late", "late@example.com", "en", "boss@example.com"),
            ("far", "far@example.com", "en", None),
        ):
            user = User(
                employee_id=employee_id,
                name=employee_id.title(),
                email=email,
                hr_locale=locale,
                country="AE",
                manager_email=manager,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
        db.session.add(User(employee_id="boss", name="Boss", email="boss@example.com", hr_locale="es", roles="learner"))
        db.session.flush()
        from elearn.training.assignments import apply_audience_rules

        for user in db.session.scalars(select(User).where(User.employee_id.in_(["soon", "late", "far"]))):
            apply_audience_rules(user, app.extensions["elearn_catalog"], 30)
        db.session.commit()
        ids = dict(db.session.execute(select(User.employee_id, User.id)).all())
    due_in(app, ids["soon"], 3)
    due_in(app, ids["late"], -2)
    due_in(app, ids["far"], 20)
    with app.app_context():
        run_id = new_run("reminders")
        send_reminders_task(run_id)
        stored = db.session.get(TaskRun, run_id)
        assert stored.state == "done", stored.error
    by_recipient = {m["To"]: m for m in inbox.messages}
    assert set(by_recipient) == {"soon@example.com", "boss@example.com"}
    assert "डेमो जागरूकता" in by_recipient["soon@example.com"]["Subject"]  # Hindi course title
    assert "Late" in by_recipient["boss@example.com"]["Subject"]
    assert "no ha completado" in by_recipient["boss@example.com"].get_content()  # the manager reads Spanish
    with app.app_context():
        send_reminders_task(new_run("reminders"))  # nothing is sent twice
    assert len(inbox.messages) == 2


def test_reminders_without_smtp_are_skipped(app, make_user):
    make_user()
    with app.app_context():
        run_id = new_run("reminders")
        send_reminders_task(run_id)
        assert db.session.get(TaskRun, run_id).result == {"new_cycles": 0, "skipped": "ELEARN_SMTP_HOST is not set"}


def test_daily_task_starts_a_new_cycle_for_expired_completions(app, make_user):

    uid = make_user()
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        a.due_at = utcnow() - timedelta(days=400)
        db.session.add(
            completion_of(
                a,
                score=90,
                completed_at=utcnow() - timedelta(days=380),
                expires_at=utcnow() - timedelta(days=15),
                certificate_code="OLD-1",
            )
        )
        db.session.commit()
        run_id = new_run("reminders")
        send_reminders_task(run_id)
        assert db.session.get(TaskRun, run_id).result["new_cycles"] == 1
        from elearn.training.learner_status import status_expression

        current = db.session.execute(
            select(Assignment.cycle, Assignment.due_at, status_expression()).where(
                Assignment.user_id == uid, Assignment.current.is_(True)
            )
        ).one()
        assert current.cycle == 2 and current.due_at > utcnow() and current.status == "expired"


def test_failing_lrs_is_retried_with_backoff_and_shown_to_admins(database_url, tmp_path):
    port = free_port()  # nothing listens here: the LRS is down
    app = make_app(database_url, tmp_path, ELEARN_LRS_ENDPOINT=f"http://127.0.0.1:{port}/xapi")
    from elearn.auth.passwords import hash_password
    from elearn.training.assignments import apply_audience_rules

    def make_user(employee_id, hr_locale):
        with app.app_context():
            user = User(
                employee_id=employee_id,
                name="Done",
                hr_locale=hr_locale,
                country="AE",
                password_hash=hash_password("pw-123456789"),
            )
            db.session.add(user)
            db.session.flush()
            apply_audience_rules(user, app.extensions["elearn_catalog"], 30)
            db.session.commit()
            return user.id

    try:
        assert forward_xapi.settings["default_retries"] == 5
        assert (forward_xapi.settings["default_retry_delay"], forward_xapi.settings["default_retry_backoff"]) == (10, 2)

        uid = make_user(employee_id="done1", hr_locale="en")
        with app.app_context():
            from elearn.auth.passwords import hash_password

            db.session.add(
                User(
                    employee_id="boss",
                    name="Boss",
                    roles="admin",
                    hr_locale="en",
                    password_hash=hash_password("pw-123456789"),
                )
            )
            assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
            db.session.add(completion_of(assignment, score=90, certificate_code="LRS-1"))
            db.session.commit()
        admin = app.test_client()
        Auth(admin).login("boss", "pw-123456789")
        page = admin.get("/admin/tasks").get_data(as_text=True)
        response = admin.post("/admin/tasks/xapi", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 302
        with app.app_context():
            run = db.session.scalars(select(TaskRun)).one()
            assert run.state == "retrying" and run.attempts == 1 and "unreachable" in run.error
        page = admin.get("/admin/tasks").get_data(as_text=True)
        assert "Failed, will retry" in page and "LRS unreachable" in page
        from elearn.tasks.queue import huey

        assert len(huey.scheduled()) >= 1  # the retry is scheduled, not lost
        for task in huey.scheduled():
            huey.revoke_by_id(task.id)
    finally:
        wipe(app)


def test_large_page_import_runs_as_a_job_with_progress(database_url, tmp_path, make_user):
    app = make_app(database_url, tmp_path, ELEARN_IMPORT_SYNC_ROWS=2)
    try:
        from .test_admin_users import GOOD

        with app.app_context():
            from elearn.auth.passwords import hash_password

            db.session.add(
                User(
                    employee_id="boss",
                    name="Boss",
                    roles="admin",
                    hr_locale="en",
                    password_hash=hash_password("pw-123456789"),
                )
            )
            db.session.commit()
        admin = app.test_client()
        Auth(admin).login("boss", "pw-123456789")
        page = admin.get("/admin/users/import").get_data(as_text=True)
        response = admin.post(
            "/admin/users/import",
            content_type="multipart/form-data",
            data={"csrf_token": csrf_token(page), "file": (io.BytesIO(GOOD.encode()), "hr.csv")},
        )
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/tasks")
        with app.app_context():
            run = db.session.scalars(select(TaskRun)).one()
            assert (run.name, run.state, run.progress) == ("import_users", "done", 100)
            assert run.result["created"] == 3
            assert db.session.scalar(select(User.id).where(User.employee_id == "E101")) is not None
        assert "User import" in admin.get("/admin/tasks").get_data(as_text=True)
    finally:
        wipe(app)


def test_two_redis_consumers_never_run_a_task_twice(postgresql_database, tmp_path):
    from huey import RedisHuey

    app = make_app(postgresql_database, tmp_path)
    queue = f"elearn-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": postgresql_database,
        "ELEARN_CONTENT_DIR": str(FIXTURE_CONTENT),
        "ELEARN_INSTANCE_DIR": str(tmp_path),
        "ELEARN_REDIS_URL": "redis://127.0.0.1:6379/0",
        "ELEARN_QUEUE_NAME": queue,
        "ELEARN_CONCERN_KEYS": __import__("elearn.concerns.crypto", fromlist=["x"]).new_key(),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "elearn.command", "worker", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        producer = RedisHuey(queue, url="redis://127.0.0.1:6379/0")
        producer._registry.register(send_reminders_task.task_class)
        with app.app_context():
            runs = [new_run("reminders") for _ in range(60)]
        for run_id in runs:
            producer.enqueue(send_reminders_task.s(run_id))
        deadline = time.time() + 60
        while time.time() < deadline:
            with app.app_context():
                done = db.session.scalars(select(TaskRun).where(TaskRun.state == "done")).all()
                db.session.remove()
            if len(done) == len(runs):
                break
            time.sleep(0.3)
        with app.app_context():
            attempts = db.session.execute(select(TaskRun.id, TaskRun.attempts, TaskRun.state)).all()
        assert len(attempts) == 60
        assert all(state == "done" and n == 1 for _, n, state in attempts), attempts
        producer.storage.flush_all()
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(15)
        wipe(app)
