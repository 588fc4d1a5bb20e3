"""The CSV import's full-feed mode (issue 15): the people a full feed does not list are
deactivated, after a preview that changes no one, within the importing admin's reach."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import AuditLog, User, utcnow
from elearn.tasks.models import TaskRun

from .conftest import Auth, csrf_token, make_app, wipe
from .db_diff import difference, snapshot

HEADER = "employee_id,name,email,department,country,locale,roles,manager_email\n"
#: lists only "stay" (and a newcomer): everyone else active is a leaver
FEED = HEADER + "stay,Stay Here,,Construction,AE,hi,learner,\nnew1,New Person,,Construction,AE,hi,learner,\n"


def people(app, make_user):
    """Active learners in and out of the Arab States, a case handler, someone inactive and
    someone deleted by provisioning."""
    make_user(employee_id="stay", country="AE", assign=False)
    make_user(employee_id="leaver_ae", name="Leila Ae", country="AE", assign=False)
    make_user(employee_id="leaver_ke", name="Kamau Ke", country="KE", assign=False)
    make_user(employee_id="handler", name="Hana Handler", country="AE", roles="case_handler", assign=False)
    make_user(employee_id="gone", country="AE", active=False, assign=False)
    make_user(employee_id="deleted", country="AE", active=False, deleted_at=utcnow(), assign=False)


def active(app) -> dict[str, bool]:
    with app.app_context():
        return dict(db.session.execute(select(User.employee_id, User.active)).all())


def preview(client, text: str = FEED, **fields):
    page = client.get("/admin/users/import").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "file": (io.BytesIO(text.encode()), "hr.csv"), "full_feed": "y", **fields}
    return client.post("/admin/users/import", content_type="multipart/form-data", data=data)


def confirm(client, response):
    html = response.get_data(as_text=True)
    return confirm_id(client, preview_id(html), html)


def preview_id(html: str) -> str:
    match = re.search(r'<input[^>]*name="preview"[^>]*>', html)
    assert match, "no confirm form"
    return re.search(r'value="(\d+)"', match.group(0)).group(1)


def confirm_id(client, preview_id: str, html: str):
    return client.post("/admin/users/import/confirm", data={"csrf_token": csrf_token(html), "preview": preview_id})


def listed(html: str) -> set[str]:
    table = html.split('class="data leavers"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r"<tr><td>([^<]+)</td>", table))


def test_preview_lists_the_missing_active_people_and_changes_no_one(app, make_user, admin_client):
    people(app, make_user)
    before = snapshot(app)
    response = preview(admin_client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # an unscoped admin reaches everyone (auth/grants.refusal), the case handler too; never themself
    assert listed(html) == {"leaver_ae", "leaver_ke", "handler"}
    assert "3 active people are not in the file and will be deactivated" in html
    diff = difference(before, snapshot(app))
    assert set(diff) == {"task_runs"}  # only the kept file: nobody changed
    (run,) = diff["task_runs"].added
    assert run["state"] == "preview" and "new1," in run["result"]["text"]
    tasks = admin_client.get("/admin/tasks")
    assert tasks.status_code == 200 and "New Person" not in tasks.get_data(as_text=True)  # the kept file stays hidden


def test_confirm_deactivates_exactly_the_previewed_people_ends_their_sessions_and_audits(app, make_user, admin_client):
    people(app, make_user)
    leaver = app.test_client()
    Auth(leaver).login("leaver_ae")
    assert leaver.get("/training").status_code == 200
    done = confirm(admin_client, preview(admin_client))
    assert done.status_code == 200 and "3 people who are not in the file were deactivated" in done.get_data(
        as_text=True
    )
    assert active(app) == {
        "admin": True,
        "stay": True,
        "new1": True,
        "leaver_ae": False,
        "leaver_ke": False,
        "handler": False,
        "gone": False,
        "deleted": False,
    }
    assert leaver.get("/training").status_code == 302  # signed out at the next request
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "users.full_feed")).one()
        assert entry.after == {"deactivated": 3, "employee_ids": ["handler", "leaver_ae", "leaver_ke"]}
        run = db.session.scalars(select(TaskRun)).one()
        assert run.state == "done" and "text" not in run.result  # the file is not kept once applied
    # the same preview cannot be applied twice
    again = confirm_id(admin_client, str(run.id), done.get_data(as_text=True))
    assert again.status_code == 400


def test_scoped_admin_deactivates_only_learners_in_their_scope(app, make_user, admin_client, scoped_admin):
    people(app, make_user)
    client = scoped_admin("region", "arab_states", country="AE")
    shown = preview(client)
    assert shown.status_code == 200
    assert listed(shown.get_data(as_text=True)) == {"leaver_ae"}  # not KE, not the case handler, not themself
    assert confirm(client, shown).status_code == 200
    states = active(app)
    assert not states["leaver_ae"]
    assert states["leaver_ke"] and states["handler"] and states["scoped"] and states["admin"]


def test_a_file_with_errors_refuses_full_feed_and_changes_nothing(app, make_user, admin_client):
    people(app, make_user)
    before = snapshot(app)
    bad = preview(admin_client, FEED + "bad id!,No,,Construction,AE,hi,learner,\n")
    assert bad.status_code == 400 and "nobody was deactivated" in bad.get_data(as_text=True)
    both = preview(admin_client, FEED, valid_only="y")
    assert both.status_code == 400 and "must have no errors" in both.get_data(as_text=True)
    assert difference(before, snapshot(app)) == {}


def test_a_stale_tampered_or_foreign_confirmation_changes_nothing(app, make_user, admin_client, scoped_admin):
    people(app, make_user)
    shown = preview(admin_client)
    html = shown.get_data(as_text=True)
    make_user(employee_id="hired_since", country="KE", assign=False)  # would be deactivated too
    other = scoped_admin("region", "arab_states", employee_id="other_admin", country="AE")
    other_page = other.get("/admin/users/import").get_data(as_text=True)
    before = snapshot(app)
    stale = confirm(admin_client, shown)
    assert stale.status_code == 400 and "no longer those of the preview" in stale.get_data(as_text=True)
    run_id = preview_id(html)
    for tampered in ("abc", "999999", run_id + "0", "", "-1", "١"):
        assert confirm_id(admin_client, tampered, html).status_code == 400
    assert confirm_id(other, run_id, other_page).status_code == 400  # not their preview
    assert difference(before, snapshot(app)) == {}


def test_large_full_feed_deactivates_in_the_background_task(database_url, tmp_path, make_user):
    app = make_app(database_url, tmp_path, ELEARN_IMPORT_SYNC_ROWS=1)
    try:
        with app.app_context():
            from elearn.auth.passwords import hash_password

            db.session.add_all(
                [
                    User(employee_id="boss", name="Boss", roles="admin", password_hash=hash_password("pw-123456789")),
                    User(employee_id="stay", name="Stay", country="AE", active=True),
                    User(employee_id="leaver", name="Leaver", country="AE", active=True),
                ]
            )
            db.session.commit()
        admin = app.test_client()
        Auth(admin).login("boss", "pw-123456789")
        shown = preview(admin)
        assert listed(shown.get_data(as_text=True)) == {"leaver"}
        queued = confirm(admin, shown)
        assert queued.status_code == 302 and queued.headers["Location"].endswith("/admin/tasks")
        assert active(app) == {"boss": True, "stay": True, "new1": True, "leaver": False}
        with app.app_context():
            run = db.session.scalars(select(TaskRun)).one()
            assert run.state == "done" and run.result["deactivated"] == 1
            assert db.session.scalar(select(AuditLog.after).where(AuditLog.action == "users.full_feed")) == {
                "deactivated": 1,
                "employee_ids": ["leaver"],
            }
    finally:
        wipe(app)


def test_people_an_lms_sent_are_not_leavers(app, make_user, admin_client):
    """SCORM dispatch and LTI learners (employee id lms-..., lti-...) are in no HR file: a
    full feed keeps them."""
    people(app, make_user)
    make_user(employee_id="lms-1-0123456789abcdef", assign=False)
    make_user(employee_id="lti-1-0123456789abcdef", assign=False)
    assert listed(preview(admin_client).get_data(as_text=True)) == {"leaver_ae", "leaver_ke", "handler"}
