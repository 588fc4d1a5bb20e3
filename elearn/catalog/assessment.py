"""How a course assesses: the `quiz:` rules of course.yaml, the statements learners
confirm (content/attestations.yaml), and the questions drawn for one attempt.
Plain Python; the loader calls the parsers, quizflow the draw."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .model import CourseView, Module, Question, Quiz, QuizRules, Statement
from .yamlfile import ContentError, Problem, read_yaml

ANSWERS_AFTER = ("pass", "never")
STATEMENT_LOCALE = "en"  #: every statement has this text; other locales fall back to it


def parse_quiz_rules(data: Any, path: Path) -> QuizRules:
    """course.yaml `quiz:` (absent: every question, unlimited attempts, answers after a pass)."""
    if data is None:
        return QuizRules()
    line = getattr(data, "line", 1)
    if not isinstance(data, dict):
        raise ContentError(path, line, "'quiz' must be a mapping")
    unknown = set(data) - {"draw_per_module", "draw_by_module", "max_attempts", "cooldown_hours", "answers_after"}
    if unknown:
        raise ContentError(path, line, f"'quiz' has unknown keys: {', '.join(sorted(unknown))}")

    def count(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ContentError(path, line, f"quiz {key} must be a whole number of at least 1")
        return value

    by_module = data.get("draw_by_module") or {}
    if not isinstance(by_module, dict):
        raise ContentError(path, line, "quiz draw_by_module must map module ids to numbers")
    answers_after = data.get("answers_after", "pass")
    if answers_after not in ANSWERS_AFTER:
        raise ContentError(path, line, f"quiz answers_after must be one of {', '.join(ANSWERS_AFTER)}")
    return QuizRules(
        draw_per_module=count("draw_per_module", data["draw_per_module"]) if "draw_per_module" in data else None,
        draw_by_module=tuple((str(k), count(f"draw_by_module {k}", v)) for k, v in by_module.items()),
        max_attempts=count("max_attempts", data["max_attempts"]) if "max_attempts" in data else None,
        cooldown_hours=count("cooldown_hours", data.get("cooldown_hours", 24)),
        answers_after=answers_after,
    )


def check_draw(rules: QuizRules, questions: tuple[Question, ...], module_ids: list[str]) -> list[str]:
    """What is wrong with drawing from this pool: a module the course does not have, or
    more questions asked of a module than its pool holds."""
    if rules.draw_per_module is None and not rules.draw_by_module:
        return []
    if not any(q.module for q in questions):
        return ["quiz draws per module, but its questions name no module"]
    problems = [
        f"quiz draw_by_module names unknown module '{m}'" for m, _n in rules.draw_by_module if m not in module_ids
    ]
    for module_id in module_ids:
        wanted = rules.draw_count(module_id)
        held = sum(q.module == module_id for q in questions)
        if wanted is not None and wanted > held:
            problems.append(f"quiz draws {wanted} question(s) from module '{module_id}', which has {held}")
    return problems


def load_statements(path: Path) -> dict[str, Statement]:
    """content/attestations.yaml: statement id -> {locale: text}; every one has English."""
    if not path.exists():
        return {}
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ContentError(path, 1, "attestations.yaml must map statement ids to texts")
    statements = {}
    for statement_id, texts in data.items():
        if not isinstance(texts, dict) or not str(texts.get(STATEMENT_LOCALE, "")).strip():
            raise ContentError(path, getattr(data, "line", 1), f"statement '{statement_id}' needs an 'en' text")
        statements[str(statement_id)] = Statement(str(statement_id), {str(k): str(v).strip() for k, v in texts.items()})
    return statements


def named_statement(data: Any, key: str, statements: dict[str, Statement], path: Path) -> Statement | None:
    """The statement course.yaml names under `key`, by its id in attestations.yaml."""
    if not data.get(key):
        return None
    statement = statements.get(str(data[key]))
    if statement is None:
        raise ContentError(path, getattr(data, "line", 1), f"{key} '{data[key]}' is not in attestations.yaml")
    return statement


def draw_questions(view: CourseView, rng: random.Random) -> list[Question]:
    """The questions of one attempt: with per-module draw rules, that many from each
    module's part of the pool (every module tested), in course order; otherwise all.
    Shuffled when the quiz says so."""
    rules = view.course.quiz_rules
    questions = list(view.quiz.questions)
    if rules.draw_per_module is not None or rules.draw_by_module:
        drawn: list[Question] = []
        for module in view.modules:
            pool = [q for q in questions if q.module == module.id]
            wanted = rules.draw_count(module.id)
            drawn.extend(pool if wanted is None or wanted >= len(pool) else rng.sample(pool, wanted))
        questions = drawn
    if view.quiz.shuffle:
        rng.shuffle(questions)
    return questions


#: a quiz pool holds at least this many questions on each module it tags
POOL_MINIMUM_PER_MODULE = 3


def check_pool(
    quiz: Quiz,
    modules: tuple[Module, ...],
    path: Path,
    problems: list[Problem],
    per_module: int = POOL_MINIMUM_PER_MODULE,
) -> None:
    """A quiz whose questions name their module is a pool: every question names a module
    of the course and has a hint, and every module has enough questions to draw from
    (`per_module`: a package-only pool, asked whole, needs one)."""
    if not any(q.module for q in quiz.questions):
        return
    ids = [m.id for m in modules]
    for question in quiz.questions:
        if question.module not in ids:
            why = "names no module" if not question.module else f"names unknown module '{question.module}'"
            problems.append(Problem(path, 1, f"question '{question.id}' {why}"))
        if not question.hint or not question.explanation:
            problems.append(Problem(path, 1, f"question '{question.id}' needs a hint and an explanation"))
    for module_id in ids:
        count = sum(q.module == module_id for q in quiz.questions)
        if count < per_module:
            problems.append(
                Problem(path, 1, f"module '{module_id}' has {count} question(s); a pool needs {per_module}")
            )


def check_longest_answers(quiz: Quiz, path: Path, problems: list[Problem]) -> None:
    """A guessing cue: the right option of single-answer questions is the longest one
    (strictly) in more than half of them."""
    singles = [q for q in quiz.questions if q.type == "single"]
    longest = 0
    for question in singles:
        lengths = sorted((len(o.text), o.id) for o in question.options)
        if lengths[-1][1] in question.answer and (len(lengths) < 2 or lengths[-2][0] < lengths[-1][0]):
            longest += 1
    if singles and longest * 2 > len(singles):
        problems.append(
            Problem(
                path,
                1,
                f"the right option is the longest in {longest} of {len(singles)} single-answer questions "
                "(a guessing cue): make options of similar length",
                "warning",
            )
        )
