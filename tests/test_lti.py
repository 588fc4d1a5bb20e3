"""The LTI 1.3 tool against a real platform (lti1p3platform, served over HTTP by
tests/peers/lti_platform.py): launches, identity, refusals, framing, grade passback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.lti.models import LtiGradeTarget, LtiLaunchData, LtiNonce, LtiRegistration
from elearn.models import Assignment, Completion, ExternalIdentity, User

from .conftest import Auth
from .helpers import ANSWERS, acknowledge_all, submit
from .peers.lti_platform import LIS_CLAIM, TOOL, Launch, LtiPlatform, launch_form

COURSE = {"course": "demo_course"}
EMPLOYEE_CLAIM = f"{LIS_CLAIM}.person_sourcedid"


@pytest.fixture(scope="module")
def platform():
    peer = LtiPlatform()
    yield peer
    peer.stop()


@pytest.fixture
def registered(app, platform):
    """elearn knows the platform, the platform knows elearn's key set (as /lti/jwks serves it)."""
    platform.scores.clear()
    platform.deep_links.clear()
    platform.tool_key_set = app.test_client().get("/lti/jwks").get_json()

    def register(**extra):
        with app.app_context():
            row = LtiRegistration(**platform.registration_values(**extra))
            db.session.add(row)
            db.session.commit()
            return row.id

    return register


def post_launch(client, form, dest="iframe", origin="http://127.0.0.1"):
    """The platform page's form post, with the headers a browser sends for it (cross-site)."""
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": origin, **({"Sec-Fetch-Dest": dest} if dest else {})}
    return client.post("/lti/launch", data=form, headers=headers)


def launch(client, platform, dest="document", **fields):
    fields.setdefault("custom", COURSE)
    fields.setdefault("document_target", "window" if dest == "document" else "iframe")
    return post_launch(client, launch_form(client, platform, Launch(**fields)), dest)


def counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (User, ExternalIdentity, Assignment, LtiGradeTarget)
        )


def signed_in_page(client):
    return client.get("/training").status_code == 200


def test_top_level_launch_signs_in_on_the_course_and_links_by_issuer_and_sub(app, client, platform, registered):
    reg_id = registered()
    response = launch(client, platform, sub="moodle-7")
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert response.headers["Location"].endswith("/courses/demo_course")
    assert client.get("/courses/demo_course").status_code == 200
    with app.app_context():
        user = db.session.scalar(
            select(User).join(ExternalIdentity).where(ExternalIdentity.provider == f"lti:{reg_id}")
        )
        assert user.roles == "learner" and user.employee_id.startswith(f"lti-{reg_id}-")
        identity = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
        assert identity.subject == "moodle-7"
        target = db.session.scalar(select(LtiGradeTarget))
        assert target.subject == "moodle-7" and target.lineitem_url == f"{platform.url}/lineitems/1"
    before = counts(app)
    other = app.test_client()
    assert launch(other, platform, sub="moodle-7").status_code == 303
    assert counts(app) == before  # the same person, nothing new
    assert launch(app.test_client(), platform, sub="moodle-8").status_code == 303
    assert counts(app)[0] == before[0] + 1


