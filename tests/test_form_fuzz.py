"""Arbitrary text in every form of every blueprint, on PostgreSQL (issue 12): never a
5xx, and either the intended write or nothing.

The forms come from the URL map: every rule that allows POST has an entry in FORMS or
a reason in EXCLUDED, else test_every_post_rule_is_fuzzed fails. An entry says who
posts, which page shows the form (a rule without a page of its own, such as
acknowledge or logout, is posted from the page its form is on), likely values for a
few fields and the fields the handler reads that no page shows, and what a 2xx/3xx
may have written. Field names and offered choices are read from the page each time,
so a new field is fuzzed at once.

Each example is plausible (every field, the offered choices, arbitrary non-blank text:
it often gets stored, and must be stored as posted after the app's stripping) or
not (fields left out, choices never offered, several values for one, extra fields,
NUL, arbitrary URL arguments, broken CSV). Every table is read before and after each
request: a 4xx must leave all of them as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from elearn.api.tokens import create_token
from elearn.auth.passwords import hash_password
from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.i18n import LOCALES
from elearn.models import ROLES, Assignment, User
from elearn.training.assignments import apply_audience_rules

from .concern_helpers import file_report, receipt_code
from .conftest import PASSWORD, Auth, make_app, wipe
from .db_diff import Change, difference, snapshot
from .fuzz_checks import (
    acknowledge_every_module,
    audit_entry,
    check_acknowledge,
    check_activation,
    check_activation_codes,
    check_assign,
    check_case_message,
    check_case_status,
    check_import,
    check_kiosk,
    check_kiosk_pin,
    check_language,
    check_lms_connection,
    check_lms_package,
    check_new_site,
    check_new_token,
    check_nothing,
    check_quiz,
    check_report,
    check_reporter_visit,
    check_revoke,
    check_site_open_state,
    check_supplier_quiz,
    check_task,
    check_user_form,
    fresh_activation_code,
    fresh_api_token,
    open_supplier_site,
    pass_supplier_quiz,
)
from .fuzz_inputs import (
    APP_CONFIG,
    DATES,
    EMAILS,
    EMPLOYEE_IDS,
    PATH_VALUES,
    TEXT,
    draw_payload,
    encoded,
    form_on_page,
    shown,
)

#: every address-keyed limit out of the way: one test client posts hundreds of times


@dataclass(frozen=True)
class Form:
    role: str  #: anon, learner, admin (unscoped) or handler (case handler)
    check: Callable[[Change], None]  #: what a 2xx/3xx may have written
    page: str | None = None  #: endpoint of the page that holds the form; None: the form's own URL
    #: likely values (a valid one now and then), and fields the handler reads that no page shows
    likely: Callable[[dict], dict[str, st.SearchStrategy]] = lambda ctx: {}
    path: tuple[str, ...] = ()  #: URL arguments also given arbitrary values
    #: URL arguments that take one of several real values (an any(...) converter, a module)
    choices: Callable[[dict], dict[str, list]] = lambda ctx: {}
    fresh_client: bool = False  #: sign in again for each example (the request changes who is signed in)
    setup: Callable | None = None  #: per example, before the snapshot: more context
    prepare: Callable | None = None  #: once per test
    examples: int = 60


def check_sso_group_role(c: Change):
    """A group role is added (with its audit entry) only for a valid group and role, and a
    privileged role only with the tick."""
    c.only("sso_group_roles", "audit_log")
    if not c.diff:
        return
    row = c.one_added("sso_group_roles")
    assert row["group_name"] == (c.first("group_name") or "").strip() and row["role"] in ROLES
    assert row["role"] == "learner" or c.first("confirm_privileged")
    assert audit_entry(c, "sso_group_role.add")["after"] == {"group": row["group_name"], "role": row["role"]}


def check_lti_registration(c: Change):
    """A platform is registered (with its audit entry) only with http(s) addresses, at
    least one deployment, one source of its keys and no custom parameter as the
    employee-ID claim."""
    c.only("lti_registrations", "audit_log")
    if not c.diff:
        return
    row = c.one_added("lti_registrations")
    assert row["issuer"] == (c.first("issuer") or "").strip() and row["client_id"]
    assert row["deployment_ids"] and all(d.strip() == d and d for d in row["deployment_ids"])
    assert all(row[k].startswith(("http://", "https://")) for k in ("auth_login_url", "auth_token_url"))
    assert bool(row["key_set_url"]) != bool(row["key_set"])
    assert not (row["employee_id_claim"] or "").startswith("https://purl.imsglobal.org/spec/lti/claim/custom")
    assert audit_entry(c, "lti_registration.add")["after"]["issuer"] == row["issuer"]


def name_learner_as_manager(app, world, client):
    """The HR feed names the learner as target's manager: the learner has a team."""
    with app.app_context():
        people = world["people"]
        db.session.get(User, people["learner"]).email = "learner@example.com"
        db.session.get(User, people["target"]).manager_email = "Learner@example.com"
        db.session.commit()


