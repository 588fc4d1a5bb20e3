"""Case deadlines (EU Directive 2019/1937 art. 9), the queue's order, reminders without
case content, reassignment and conflicts of interest, the handler's start page and a
history in the handler's language and time zone."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select

from elearn.concerns.deadlines import Periods, feedback_due, next_due
from elearn.concerns.jobs import deadline_reminders
from elearn.concerns.models import CaseConflict, CaseEvent, Concern, HandlerGroup
from elearn.extensions import db
from elearn.models import User, utcnow
from elearn.months import add_months

from .concern_helpers import file_report, handler_client, look_up, receipt_code
from .conftest import Auth, csrf_token, make_app, wipe
from .test_tasks import smtp  # noqa: F401 - the real SMTP server fixture

D = datetime


def test_calendar_months_and_the_directive_periods():
    assert add_months(D(2026, 5, 31, tzinfo=UTC), 1) == D(2026, 6, 30, tzinfo=UTC)
    assert add_months(D(2026, 11, 30, tzinfo=UTC), 3) == D(2027, 2, 28, tzinfo=UTC)
    assert add_months(D(2027, 11, 30, tzinfo=UTC), 3) == D(2028, 2, 29, tzinfo=UTC)
    received, p = D(2026, 1, 10, tzinfo=UTC), Periods(7, 3)
    # no acknowledgement sent: 3 months from the end of the 7 days (art. 9(1)(f))
    assert feedback_due(received, None, p) == D(2026, 4, 17, tzinfo=UTC)
    assert next_due(received, None, None, False, p) == D(2026, 1, 17, tzinfo=UTC)
    acknowledged = D(2026, 1, 12, tzinfo=UTC)
    assert next_due(received, acknowledged, None, False, p) == D(2026, 4, 12, tzinfo=UTC)
    assert next_due(received, acknowledged, D(2026, 3, 1, tzinfo=UTC), False, p) is None
    assert next_due(received, None, None, True, p) is None


def _case(app, **filters) -> Concern:
    with app.app_context():
        query = select(Concern).order_by(Concern.id)
        concern = db.session.scalars(query).all()[filters.get("index", 0)]
        db.session.expunge(concern)
        return concern


def _post(client, url, page_url, **data):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    tokens = {f"{prefix}csrf_token": token for prefix in ("", "assign-", "conflict-")}  # the page's forms
    return client.post(url, data={**tokens, **data})


def test_acknowledgement_then_feedback_move_the_deadline(app, client, make_user):
    code = receipt_code(file_report(client, language="ar"))
    concern = _case(app)
    assert concern.due_at == concern.created_at + timedelta(days=7)
    handler = handler_client(app, make_user)
    page = f"/cases/{concern.id}"
    assert "Acknowledgement due" in handler.get(page).get_data(as_text=True)
    assert _post(handler, f"/cases/{concern.id}/acknowledge", page).status_code == 302
    acknowledged = _case(app)
    assert acknowledged.acknowledged_at is not None
    assert acknowledged.due_at == add_months(acknowledged.acknowledged_at, 3)
    # the standard acknowledgement reaches the reporter in the language they chose
    with app.app_context():
        from elearn.concerns.models import ConcernMessage

        token = db.session.scalar(select(ConcernMessage.body_enc).where(ConcernMessage.kind == "answer"))
        sent = app.extensions["elearn_concern_cipher"].decrypt(token)
    assert any("\u0600" <= letter <= "\u06ff" for letter in sent) and "We have received" not in sent
    assert sent in look_up(client, code).get_data(as_text=True)
    # a second press sends nothing more
    _post(handler, f"/cases/{concern.id}/acknowledge", page)
    with app.app_context():
        assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.action == "answer").offset(1)) is None

    _post(
        handler,
        f"/cases/{concern.id}/answer",
        page,
        **{"answer-body": "We stopped the agency.", "answer-feedback": "y"},
    )
    done = _case(app)
    assert done.feedback_at is not None and done.due_at is None
    assert "Feedback given to the reporter" in handler.get(page).get_data(as_text=True)


def test_queue_puts_the_nearest_deadline_first(app, client, make_user):
    for description in ("first filed", "second filed", "third filed"):
        file_report(client, description=description)
    with app.app_context():
        first, second, third = db.session.scalars(select(Concern).order_by(Concern.id)).all()
        second.due_at = utcnow() - timedelta(days=2)  # overdue
        third.due_at = None  # both deadlines met
        db.session.commit()
        ids = [second.id, first.id, third.id]
    handler = handler_client(app, make_user)
    html = handler.get("/cases").get_data(as_text=True)
    positions = [html.index(f'href="/cases/{case_id}"') for case_id in ids]
    assert positions == sorted(positions)
    assert "overdue" in html


def test_reminders_name_no_case(database_url, tmp_path, smtp):  # noqa: F811
    port, inbox = smtp
    app = make_app(database_url, tmp_path, ELEARN_SMTP_HOST="127.0.0.1", ELEARN_SMTP_PORT=port)
    try:
        client = app.test_client()
        file_report(client, description="Forced overtime at the Lotus plant.")
        with app.app_context():
            from elearn.auth.passwords import hash_password

            for employee_id, roles, email in (
                ("handler", "case_handler", "handler@example.com"),
                ("grouped", "case_handler", "grouped@example.com"),
            ):
                db.session.add(
                    User(
                        employee_id=employee_id,
                        name=employee_id,
                        roles=roles,
                        email=email,
                        hr_locale="es",
                        password_hash=hash_password("x" * 12),
                    )
                )
            group = HandlerGroup(name="Americas", regions="americas")
            db.session.add(group)
            db.session.flush()
            group.members.append(db.session.scalar(select(User).where(User.employee_id == "grouped")))
            concern = db.session.scalar(select(Concern))
            concern.due_at = utcnow() + timedelta(days=1)
            public_id = concern.public_id
            db.session.commit()
            assert deadline_reminders() == 1
        assert [m["To"] for m in inbox.messages] == ["handler@example.com"]  # the grouped handler cannot see it
        message = inbox.messages[0]
        body = message.get_content()
        assert "1" in body and "/cases" in body
        for content in (public_id, "Lotus", "Forced", "AE", "forced_labour"):
            assert content not in body and content not in message["Subject"]
        with app.test_request_context(), force_locale("es"):
            assert _("Case deadlines") in message["Subject"]
    finally:
        wipe(app)


def test_lead_reassigns_and_history_names_it(app, client, make_user):
    file_report(client)
    concern = _case(app)
    lead = handler_client(app, make_user, employee_id="lead", roles="lead_case_handler", name="Lee Lead")
    handler_client(app, make_user, employee_id="helper", name="Harriet Helper")
    plain = handler_client(app, make_user, employee_id="plain")
    with app.app_context():
        group = HandlerGroup(name="Gulf team", regions="arab_states")
        db.session.add(group)
        db.session.commit()
        group_id = group.id
        helper_id = db.session.scalar(select(User.id).where(User.employee_id == "helper"))
    page = f"/cases/{concern.id}"
    # only a lead reassigns
    assert _post(plain, f"/cases/{concern.id}/assign", page, **{"assign-group": str(group_id)}).status_code == 403
    response = _post(
        lead, f"/cases/{concern.id}/assign", page, **{"assign-group": str(group_id), "assign-assignee": str(helper_id)}
    )
    assert response.status_code == 302
    assert (_case(app).group_id, _case(app).assignee_id) == (group_id, helper_id)
    history = lead.get(page).get_data(as_text=True)
    assert "Assigned: group Gulf team, handler Harriet Helper" in history
    # a value not offered is refused and changes nothing
    bad = _post(lead, f"/cases/{concern.id}/assign", page, **{"assign-group": "99999", "assign-assignee": ""})
    assert bad.status_code == 400 and _case(app).group_id == group_id
    # the plain handler in no group no longer sees a case routed to a group
    assert plain.get(page).status_code == 404


def test_conflict_of_interest_takes_the_handler_off_the_case(app, client, make_user):
    file_report(client)
    concern = _case(app)
    handler = handler_client(app, make_user)
    with app.app_context():
        handler_id = db.session.scalar(select(User.id).where(User.employee_id == "handler"))
        db.session.get(Concern, concern.id).assignee_id = handler_id
        db.session.commit()
    page = f"/cases/{concern.id}"
    unconfirmed = _post(handler, f"/cases/{concern.id}/conflict", page)  # the box not ticked: nothing happens
    assert unconfirmed.headers["Location"].endswith(page) and handler.get(page).status_code == 200
    response = _post(handler, f"/cases/{concern.id}/conflict", page, **{"conflict-confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases")
    assert handler.get(page).status_code == 404
    assert f'href="{page}"' not in handler.get("/cases").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Concern, concern.id).assignee_id is None
        assert db.session.scalar(select(CaseConflict.user_id)) == handler_id
    lead = handler_client(app, make_user, employee_id="lead", roles="lead_case_handler")
    assert "Declared a conflict of interest" in lead.get(page).get_data(as_text=True)


@pytest.mark.parametrize(
    "roles, start",
    [("case_handler", "/cases"), ("lead_case_handler", "/cases"), ("grievance_reporting", "/cases/statistics")],
)
def test_a_handler_without_training_starts_on_the_queue(app, make_user, roles, start):
    make_user(employee_id="only-handler", roles=roles, hr_locale="en", assign=False)
    client = app.test_client()
    response = Auth(client).login("only-handler")
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 302 and landing.headers["Location"].endswith(start)


def test_history_in_the_handlers_language_and_time_zone(app, client, make_user):
    file_report(client)
    concern = _case(app)
    handler = handler_client(app, make_user, hr_locale="es", timezone="America/Mexico_City")
    page = f"/cases/{concern.id}"
    _post(handler, f"/cases/{concern.id}/status", page, status="under_review")
    html = handler.get(page).get_data(as_text=True)
    with app.test_request_context(), force_locale("es"):
        received, review = pgettext("case status", "Received"), _("Under review")
    assert received != "Received" and f"{received} → {review}" in html
    assert "received -> under_review" not in html
    with app.app_context():
        at = db.session.scalar(select(CaseEvent.at).where(CaseEvent.action == "status"))
    local = at.astimezone(__import__("zoneinfo").ZoneInfo("America/Mexico_City"))
    assert f"{local.hour}:{local.minute:02d}" in html or f"{local.hour % 12 or 12}:{local.minute:02d}" in html


def test_a_reporter_message_after_feedback_or_closing_is_due_for_a_reply(app, client, make_user):
    code = receipt_code(file_report(client))
    concern = _case(app)
    handler = handler_client(app, make_user)
    page = f"/cases/{concern.id}"
    _post(handler, f"/cases/{concern.id}/answer", page, **{"answer-body": "We acted.", "answer-feedback": "y"})
    _post(handler, f"/cases/{concern.id}/status", page, status="closed")
    assert _case(app).due_at is None and _case(app).status == "closed"

    from .concern_helpers import reply

    reply(client, look_up(client, code).get_data(as_text=True), "It started again last week.")
    reopened = _case(app)
    assert reopened.status == "under_review" and reopened.closed_at is None
    assert reopened.due_at is not None and reopened.due_at <= utcnow() + timedelta(days=7)
    queue = handler.get("/cases").get_data(as_text=True)  # open cases only: it is back in the queue
    assert f'href="{page}"' in queue
    assert "message opened the closed case again" in handler.get(page).get_data(as_text=True)
    _post(handler, f"/cases/{concern.id}/answer", page, **{"answer-body": "We will look again."})
    assert _case(app).due_at is None  # the reply met it


def test_a_files_field_sent_as_text_is_no_upload(app, client, make_user):
    """A multipart part without a usable file name arrives as text (found by the form fuzz):
    the answer is stored without files, never a 500."""
    file_report(client)
    concern = _case(app)
    handler = handler_client(app, make_user)
    page = f"/cases/{concern.id}"
    sent = _post(handler, f"/cases/{concern.id}/answer", page, **{"answer-body": "We looked.", "answer-files": "x"})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.action == "answer")) is not None