def test_framed_launch_shows_a_one_time_link_that_signs_in_at_top_level(app, client, platform, registered):
    registered()
    framed = launch(client, platform, dest="iframe", sub="s-frame")
    assert framed.status_code == 200
    assert not signed_in_page(client)  # nothing signed in inside the frame
    page = framed.get_data(as_text=True)
    link = re.search(r'href="(/lti/continue/[^"]+)" target="_blank" rel="noopener"', page)
    assert link, page
    window = app.test_client()
    opened = window.get(link.group(1))
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/courses/demo_course")
    assert signed_in_page(window)
    session_cookie = next(c for c in opened.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "SameSite=Lax" in session_cookie and "HttpOnly" in session_cookie
    assert app.test_client().get(link.group(1)).status_code == 400  # once only


def test_platform_document_target_decides_without_sec_fetch_dest(app, client, platform, registered):
    registered()
    window = launch_form(client, platform, Launch(sub="a", custom=COURSE, document_target="window"))
    assert post_launch(client, window, dest=None).status_code == 303
    other = app.test_client()
    framed = launch_form(other, platform, Launch(sub="b", custom=COURSE, document_target="iframe"))
    assert post_launch(other, framed, dest=None).status_code == 200


def test_employee_id_claim_links_the_hr_person_only_when_the_registration_names_it(
    app, platform, registered, make_user
):
    hr = make_user(employee_id="E100", hr_locale="en")
    registered()
    # the same value as a custom parameter (a course author types those) links nobody
    launch(app.test_client(), platform, sub="p-1", custom={**COURSE, "employee_id": "E100"})
    with app.app_context():
        assert db.session.scalar(select(ExternalIdentity.user_id).where(ExternalIdentity.subject == "p-1")) != hr
    with app.app_context():
        db.session.execute(db.update(LtiRegistration).values(employee_id_claim=EMPLOYEE_CLAIM))
        db.session.commit()
    launch(app.test_client(), platform, sub="p-2", extra={LIS_CLAIM: {"person_sourcedid": "E100"}})
    with app.app_context():
        assert db.session.scalar(select(ExternalIdentity.user_id).where(ExternalIdentity.subject == "p-2")) == hr


def test_privileged_person_is_refused_and_nothing_is_stored(app, platform, registered, make_user):
    make_user(employee_id="BOSS", roles="learner admin", hr_locale="en")
    registered(employee_id_claim=EMPLOYEE_CLAIM)
    before = counts(app)
    client = app.test_client()
    response = launch(client, platform, sub="boss", extra={LIS_CLAIM: {"person_sourcedid": "BOSS"}})
    assert response.status_code == 403
    assert "cannot sign in from a learning platform" in response.get_data(as_text=True)
    assert counts(app) == before and not signed_in_page(client)


def test_unknown_course_is_a_clear_400_and_nothing_is_stored(app, client, platform, registered):
    registered()
    before = counts(app)
    response = launch(client, platform, sub="x", custom={"course": "no_such_course"})
    assert response.status_code == 400 and "names a course this site does not have" in response.get_data(as_text=True)
    assert counts(app) == before


def test_replayed_launch_is_refused(app, client, platform, registered):
    registered()
    form = launch_form(client, platform, Launch(sub="r", custom=COURSE))
    assert post_launch(client, form).status_code == 200
    before = counts(app)
    with app.app_context():
        nonces = db.session.scalar(select(func.count()).select_from(LtiNonce))
    replay = post_launch(client, form)
    assert replay.status_code == 400 and "could not be verified" in replay.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiNonce)) == nonces
    assert counts(app) == before


def stored_launch_rows(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LtiNonce)), db.session.scalar(
            select(func.count()).select_from(LtiLaunchData).where(LtiLaunchData.key.like("%launch-%"))
        )


def test_expired_id_token_is_refused_and_nothing_is_stored(app, client, platform, registered):
    registered()
    before = counts(app)
    form = launch_form(client, platform, Launch(sub="late", custom=COURSE, expires_in=-120))
    response = post_launch(client, form)
    assert response.status_code == 400 and "could not be verified" in response.get_data(as_text=True)
    assert counts(app) == before and stored_launch_rows(app) == (0, 0)


def test_bad_signature_wrong_audience_and_unknown_platform_are_refused(app, client, platform, registered):
    registered()
    form = launch_form(client, platform, Launch(sub="t", custom=COURSE))
    header, body, signature = form["id_token"].split(".")
    forged = {**form, "id_token": f"{header}.{body}.{signature[:-4]}AAAA"}
    assert post_launch(client, forged).status_code == 400
    assert stored_launch_rows(app) == (0, 0)
    with app.app_context():
        db.session.execute(db.update(LtiRegistration).values(client_id="another-tool"))
        db.session.commit()
    assert post_launch(client, form).status_code == 400  # aud names a client id not registered
    with app.app_context():
        db.session.execute(db.update(LtiRegistration).values(client_id="elearn-tool", deployment_ids=["other"]))
        db.session.commit()
    other_deployment = launch_form(client, platform, Launch(sub="t", custom=COURSE))
    assert post_launch(client, other_deployment).status_code == 400
    with app.app_context():
        db.session.execute(db.delete(LtiRegistration))
        db.session.commit()
    assert client.get(f"/lti/login?iss={platform.issuer}&login_hint=x").status_code == 400
    assert counts(app)[1] == 0


