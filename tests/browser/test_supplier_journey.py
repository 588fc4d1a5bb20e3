"""A supplier site's worker, on a phone and in Hindi, from the link on the site's poster
to a printed completion page, on the shipped Forced Labor Awareness course (one
database: SQLite). The admin prints the poster (one A4 page) and reads the counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from elearn.extensions import db
from elearn.suppliers.models import SupplierCount

from ..conftest import PASSWORD, make_app, wipe
from ..db_diff import difference, snapshot
from ..test_real_content import CONTENT
from .conftest import screenshot, sign_in

NAME = "रवि कुमार"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def app(sqlite_database, tmp_path):
    """The shipped content: the site's link opens the real Forced Labor Awareness."""
    app = make_app(sqlite_database, tmp_path, content_dir=CONTENT)
    yield app
    wipe(app)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_hindi_worker_goes_from_the_poster_link_to_a_completion_page(app, live_server, browser, page, make_user):
    """`page`: the worker's phone (the browser conftest fails the test on a CSP violation)."""
    make_user(employee_id="admin", roles="learner admin", hr_locale="en", country="US")
    admin = browser.new_context().new_page()
    sign_in(admin, live_server, "admin", PASSWORD)
    admin.goto(f"{live_server}/admin/supplier-sites/new")
    admin.fill("#supplier_name", "Shakti Garments")
    admin.fill("#site_name", "Unit 2, Tiruppur")
    admin.select_option("#country", "IN")
    admin.select_option("#first_language", "en")
    for other in ("es", "fr", "pt", "ar", "hi", "zh_Hans"):  # every language: the fullest poster
        admin.check(f'#other_languages input[value="{other}"]')
    admin.click("form.form button[type=submit]")
    admin.click("text=Print the poster")
    link = admin.inner_text(".poster-link").strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/s/[A-Za-z0-9_-]{16,}", link)
    assert admin.locator(".invitation").count() == 7 and admin.locator("img.qr").count() == 1
    pdf = admin.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # the poster prints on one A4 page
    screenshot(admin, "supplier-poster")

    before = snapshot(app)
    worker = page
    worker.set_viewport_size(PHONE)
    worker.goto(live_server + link.removeprefix("http://127.0.0.1:5000"))  # the QR code's address, served here
    assert worker.get_attribute("html", "lang") == "en"  # the site's first language
    worker.click('.site-languages button[lang="hi"]')
    assert worker.get_attribute("html", "lang") == "hi"
    assert "बलात् श्रम" in worker.inner_text("h1") and fits_the_screen(worker)
    screenshot(worker, "supplier-hi-landing")
    worker.click(".button.primary")  # start the course
    titles = []
    while "/modules/" in worker.url:
        titles.append(worker.inner_text("article.module h1"))
        assert fits_the_screen(worker), worker.url
        worker.click(".acknowledge button")
        worker.wait_for_load_state()
    expected = app.extensions["elearn_catalog"].courses["forced_labor"].view("hi", "south_asia").modules
    assert len(titles) == len(expected) and any("दक्षिण एशिया" in title for title in titles), titles  # India

    worker.click("ol.module-list ~ p a.button")  # the quiz
    course = app.extensions["elearn_catalog"].courses["forced_labor"]
    inputs = worker.eval_on_selector_all("form.quiz fieldset input", "inputs => inputs.map(i => i.name)")
    for qid in dict.fromkeys(name[2:] for name in inputs):  # the questions drawn for this attempt
        for option in course.answer_key.question(qid).answer:
            worker.check(f'input[name="q-{qid}"][value="{option}"]')
    assert fits_the_screen(worker)
    worker.click("form.quiz button[type=submit]")
    assert worker.locator(".score.passed").count() == 1
    worker.fill("#name", NAME)
    worker.click(".completion-form button[type=submit]")
    worker.wait_for_load_state("load")  # the click waits for the next page to start, not to finish
    shown = worker.inner_text("main")
    assert NAME in worker.inner_text(".completion-name") and course.title_in("hi") in shown
    assert "Unit 2, Tiruppur" in shown and not re.search(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", shown)
    assert fits_the_screen(worker)
    screenshot(worker, "supplier-hi-completion")

    assert set(difference(before, snapshot(app))) == {"supplier_counts"}
    assert NAME not in repr(snapshot(app))
    with app.app_context():
        counted = db.session.execute(select(SupplierCount.locale, SupplierCount.started, SupplierCount.completed))
        assert [tuple(row) for row in counted] == [("hi", 1, 1)]
    admin.goto(f"{live_server}/admin/supplier-sites")
    admin.click("text=Unit 2, Tiruppur")
    assert "हिन्दी" in admin.inner_text("#by-language") and "fewer than 5" in admin.inner_text("#by-language")
    admin.context.close()
