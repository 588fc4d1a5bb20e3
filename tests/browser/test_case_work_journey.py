"""Case work in chromium, in Hindi (a lead) and Arabic (a handler): acknowledge, reassign,
give feedback, drop out of a case with a conflict of interest."""

from sqlalchemy import select

from elearn.concerns.models import CaseConflict, Concern, HandlerGroup
from elearn.extensions import db
from elearn.models import User

from ..concern_helpers import file_report, receipt_code
from ..conftest import PASSWORD
from .conftest import axe_violations, screenshot, sign_in


def test_lead_in_hindi_and_handler_in_arabic_work_a_case(app, live_server, browser, make_user):
    receipt_code(file_report(app.test_client(), language="hi"))
    make_user(employee_id="lead", roles="lead_case_handler", hr_locale="hi", assign=False, timezone="Asia/Kolkata")
    make_user(employee_id="handler", roles="case_handler", hr_locale="ar", assign=False, name="Huda Handler")
    with app.app_context():
        group = HandlerGroup(name="Gulf", regions="arab_states")
        db.session.add(group)
        db.session.commit()
        group_id = group.id
        handler_id = db.session.scalar(select(User.id).where(User.employee_id == "handler"))
        case_id = db.session.scalar(select(Concern.id))

    lead = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740}).new_page()
    sign_in(lead, live_server, "lead", PASSWORD, landing="/cases")  # no training: the queue first
    assert lead.get_attribute("html", "lang") == "hi"
    lead.click(f"table.data a[href='/cases/{case_id}']")
    lead.click(f"form[action='/cases/{case_id}/acknowledge'] button")
    lead.select_option("#assign-group", str(group_id))
    lead.select_option("#assign-assignee", str(handler_id))
    lead.click(f"form[action='/cases/{case_id}/assign'] button")
    lead.wait_for_load_state("load")  # the click waits for the next page to start, not to finish
    assert "Huda Handler" in lead.inner_text("ol.history")
    assert axe_violations(lead) == []
    assert lead.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(lead, "hi-case-lead")
    lead.context.close()

    handler = browser.new_context().new_page()
    sign_in(handler, live_server, "handler", PASSWORD, landing="/cases")
    assert handler.get_attribute("html", "dir") == "rtl"
    handler.click(f"table.data a[href='/cases/{case_id}']")
    handler.fill("#answer-body", "أوقفنا التعامل مع الوكالة.")
    handler.check("#answer-feedback")
    handler.click(f"form[action='/cases/{case_id}/answer'] button")
    handler.check("#conflict-confirm")
    handler.click(f"form[action='/cases/{case_id}/conflict'] button")
    handler.wait_for_url(f"{live_server}/cases")
    assert f"/cases/{case_id}" not in handler.content()
    screenshot(handler, "ar-case-queue-after-conflict")
    handler.context.close()

    with app.app_context():
        concern = db.session.get(Concern, case_id)
        assert concern.acknowledged_at is not None and concern.feedback_at is not None and concern.due_at is None
        assert (concern.group_id, concern.assignee_id) == (group_id, None)
        assert db.session.scalar(select(CaseConflict.user_id)) == handler_id
