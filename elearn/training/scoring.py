"""Quiz scoring: the one place. Pure functions, no Flask, no database.

A question scores 1 only when the chosen options are exactly the correct set.
score = correct / questions x 100, floored, so the shown score and the pass
decision always agree; passed when score >= the course's pass mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Question, Quiz


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    chosen: frozenset[str]
    correct: bool
    answer: frozenset[str]


@dataclass(frozen=True)
class QuizResult:
    score: int
    passed: bool
    correct: int
    total: int
    questions: tuple[QuestionResult, ...]


def answered_right(question: Question, chosen: frozenset[str]) -> bool:
    """The rule for one question: right only when the chosen set is exactly the answer set."""
    return chosen == question.answer


def score_of(correct: int, total: int, pass_mark: int) -> tuple[int, bool]:
    """The score and the pass decision for `correct` right answers out of `total` (a
    standalone SCORM package carries this table: its quiz is scored in the browser)."""
    score = (correct * 100) // total if total else 0
    return score, total > 0 and correct * 100 >= pass_mark * total


def score_quiz(key: Quiz, question_ids: list[str], answers: dict[str, frozenset[str]], pass_mark: int) -> QuizResult:
    results = []
    for qid in question_ids:
        question = key.question(qid)
        if question is None:
            raise ValueError(f"unknown question {qid!r}")
        chosen = frozenset(answers.get(qid, ()))
        results.append(QuestionResult(qid, chosen, answered_right(question, chosen), question.answer))
    total = len(results)
    correct = sum(r.correct for r in results)
    score, passed = score_of(correct, total, pass_mark)
    return QuizResult(
        score=score,
        passed=passed,
        correct=correct,
        total=total,
        questions=tuple(results),
    )
