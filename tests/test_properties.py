"""Property-based tests (hypothesis) of the three rules: scoring, status, locale choice."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elearn.catalog.model import Option, Question, Quiz
from elearn.i18n import LOCALES, negotiate, parse_accept_language
from elearn.training.scoring import score_quiz

OPTION_IDS = ["a", "b", "c", "d"]


@st.composite
def quizzes_and_answers(draw):
    n = draw(st.integers(1, 25))
    questions, answers = [], {}
    for i in range(n):
        correct = frozenset(draw(st.sets(st.sampled_from(OPTION_IDS), min_size=1)))
        questions.append(Question(f"q{i}", "multiple", "?", tuple(Option(o, o) for o in OPTION_IDS), correct, ""))
        answers[f"q{i}"] = frozenset(draw(st.sets(st.sampled_from(OPTION_IDS))))
    return Quiz("en", False, tuple(questions)), answers


@given(quizzes_and_answers(), st.integers(0, 100))
def test_scoring_properties(data, pass_mark):
    quiz, answers = data
    ids = [q.id for q in quiz.questions]
    result = score_quiz(quiz, ids, answers, pass_mark)
    exact = sum(answers[q.id] == q.answer for q in quiz.questions)
    assert result.correct == exact  # a question counts only for the exact set
    assert 0 <= result.score <= 100
    assert result.passed == (result.score >= pass_mark)  # shown score and decision agree
    assert result.passed == (exact * 100 >= pass_mark * len(ids))
    perfect = score_quiz(quiz, ids, {q.id: q.answer for q in quiz.questions}, pass_mark)
    assert perfect.score == 100 and perfect.passed


@given(quizzes_and_answers())
def test_adding_a_wrong_option_never_raises_the_score(data):
    quiz, answers = data
    ids = [q.id for q in quiz.questions]
    base = score_quiz(quiz, ids, answers, 80).correct
    for q in quiz.questions:
        extra = set(OPTION_IDS) - q.answer
        if extra:
            worse = dict(answers, **{q.id: q.answer | {sorted(extra)[0]}})
            assert score_quiz(quiz, ids, worse, 80).correct <= base + 0  # never credited


TAGS = st.sampled_from(
    [
        "en",
        "en-US",
        "es",
        "es-419",
        "fr-CA",
        "pt-BR",
        "pt-PT",
        "ar",
        "ar-EG",
        "hi-IN",
        "zh",
        "zh-Hans-CN",
        "zh-TW",
        "de",
        "ja",
        "*",
        "x-klingon",
        "",
        ";",
        "q=1",
    ]
)


@given(st.lists(st.tuples(TAGS, st.floats(0, 1.5, allow_nan=False)), max_size=8), st.text(max_size=40))
def test_negotiation_always_returns_a_supported_locale(entries, noise):
    header = ", ".join(f"{tag};q={q:.2f}" for tag, q in entries) + noise
    assert negotiate(header) in LOCALES


@given(
    st.lists(
        st.tuples(st.sampled_from(["es", "fr", "ar", "hi", "de"]), st.integers(1, 100)),
        min_size=1,
        max_size=6,
        unique_by=lambda e: e[0],
    )
)
def test_negotiation_picks_the_highest_weighted_supported_language(entries):
    header = ", ".join(f"{tag};q={q / 100:.2f}" for tag, q in entries)
    supported = [(q, -i, tag) for i, (tag, q) in enumerate(entries) if tag != "de"]
    expected = max(supported)[2] if supported else "en"
    assert negotiate(header) == expected
    assert all(0 < q <= 1 for _, q in parse_accept_language(header))


STATES = st.fixed_dictionaries(
    {
        "completion": st.sampled_from([None, "valid", "expired", "no_expiry"]),
        "due": st.sampled_from([None, "past", "future"]),
        "activity": st.booleans(),
        "earlier_expired": st.booleans(),
    }
)


def expected_status(state):
    if state["completion"] in ("valid", "no_expiry"):
        return "completed"
    if state["due"] == "past":
        return "overdue"
    if state["completion"] == "expired" or state["earlier_expired"]:
        return "expired"
    if state["activity"]:
        return "in_progress"
    return "not_started"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=STATES)
def test_status_rule_matches_the_spec_order(app, make_user, state):
    """The SQL expression against a direct reading of SPEC §3 (first match wins)."""
    from sqlalchemy import delete, select

    from elearn.extensions import db
    from elearn.models import Assignment, Completion, ModuleProgress, User, utcnow
    from elearn.training.learner_status import status_expression

    now = utcnow()
    with app.app_context():
        for model in (Completion, ModuleProgress, Assignment, User):
            db.session.execute(delete(model))
        db.session.commit()
    uid = make_user(employee_id="p1")
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        a.due_at = {None: None, "past": now - timedelta(days=1), "future": now + timedelta(days=9)}[state["due"]]
        if state["earlier_expired"]:
            old = Assignment(user_id=uid, course_id=a.course_id, cycle=0, current=False, course_major=1)
            db.session.add(old)
            db.session.flush()
            db.session.add(
                Completion(
                    assignment_id=old.id,
                    user_id=uid,
                    course_id=a.course_id,
                    course_version="1",
                    locale="en",
                    score=90,
                    expires_at=now - timedelta(days=5),
                    certificate_code="OLD-CODE",
                )
            )
        if state["completion"]:
            expires = {"valid": now + timedelta(days=5), "expired": now - timedelta(days=1), "no_expiry": None}
            db.session.add(
                Completion(
                    assignment_id=a.id,
                    user_id=uid,
                    course_id=a.course_id,
                    course_version="1",
                    locale="en",
                    score=90,
                    expires_at=expires[state["completion"]],
                    certificate_code="NEW-CODE",
                )
            )
        if state["activity"]:
            db.session.add(ModuleProgress(assignment_id=a.id, module_id="basics", locale="en"))
        db.session.commit()
        got = db.session.scalar(select(status_expression()).where(Assignment.id == a.id))
    assert got == expected_status(state)
