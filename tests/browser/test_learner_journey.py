"""The learner's whole path in a real browser, on the fixture course."""

import re

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Completion

from ..conftest import PASSWORD
from .conftest import axe_violations, screenshot, sign_in

RIGHT = {"passport": ["b"], "signs": ["a", "c"], "fees": ["false"]}
WRONG = {"passport": ["a"], "signs": ["b"], "fees": ["true"]}


def answer(page, answers):
    for qid, chosen in answers.items():
        for option in chosen:
            page.check(f'input[name="q-{qid}"][value="{option}"]')
    page.click("form.quiz button[type=submit]")


def read_every_module(page, base):
    page.goto(f"{base}/courses/demo_course")
    page.click("ol.module-list li:first-child a")
    while "/modules/" in page.url:
        page.click(".acknowledge button")
        page.wait_for_load_state()
    assert page.url.endswith("/courses/demo_course")


def journey(page, base, app, login, artifacts_prefix=None, checks=None):
    sign_in(page, base, login, PASSWORD)
    visited = {"training": page.url}
    page.goto(f"{base}/courses/demo_course/modules/risks")
    visited["module"] = page.url
    if checks:
        checks("module", page)
    read_every_module(page, base)
    visited["course"] = page.url
    page.goto(f"{base}/courses/demo_course/quiz")
    visited["quiz"] = page.url
    if checks:
        checks("quiz", page)
    answer(page, WRONG)
    assert page.locator(".score.failed").count() == 1
    visited["result"] = page.url
    page.click("a.button.primary")  # take the quiz again
    answer(page, RIGHT)
    assert page.locator(".score.passed").count() == 1
    page.click("p.done a.button")  # the certificate
    visited["certificate"] = page.url
    if checks:
        checks("certificate", page)
    code = page.locator(".cert-code .code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    with app.app_context():
        assert db.session.scalars(select(Completion.certificate_code)).one() == code
    return code, visited


def test_hindi_learner_in_uae_completes_course_and_certificate_verifies(app, live_server, page, browser, make_user):
    make_user(employee_id="ravi", country="AE", hr_locale="hi", display_name="रवि कुमार")

    def checks(kind, page):
        assert page.get_attribute("html", "lang") == "hi"
        if kind == "module":
            assert "कफ़ाला" in page.inner_text("article.module")
            assert "अरब देश" in page.inner_text("h1")
        if kind == "certificate":
            assert "रवि कुमार" in page.inner_text(".cert-name")
            assert "डेमो जागरूकता" in page.inner_text("h1")
        screenshot(page, f"hi-{kind}")

    code, _ = journey(page, live_server, app, "ravi", checks=checks)
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server}/verify/{code}")
    assert "रवि कुमार" in visitor.inner_text("main")
    assert visitor.locator("dd.valid").count() == 1
    visitor.context.close()


def test_arabic_journey_is_rtl_and_has_no_axe_violations(app, live_server, axe_page, make_user):
    make_user(employee_id="layla", country="JO", hr_locale="ar", display_name="ليلى حداد")
    page = axe_page
    found = {}

    def checks(kind, page):
        assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
        screenshot(page, f"ar-{kind}")

    code, visited = journey(page, live_server, app, "layla", checks=checks)
    visited["verify"] = f"{live_server}/verify/{code}"
    visited["concerns"] = f"{live_server}/concerns?country=AE"
    for kind, url in visited.items():
        page.goto(url)
        assert page.get_attribute("html", "dir") == "rtl", kind
        found[kind] = axe_violations(page)
    # The sign-in page, signed out.
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    found["login"] = axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
