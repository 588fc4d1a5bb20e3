"""Every route x every role, from the URL map: a new route without a row fails here."""

import pytest
from sqlalchemy import select

from elearn.admin.models import AdminScope
from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.models import Assignment, QuizAttempt, User
from elearn.suppliers.models import SupplierSite

from .concern_helpers import file_report
from .conftest import Auth, csrf_token
from .helpers import completion_of

ROLES = ("anon", "learner", "sourcing", "admin", "scoped_admin", "dept_admin", "case_handler")
#: endpoint -> expected status per role, in the order of ROLES (scoped_admin: scoped to
#: the Arab States region; dept_admin: scoped to the Construction department). GET where the route
#: allows it, otherwise a POST with a valid CSRF token and an empty body.
MATRIX = {
    "static": (200, 200, 200, 200, 200, 200, 200),
    "favicon": (302, 302, 302, 302, 302, 302, 302),
    "site.index": (302, 302, 302, 302, 302, 302, 302),
    "site.healthz": (200, 200, 200, 200, 200, 200, 200),
    "site.readyz": (200, 200, 200, 200, 200, 200, 200),
    # branding (tests/test_branding.py): no logo is configured in this app
    "brand.logo": (404, 404, 404, 404, 404, 404, 404),
    "brand.theme": (200, 200, 200, 200, 200, 200, 200),
    "site.set_language": (302, 302, 302, 302, 302, 302, 302),
    "auth.login": (200, 302, 302, 302, 302, 302, 302),
    "auth.logout": (302, 302, 302, 302, 302, 302, 302),
    "auth.activate": (200, 200, 200, 200, 200, 200, 200),
    # kiosk pages on an ordinary browser (tests/test_kiosks.py covers enrolled devices)
    "auth.enrol_kiosk": (404, 404, 404, 404, 404, 404, 404),
    "auth.kiosk_sign_in": (302, 302, 302, 302, 302, 302, 302),
    "auth.choose_pin": (302, 404, 404, 404, 404, 404, 404),
    "auth.kiosk_exit": (302, 302, 302, 302, 302, 302, 302),
    # second factor (tests/test_second_factor.py): the code step needs a half-done sign-in
    "auth.second_factor_sign_in": (302, 302, 302, 302, 302, 302, 302),
    "auth.second_factor_enrol": (302, 200, 200, 200, 200, 200, 200),
    # signed in without a factor: sent to set one up first
    "auth.renew_recovery_codes": (302, 302, 302, 302, 302, 302, 302),
    # a case handler with no training starts on the case queue
    "courses.my_training": (302, 200, 200, 200, 200, 200, 302),
    "courses.course_page": (302, 200, 200, 200, 403, 403, 403),
    "courses.module_page": (302, 200, 200, 200, 403, 403, 403),
    "courses.acknowledge": (302, 302, 302, 302, 403, 403, 403),
    # the final statement: to the course page until everything else is done
    "courses.confirm": (302, 302, 302, 302, 403, 403, 403),
    "courses.quiz": (302, 200, 200, 200, 403, 403, 403),
    "courses.submit_quiz": (302, 400, 400, 400, 403, 403, 403),
    "courses.attempt_result": (302, 200, 404, 404, 403, 403, 403),
    "courses.certificate": (302, 200, 404, 404, 404, 404, 404),
    "courses.certificate_pdf": (302, 200, 404, 404, 404, 404, 404),
    "courses.verify": (200, 200, 200, 200, 200, 200, 200),
    "concerns.concern_page": (200, 200, 200, 200, 200, 200, 200),
    "concerns.report": (200, 200, 200, 200, 200, 200, 200),
    "concerns.status": (200, 200, 200, 200, 200, 200, 200),
    "concerns.queue": (302, 403, 403, 403, 403, 403, 200),
    "concerns.case": (302, 403, 403, 403, 403, 403, 200),
    "concerns.set_status": (302, 403, 403, 403, 403, 403, 302),
    "concerns.add_case_message": (302, 403, 403, 403, 403, 403, 400),
    # the reporter's conversation: without the proof of a typed receipt code, "type it again"
    "concerns.reporter_message": (400, 400, 400, 400, 400, 400, 400),
    "concerns.reporter_file": (400, 400, 400, 400, 400, 400, 400),
    "concerns.acknowledge": (302, 403, 403, 403, 403, 403, 302),
    "concerns.conflict": (302, 403, 403, 403, 403, 403, 302),  # the box not ticked: back to the case
    "concerns.case_file": (302, 403, 403, 403, 403, 403, 404),
    # lead case handlers only (tests/test_handler_groups.py, tests/test_case_work.py)
    "concerns.assign_case": (302, 403, 403, 403, 403, 403, 403),
    "concerns.groups": (302, 403, 403, 403, 403, 403, 403),
    "concerns.new_group": (302, 403, 403, 403, 403, 403, 403),
    "concerns.edit_group": (302, 403, 403, 403, 403, 403, 403),
    "concerns.delete_group": (302, 403, 403, 403, 403, 403, 403),
    # case handlers and the grievance_reporting role (admins without it: 403)
    "concerns.statistics": (302, 403, 403, 403, 403, 403, 200),
    "concerns.statistics_csv": (302, 403, 403, 403, 403, 403, 200),
    "admin.home": (302, 403, 403, 302, 302, 302, 403),
    "admin.users": (302, 403, 403, 200, 200, 200, 403),
    "admin.edit_user": (302, 403, 403, 200, 200, 200, 403),
    "admin.import_users": (302, 403, 403, 200, 200, 200, 403),
    "admin.confirm_full_feed": (302, 403, 403, 400, 400, 400, 403),
    "admin.activation_codes": (302, 403, 403, 200, 200, 200, 403),
    "admin.reports": (302, 403, 403, 200, 200, 200, 403),
    "admin.report_csv": (302, 403, 403, 200, 200, 200, 403),
    "admin.report_csv_excel": (302, 403, 403, 200, 200, 200, 403),
    "admin.report_xlsx": (302, 403, 403, 200, 200, 200, 403),
    # background exports and scheduled reports (tests/test_background_exports.py,
    # tests/test_scheduled_reports.py): an empty form is refused with a message; no such
    # run, file or subscription of theirs is a 404
    "admin.queue_export": (302, 403, 403, 302, 302, 302, 403),
    "admin.export_run": (302, 403, 403, 404, 404, 404, 403),
    "admin.download_file": (302, 403, 403, 404, 404, 404, 403),
    "admin.subscriptions": (302, 403, 403, 200, 200, 200, 403),
    "admin.subscribe": (302, 403, 403, 302, 302, 302, 403),
    "admin.cancel_subscription": (302, 403, 403, 404, 404, 404, 403),
    "admin.report_trends": (302, 403, 403, 200, 200, 200, 403),
    "admin.item_analysis": (302, 403, 403, 200, 200, 200, 403),
    "admin.item_question": (302, 403, 403, 200, 200, 200, 403),
    "admin.api_tokens": (302, 403, 403, 200, 403, 403, 403),
    "admin.revoke_api_token": (302, 403, 403, 404, 403, 403, 403),
    "admin.audit_log": (302, 403, 403, 200, 403, 403, 403),
    "admin.audit_csv": (302, 403, 403, 200, 403, 403, 403),
    "admin.kiosks": (302, 403, 403, 200, 200, 403, 403),
    "admin.new_kiosk_enrolment": (302, 403, 403, 404, 404, 403, 403),
    "admin.revoke_kiosk": (302, 403, 403, 404, 404, 403, 403),
    "admin.kiosk_pins": (302, 403, 403, 200, 200, 200, 403),
    "admin.unlock_kiosk_pin": (302, 403, 403, 302, 302, 302, 403),
    "admin.reset_second_factor": (302, 403, 403, 302, 403, 403, 403),  # unscoped admins only
    "admin.assign_course": (302, 403, 403, 200, 200, 200, 403),
    "admin.tasks": (302, 403, 403, 200, 200, 200, 403),
    "admin.start_task": (302, 403, 403, 302, 403, 403, 403),
    "admin.xapi_export": (302, 403, 403, 200, 403, 403, 403),
    # single sign-on is off in this app: its pages are 404 (tests/test_oidc.py signs in through it)
    "auth.sso_start": (404, 404, 404, 404, 404, 404, 404),
    "auth.sso_callback": (404, 404, 404, 404, 404, 404, 404),
    # SAML sign-in is off here too (tests/test_saml.py signs in through it)
    "auth.saml_metadata": (404, 404, 404, 404, 404, 404, 404),
    "auth.saml_start": (404, 404, 404, 404, 404, 404, 404),
    "auth.saml_acs": (404, 404, 404, 404, 404, 404, 404),
    "admin.sso_roles": (302, 403, 403, 200, 403, 403, 403),
    "admin.delete_sso_role": (302, 403, 403, 404, 403, 403, 403),
    "api.completions": (401, 403, 403, 403, 403, 403, 403),
    "api.user_status": (401, 403, 403, 403, 403, 403, 403),
    # SCIM takes only a token with the scim scope; a session is not one (tests/test_scim.py)
    **{
        f"scim.{name}": (401,) * 7
        for name in (
            "provider_config",
            "resource_types",
            "resource_type",
            "schema_list",
            "schema",
            "list_users",
            "search_users",
            "get_user",
            "create_user",
            "replace_user",
            "patch_user",
            "delete_user",
        )
    },
    "api.openapi_document": (200, 200, 200, 200, 200, 200, 200),
    # a supplier site in the Arab States: its admin pages for an admin of its region, never
    # for a department-scoped one; its public course for anyone (suppliers/sites.py)
    "suppliers.static": (404, 404, 404, 404, 404, 404, 404),  # the world's file name is the app's own
    "suppliers.sites": (302, 403, 403, 200, 200, 403, 403),
    "suppliers.new_site": (302, 403, 403, 200, 200, 403, 403),
    "suppliers.site": (302, 403, 403, 200, 200, 403, 403),
    "suppliers.set_open_state": (302, 403, 403, 400, 400, 403, 403),
    "suppliers.poster": (302, 403, 403, 200, 200, 403, 403),
    "suppliers.counts_csv": (302, 403, 403, 200, 200, 403, 403),
    "suppliers.landing": (200, 200, 200, 200, 200, 200, 200),
    "suppliers.module_page": (200, 200, 200, 200, 200, 200, 200),
    "suppliers.acknowledge": (302, 302, 302, 302, 302, 302, 302),
    "suppliers.quiz": (200, 200, 200, 200, 200, 200, 200),
    "suppliers.submit_quiz": (400, 400, 400, 400, 400, 400, 400),
    "suppliers.completion": (302, 302, 302, 302, 302, 302, 302),
    # nobody here manages anyone: the team pages are 403 (tests/test_team.py has managers)
    "team.team": (302, 403, 403, 403, 403, 403, 403),
    "team.remind": (302, 403, 403, 403, 403, 403, 403),
    # the LTI tool (tests/test_lti.py launches from a real platform): without a platform's
    # parameters, a signed launch or a live link, every request is refused with 400
    "lti.login": (400, 400, 400, 400, 400, 400, 400),
    "lti.launch": (400, 400, 400, 400, 400, 400, 400),
    "lti.continue_launch": (400, 400, 400, 400, 400, 400, 400),
    "lti.jwks": (200, 200, 200, 200, 200, 200, 200),
    # platform registrations: unscoped admins only
    "lti.registrations": (302, 403, 403, 200, 403, 403, 403),
    "lti.new_registration": (302, 403, 403, 200, 403, 403, 403),
    "lti.edit_registration": (302, 403, 403, 404, 403, 403, 403),
    "lti.delete_registration": (302, 403, 403, 404, 403, 403, 403),
    # SCORM dispatch (tests/test_scorm_packages.py has real keys): a key this app did not sign
    "scorm.launch": (403, 403, 403, 403, 403, 403, 403),
    "scorm.progress": (403, 403, 403, 403, 403, 403, 403),
    # asked after a launch: without the package's course it is a 404
    "scorm.choose_country": (302, 404, 404, 404, 404, 404, 404),
    # LMS connections and packages: unscoped admins only
    "scorm.lms_page": (302, 403, 403, 200, 403, 403, 403),
    "scorm.new_connection": (302, 403, 403, 400, 403, 403, 403),
    "scorm.revoke_connection": (302, 403, 403, 404, 403, 403, 403),
    "scorm.build_package": (302, 403, 403, 400, 403, 403, 403),
}


