"""Question draws, attempt rules, hints before answers, and the statements a learner
confirms (course.yaml `quiz:`, `module_statement`, `final_statement`), over HTTP on
both databases with a small course built for them."""

import hashlib
import re
import shutil
from datetime import timedelta

import pytest
from markupsafe import escape
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import select

from elearn.catalog import load_catalog
from elearn.extensions import db
from elearn.models import Completion, ModuleProgress, QuizAttempt
from elearn.xapi.statements import VERBS, statements_since

from .conftest import FIXTURE_CONTENT, Auth, csrf_token, make_app, wipe
from .helpers import acknowledge_all, confirm_form, quiz_form, shown_question_ids

MODULE_STATEMENT = "I have read this module and I understand it."
FINAL_STATEMENT = "I have completed this training. If I see forced labour, I will report it."
COURSE_RULES = """
quiz:
  draw_per_module: 1
  max_attempts: 2
  cooldown_hours: 24
module_statement: module-read
final_statement: pledge
"""
#: three questions per module, each with its module, a hint and a full explanation
POOL = "shuffle: true\nquestions:\n" + "".join(
    f"""  - id: {module}-{n}
    type: single
    module: {module}
    text: Question {n} about {module}?
    options:
      - {{id: a, text: Answer A}}
      - {{id: b, text: Answer B}}
    answer: [a]
    hint: Look at the part on {module} {n}.
    explanation: Answer A, because of rule {module} {n}.
"""
    for module in ("basics", "signs")
    for n in (1, 2, 3)
)


def build_content(root, rules=COURSE_RULES, pool=POOL):
    """The fixture content with demo_course in English only, given quiz rules and pool."""
    shutil.copytree(FIXTURE_CONTENT, root)
    course = root / "demo_course"
    for locale in ("hi", "ar"):
        shutil.rmtree(course / locale)
        for region in (course / "regions").iterdir():
            shutil.rmtree(region / locale, ignore_errors=True)
    yaml = (course / "course.yaml").read_text().replace("locales: [en, hi, ar]", "locales: [en]")
    (course / "course.yaml").write_text(yaml + rules)
    (course / "en" / "quiz.yaml").write_text(pool)
    (root / "attestations.yaml").write_text(
        f"module-read:\n  en: {MODULE_STATEMENT}\npledge:\n  en: {FINAL_STATEMENT}\n"
    )
    return root


@pytest.fixture
def rules_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", build_content(tmp_path / "content"))
    yield app
    wipe(app)


@pytest.fixture
def learner(rules_app, make_user):
    make_user(hr_locale="en")
    client = rules_app.test_client()
    assert Auth(client).login().status_code == 302
    return client


def answer_shown(client, right=True):
    """Take the quiz: every shown question answered right (or wrong); the result page."""
    html, form = quiz_form(client)
    for qid in shown_question_ids(html):
        form[f"q-{qid}"] = ["a" if right else "b"]
    response = client.post("/courses/demo_course/quiz", data=form)
    return response, shown_question_ids(html)


def test_each_attempt_draws_from_every_module_and_stores_what_it_showed(rules_app, learner):
    drawn = set()
    for _ in range(30):
        html, _form = quiz_form(learner)
        shown = shown_question_ids(html)
        assert sorted(q.split("-")[0] for q in shown) == ["basics", "signs"]
        drawn.add(tuple(sorted(shown)))
    assert len(drawn) > 1  # nine possible pairs: thirty identical draws would be a broken draw
    acknowledge_all(learner, ["basics", "signs", "risks"])
    response, shown = answer_shown(learner)
    assert response.status_code == 302
    with rules_app.app_context():
        attempt = db.session.scalars(select(QuizAttempt)).one()
        assert [q["id"] for q in attempt.questions] == shown


def test_failed_attempt_gives_hints_never_the_answer_and_a_pass_gives_the_answers(rules_app, learner):
    response, shown = answer_shown(learner, right=False)
    failed = learner.get(response.headers["Location"]).get_data(as_text=True)
    module, n = shown[0].split("-")
    assert f"Look at the part on {module} {n}." in failed
    assert f'href="/courses/demo_course/modules/{module}"' in failed
    assert "because of rule" not in failed and "Right answer" not in failed and "Answer A" not in failed
    response, shown = answer_shown(learner, right=True)
    passed = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "You passed" in passed and f"because of rule {shown[0].replace('-', ' ')}" in passed


def test_after_the_last_attempt_the_learner_waits_then_may_try_again(rules_app, learner):
    _html, early_form = quiz_form(learner)  # opened before the attempts run out
    first, _ = answer_shown(learner, right=False)
    assert "1 attempt left" in learner.get("/courses/demo_course/quiz").get_data(as_text=True)
    second, _ = answer_shown(learner, right=False)
    result = learner.get(second.headers["Location"]).get_data(as_text=True)
    assert "You have used your 2 attempts" in result and "Take the quiz again" not in result
    locked = learner.get("/courses/demo_course/quiz")
    text = locked.get_data(as_text=True)
    assert locked.status_code == 200 and "You have used your 2 attempts" in text and 'name="attempt"' not in text
    assert re.search(r"try again in (1 day|24 hours)", text)
    late = learner.post("/courses/demo_course/quiz", data={**early_form, "q-basics-1": "a"})
    assert late.status_code == 429
    with rules_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAttempt)) == 2
        # a day later: a new round of attempts
        for attempt in db.session.scalars(select(QuizAttempt)):
            attempt.submitted_at -= timedelta(hours=25)
        db.session.commit()
    again = learner.get("/courses/demo_course/quiz").get_data(as_text=True)
    assert 'name="attempt"' in again and "2 attempts left" in again


