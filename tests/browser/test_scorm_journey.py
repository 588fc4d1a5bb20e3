"""SCORM packages in chromium under an independent SCORM runtime: npm's scorm-again
plays the LMS (its Scorm12API / Scorm2004API on the LMS page, the package in a frame),
as an LMS would load the zip. One package per kind and version, in Hindi and Arabic."""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import pytest

from elearn.extensions import db
from elearn.scorm import package
from elearn.scorm.models import LmsConnection

from .conftest import ROOT, axe_violations, screenshot
from .test_learner_journey import RIGHT, WRONG, answer, read_every_module

RUNTIME = ROOT / "node_modules" / "scorm-again" / "dist"
LEARNER = {"1.2": ("cmi.core.student_id", "cmi.core.student_name"), "2004": ("cmi.learner_id", "cmi.learner_name")}
API = {"1.2": ("API", "Scorm12API", "scorm12.js"), "2004": ("API_1484_11", "Scorm2004API", "scorm2004.js")}


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


class Lms:
    """An LMS on its own origin: its page runs scorm-again and frames the unzipped package."""

    def __init__(self, folder: Path):
        self.folder = folder
        handler = functools.partial(QuietFiles, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def load(self, data: bytes, version: str, saved_cmi: dict | None = None) -> str:
        """Unzip the package and write the LMS page; `saved_cmi`: a suspended attempt."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(self.folder / "pkg")
        for name in ("scorm12.js", "scorm2004.js"):
            (self.folder / name).write_bytes((RUNTIME / name).read_bytes())
        window_name, class_name, script = API[version]
        learner_id, learner_name = LEARNER[version]
        entry = "cmi.core.entry" if version == "1.2" else "cmi.entry"
        set_value = "LMSSetValue" if version == "1.2" else "SetValue"
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS</title>
<script src="/{script}"></script>
<script>
window.{window_name} = new {class_name}({{logLevel: 5}});
var saved = {json.dumps(saved_cmi)};
if (saved) {{ window.{window_name}.loadFromJSON(saved); window.{window_name}.{entry} = "resume"; }}
window.{window_name}.{learner_id} = "lms-7";
window.{window_name}.{learner_name} = "Rao, Asha";
// what the package set, as the LMS received it (some elements are write-only)
window.received = {{}};
window.{window_name}.on("{set_value}.cmi.*", function (element, value) {{ window.received[element] = value; }});
</script></head>
<body><iframe id="sco" title="course" src="/pkg/index.html" style="width:100%;height:90vh"></iframe></body></html>"""
        (self.folder / "lms.html").write_text(page)
        return f"{self.base}/lms.html"

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def lms(tmp_path):
    server = Lms(tmp_path)
    yield server
    server.stop()


def built(app, base: str, **spec) -> bytes:
    app.config["ELEARN_BASE_URL"] = base  # the package opens and asks this elearn
    with app.test_request_context():
        return package.build(package.PackageSpec(**spec), app.extensions["elearn_catalog"])


def cmi(page, version: str, name: str) -> str:
    return page.evaluate(f"String(window.{API[version][0]}.{name})")


def received(page, name: str) -> str | None:
    """The last value the package set for `name` (write-only elements included)."""
    return page.evaluate(f"window.received[{json.dumps(name)}]")


def read_modules(frame, count: int) -> None:
    for _ in range(count):
        frame.locator("section[data-part]:not([hidden]) button.module-read").click()


def answer_package_quiz(frame, right: bool) -> None:
    key = json.loads(frame.locator("#package-quiz").text_content())
    for question in key["questions"]:
        fieldset = frame.locator(f"fieldset[data-question='{question['id']}']")
        options = [i.get_attribute("value") for i in fieldset.locator("input").all()]
        chosen = question["answer"] if right else [next(o for o in options if o not in question["answer"])]
        for option in chosen:
            fieldset.locator(f"input[value='{option}']").check()
    frame.locator("#quiz-form button[type=submit]").click()


def close_course(page) -> None:
    """The learner leaves: the frame unloads (the runtime sets exit, session time, finishes)."""
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("document.getElementById('sco').contentWindow.location.href === 'about:blank'")


def test_standalone_pages_fit_a_phone_in_arabic_and_hindi(app, live_server, lms, axe_page):
    """The package's page at 360 px: no sideways scrolling, no axe violation, right to left in Arabic."""
    axe_page.set_viewport_size({"width": 360, "height": 740})
    for locale in ("ar", "hi"):
        data = built(app, live_server, course_id="demo_course", locale=locale, region="arab_states", mode="standalone")
        lms.load(data, "2004")
        axe_page.goto(f"{lms.base}/pkg/index.html")  # as the LMS frame shows it, without the LMS
        assert axe_page.evaluate("document.documentElement.scrollWidth") <= 360
        assert axe_violations(axe_page) == []
        screenshot(axe_page, f"scorm-standalone-{locale}-360")


def test_standalone_2004_in_arabic_passes_with_score_and_reports_time(app, live_server, lms, page):
    data = built(
        app, live_server, course_id="demo_course", locale="ar", region="arab_states", version="2004", mode="standalone"
    )
    page.goto(lms.load(data, "2004"))
    frame = page.frame_locator("#sco")
    assert frame.locator("html").get_attribute("dir") == "rtl"
    modules = frame.locator("section[data-part=module]").count()
    assert modules == 3
    read_modules(frame, modules)
    answer_package_quiz(frame, right=True)
    assert "100" in frame.locator("#quiz-result .score").inner_text()
    assert cmi(page, "2004", "cmi.success_status") == "passed"
    assert cmi(page, "2004", "cmi.completion_status") == "completed"
    assert (cmi(page, "2004", "cmi.score.raw"), cmi(page, "2004", "cmi.score.scaled")) == ("100", "1")
    # "Report a concern" opens elearn at top level, outside the LMS frame
    link = frame.locator("a.concern-link")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("href").startswith(live_server)
    close_course(page)
    assert received(page, "cmi.exit") == "normal"
    assert received(page, "cmi.session_time").startswith("PT")


def test_standalone_12_in_hindi_fails_then_resumes_where_the_learner_left(app, live_server, lms, page, browser):
    data = built(
        app, live_server, course_id="demo_course", locale="hi", region="arab_states", version="1.2", mode="standalone"
    )
    page.goto(lms.load(data, "1.2"))
    frame = page.frame_locator("#sco")
    read_modules(frame, 2)
    assert cmi(page, "1.2", "cmi.core.lesson_status") == "incomplete"
    close_course(page)
    assert received(page, "cmi.core.exit") == "suspend"
    assert received(page, "cmi.core.session_time").startswith("0000:00:")
    saved = page.evaluate("JSON.parse(JSON.stringify(window.API.cmi))")
    # the next launch: the LMS hands back the suspended attempt
    again = browser.new_context().new_page()
    again.goto(lms.load(data, "1.2", saved_cmi=saved))
    frame = again.frame_locator("#sco")
    third = frame.locator("section[data-part=module]").nth(2)
    assert third.is_visible() and frame.locator("nav.contents a.read").count() == 2
    read_modules(frame, 1)
    answer_package_quiz(frame, right=False)
    assert cmi(again, "1.2", "cmi.core.lesson_status") == "failed"
    assert int(cmi(again, "1.2", "cmi.core.score.raw")) < 80
    assert frame.locator("#quiz-form").is_visible()  # another try


def lms_learner_window(page, frame):
    with page.context.expect_page() as opened:
        frame.locator("#open-course").click()
    window = opened.value
    window.wait_for_load_state("load")
    return window


@pytest.mark.parametrize(("version", "locale"), [("1.2", "ar"), ("2004", "hi")])
def test_dispatch_opens_elearn_and_relays_fail_then_pass(app, live_server, lms, page, version, locale):
    with app.app_context():
        connection = LmsConnection(name="LMS")
        db.session.add(connection)
        db.session.commit()
        data = built(
            app,
            live_server,
            course_id="demo_course",
            locale=locale,
            region="arab_states",
            version=version,
            mode="dispatch",
            connection=connection,
        )
    page.goto(lms.load(data, version))
    frame = page.frame_locator("#sco")
    course = lms_learner_window(page, frame)
    assert course.url.startswith(f"{live_server}/scorm/country")
    assert course.get_attribute("html", "lang") == locale
    course.select_option("#country", "AE")
    course.click("form.form button[type=submit]")
    course.wait_for_url(f"{live_server}/courses/demo_course")
    read_every_module(course, live_server)
    course.goto(f"{live_server}/courses/demo_course/quiz")
    answer(course, WRONG)
    course.wait_for_load_state("load")
    status = "cmi.core.lesson_status" if version == "1.2" else "cmi.success_status"
    back = "window.dispatchEvent(new Event('focus'))"  # the learner comes back to the LMS page
    frame.locator("body").evaluate(back)
    page.wait_for_function(f"String(window.{API[version][0]}.{status}) === 'failed'")
    course.click("a.button.primary")
    answer(course, RIGHT)
    course.wait_for_load_state("load")
    frame.locator("body").evaluate(back)
    page.wait_for_function(f"String(window.{API[version][0]}.{status}) === 'passed'")
    score = "cmi.core.score.raw" if version == "1.2" else "cmi.score.raw"
    assert cmi(page, version, score) == "100"
    assert frame.locator("#course-status").inner_text() != ""