def test_launch_pages_are_framable_by_the_platform_only_and_other_pages_still_deny(app, client, platform, registered):
    registered()
    registered(issuer="https://canvas.example", client_id="c", auth_login_url="https://sso.canvas.example/auth")
    framed = launch(client, platform, dest="iframe", sub="f")
    csp = framed.headers["Content-Security-Policy"]
    ancestors = csp.split("frame-ancestors ")[1].split(";")[0]
    assert ancestors == platform.url  # the launching platform's origin, not another registration's
    assert framed.headers["X-Frame-Options"] != "DENY"
    for path in ("/login", "/concerns", "/lti/jwks"):
        page = app.test_client().get(path)
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"], path
        assert page.headers["X-Frame-Options"] == "DENY", path


def test_state_cookie_is_same_site_none_and_secure_over_https(app, platform, registered):
    registered()
    client = app.test_client()
    start = client.get(
        f"/lti/login?iss={platform.issuer}&login_hint=x&client_id=elearn-tool", base_url="https://127.0.0.1:5000"
    )
    assert start.status_code == 302
    cookies = [c for c in start.headers.getlist("Set-Cookie") if c.startswith("lti1p3-")]
    assert cookies and all("SameSite=None" in c and "Secure" in c and "HttpOnly" in c for c in cookies), cookies
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiLaunchData)) >= 1


def test_grade_goes_back_to_the_platform_when_the_learner_passes(app, client, platform, registered):
    registered()
    assert launch(client, platform, sub="g-1").status_code == 303
    course_page = client.get("/courses/demo_course").get_data(as_text=True)
    modules = list(dict.fromkeys(re.findall(r"/courses/demo_course/modules/([a-z_]+)", course_page)))
    acknowledge_all(client, modules)
    assert submit(client, ANSWERS).status_code == 302
    with app.app_context():
        completion = db.session.scalar(select(Completion))
        assert completion is not None
    assert len(platform.scores) == 1, platform.refused
    line_item, score = platform.scores[0]
    assert line_item == "1" and score["userId"] == "g-1"
    assert score["scoreGiven"] == completion.score and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"


def test_a_refused_grade_is_retried_later(app, client, platform, registered):
    from elearn.tasks.queue import huey

    registered()
    assert launch(client, platform, sub="g-2").status_code == 303
    platform.fail_scores = 1
    huey.flush()
    course_page = client.get("/courses/demo_course").get_data(as_text=True)
    acknowledge_all(client, list(dict.fromkeys(re.findall(r"/courses/demo_course/modules/([a-z_]+)", course_page))))
    assert submit(client, ANSWERS).status_code == 302  # the learner sees nothing of it
    assert platform.scores == [] and platform.fail_scores == 0
    (retry,) = [task for task in huey.scheduled() if task.name.endswith("post_score")]
    assert retry.retries == 5 and retry.eta is not None
    with app.app_context():
        huey.execute(retry, timestamp=retry.eta)  # what a worker does once the delay is over
    assert [score["userId"] for _, score in platform.scores] == ["g-2"]