@pytest.fixture
def world(app, make_user):
    ids = {
        "learner": make_user(employee_id="learner", hr_locale="en", country="AE"),
        "sourcing": make_user(employee_id="sourcing", hr_locale="en", department="Sourcing", country="US"),
        "admin": make_user(employee_id="admin", roles="learner admin", hr_locale="en", country="GB"),
        "scoped_admin": make_user(employee_id="scoped_admin", roles="admin", hr_locale="en", assign=False),
        "dept_admin": make_user(
            employee_id="dept_admin", roles="admin", hr_locale="en", assign=False, department="Construction"
        ),
        "case_handler": make_user(employee_id="case_handler", roles="case_handler", hr_locale="en", assign=False),
    }
    client = app.test_client()
    file_report(client)
    with app.app_context():
        db.session.add(AdminScope(admin_id=ids["scoped_admin"], kind="region", value="arab_states"))
        db.session.add(AdminScope(admin_id=ids["dept_admin"], kind="department", value="Construction"))
        app.config["ELEARN_SUPPLIER_COURSE"] = "demo_course"
        site = SupplierSite(public_code="matrix-site", supplier_name="S", site_name="P", country="AE", languages=["en"])
        db.session.add(site)
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == ids["learner"]))
        attempt = QuizAttempt(
            assignment_id=assignment.id,
            token="t",
            questions=[{"id": "fees", "options": ["true", "false"]}],
            answers={"fees": ["false"]},
            score=100,
            passed=True,
            locale="en",
            course_version="1.0.0",
        )
        db.session.add(attempt)
        db.session.add(completion_of(assignment))
        db.session.commit()
        params = {
            "course_id": "demo_course",
            "module_id": "basics",
            "attempt_id": attempt.id,
            "code": "AAAA-BBBB-CCCC-DDDD",
            "case_id": db.session.scalar(select(Concern.id)),
            "user_id": ids["learner"],
            "kind": "answer",
            "filename": "elearn.css",
            "token_id": 999,
            "run_id": 999,
            "file_id": 999,
            "attachment_id": 999,
            "group_id": 999,
            "subscription_id": 999,
            "employee_id": "learner",
            "token": "not-an-enrolment-token",
            "kiosk_id": 999,
            "mapping_id": 999,
            "registration_id": 999,
            "key": "not-a-package-key",
            "connection_id": 999,
            "site_id": site.id,
            "site_code": site.public_code,
            "person_id": str(ids["learner"]),
            "name": "User",
            "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User",
            "question_id": "passport",
            "locale": "hi",
        }
    return params


