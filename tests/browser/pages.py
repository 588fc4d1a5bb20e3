"""Every page type a person can open, by who opens it: the one list the browser tests
walk (test_locales: language and axe per locale; test_phone_layout: fit on a phone).

A new page type is one line under who sees it. Paths may name ids the test made:
{attempt} (a quiz attempt of the learner), {code} (their certificate code), {user}
(a learner's id, for admin pages), {case} (a reported concern), {site} and {site_code} (a
supplier site, see `supplier_site`); `page_path()` fills them in.
"""

from __future__ import annotations

from sqlalchemy import select

from elearn.extensions import db
from elearn.i18n import LOCALES
from elearn.models import Assignment, ModuleProgress, QuizAttempt, User
from elearn.suppliers.models import SupplierSite
from elearn.training.assignments import apply_audience_rules

from ..conftest import csrf_token
from ..helpers import completion_of

CERTIFICATE_CODE = "ABCD-EFGH-IJKL-MNOP"

#: no account needed
VISITOR_PAGES = {
    "sign-in": "/login",
    "activation": "/activate",
    "concerns": "/concerns?country=US",
    "concern-form": "/concerns/report",
    "concern-status": "/concerns/status",
    "verify": "/verify/{code}",
    "not-found": "/no-such-page",
}
#: a supplier's worker without an account (the site offers every language)
SUPPLIER_PAGES = {
    "supplier-landing": "/s/{site_code}",
    "supplier-module": "/s/{site_code}/modules/basics",
    "supplier-quiz": "/s/{site_code}/quiz",
}
#: a signed-in learner who completed demo_course (see `complete_demo_course`)
LEARNER_PAGES = {
    "index": "/",
    "training": "/training",
    "course": "/courses/demo_course",
    "module": "/courses/demo_course/modules/risks",
    "quiz": "/courses/demo_course/quiz",
    "result": "/courses/demo_course/attempts/{attempt}",
    "certificate": "/courses/demo_course/certificate",
    "second-factor": "/account/second-factor",  # anyone may turn one on (a QR code and a form)
    "team": "/team",  # the learner manages one person (complete_demo_course)
    # asked once after an LMS launch created the person (elearn/scorm/routes.py)
    "lms-country": "/scorm/country?course=demo_course&region=arab_states",
}
ADMIN_PAGES = {
    "admin-home": "/admin/",
    "users": "/admin/users",
    "user-form": "/admin/users/{user}",
    "new-user": "/admin/users/new",
    "report": "/admin/reports",
    "trends": "/admin/reports/trends?period=week",
    "item-analysis": "/admin/reports/items?course=demo_course",
    "item-question": "/admin/reports/items/demo_course/passport/hi",
    "subscriptions": "/admin/subscriptions",
    "import": "/admin/users/import",
    "assign": "/admin/assign",
    "tasks": "/admin/tasks",
    "audit": "/admin/audit",
    "tokens": "/admin/api-tokens",
    "activation-codes": "/admin/activation-codes",
    "kiosks": "/admin/kiosks",
    "kiosk-pins": "/admin/kiosk-pins",
    "supplier-sites": "/admin/supplier-sites",
    "supplier-site": "/admin/supplier-sites/{site}",
    "new-supplier-site": "/admin/supplier-sites/new",
    "sso-roles": "/admin/sso",
    "lms": "/admin/lms",
    "lti-registrations": "/lti/registrations",
    "new-lti-registration": "/lti/registrations/new",
}  # a site's poster is an A4 sheet, not a screen: tests/browser/test_supplier_journey.py prints it
#: a lead case handler (the lead's pages and every handler's)
CASE_HANDLER_PAGES = {
    "cases": "/cases",
    "case": "/cases/{case}",
    "case-statistics": "/cases/statistics",
    "handler-groups": "/cases/groups",
    "new-handler-group": "/cases/groups/new",
}


def page_path(template: str, ids: dict) -> str:
    return template.format(**ids)


def complete_demo_course(app, user_id, code: str = CERTIFICATE_CODE) -> dict:
    """The learner read every module of demo_course, failed the quiz once and then
    completed the course (certificate `code`), and manages one person who has not started
    it: their ids for the paths above."""
    with app.app_context():
        learner = db.session.get(User, user_id)
        learner.email = learner.email or f"{learner.employee_id}@example.com"
        report = User(
            employee_id=f"report-of-{learner.employee_id}",
            name="Chinonso Adaeze Okonkwo-Eze",
            country="NG",
            manager_email=learner.email,
        )
        db.session.add(report)
        db.session.flush()
        apply_audience_rules(report, app.extensions["elearn_catalog"], 30)
        assignment = db.session.query(Assignment).filter_by(user_id=user_id).one()
        for module_id in ("basics", "signs", "risks"):
            db.session.add(ModuleProgress(assignment_id=assignment.id, module_id=module_id, locale="en"))
        attempt = QuizAttempt(
            assignment_id=assignment.id,
            token=f"attempt-{user_id}",
            questions=[{"id": "fees", "options": ["true", "false"]}, {"id": "signs", "options": ["a", "b", "c"]}],
            answers={"fees": ["false"], "signs": ["a"]},
            score=50,
            passed=False,
            locale="en",
            course_version="1.0.0",
        )
        db.session.add(attempt)
        db.session.add(completion_of(assignment, certificate_code=code))
        db.session.commit()
        return {"attempt": attempt.id, "code": code}


def supplier_site(app, admin_client) -> dict:
    """A supplier site in every language, made through the admin page (the fixture course
    stands in for Forced Labor Awareness): its ids for the paths above."""
    app.config["ELEARN_SUPPLIER_COURSE"] = "demo_course"
    page = admin_client.get("/admin/supplier-sites/new").get_data(as_text=True)
    fields = {"supplier_name": "Al Noor Garment Manufacturing and Export Company LLC", "country": "AE"}
    fields |= {"site_name": "Jebel Ali Free Zone, Plant 3 (cutting and sewing)", "first_language": "hi"}
    response = admin_client.post(
        "/admin/supplier-sites/new", data={"csrf_token": csrf_token(page), **fields, "other_languages": list(LOCALES)}
    )
    assert response.status_code == 302, response.status_code
    with app.app_context():
        site = db.session.scalars(select(SupplierSite)).one()
        return {"site": site.id, "site_code": site.public_code}