def check_team_remind(c: Change):
    """Reminders are claimed (and the task recorded) only with the manager's audit entry;
    without a mail server (this app) nothing is written."""
    c.only("reminders", "audit_log", "task_runs")
    if not c.diff:
        return
    entry = c.one_added("audit_log")
    assert entry["action"] == "team.remind" and entry["actor_id"] == c.ctx["people"]["learner"], entry


FORMS = {
    "site.set_language": Form(
        "learner",
        check_language,
        page="courses.my_training",
        likely=lambda w: {
            "next": st.sampled_from(["/training", "//evil.example", "/\r\nX: y", "/a\x85b", "/\u202e", "javascript:x"])
        },
    ),
    "auth.login": Form(
        "anon",
        check_nothing,
        fresh_client=True,
        examples=30,
        likely=lambda w: {
            "login": st.sampled_from(["learner", " LEARNER ", "admin"]),
            "password": st.just(PASSWORD),
            "next": st.sampled_from(["/training", "//evil.example", "/\r\nX: y", "/\u202e"]),
        },
    ),
    "auth.logout": Form("learner", check_nothing, page="courses.my_training", fresh_client=True, examples=10),
    "auth.activate": Form(
        "anon",
        check_activation,
        fresh_client=True,
        setup=fresh_activation_code,
        likely=lambda w: {
            "employee_id": st.sampled_from(["imported", " imported "]),
            "code": st.sampled_from([w["code"], w["code"].lower().replace("-", " ")]),
            "password": st.shared(st.one_of(st.just(PASSWORD), TEXT), key="new password"),
            "confirm": st.shared(st.one_of(st.just(PASSWORD), TEXT), key="new password"),
        },
    ),
    "courses.acknowledge": Form(
        "learner",
        check_acknowledge,
        page="courses.module_page",
        path=("course_id", "module_id"),
        choices=lambda w: {"module_id": sorted(w["module_ids"])},
    ),
    "courses.submit_quiz": Form(
        "learner", check_quiz, page="courses.quiz", path=("course_id",), prepare=acknowledge_every_module
    ),
    "concerns.report": Form("anon", check_report, examples=100),
    "concerns.status": Form(
        "anon",
        check_reporter_visit,
        likely=lambda w: {
            "code": st.sampled_from([w["receipt"], w["receipt"].lower(), " " + w["receipt"].replace("-", " ")])
        },
    ),
    "concerns.set_status": Form("handler", check_case_status, page="concerns.case", path=("case_id",)),
    "concerns.add_case_message": Form(
        "handler",
        check_case_message,
        page="concerns.case",
        path=("case_id",),
        choices=lambda w: {"kind": ["answer", "note"]},
    ),
    "admin.activation_codes": Form(
        "admin",
        check_activation_codes,
        likely=lambda w: {"department": st.sampled_from(["Construction", "Construction ", "Sourcing"])},
    ),
    "admin.assign_course": Form(
        "admin",
        check_assign,
        likely=lambda w: {
            "employee_id": st.sampled_from(["target", " target ", "learner", "imported"]),
            "department": st.sampled_from(["Construction", "Sourcing", " Sourcing"]),
            "due": st.one_of(DATES, st.sampled_from(["2030-02-30", "2030-1-5", "99999-01-01", "0001-01-01"])),
        },
    ),
    "admin.api_tokens": Form(
        "admin",
        check_new_token,
        likely=lambda w: {"scopes": st.lists(st.sampled_from(["hr_read", "scim", "admin"]), max_size=3)},
    ),
    "admin.revoke_api_token": Form(
        "admin", check_revoke, page="admin.api_tokens", path=("token_id",), examples=30, setup=fresh_api_token
    ),
    # `since` is read by the handler (the xAPI task's start date) but on no form
    "admin.start_task": Form(
        "admin",
        check_task,
        page="admin.tasks",
        examples=30,
        choices=lambda w: {"kind": ["reminders", "xapi"]},
        likely=lambda w: {"since": st.one_of(DATES, TEXT)},
    ),
    "admin.edit_user": Form(
        "admin",
        check_user_form,
        path=("user_id",),
        examples=150,
        likely=lambda w: {
            "employee_id": EMPLOYEE_IDS,
            "email": EMAILS,
            "manager_email": EMAILS,
            "timezone": st.sampled_from(
                ["", "Asia/Dubai", "UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Europe/", "zone.tab"]
                + ["\U0001f600" * 64]  # 256 bytes: longer than a file name may be (was a 500)
            ),
            "scope_departments": st.lists(
                st.one_of(st.sampled_from(["Construction", "Sourcing"]), TEXT), max_size=4
            ).map(", ".join),
        },
    ),
    "admin.import_users": Form("admin", check_import, examples=120),
    "lti.new_registration": Form(
        "admin",
        check_lti_registration,
        examples=60,
        # each field valid most of the time, so that registrations get written as often as refused
        likely=lambda w: {
            "issuer": st.sampled_from(["https://moodle.example"] * 6 + [" https://canvas.instructure.com ", "a" * 256]),
            "label": st.sampled_from(["Moodle"] * 6 + ["Canvas (Jakarta)", "x" * 121]),
            "client_id": st.integers(1, 10**12).map(str),  # a new one each time: no duplicate refusals
            "deployment_ids": st.sampled_from(["1"] * 5 + ["1\n2, 3", " \n ", "d" * 300]),
            "auth_login_url": st.sampled_from(["https://moodle.example/mod/lti/auth.php"] * 7 + ["javascript:x"]),
            "auth_token_url": st.sampled_from(["https://moodle.example/mod/lti/token.php"] * 7 + ["ftp://x"]),
            "key_set_url": st.sampled_from(["https://moodle.example/mod/lti/certs.php"] * 7 + [""]),
            "key_set": st.sampled_from([""] * 6 + ['{"keys": [{"kid": "k", "kty": "RSA"}]}', '{"keys": 1}']),
            "employee_id_claim": st.sampled_from(
                [""] * 3 + ["employee_number"] * 3 + ["https://purl.imsglobal.org/spec/lti/claim/custom.eid"]
            ),
        },
    ),
    "admin.sso_roles": Form(
        "admin",
        check_sso_group_role,
        likely=lambda w: {
            "group_name": st.sampled_from(["Training admins", " Compliance ", "a" * 256]),
            "role": st.sampled_from(["learner", "admin", "case_handler", "owner"]),
            "confirm_privileged": st.sampled_from(["y", ""]),
        },
    ),
    "admin.kiosks": Form(
        "admin",
        check_kiosk,
        examples=30,
        likely=lambda w: {
            "name": st.sampled_from(["Canteen", " Gate 2 "]),
            "country": st.sampled_from(["AE", "KE", "ZZ", ""]),
            "locale": st.sampled_from(["hi", "ar", "xx"]),
        },
    ),
    "admin.kiosk_pins": Form(
        "admin",
        check_kiosk_pin,
        examples=30,
        likely=lambda w: {"employee_id": st.sampled_from(["learner", " target ", "handler", "admin", "nobody"])},
    ),
    "suppliers.new_site": Form(
        "admin",
        check_new_site,
        examples=60,
        likely=lambda w: {
            "supplier_name": st.sampled_from(["Acme", " Acme Textiles "]),
            "site_name": st.sampled_from(["Plant 3", " Plant 3 "]),
            "country": st.sampled_from(["AE", "KE", "ZZ", ""]),
            "first_language": st.sampled_from(["hi", "ar", "xx", ""]),
        },
    ),
    "suppliers.set_open_state": Form(
        "admin", check_site_open_state, page="suppliers.site", setup=open_supplier_site, examples=20
    ),
    "suppliers.acknowledge": Form(
        "anon",
        check_nothing,
        page="suppliers.module_page",
        setup=open_supplier_site,
        choices=lambda w: {"module_id": sorted(w["module_ids"])},
        examples=20,
    ),
    "suppliers.submit_quiz": Form("anon", check_supplier_quiz, page="suppliers.quiz", setup=open_supplier_site),
    "suppliers.completion": Form(
        "anon", check_nothing, setup=open_supplier_site, prepare=pass_supplier_quiz, examples=30
    ),
    # a guessed code never confirms the factor: every answer is a refusal that writes nothing
    "auth.second_factor_enrol": Form("admin", check_nothing, examples=30),
    "scorm.new_connection": Form(
        "admin",
        check_lms_connection,
        page="scorm.lms_page",
        examples=40,
        likely=lambda w: {
            "name": st.sampled_from(["Workday", " Workday ", "a" * 121]),
            "learner_ids_are_employee_ids": st.sampled_from(["y", ""]),
        },
    ),
    "scorm.build_package": Form(
        "admin",
        check_lms_package,
        page="scorm.lms_page",
        examples=40,
        likely=lambda w: {
            "course": st.sampled_from(["demo_course", "nope"]),
            "locale": st.sampled_from(["hi", "ar", "de", "xx"]),
            "mode": st.sampled_from(["standalone", "dispatch", "zip"]),
            "connection": st.sampled_from(["0", "1", "999", "x"]),
        },
    ),
    # the learner manages "target" (prepare); "person" is read from the rows' forms
    "team.remind": Form(
        "learner",
        check_team_remind,
        page="team.team",
        prepare=name_learner_as_manager,
        examples=40,
        likely=lambda w: {
            "course": st.sampled_from(["demo_course", " demo_course", "nope"]),
            "person": st.sampled_from([str(w["people"]["target"]), str(w["people"]["admin"]), "0", "-1", "9" * 12]),
            "direct": st.sampled_from(["y", ""]),
        },
    ),
}
#: POST rules not fuzzed here: endpoint -> why
EXCLUDED: dict[str, str] = {
    "lti.login": "a platform's login initiation, no form of ours; tests/test_lti.py (unknown platform: 400)",
    "lti.launch": "the platform's signed id token, no form of ours; tests/test_lti.py (bad signature, wrong "
    "audience, replayed nonce, expired token, unknown course: refused, nothing stored)",
    "lti.edit_registration": "tests/test_lti.py (the same checks as a new registration)",
    "lti.delete_registration": "a button without fields; tests/test_lti.py",
    "scorm.launch": "answers only a package's signed key; tests/test_scorm_packages.py (forged, withdrawn, "
    "unknown course, privileged person: refused, nothing stored)",
    "scorm.choose_country": "asked once after a launch; tests/test_scorm_packages.py (a country not offered: 400)",
    "scorm.revoke_connection": "a button without fields; tests/test_scorm_packages.py",
    "auth.enrol_kiosk": "needs a live enrolment link; tests/test_kiosks.py",
    "auth.kiosk_sign_in": "answers only an enrolled device (device cookie); tests/test_kiosks.py",
    "auth.choose_pin": "answers only a kiosk session; tests/test_kiosks.py",
    "admin.new_kiosk_enrolment": "a button without fields; tests/test_kiosks.py",
    "admin.revoke_kiosk": "a button without fields; tests/test_kiosks.py",
    "admin.delete_sso_role": "a button without fields; tests/test_oidc.py",
    "courses.confirm": "a button without fields (the final statement); tests/test_assessment.py",
    "auth.saml_acs": "the IdP's signed answer, no form of ours; tests/test_saml.py (unsigned, tampered, garbage)",
    "admin.confirm_full_feed": "its form exists only on a full-feed preview; tests/test_full_feed.py",
    "admin.unlock_kiosk_pin": "a button without fields; tests/test_kiosks.py",
    "auth.second_factor_sign_in": "needs a half-done password sign-in; tests/test_second_factor.py (hostile codes)",
    "auth.renew_recovery_codes": "needs an enrolled factor; tests/test_second_factor.py (wrong and replayed codes)",
    "admin.reset_second_factor": "a button without fields; tests/test_second_factor.py",
    "scim.create_user": "JSON with a token, no form: tests/test_scim.py (hostile input) and schemathesis",
    "scim.search_users": "JSON with a token, no form: tests/test_scim.py (hostile input) and schemathesis",
    "admin.queue_export": "queues a task; tests/test_background_exports.py (bad format changes nothing)",
    "admin.subscribe": "tests/test_scheduled_reports.py (bad choices, no email: refused, nothing written)",
    "admin.cancel_subscription": "a button without fields; tests/test_scheduled_reports.py (another's: 404)",
    "concerns.reporter_message": "needs the conversation proof of a typed receipt code; tests/test_concern_dialogue.py "
    "(forged and stale proofs, refused files: nothing written)",
    "concerns.reporter_file": "a download button (the conversation proof only); tests/test_concern_dialogue.py",
    "concerns.acknowledge": "a button without fields; tests/test_case_work.py",
    "concerns.conflict": "a button without fields; tests/test_case_work.py",
    "concerns.new_group": "lead case handlers only; tests/test_handler_groups.py (unknown ids, taken names: 400, "
    "nothing stored)",
    "concerns.edit_group": "lead case handlers only; tests/test_handler_groups.py",
    "concerns.delete_group": "lead case handlers only; a button without fields; tests/test_handler_groups.py",
    "concerns.assign_case": "lead case handlers only; tests/test_case_work.py (a choice not offered: 400, nothing "
    "changed)",
}


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_app(postgresql_database, tmp_path_factory):
    app = make_app(postgresql_database, tmp_path_factory.mktemp("fuzz"), **APP_CONFIG)
    yield app
    wipe(app)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def world(fuzz_app):
    """A learner, an unscoped admin, a case handler, a person to edit, an imported person
    without a password, an API token and a concern case."""
    app = fuzz_app
    wipe(app)
    people = {}
    with app.app_context():
        catalog = app.extensions["elearn_catalog"]
        for employee_id, roles, country, department, has_password in (
            ("learner", "learner", "AE", "Construction", True),
            ("admin", "learner admin", "US", "HR", True),
            ("handler", "case_handler", "US", "Ethics", True),
            ("target", "learner", "JO", "Sourcing", True),
            ("imported", "learner", "KE", "Construction", False),
        ):
            user = User(
                employee_id=employee_id,
                name=f"{employee_id.title()} Person",
                display_name="साक्षी",
                country=country,
                hr_locale="en",
                department=department,
                roles=roles,
                active=True,
                password_hash=password_hash() if has_password else None,
            )
            db.session.add(user)
            db.session.flush()
            if user.has_role("learner"):
                apply_audience_rules(user, catalog, 30)
            people[employee_id] = user.id
        token, _secret = create_token("HR feed", people["admin"])
        db.session.commit()
        token_id = token.id
        assignment_id = db.session.scalar(
            select(Assignment.id).where(Assignment.user_id == people["learner"], Assignment.current.is_(True))
        )
        module_ids = set()
        for locale in LOCALES:
            module_ids |= catalog.courses["demo_course"].view(locale, catalog.region_for("AE")).module_ids
    receipt = receipt_code(file_report(app.test_client()))
    with app.app_context():
        case_id = db.session.scalar(select(Concern.id))
    return {
        "people": people,
        "course_id": "demo_course",
        "module_id": "basics",
        "module_ids": module_ids,
        "assignment_id": assignment_id,
        "case_id": case_id,
        "token_id": token_id,
        "user_id": people["target"],
        "receipt": receipt,
    }


