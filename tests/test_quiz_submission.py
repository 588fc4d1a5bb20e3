"""Quiz submission: one path. The learner's state may come from the session; the one
INSERT stores nothing unless the database finds the person active and the token's
cycle theirs and current."""

from itsdangerous import URLSafeSerializer
from sqlalchemy import delete, func, select, update

from elearn.extensions import db
from elearn.models import Assignment, Completion, QuizAttempt, User

from .conftest import Auth, csrf_token
from .helpers import ANSWERS, acknowledge_all, quiz_form, submit


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_token_of_another_learners_cycle_is_refused(app, make_user):
    make_user(employee_id="u1", country="US", hr_locale="en")
    make_user(employee_id="u2", country="US", hr_locale="en")
    first, second = app.test_client(), app.test_client()
    Auth(first).login("u1")
    Auth(second).login("u2")
    _, form_of_u1 = quiz_form(first)
    _, form_of_u2 = quiz_form(second)
    form = {**form_of_u1, "csrf_token": form_of_u2["csrf_token"]}  # u1's signed token, u2's session
    assert submit(second, ANSWERS, form=form).status_code == 400
    assert count(app, QuizAttempt) == 0


def test_a_deactivated_learner_cannot_submit(app, client, auth, make_user):
    uid = make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    with app.app_context():
        db.session.get(User, uid).active = False
        db.session.commit()
    response = submit(client, ANSWERS, form=form)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(app, QuizAttempt) == 0


def test_a_token_of_a_closed_cycle_is_refused(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    with app.app_context():
        db.session.execute(update(Assignment).values(current=False))
        db.session.commit()
    assert submit(client, ANSWERS, form=form).status_code in (400, 403)
    assert count(app, QuizAttempt) == 0


def test_a_token_issued_before_it_named_its_view_is_still_accepted(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    serializer = URLSafeSerializer("test-secret", salt="elearn-quiz-attempt")
    payload = serializer.loads(form["attempt"])
    del payload["v"]
    response = submit(client, ANSWERS, form={**form, "attempt": serializer.dumps(payload)})
    assert response.status_code == 302 and count(app, QuizAttempt) == 1


def test_a_retried_submission_completes_what_a_lost_request_began(app, client, auth, make_user):
    """The attempt and the completion are two writes: if the process died between them,
    the learner's retry of the same submission (same token) writes the completion."""
    make_user(country="US", hr_locale="en")
    auth.login()
    acknowledge_all(client, ["basics", "signs"])
    _, form = quiz_form(client)
    assert submit(client, ANSWERS, form=form).status_code == 302
    with app.app_context():
        db.session.execute(delete(Completion))  # as if the process died after the attempt
        db.session.commit()
    assert submit(client, ANSWERS, form=form).status_code == 302
    assert count(app, QuizAttempt) == 1 and count(app, Completion) == 1
    assert "/certificate" in client.get("/courses/demo_course").get_data(as_text=True)


def test_an_unanswered_question_asks_again(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    partial = {qid: chosen for qid, chosen in ANSWERS.items() if qid != "fees"}
    response = submit(client, partial, form=form)
    assert response.status_code == 400 and "Please answer every question" in response.get_data(as_text=True)
    assert count(app, QuizAttempt) == 0
    assert csrf_token(response.get_data(as_text=True))


def test_a_submission_with_a_saved_state_needs_one_statement(app, client, auth, make_user):
    """The quiz page saved the learner's state in the session: submitting reads nothing
    before the INSERT, which checks the account and the cycle itself."""
    from sqlalchemy import event

    make_user(country="US", hr_locale="en")
    auth.login()
    _, form = quiz_form(client)
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert submit(client, ANSWERS, form=form).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
