"""In chromium: an LMS course page (the lti1p3platform peer) shows the tool in a frame;
the launch page renders there, its button opens the course signed in; a page of an
origin no registration names cannot frame the tool's pages, and no site can frame the
rest of elearn."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from elearn.extensions import db
from elearn.lti.models import LtiRegistration

from .conftest import PASSWORD, make_app, wipe
from .peers.lti_platform import LtiPlatform

pytestmark = pytest.mark.browser


@pytest.fixture
def database_url(sqlite_database):
    return sqlite_database  # what the browser shows does not depend on the database


@pytest.fixture
def tool(tmp_path, database_url):
    """elearn on a live server; its base URL is the server's."""
    app = make_app(database_url, tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["ELEARN_BASE_URL"] = f"http://127.0.0.1:{server.server_port}/"
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    wipe(app)


@pytest.fixture
def platforms(tool):
    app, base = tool
    registered, stranger = LtiPlatform(tool=base), LtiPlatform(tool=base)
    registered.tool_key_set = app.test_client().get("/lti/jwks").get_json()
    with app.app_context():
        db.session.add(LtiRegistration(**registered.registration_values()))
        db.session.commit()
    yield registered, stranger
    registered.stop()
    stranger.stop()


def child_frame(page):
    (frame,) = page.main_frame.child_frames
    frame.wait_for_load_state()
    return frame


def test_lms_frames_the_launch_and_its_button_opens_the_course(browser, tool, platforms):
    _app, base = tool
    lms, _stranger = platforms
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{lms.url}/course?sub=frame-1&course=demo_course")
    frame = page.frame_locator("iframe")
    button = frame.locator("#lti-continue")
    button.wait_for()
    with context.expect_page() as opened:
        button.click()
    window = opened.value
    window.wait_for_url(f"{base}/courses/demo_course")
    assert window.locator("main h1").count() == 1
    context.close()


def test_an_unregistered_origin_cannot_frame_the_tool_nor_anyone_the_rest(browser, tool, platforms):
    _app, base = tool
    lms, stranger = platforms
    context = browser.new_context()
    page = context.new_page()
    problem = f"{base}/lti/login?iss=unknown&login_hint=x"  # a refusal page, framable by the registered LMS
    page.goto(f"{lms.url}/frame?src={problem}")
    assert "could not be opened" in child_frame(page).content()
    page.goto(f"{stranger.url}/frame?src={problem}")
    assert "could not be opened" not in child_frame(page).content()
    page.goto(f"{lms.url}/frame?src={base}/login")
    assert 'id="login"' not in child_frame(page).content()
    context.close()


def test_registration_pages_fit_a_phone_and_pass_axe(browser, tool, platforms):
    app, base = tool
    from .browser.conftest import AXE

    with app.app_context():
        from elearn.auth.passwords import hash_password
        from elearn.models import User

        db.session.add(
            User(
                employee_id="admin",
                name="Admin",
                roles="learner admin",
                active=True,
                hr_locale="en",
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", "admin")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/training")
    for path in (
        "/lti/registrations",
        "/lti/registrations/new",
        "/lti/registrations/1",
        "/lti/login?iss=x&login_hint=y",
    ):
        page.goto(base + path)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (path, width)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        assert [v["id"] for v in violations] == [], (path, violations)
    context.close()
