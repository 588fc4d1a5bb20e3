"""Quiz scoring rule (SPEC §3): exact set per question, floor percentage, pass mark."""

from elearn.catalog import load_catalog
from elearn.training.scoring import score_quiz

from .conftest import FIXTURE_CONTENT

KEY = load_catalog(FIXTURE_CONTENT).courses["demo_course"].answer_key
IDS = ["passport", "signs", "fees"]


def test_all_right_passes_with_100():
    result = score_quiz(KEY, IDS, {"passport": {"b"}, "signs": {"a", "c"}, "fees": {"false"}}, 80)
    assert (result.score, result.passed, result.correct) == (100, True, 3)


def test_partial_multiple_choice_scores_nothing():
    result = score_quiz(KEY, IDS, {"passport": {"b"}, "signs": {"a"}, "fees": {"false"}}, 80)
    assert result.correct == 2 and result.score == 66 and not result.passed
    assert [r.correct for r in result.questions] == [True, False, True]


def test_extra_option_in_multiple_choice_scores_nothing():
    result = score_quiz(KEY, IDS, {"passport": {"b"}, "signs": {"a", "b", "c"}, "fees": {"false"}}, 80)
    assert result.questions[1].correct is False


def test_pass_mark_is_inclusive_and_exact():
    answers = {"passport": {"b"}, "signs": {"a", "c"}, "fees": {"true"}}
    assert score_quiz(KEY, IDS, answers, 66).passed is True  # 66.67 >= 66
    assert score_quiz(KEY, IDS, answers, 67).passed is False  # 66.67 < 67


def test_unanswered_question_is_wrong():
    result = score_quiz(KEY, IDS, {"passport": {"b"}}, 80)
    assert result.correct == 1 and result.total == 3