def url_for_rule(rule, params):
    values = {name: params[name] for name in rule.arguments}
    if rule.endpoint == "admin.start_task":
        values["kind"] = "reminders"
    return rule.build(values)[1]


def client_for(app, role):
    client = app.test_client()
    if role != "anon":
        Auth(client).login(role)
    return client


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), f"missing: {endpoints - set(MATRIX)}, stale: {set(MATRIX) - endpoints}"


def test_route_role_matrix(app, world):
    app.config["ELEARN_LOGIN_LIMIT"] = "100 per minute"  # every role signs in twice from one address
    failures = []
    for role_index, role in enumerate(ROLES):
        client = client_for(app, role)
        token = csrf_token(client.get("/concerns").get_data(as_text=True))
        for rule in app.url_map.iter_rules():
            url = url_for_rule(rule, world)
            if "GET" in rule.methods:
                response = client.get(url)
            elif "POST" in rule.methods:
                response = client.post(url, data={"csrf_token": token})
            else:  # PUT, PATCH, DELETE (the SCIM API)
                method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
                response = client.open(url, method=method, data={"csrf_token": token})
            response.get_data()  # consume streamed bodies so each request's context ends
            response.close()
            expected = MATRIX[rule.endpoint][role_index]
            if response.status_code != expected:
                failures.append(f"{role} {rule.endpoint} {url}: {response.status_code} != {expected}")
            if rule.endpoint == "auth.logout" and role != "anon":
                Auth(client).login(role)  # signed out by that request: sign in again
                token = csrf_token(client.get("/concerns").get_data(as_text=True))
    assert failures == []