def test_statements_are_recorded_with_the_hash_of_the_text_shown(rules_app, learner, make_user):
    page = learner.get("/courses/demo_course/modules/basics").get_data(as_text=True)
    assert MODULE_STATEMENT in page
    # a form that showed another text (the language or the content changed since) records nothing
    stale = learner.post(
        "/courses/demo_course/modules/basics/acknowledge", data={**confirm_form(page), "statement": "0" * 64}
    )
    assert stale.headers["Location"].endswith("/courses/demo_course/modules/basics")
    with rules_app.app_context():
        assert db.session.scalar(select(ModuleProgress)) is None
    acknowledge_all(learner, ["basics", "signs", "risks"])
    early = learner.post("/courses/demo_course/complete", data={"csrf_token": csrf_token(page)})
    assert early.headers["Location"].endswith("/courses/demo_course")  # the quiz is not passed
    response, _ = answer_shown(learner)
    result = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(FINAL_STATEMENT)) in result
    course_page = learner.get("/courses/demo_course").get_data(as_text=True)
    assert str(escape(FINAL_STATEMENT)) in course_page
    with rules_app.app_context():
        assert db.session.scalar(select(Completion)) is None  # the statement completes it
        progress = db.session.scalars(select(ModuleProgress)).all()
        assert {(p.statement_id, p.statement_hash) for p in progress} == {
            ("module-read", hashlib.sha256(MODULE_STATEMENT.encode()).hexdigest())
        }
    confirmed = learner.post("/courses/demo_course/complete", data=confirm_form(course_page))
    assert confirmed.headers["Location"].endswith("/courses/demo_course/certificate")
    with rules_app.app_context():
        completion = db.session.scalars(select(Completion)).one()
        assert (completion.attestation_id, completion.attestation_locale) == ("pledge", "en")
        assert completion.attestation_hash == hashlib.sha256(FINAL_STATEMENT.encode()).hexdigest()
        assert completion.attested_at is not None
        # the xAPI export carries it, and an independent model accepts the statement
        statements = statements_since(
            None, rules_app.extensions["elearn_catalog"], "https://hr.example", "https://el.example"
        )
    completed = next(s for s in statements if s["verb"]["id"] == VERBS["completed"])
    BaseXapiStatement(**completed)
    assert completed["context"]["extensions"]["https://el.example/xapi/extensions/attestation"] == {
        "id": "pledge",
        "sha256": hashlib.sha256(FINAL_STATEMENT.encode()).hexdigest(),
        "language": "en",
        "timestamp": completed["timestamp"],
    }
    # and so does the completion report
    make_user(employee_id="admin", roles="learner admin", hr_locale="en", country="US", assign=False)
    admin = rules_app.test_client()
    Auth(admin).login("admin")
    report = admin.get("/admin/reports.csv").get_data(as_text=True)
    header, row = report.splitlines()[:2]
    assert header.endswith(",attestation,attestation_sha256")
    assert row.endswith(f",pledge,{hashlib.sha256(FINAL_STATEMENT.encode()).hexdigest()}")


@pytest.mark.parametrize(
    "rules, problem",
    [
        ("quiz:\n  draw_per_module: 4\n", "quiz draws 4 question(s) from module 'basics', which has 3"),
        ("quiz:\n  draw_by_module: {nowhere: 1}\n", "quiz draw_by_module names unknown module 'nowhere'"),
        ("quiz:\n  max_attempts: 0\n", "quiz max_attempts must be a whole number of at least 1"),
        ("quiz:\n  answers_after: fail\n", "quiz answers_after must be one of pass, never"),
        ("final_statement: missing\n", "final_statement 'missing' is not in attestations.yaml"),
    ],
)
def test_content_check_names_bad_rules(tmp_path, rules, problem):
    catalog = load_catalog(build_content(tmp_path / "content", rules=rules))
    assert problem in [p.message for p in catalog.errors]


def test_tabs_submitted_at_once_cannot_go_past_the_attempt_limit(rules_app, learner):
    """Five quiz tabs opened before any attempt, all submitted at the same moment: the
    rule allows two failed attempts, and the database holds two."""
    import threading

    forms = []
    for _ in range(5):
        html, form = quiz_form(learner)
        for qid in shown_question_ids(html):
            form[f"q-{qid}"] = ["b"]
        forms.append(form)
    cookie = learner.get_cookie("session")
    start, statuses = threading.Barrier(len(forms)), []

    def submit(form):
        tab = rules_app.test_client()
        tab.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        start.wait()
        statuses.append(tab.post("/courses/demo_course/quiz", data=form).status_code)

    tabs = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(60)
    assert sorted(statuses) == [302, 302, 429, 429, 429]
    with rules_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(QuizAttempt)) == 2
    # the same submission sent again is answered with its own attempt, not refused
    again = learner.post("/courses/demo_course/quiz", data=forms[0])
    assert again.status_code in (302, 429)