def signed_in(app, role: str):
    """A client signed in as the world's person of that role (their employee id)."""
    client = app.test_client()
    if role != "anon":
        assert Auth(client).login(role).status_code == 302
    return client


def build(rule, values: dict) -> str:
    return rule.build({name: values[name] for name in rule.arguments})[1]


def post_once(app, world, form: Form, rules, client, data):
    rule = data.draw(st.sampled_from(rules), label="rule") if len(rules) > 1 else rules[0]
    ctx = dict(world)
    for name, values in form.choices(ctx).items():
        ctx[name] = data.draw(st.sampled_from(values), label=name)
    if form.fresh_client:
        client = signed_in(app, form.role)
    if form.setup:
        ctx.update(form.setup(app, ctx))
    plausible = data.draw(st.booleans(), label="plausible")
    path = {name: ctx[name] for name in rule.arguments}
    for name in form.path:
        if name in path and not plausible and data.draw(st.integers(0, 2), label=f"{name} fuzzed?") == 0:
            path[name] = data.draw(PATH_VALUES[name](ctx), label=name)
    action, url = build(rule, ctx), build(rule, path)
    page_url = (
        action
        if form.page is None
        else build(next(r for r in app.url_map.iter_rules() if r.endpoint == form.page), ctx)
    )
    page = client.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    fields = form_on_page(page.get_data(as_text=True), page_url, action)
    payload = draw_payload(data, fields, form.likely(ctx), plausible)
    note(f"POST {url[:200]}: {shown(payload)}")
    before = snapshot(app)
    response = client.post(url, data=encoded(payload))  # TESTING: an unhandled exception is raised here
    response.get_data()
    response.close()
    after = snapshot(app)
    assert response.status_code < 500
    diff = difference(before, after)
    if response.status_code >= 400:  # refused: nothing at all written
        assert not diff, f"{response.status_code} but wrote {diff}"
    else:
        form.check(Change(app, ctx, path, payload, diff, before, after))


def test_every_post_rule_is_fuzzed(fuzz_app):
    posted = {rule.endpoint for rule in fuzz_app.url_map.iter_rules() if "POST" in rule.methods}
    missing = posted - set(FORMS) - set(EXCLUDED)
    assert not missing, f"POST rules with no entry in FORMS (or reason in EXCLUDED): {sorted(missing)}"
    assert set(FORMS) | set(EXCLUDED) <= posted, f"stale entries: {sorted(set(FORMS) | set(EXCLUDED) - posted)}"


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_arbitrary_text_gives_no_5xx_and_no_partial_write(endpoint, fuzz_app, world):
    app = fuzz_app
    form = FORMS[endpoint]
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint and "POST" in rule.methods]
    client = None if form.fresh_client else signed_in(app, form.role)
    if form.prepare:
        form.prepare(app, world, client)

    @settings(
        max_examples=form.examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )
    @given(data=st.data())
    def fuzz(data):
        post_once(app, world, form, rules, client, data)

    fuzz()
