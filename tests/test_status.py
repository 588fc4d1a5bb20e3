"""Each status of SPEC §3 arises from the data that should cause it (one SQL rule)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Assignment, Completion, ModuleProgress, QuizAttempt, User, utcnow
from elearn.training.assignments import renew_cycles
from elearn.training.learner_status import Status, status_expression

NOW = utcnow()


def status_of(app, user_id):
    with app.app_context():
        return db.session.scalar(
            select(status_expression()).where(Assignment.user_id == user_id, Assignment.current.is_(True))
        )


def add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def assignment_id(app, user_id):
    with app.app_context():
        return db.session.scalar(select(Assignment.id).where(Assignment.user_id == user_id))


def completion(assignment_id, user_id, expires_at, code):
    return Completion(
        assignment_id=assignment_id,
        user_id=user_id,
        course_id="demo_course",
        course_version="1.0.0",
        locale="en",
        region="global",
        score=100,
        completed_at=NOW - timedelta(days=400),
        expires_at=expires_at,
        certificate_code=code,
    )


def test_not_started(app, make_user):
    assert status_of(app, make_user()) == Status.NOT_STARTED


def test_in_progress_after_one_module(app, make_user):
    uid = make_user()
    add(app, ModuleProgress(assignment_id=assignment_id(app, uid), module_id="basics", locale="en"))
    assert status_of(app, uid) == Status.IN_PROGRESS


def test_in_progress_after_a_failed_attempt(app, make_user):
    uid = make_user()
    add(
        app,
        QuizAttempt(
            assignment_id=assignment_id(app, uid),
            token="t1",
            questions=[],
            answers={},
            score=0,
            passed=False,
            locale="en",
            course_version="1.0.0",
        ),
    )
    assert status_of(app, uid) == Status.IN_PROGRESS


def test_overdue_when_due_date_passed(app, make_user):
    uid = make_user()
    with app.app_context():
        db.session.get(Assignment, assignment_id(app, uid)).due_at = NOW - timedelta(days=1)
        db.session.commit()
    assert status_of(app, uid) == Status.OVERDUE


def test_completed_beats_overdue(app, make_user):
    uid = make_user()
    aid = assignment_id(app, uid)
    with app.app_context():
        db.session.get(Assignment, aid).due_at = NOW - timedelta(days=1)
        db.session.commit()
    add(app, completion(aid, uid, NOW + timedelta(days=10), "C1"))
    assert status_of(app, uid) == Status.COMPLETED


def test_completed_without_expiry(app, make_user):
    uid = make_user()
    add(app, completion(assignment_id(app, uid), uid, None, "C2"))
    assert status_of(app, uid) == Status.COMPLETED


def test_expired_then_new_cycle_still_says_expired_until_done(app, make_user):
    uid = make_user()
    aid = assignment_id(app, uid)
    add(app, completion(aid, uid, NOW - timedelta(days=1), "C3"))
    assert status_of(app, uid) == Status.EXPIRED
    with app.app_context():
        user = db.session.get(User, uid)
        assert renew_cycles(user, app.extensions["elearn_catalog"], 30) is True
        db.session.commit()
        cycles = db.session.execute(
            select(Assignment.cycle, Assignment.current).where(Assignment.user_id == uid).order_by(Assignment.cycle)
        ).all()
        assert [tuple(c) for c in cycles] == [(1, False), (2, True)]
        assert renew_cycles(user, app.extensions["elearn_catalog"], 30) is False
    # The new cycle starts clean, history stays, and the learner is due again.
    assert status_of(app, uid) == Status.EXPIRED


def test_overdue_beats_expired(app, make_user):
    uid = make_user()
    aid = assignment_id(app, uid)
    add(app, completion(aid, uid, NOW - timedelta(days=1), "C4"))
    with app.app_context():
        db.session.get(Assignment, aid).due_at = NOW - timedelta(days=2)
        db.session.commit()
    assert status_of(app, uid) == Status.OVERDUE


def test_my_training_page_uses_the_status_rule(app, client, auth, make_user):
    uid = make_user(hr_locale="en")
    add(app, ModuleProgress(assignment_id=assignment_id(app, uid), module_id="basics", locale="en"))
    auth.login()
    page = client.get("/training").get_data(as_text=True)
    assert "status-in_progress" in page and "In progress" in page


@pytest.mark.parametrize("major,expect_new", [(1, False), (0, True)])
def test_new_major_version_starts_new_cycle(app, make_user, major, expect_new):
    uid = make_user()
    with app.app_context():
        db.session.get(Assignment, assignment_id(app, uid)).course_major = major
        db.session.commit()
        changed = renew_cycles(db.session.get(User, uid), app.extensions["elearn_catalog"], 30)
        assert changed is expect_new
