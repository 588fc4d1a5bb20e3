"""The learner's path through HTTP on a real database (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Completion, ModuleProgress, QuizAttempt

from .conftest import csrf_token
from .helpers import ANSWERS, WRONG, acknowledge_all, quiz_form, submit


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_my_training_lists_assigned_course_in_hindi(app, client, auth, make_user):
    make_user()
    auth.login()
    page = client.get("/training").get_data(as_text=True)
    assert 'lang="hi"' in page and "डेमो जागरूकता" in page


def test_module_page_shows_hindi_text_and_arab_states_module(app, client, auth, make_user):
    make_user(country="AE", hr_locale="hi")
    auth.login()
    course = client.get("/courses/demo_course").get_data(as_text=True)
    assert "आपके क्षेत्र के जोखिम: अरब देश" in course
    page = client.get("/courses/demo_course/modules/risks").get_data(as_text=True)
    assert "कफ़ाला" in page and 'dir="ltr"' in page


def test_fallback_to_default_locale_is_shown_on_the_page(app, client, auth, make_user):
    make_user(country="US", hr_locale="fr")
    auth.login()
    page = client.get("/courses/demo_course/modules/basics").get_data(as_text=True)
    assert "under the menace of a penalty" in page
    assert 'class="notice"' in page and "English" in page


def test_answer_key_is_absent_from_quiz_html(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    html, form = quiz_form(client)
    assert "explanation" not in html.lower()
    assert "The employer should pay" not in html
    assert "answer" not in form["attempt"]
    assert 'value="b"' in html  # the options are there, the key is not
    from itsdangerous import URLSafeSerializer

    payload = URLSafeSerializer("test-secret", salt="elearn-quiz-attempt").loads(form["attempt"])
    assert set(payload) == {"n", "a", "q", "v"}  # nonce, cycle, questions shown, course view


def test_forged_question_or_option_is_rejected_and_records_nothing(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    bad_option = submit(client, {**ANSWERS, "passport": ["z"]})
    bad_question = submit(client, {**ANSWERS, "invented": ["a"]})
    two_for_single = submit(client, {**ANSWERS, "passport": ["a", "b"]})
    _, form = quiz_form(client)
    forged_token = submit(client, ANSWERS, form={**form, "attempt": form["attempt"][:-3] + "AAA"})
    assert [r.status_code for r in (bad_option, bad_question, two_for_single, forged_token)] == [400] * 4
    assert count(app, QuizAttempt) == 0


def test_missing_csrf_token_is_rejected_and_records_nothing(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    response = submit(client, ANSWERS, form={"attempt": form["attempt"]})
    assert response.status_code == 400
    ack = client.post("/courses/demo_course/modules/basics/acknowledge")
    assert ack.status_code == 400
    assert count(app, QuizAttempt) == 0 and count(app, ModuleProgress) == 0


def test_unanswered_question_asks_again_in_users_language(app, client, auth, make_user):
    make_user(country="AE", hr_locale="ar")
    auth.login()
    response = submit(client, {"passport": ["b"]})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert count(app, QuizAttempt) == 0


def test_same_attempt_token_twice_records_one_attempt_and_one_completion(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    acknowledge_all(client, ["basics", "signs"])
    _, form = quiz_form(client)
    first = submit(client, ANSWERS, form=form)
    second = submit(client, ANSWERS, form=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, QuizAttempt) == 1 and count(app, Completion) == 1


def test_fail_then_pass_then_certificate_verifies_signed_out(app, client, auth, make_user):
    make_user(country="AE", hr_locale="hi", display_name="रवि कुमार")
    auth.login()
    acknowledge_all(client, ["basics", "signs", "risks"])
    failed = client.get(submit(client, WRONG).headers["Location"]).get_data(as_text=True)
    # which questions were wrong, never the explanation that gives the answer away
    assert "एजेंसी ने एक सहकर्मी" in failed and "पहचान दस्तावेज़ रखना" not in failed
    assert count(app, Completion) == 0
    passed = client.get(submit(client, ANSWERS).headers["Location"]).get_data(as_text=True)
    assert "/courses/demo_course/certificate" in passed and "पहचान दस्तावेज़ रखना" in passed
    certificate = client.get("/courses/demo_course/certificate").get_data(as_text=True)
    assert "रवि कुमार" in certificate and "डेमो जागरूकता" in certificate
    with app.app_context():
        completion = db.session.scalars(select(Completion)).one()
        assert (completion.locale, completion.region, completion.score) == ("hi", "arab_states", 100)
        assert completion.expires_at is not None and completion.course_version == "1.0.0"
        code = completion.certificate_code
        attempts = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id)).all()
        assert [a.passed for a in attempts] == [False, True]
        assert attempts[0].questions and attempts[0].locale == "hi" and attempts[0].region == "arab_states"
    client.post("/logout", data={"csrf_token": csrf_token(certificate)})
    public = client.get(f"/verify/{code}")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "रवि कुमार" in text
    assert "100" not in text.split("<main")[1]  # no score on the public page
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404
    # anyone checking it sees until when it is valid, then that it expired and when
    visitor = app.test_client()
    english = {"Accept-Language": "en"}
    assert "Valid until" in visitor.get(f"/verify/{code}", headers=english).get_data(as_text=True)
    with app.app_context():
        db.session.scalars(select(Completion)).one().expires_at = datetime(2025, 3, 1)
        db.session.commit()
    expired = visitor.get(f"/verify/{code}", headers=english).get_data(as_text=True)
    assert "Expired on" in expired and "March 1, 2025" in expired and "रवि कुमार" in expired


def test_passing_quiz_before_reading_modules_completes_only_after_last_module(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    submit(client, ANSWERS)
    assert count(app, Completion) == 0
    acknowledge_all(client, ["basics", "signs"])
    assert count(app, Completion) == 1


def test_unassigned_course_and_unknown_module_are_refused(app, client, auth, make_user):
    make_user(assign=False)
    auth.login()
    assert client.get("/courses/demo_course").status_code == 403
    assert client.get("/courses/nope").status_code == 404


def test_attempt_of_another_learner_is_not_shown(app, client, auth, make_user):
    make_user(employee_id="u1", country="US", hr_locale="en")
    make_user(employee_id="u2", country="US", hr_locale="en")
    auth.login("u1")
    location = submit(client, ANSWERS).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/training").get_data(as_text=True))})
    auth.login("u2")
    assert client.get(location).status_code == 404


def test_module_page_shell_never_shows_one_learner_to_another(app, make_user):
    from .conftest import Auth

    make_user(employee_id="ana", name="Ana Alpha", country="AE", hr_locale="hi")
    make_user(employee_id="bo", name="Bo Beta", country="AE", hr_locale="hi")
    first, second = app.test_client(), app.test_client()
    Auth(first).login("ana")
    Auth(second).login("bo")
    page_a = first.get("/courses/demo_course/modules/risks").get_data(as_text=True)
    page_b = second.get("/courses/demo_course/modules/risks").get_data(as_text=True)
    assert "Ana Alpha" in page_a and "Bo Beta" not in page_a
    assert "Bo Beta" in page_b and "Ana Alpha" not in page_b
    assert csrf_token(page_a) != csrf_token(page_b)
    assert "\ue000" not in page_a + page_b
    # The token in the cached page works for its own session only.
    ok = first.post("/courses/demo_course/modules/risks/acknowledge", data={"csrf_token": csrf_token(page_a)})
    stolen = second.post("/courses/demo_course/modules/risks/acknowledge", data={"csrf_token": csrf_token(page_a)})
    assert ok.status_code == 302 and stolen.status_code == 400
    # After acknowledging, the page shows the learner's confirmed state, not the cached one.
    assert 'class="done"' in first.get("/courses/demo_course/modules/risks").get_data(as_text=True)
    assert 'class="done"' not in second.get("/courses/demo_course/modules/risks").get_data(as_text=True)


def test_stored_attempt_and_completion_keep_their_types(app, client, auth, make_user):
    """Attempts and completions are written by Core INSERT ... ON CONFLICT statements
    (training/completion.py), not ORM objects: JSON and UTC times must come back as the
    ORM wrote them, on both databases."""
    from datetime import datetime, timedelta

    make_user(country="AE")
    auth.login()
    before = datetime.now(UTC) - timedelta(seconds=5)
    acknowledge_all(client, ["basics", "signs", "risks"])
    assert submit(client, ANSWERS).status_code == 302
    with app.app_context():
        attempt = db.session.scalars(select(QuizAttempt)).one()
        completion = db.session.scalars(select(Completion)).one()
        progress = db.session.scalars(select(ModuleProgress)).all()
        assert attempt.answers == ANSWERS and {q["id"] for q in attempt.questions} == set(ANSWERS)
        assert attempt.passed is True and attempt.score == 100
        for moment in (attempt.submitted_at, completion.completed_at, *(p.acknowledged_at for p in progress)):
            assert moment.tzinfo is not None and before <= moment <= datetime.now(UTC)
        assert completion.expires_at is None or completion.expires_at > completion.completed_at