def test_every_post_rejects_a_missing_csrf_token(app, world):
    for role in ("anon", "learner", "admin", "case_handler"):
        client = client_for(app, role)
        for rule in app.url_map.iter_rules():
            # SCIM: token-only JSON, no cookie; the SAML ACS: the IdP's signed cross-site answer
            if "POST" in rule.methods and not rule.endpoint.startswith("scim.") and rule.endpoint != "auth.saml_acs":
                response = client.post(url_for_rule(rule, world), data={"locale": "ar", "status": "closed"})
                assert response.status_code == 400, (role, rule.endpoint, response.status_code)
    with app.app_context():
        assert db.session.scalars(select(Concern.status)).all() == ["received"]
        assert db.session.scalar(select(User.chosen_locale).where(User.employee_id == "learner")) is None


def test_session_cookie_flags(app, make_user):
    make_user(employee_id="u1", hr_locale="en")
    response = Auth(app.test_client()).login("u1")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_and_csp_without_unsafe_inline(app):
    response = app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_login_is_rate_limited(database_url, tmp_path, make_user):
    from .conftest import make_app, wipe

    app = make_app(database_url, tmp_path, ELEARN_LOGIN_LIMIT="3 per minute")
    try:
        client = app.test_client()
        codes = [Auth(client).login("nobody", "wrong").status_code for _ in range(4)]
        assert codes == [400, 400, 400, 429]
    finally:
        wipe(app)
