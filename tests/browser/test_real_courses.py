"""The demo learners complete the shipped courses in their own language, in a browser."""

import threading

import pytest
from werkzeug.serving import make_server

from elearn.seed import DEMO_PASSWORD, seed_demo

from ..conftest import make_app, wipe
from ..test_real_content import CONTENT
from .conftest import screenshot, sign_in


@pytest.fixture
def real_server(database_url, tmp_path):
    app = make_app(database_url, tmp_path, content_dir=CONTENT)
    with app.app_context():
        seed_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    wipe(app)


def complete_course(page, base, app, course_id, locale, expect_module_text):
    catalog = app.extensions["elearn_catalog"]
    course = catalog.courses[course_id]
    page.goto(f"{base}/courses/{course_id}")
    assert page.get_attribute("html", "lang") == {"hi": "hi", "es": "es"}[locale]
    assert course.title_in(locale) in page.inner_text("h1")
    page.click("ol.module-list li:first-child a")
    seen = []
    while "/modules/" in page.url:
        seen.append(page.inner_text("article.module h1"))
        page.click(".acknowledge button")
        page.wait_for_load_state()
    assert any(expect_module_text in title for title in seen), seen
    page.goto(f"{base}/courses/{course_id}/quiz")
    shown = page.eval_on_selector_all("form.quiz fieldset input", "inputs => inputs.map(i => i.name)")
    for qid in dict.fromkeys(name[2:] for name in shown):  # the questions drawn for this attempt
        for option in course.answer_key.question(qid).answer:
            page.check(f'input[name="q-{qid}"][value="{option}"]')
    page.click("form.quiz button[type=submit]")
    assert page.locator(".score.passed").count() == 1
    # the final statement, in the learner's language, completes the course
    assert course.final_statement.text_in(locale) in page.inner_text("p.statement")
    page.click("#confirm-heading + form button")
    page.wait_for_load_state()
    assert course.title_in(locale) in page.inner_text("#cert-title")
    return seen


def test_hindi_learner_in_uae_completes_forced_labour_in_hindi(real_server, browser):
    app, base = real_server
    page = browser.new_page()
    sign_in(page, base, "demo-hindi-uae", DEMO_PASSWORD)
    titles = complete_course(page, base, app, "forced_labor", "hi", "अरब")
    catalog = app.extensions["elearn_catalog"]
    view = catalog.courses["forced_labor"].view("hi", "arab_states")
    assert len(titles) == len(view.modules) and sum(1 for m in view.modules if m.region) == 1  # with the Arab States
    assert "रवि कुमार" in page.inner_text(".cert-name")
    screenshot(page, "hi-real-certificate")
    page.close()


def test_spanish_buyer_in_mexico_completes_responsible_purchasing_in_spanish(real_server, browser):
    app, base = real_server
    page = browser.new_page()
    sign_in(page, base, "demo-buyer-mx", DEMO_PASSWORD)
    titles = complete_course(page, base, app, "responsible_purchasing", "es", "Visibilidad")
    assert len(titles) == len(app.extensions["elearn_catalog"].courses["responsible_purchasing"].modules["es"])
    screenshot(page, "es-real-certificate")
    page.close()
