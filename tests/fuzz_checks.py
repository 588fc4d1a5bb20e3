"""What the form fuzz test (test_form_fuzz.py) checks after each request: every table
before and after, and for each form what a 2xx/3xx may have written."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time

from sqlalchemy import select
from werkzeug.security import check_password_hash

from elearn.api.tokens import create_token
from elearn.auth.activation import issue_code
from elearn.auth.models import ActivationCode
from elearn.concerns.models import STATUSES
from elearn.extensions import db
from elearn.i18n import LOCALES
from elearn.models import User
from elearn.suppliers.models import SupplierSite

from .conftest import csrf_token
from .db_diff import Change, changed_columns


def stripped_or_none(value: str | None) -> str | None:
    return (value or "").strip() or None


# --- what a 2xx/3xx may have written, form by form ----------------------------------------


def check_nothing(c: Change):
    assert not c.diff, c.diff


def check_language(c: Change):
    c.only("users")
    if c.diff:
        ((before, after),) = c.table("users").changed
        assert before["id"] == c.ctx["people"]["learner"] and not c.table("users").added
        assert changed_columns(before, after) == {"chosen_locale"}
        assert after["chosen_locale"] == c.first("locale") and c.first("locale") in LOCALES


def check_activation(c: Change):
    c.only("users", "activation_codes")
    if not c.diff:
        return
    assert set(c.diff) == {"users", "activation_codes"}  # the code is spent with the password set
    ((before, after),) = c.table("users").changed
    assert before["id"] == c.ctx["people"]["imported"] and changed_columns(before, after) == {"password_hash"}
    assert check_password_hash(after["password_hash"], c.first("password"))
    assert c.first("password") == c.first("confirm")
    ((code_before, code_after),) = c.table("activation_codes").changed
    assert code_before["id"] == c.ctx["code_id"] and changed_columns(code_before, code_after) == {"used_at"}
    assert code_before["used_at"] is None and code_after["used_at"] is not None


def check_acknowledge(c: Change):
    c.only("module_progress", "completions")
    if not c.diff:
        return
    row = c.one_added("module_progress")
    assert (row["assignment_id"], row["module_id"]) == (c.ctx["assignment_id"], c.path["module_id"])
    assert c.path["course_id"] == "demo_course" and row["module_id"] in c.ctx["module_ids"]
    for completion in c.table("completions").added:
        assert completion["assignment_id"] == c.ctx["assignment_id"]


def check_quiz(c: Change):
    c.only("quiz_attempts", "completions")
    attempts = c.table("quiz_attempts")
    assert len(attempts.added) <= 1 and not attempts.removed and not attempts.changed
    for attempt in attempts.added:
        assert attempt["assignment_id"] == c.ctx["assignment_id"]
        posted = {name[2:]: sorted(c.all(name)) for name in c.payload if name.startswith("q-")}
        assert attempt["answers"] == posted and set(posted) == {q["id"] for q in attempt["questions"]}
        assert 0 <= attempt["score"] <= 100
    completions = c.table("completions")
    assert len(completions.added) <= 1 and not completions.removed and not completions.changed
    for completion in completions.added:
        passed = [
            a["score"]
            for a in c.after["quiz_attempts"].values()
            if a["assignment_id"] == c.ctx["assignment_id"] and a["passed"]
        ]
        assert completion["assignment_id"] == c.ctx["assignment_id"] and completion["score"] == max(passed)


def check_attachments(c: Change, concern_id: int, message_id: int | None) -> None:
    """Files posted with a report or message: kept only cleaned (text here), on it."""
    for attachment in c.table("concern_attachments").added:
        assert (attachment["concern_id"], attachment["message_id"]) == (concern_id, message_id), attachment
        assert attachment["media_type"] == "text/plain; charset=utf-8" and attachment["file_name"].startswith("text-")


def check_report(c: Change):
    c.only("concerns", "concern_attachments")
    if not c.diff:
        return
    row = c.one_added("concerns")
    check_attachments(c, row["id"], None)
    anonymous = c.flag("anonymous")
    assert (row["category"], row["country"], row["language"], row["anonymous"], row["status"]) == (
        c.first("category"),
        c.first("country") or None,
        c.first("language"),
        anonymous,
        "received",
    )
    assert c.decrypt(row["body_enc"]) == c.first("description").strip()
    assert c.decrypt(row["site_enc"]) == stripped_or_none(c.first("site"))
    assert c.decrypt(row["contact_enc"]) == (None if anonymous else stripped_or_none(c.first("contact")))


def check_case_status(c: Change):
    c.only("concerns", "case_events")
    if not c.diff:
        return
    ((before, after),) = c.table("concerns").changed
    assert before["id"] == c.path["case_id"]
    assert changed_columns(before, after) <= {"status", "updated_at", "closed_at", "due_at"}
    assert after["status"] == c.first("status") != before["status"] and after["status"] in STATUSES
    assert (after["closed_at"] is not None) == (after["status"] == "closed")
    event = c.one_added("case_events")
    assert (event["concern_id"], event["actor_id"], event["action"], event["detail"]) == (
        before["id"],
        c.ctx["people"]["handler"],
        "status",
        f"{before['status']} -> {after['status']}",
    )


def check_case_message(c: Change):
    c.only("concerns", "concern_messages", "case_events", "concern_attachments")
    if not c.diff:
        return
    kind = c.path["kind"]
    message = c.one_added("concern_messages")
    check_attachments(c, c.path["case_id"], message["id"])
    assert (message["concern_id"], message["kind"], message["author_id"]) == (
        c.path["case_id"],
        kind,
        c.ctx["people"]["handler"],
    )
    assert c.decrypt(message["body_enc"]) == c.first(f"{kind}-body").strip()
    ((before, after),) = c.table("concerns").changed
    events = c.table("case_events").added
    feedback = kind == "answer" and c.flag("answer-feedback")
    first_feedback = feedback and before["feedback_at"] is None
    assert sorted((e["concern_id"], e["action"]) for e in events) == sorted(
        [(c.path["case_id"], kind)] + ([(c.path["case_id"], "feedback")] if first_feedback else [])
    )
    # an answer acknowledges the report, may give the feedback, and opens the code for longer
    allowed = {"updated_at", "acknowledged_at", "feedback_at", "due_at", "reporter_access_until"}
    assert {"updated_at"} <= changed_columns(before, after) <= (allowed if kind == "answer" else {"updated_at"})
    assert (after["feedback_at"] is not None) == (before["feedback_at"] is not None or feedback)


def check_reporter_visit(c: Change):
    """Opening a case with its code writes only how long the code keeps working, by the day."""
    c.only("concerns")
    if not c.diff:
        return
    ((before, after),) = c.table("concerns").changed
    assert changed_columns(before, after) == {"reporter_access_until"}
    assert " 00:00:00" in str(after["reporter_access_until"]) or after["reporter_access_until"].hour == 0


def audit_entry(c: Change, action: str) -> dict:
    entry = c.one_added("audit_log")
    assert entry["action"] == action and entry["actor_id"] == c.ctx["people"]["admin"], entry
    return entry


def check_activation_codes(c: Change):
    c.only("activation_codes", "audit_log")
    if not c.diff:
        return
    department = c.first("department") or None
    only_new = c.first("only_without_password") == "y"
    entry = audit_entry(c, "activation_codes.issue")
    codes = c.table("activation_codes")
    wanted = {
        u["id"]
        for u in c.before["users"].values()
        if u["active"]
        and (not department or u["department"] == department[:120])
        and (not only_new or u["password_hash"] is None)
    }
    assert {row["user_id"] for row in codes.added} == wanted and entry["after"] == {"count": len(wanted)}
    for before, after in codes.changed:  # a new code replaces the person's unused one
        assert changed_columns(before, after) == {"used_at"} and before["user_id"] in wanted
    assert not codes.removed


def check_assign(c: Change):
    c.only("assignments", "audit_log")
    if not c.diff:
        return
    course_id, target = c.first("course_id"), c.first("target")
    entry = audit_entry(c, "assignment.manual")
    assert entry["target"] == f"{course_id}:{target}"
    due_date = datetime.strptime(" ".join(c.all("due")), "%Y-%m-%d").date()
    assert entry["after"]["due"] == due_date.isoformat()
    due = datetime.combine(due_date, time(23, 59), tzinfo=UTC)
    column = "employee_id" if target == "user" else "department"
    value = (c.first(column) or "").strip()
    people = {u["id"] for u in c.before["users"].values() if u["active"] and u[column] == value}
    assert people and entry["after"]["people"] == len(people)
    assignments = c.table("assignments")
    assert not assignments.removed
    for row in assignments.added:
        assert row["user_id"] in people and (row["course_id"], row["due_at"], row["source"], row["current"]) == (
            course_id,
            due,
            "manual",
            True,
        )
    for before, after in assignments.changed:
        assert before["user_id"] in people and changed_columns(before, after) == {"due_at"} and after["due_at"] == due
    for person in people:  # everyone matched now has the course due then: all of them, not some
        assert any(
            a["user_id"] == person and a["course_id"] == course_id and a["current"] and a["due_at"] == due
            for a in c.after["assignments"].values()
        )


def check_new_token(c: Change):
    c.only("api_tokens", "audit_log")
    name = (c.first("name") or "").strip()[:120]
    scopes = c.all("scopes")
    assert bool(c.diff) == bool(name and scopes and set(scopes) <= {"hr_read", "scim"})
    if c.diff:
        token = c.one_added("api_tokens")
        assert (token["name"], token["created_by"], token["revoked_at"]) == (name, c.ctx["people"]["admin"], None)
        assert set(token["scopes"].split()) == set(scopes)
        entry = audit_entry(c, "api_token.create")
        assert (entry["target"], entry["after"]) == (name, {"id": token["id"], "scopes": token["scopes"]})


def check_revoke(c: Change):
    c.only("api_tokens", "audit_log")
    if not c.diff:
        return
    ((before, after),) = c.table("api_tokens").changed
    assert before["id"] == c.path["token_id"] and changed_columns(before, after) == {"revoked_at"}
    assert before["revoked_at"] is None
    assert audit_entry(c, "api_token.revoke")["target"] == before["name"]


def check_task(c: Change):
    c.only("task_runs", "audit_log")
    if not c.diff:
        return
    run = c.one_added("task_runs")
    name = {"reminders": "reminders", "xapi": "forward_xapi"}[c.path["kind"]]
    assert (run["name"], run["created_by"]) == (name, c.ctx["people"]["admin"])
    entry = audit_entry(c, "task.start")
    assert (entry["target"], entry["after"]) == (name, {"run": run["id"]})


USER_COLUMNS = (
    "employee_id",
    "name",
    "display_name",
    "email",
    "department",
    "country",
    "hr_locale",
    "timezone",
    "manager_email",
    "roles",
    "active",
)


def check_user_form(c: Change):
    c.only("users", "audit_log", "admin_scopes", "assignments")
    if not c.diff:
        return
    users = c.table("users")
    editing = c.path.get("user_id")
    if editing is None:
        row = c.one_added("users")
        old = {}
        assert row["password_hash"] is None and row["chosen_locale"] is None
    else:
        assert not users.added and not users.removed and len(users.changed) <= 1
        old = c.before["users"][(editing,)]
        row = c.after["users"][(editing,)]
        assert changed_columns(old, row) <= set(USER_COLUMNS)

    def text(name):  # a field left out keeps the value the form was loaded with
        return c.first(name) if name in c.payload else old.get(name)

    expected = {
        "employee_id": text("employee_id").strip(),
        "name": text("name").strip(),
        "display_name": stripped_or_none(text("display_name")),
        "email": stripped_or_none(text("email")),
        "department": stripped_or_none(text("department")),
        "country": text("country"),
        "hr_locale": text("hr_locale") or None,
        "timezone": stripped_or_none(text("timezone")),
        "manager_email": stripped_or_none(text("manager_email")),
        "roles": " ".join(c.all("roles")) or "learner",
        "active": c.flag("active"),
    }
    assert {name: row[name] for name in USER_COLUMNS} == expected
    entry = audit_entry(c, "user.create" if editing is None else "user.update")
    assert entry["target"] == row["employee_id"]
    scope = {(s["kind"], s["value"]) for s in c.after["admin_scopes"].values() if s["admin_id"] == row["id"]}
    if "admin" in row["roles"].split():
        departments = {part.strip()[:120] for part in (c.first("scope_departments") or "").split(",") if part.strip()}
        assert scope == {("region", r) for r in c.all("scope_regions")} | {("department", d) for d in departments}
    else:
        assert scope == set()
    for s in c.table("admin_scopes").added + c.table("admin_scopes").removed:
        assert s["admin_id"] == row["id"]
    assignments = c.table("assignments")
    assert not assignments.changed and not assignments.removed
    for a in assignments.added:
        assert (a["user_id"], a["source"], a["current"]) == (row["id"], "audience", True)


def check_import(c: Change):
    c.only("users", "assignments", "audit_log", "task_runs")
    if not c.diff:
        return
    if c.flag("full_feed"):  # only a preview is kept (this admin's earlier one dropped): nobody changes
        c.only("task_runs")
        runs = c.table("task_runs")
        (run,) = runs.added
        assert run["state"] == "preview" and not runs.changed
        assert all(old["state"] == "preview" for old in runs.removed)
        return
    entry = audit_entry(c, "users.import")
    users = c.table("users")
    assert not users.removed
    if "task_runs" in c.diff:  # a large file: imported by the task, counted on its row
        run = c.one_added("task_runs")
        assert run["name"] == "import_users" and entry["after"] == {"task": run["id"]}
        counts = run["result"] if run["result"] and run["result"]["applied"] else {"created": 0, "updated": 0}
    else:
        counts = entry["after"]
    assert (len(users.added), len(users.changed)) == (counts["created"], counts["updated"])
    if users.added or users.changed:  # the person as some row of the file has them (not always the first)
        rows = {}
        for raw in list(csv.reader(io.StringIO(c.payload["file"].body.decode("utf-8-sig"))))[1:]:
            if len(raw) == 8:
                cells = [cell.strip() for cell in raw]
                rows.setdefault(cells[0], set()).add(
                    (cells[1], cells[2] or None, cells[3] or None, cells[4].upper(), cells[7] or None)
                )
    for row in users.added:
        assert row["active"] and row["password_hash"] is None
    for before, after in users.changed:
        assert changed_columns(before, after) <= {
            "name",
            "email",
            "department",
            "country",
            "hr_locale",
            "roles",
            "manager_email",
        }
    for row in users.added + [after for _, after in users.changed]:
        assert (row["name"], row["email"], row["department"], row["country"], row["manager_email"]) in rows[
            row["employee_id"]
        ]
    touched = {row["id"] for row in users.added} | {after["id"] for _, after in users.changed}
    assignments = c.table("assignments")
    assert not assignments.changed and not assignments.removed
    assert all(a["user_id"] in touched for a in assignments.added)


# --- who posts, where the form is -----------------------------------------------------------


def fresh_activation_code(app, ctx) -> dict:
    with app.app_context():
        user = db.session.get(User, ctx["people"]["imported"])
        code = issue_code(user)
        db.session.commit()
        code_id = db.session.scalar(
            select(ActivationCode.id).where(ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None))
        )
    return {"code": code, "code_id": code_id}


def fresh_api_token(app, ctx) -> dict:
    """The page shows a revoke form only for a token not yet revoked."""
    with app.app_context():
        token, _secret = create_token("Payroll", ctx["people"]["admin"])
        db.session.commit()
        return {"token_id": token.id}


def acknowledge_every_module(app, world, client):
    """So that a passing quiz completes the course."""
    for module_id in sorted(world["module_ids"]):
        page = client.get(f"/courses/demo_course/modules/{module_id}")
        response = client.post(
            f"/courses/demo_course/modules/{module_id}/acknowledge",
            data={"csrf_token": csrf_token(page.get_data(as_text=True))},
        )
        assert response.status_code == 302


def check_kiosk(c: Change):
    c.only("kiosks", "audit_log")
    if not c.diff:
        return
    kiosk = c.one_added("kiosks")
    assert kiosk["name"] == (c.first("name") or "").strip() and kiosk["name"]
    assert kiosk["country"] == c.first("country") and kiosk["locale"] == c.first("locale") in LOCALES
    assert kiosk["enrolment_hash"] and kiosk["device_hash"] is None and kiosk["created_by"] == c.ctx["people"]["admin"]
    assert audit_entry(c, "kiosk.create")["target"] == kiosk["name"]


def check_kiosk_pin(c: Change):
    c.only("kiosk_pins", "audit_log")
    if not c.diff:
        return
    pins = c.table("kiosk_pins")
    (row,) = pins.added or [after for _before, after in pins.changed]
    person = c.after["users"][(row["user_id"],)]
    assert person["employee_id"] == (c.first("employee_id") or "").strip()
    assert "admin" not in person["roles"].split() and "case_handler" not in person["roles"].split()
    assert row["temporary"] and row["failures"] == 0 and row["pin_hash"].startswith("scrypt:")
    assert audit_entry(c, "kiosk_pin.issue")["target"] == person["employee_id"]


def check_new_site(c: Change):
    c.only("supplier_sites", "audit_log")
    if not c.diff:
        return
    site = c.one_added("supplier_sites")
    assert (site["supplier_name"], site["site_name"]) == (
        c.first("supplier_name").strip(),
        c.first("site_name").strip(),
    )
    assert site["supplier_name"] and site["site_name"] and site["country"] == c.first("country")
    languages = site["languages"]
    assert languages[0] == c.first("first_language") and len(set(languages)) == len(languages)
    assert set(languages[1:]) == set(c.all("other_languages")) - {languages[0]} and set(languages) <= set(LOCALES)
    assert site["created_by"] == c.ctx["people"]["admin"] and site["closed_at"] is None
    assert audit_entry(c, "supplier_site.create")["after"]["public_code"] == site["public_code"]


def check_site_open_state(c: Change):
    c.only("supplier_sites", "audit_log")
    if not c.diff:
        return
    ((before, after),) = c.table("supplier_sites").changed
    assert before["id"] == c.ctx["site_id"] and changed_columns(before, after) == {"closed_at"}
    assert (after["closed_at"] is None) == (c.first("open") == "yes")
    audit_entry(c, "supplier_site.reopen" if c.first("open") == "yes" else "supplier_site.close")


def check_supplier_quiz(c: Change):
    """Nothing but the site's count: a first pass in this browser completes once."""
    c.only("supplier_counts")
    if not c.diff:
        return
    ((before, after),) = c.table("supplier_counts").changed
    assert after["completed"] == before["completed"] + 1 and after["started"] == before["started"]