def test_deep_linking_answers_the_platform_with_a_signed_link_naming_the_course(app, client, platform, registered):
    registered()
    import requests

    form = launch_form(client, platform, Launch(sub="teacher", deep_linking=True, custom={}))
    page = post_launch(client, form)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"form-action 'self' {platform.url}" in page.headers["Content-Security-Policy"]
    chosen = re.search(
        rf'action="{re.escape(platform.url)}/deep_link_return">\s*<input type="hidden" name="JWT" value="([^"]+)"', html
    )
    assert chosen, html
    answer = requests.post(f"{platform.url}/deep_link_return", data={"JWT": chosen.group(1)}, timeout=10)
    assert answer.status_code == 200, platform.refused
    (item,) = platform.deep_links[0]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"course": "demo_course"}
    assert item["lineItem"] == {"scoreMaximum": 100, "label": "Demo Awareness", "resourceId": "demo_course"}
    assert item["url"] == f"{TOOL}/lti/launch"


def test_lti_pages_are_valid_html(app, client, platform, registered, admin_client, tmp_path):
    import subprocess

    from .test_html_validity import VNU

    registered()
    pages = {
        "continue": launch(client, platform, dest="iframe", sub="v"),
        "deep-link": post_launch(client, launch_form(client, platform, Launch(sub="t", deep_linking=True, custom={}))),
        "problem": client.get("/lti/login?iss=unknown&login_hint=x"),
        "registrations": admin_client.get("/lti/registrations"),
        "new-registration": admin_client.post("/lti/registrations/new", data={}),
        "registration": admin_client.get("/lti/registrations/1"),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(response.get_data(as_text=True))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_login_on_one_worker_and_launch_on_another(app, database_url, tmp_path, platform, registered):
    """Two app processes on one database (gunicorn workers): the state the first stored
    at login initiation is there for the second at the launch."""
    from .conftest import make_app

    registered()
    first = app.test_client()
    form = launch_form(first, platform, Launch(sub="w", custom=COURSE))
    second_app = make_app(database_url, tmp_path)  # the same instance folder: the same tool key
    second = second_app.test_client()
    state_cookie = "lti1p3-" + form["state"]  # the browser carries it from one request to the next
    second.set_cookie(state_cookie, first.get_cookie(state_cookie).value)
    assert post_launch(second, form, dest="document").status_code == 303


def test_a_framed_launch_link_never_switches_out_someone_else_signed_in(app, client, platform, registered, make_user):
    registered()
    framed = launch(client, platform, dest="iframe", sub="s-switch").get_data(as_text=True)
    link = re.search(r'href="(/lti/continue/[^"]+)"', framed).group(1)
    make_user(employee_id="colleague", hr_locale="en", assign=False)
    colleague = app.test_client()
    Auth(colleague).login("colleague")
    refused = colleague.get(link)
    assert refused.status_code == 400 and "Someone else is signed in" in refused.get_data(as_text=True)
    assert colleague.get("/training").status_code in (200, 302)  # still the colleague's session
    assert app.test_client().get(link).status_code == 303  # the link was not spent


def test_grades_go_only_to_the_platforms_own_hosts(app, platform, registered, make_user):
    """A launch's line item on another host (an address inside our network) is not kept."""
    from elearn.lti.launches import remember_grade_target

    registration_id = registered()
    user_id = make_user(employee_id="g-host", assign=False)
    scope = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    with app.app_context():
        registration = db.session.get(LtiRegistration, registration_id)
        user = db.session.get(User, user_id)
        course = app.extensions["elearn_catalog"].courses["demo_course"]
        for lineitem, kept in (("http://10.0.0.5:8080/admin", False), (f"{platform.url}/lineitems/1", True)):
            claims = {
                "sub": "g-host",
                "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"lineitem": lineitem, "scope": scope},
            }
            remember_grade_target(registration, user, course, claims)
            db.session.flush()
            assert (db.session.scalar(select(func.count(LtiGradeTarget.id))) == 1) is kept


def test_frame_origins_are_single_origins():
    from elearn.lti.framing import origin

    assert origin("https://moodle.example.com/mod/lti/auth.php") == "https://moodle.example.com"
    assert origin("https://*.example.com") is None
    assert origin("https://user@moodle.example.com") is None
    assert origin("javascript:alert(1)") is None
