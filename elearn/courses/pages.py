"""What every place that shows a course view shares: the learner's own course pages
(routes.py) and a supplier site's public course (elearn/suppliers). Where the pages
link to, the module page's parts, and a submitted quiz scored on the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, get_template_attribute, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..catalog import Course, CourseView
from ..training.attempt_rules import AttemptStanding
from ..training.scoring import QuizResult, score_quiz
from ..web import country_name, get_catalog
from .quizflow import Attempt, ForgedSubmission, IncompleteSubmission, read_answers, read_attempt


@dataclass(frozen=True)
class CourseLinks:
    """The endpoints of a course's pages and the URL arguments they all take: the
    learner's (courses.*, by course id) or a supplier site's (suppliers.*, by site code).
    Templates build every course link with `links.url(page, ...)`."""

    course: str
    module: str
    acknowledge: str
    quiz: str
    args: tuple[tuple[str, str], ...]

    def url(self, page: str, **values: str) -> str:
        arguments: dict[str, Any] = {**dict(self.args), **values}
        return url_for(getattr(self, page), **arguments)


def learner_links(course_id: str) -> CourseLinks:
    return CourseLinks(
        "courses.course_page", "courses.module_page", "courses.acknowledge", "courses.quiz", (("course_id", course_id),)
    )


def module_page_context(view: CourseView, module_id: str, acknowledged: bool, links: CourseLinks) -> dict[str, Any]:
    """What courses/module.html shows of one module (404 when the view has no such module)."""
    module = view.module(module_id)
    if module is None:
        abort(404)
    previous, following = view.neighbours(module_id)
    return {
        "view": view,
        "module": module,
        "previous": previous,
        "following": following,
        "acknowledged": acknowledged,
        "position": view.modules.index(module) + 1,
        "links": links,
    }


def emergency_numbers(country: str | None) -> Callable[[], Markup]:
    """The module page's `emergency_numbers()`: the numbers of the learner's (or the
    site's) country, rendered per request into the regional module's slot."""

    def block() -> Markup:
        show = get_template_attribute("concerns/_helplines.html", "emergency_list")
        return show(get_catalog().emergency_for(country), country_name(country))

    return block


def after_acknowledging(view: CourseView, module_id: str, links: CourseLinks) -> str:
    """Where a learner goes once a module is acknowledged: the next module, or the course."""
    _previous, following = view.neighbours(module_id)
    return links.url("module", module_id=following.id) if following is not None else links.url("course")


@dataclass(frozen=True)
class GradedQuiz:
    attempt: Attempt
    view: CourseView  #: the view the quiz was shown in
    answers: dict[str, list[str]]
    result: QuizResult


def graded_quiz(course: Course, view: CourseView, owner: int | str, links: CourseLinks) -> GradedQuiz | Any:
    """The posted quiz scored on the server against the course's one answer key; or,
    when something is unanswered, the quiz page again (400) with what was chosen. A
    token not issued to `owner` (quizflow.issue_attempt) or naming what was not shown
    is a 400."""
    try:
        attempt = read_attempt(current_app.config["SECRET_KEY"], request.form.get("attempt", ""), owner)
        if attempt.view_key is not None:
            view = course.view(*attempt.view_key)
        answers = read_answers(request.form, attempt, view)
    except ForgedSubmission:
        abort(400)
    except IncompleteSubmission as missing:
        return render_template(
            "courses/quiz.html",
            view=view,
            attempt=attempt,
            chosen=missing.answers,
            error=_("Please answer every question before you submit."),
            links=links,
        ), 400
    result = score_quiz(
        course.answer_key,
        [q["id"] for q in attempt.shown],
        {k: frozenset(v) for k, v in answers.items()},
        course.pass_mark,
    )
    return GradedQuiz(attempt, view, answers, result)


def quiz_locked(view: CourseView, standing: AttemptStanding, links: CourseLinks, status: int = 200) -> Any:
    """The page in place of the quiz while the learner waits after too many failed attempts."""
    page = render_template(
        "courses/quiz.html", view=view, attempt=None, chosen={}, error=None, standing=standing, links=links
    )
    return page, status