def open_supplier_site(app, ctx) -> dict:
    """A site in the Arab States, open again if an example closed it."""
    with app.app_context():
        site = db.session.scalar(select(SupplierSite).where(SupplierSite.public_code == "fuzz-site"))
        if site is None:
            site = SupplierSite(
                public_code="fuzz-site", supplier_name="Acme", site_name="Plant 3", country="AE", languages=["en", "hi"]
            )
            db.session.add(site)
        site.closed_at = None
        db.session.commit()
        return {"site_id": site.id, "site_code": site.public_code}


def pass_supplier_quiz(app, world, client):
    """So that the completion page (and its name form) is there."""
    world.update(open_supplier_site(app, world))
    page = client.get("/s/fuzz-site/quiz").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    answers = {"q-passport": ["b"], "q-signs": ["a", "c"], "q-fees": ["false"]}
    response = client.post("/s/fuzz-site/quiz", data={"csrf_token": csrf_token(page), "attempt": attempt, **answers})
    assert 'class="score passed"' in response.get_data(as_text=True)


def check_lms_connection(c: Change):
    """An LMS connection is added (with its audit entry) only with a usable, new name."""
    c.only("lms_connections", "audit_log")
    if not c.diff:
        return
    row = c.one_added("lms_connections")
    assert row["name"] == (c.first("name") or "").strip() and row["name"]
    assert row["learner_ids_are_employee_ids"] == bool(c.first("learner_ids_are_employee_ids"))
    assert row["created_by"] == c.ctx["people"]["admin"] and row["revoked_at"] is None
    assert audit_entry(c, "lms.connection_added")["target"] == row["name"]


def check_lms_package(c: Change):
    """Building a package writes its audit entry and nothing else."""
    c.only("audit_log")
    if c.diff:
        assert audit_entry(c, "lms.package_built")["target"].endswith(".zip")
