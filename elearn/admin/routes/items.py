"""Admin: item analysis (each quiz question's share of right answers by locale and by
region, admin/item_analysis.py) and one question as it reads in one locale."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import force_locale, gettext
from flask_login import current_user
from sqlalchemy import select

from ...auth.roles import role_required
from ...catalog import Course, Question
from ...extensions import db
from ...i18n import LOCALES
from ...models import Assignment, QuizAttempt
from ...training.learner_status import Status, status_expression
from ...web import current_locale, get_catalog
from .. import bp
from ..item_analysis import FLAG_POINTS, MIN_ANSWERS, ItemFilters, cached_analysis
from ..scope import actor_clause, actor_scope


@bp.get("/reports/items")
@role_required("admin")
def item_analysis():
    catalog = get_catalog()
    filters = ItemFilters.from_args(request.args, catalog)
    course = catalog.courses.get(filters.course) if filters.course else None
    analysis = versions = texts = None
    if course is not None and not filters.rejected:
        analysis = cached_analysis(course, catalog, filters, actor_scope(), actor_clause())
        shown_in = course.quizzes[course.content_locale(current_locale())]
        texts = {q.id: q.text for q in shown_in.questions}
        versions = db.session.scalars(
            select(QuizAttempt.course_version)
            .distinct()
            .join(Assignment, Assignment.id == QuizAttempt.assignment_id)
            .where(Assignment.course_id == course.id)
            .order_by(QuizAttempt.course_version)
        ).all()
    page = render_template(
        "admin/item_analysis.html",
        courses=catalog.courses,
        course=course,
        filters=filters,
        analysis=analysis,
        texts=texts,
        versions=versions or [],
        languages=languages(course) if course else {},
        min_answers=MIN_ANSWERS,
        flag_points=FLAG_POINTS,
        region_name=lambda region: catalog.region_name(region, current_locale()),
    )
    return page, 400 if filters.rejected else 200


@bp.get("/reports/items/<course_id>/<question_id>/<locale>")
@role_required("admin")
def item_question(course_id: str, question_id: str, locale: str):
    """The question, its options, the right answer and the explanation as learners of
    `locale` read them; beside the source locale's, which the translation was made from."""
    course = get_catalog().courses.get(course_id)
    quiz = course.quizzes.get(locale) if course else None
    question = quiz.question(question_id) if quiz else None
    if course is None or question is None:
        abort(404)
    source = None
    if locale != course.default_locale:
        source = course.answer_key.question(question_id)
    # an admin who takes this course and has not completed it reads the question, not the key
    own_status = db.session.scalar(
        select(status_expression()).where(
            Assignment.user_id == current_user.id, Assignment.course_id == course.id, Assignment.current.is_(True)
        )
    )
    return render_template(
        "admin/item_question.html",
        course=course,
        languages=languages(course),
        locale=locale,
        question=question,
        labels=option_labels(question, locale),
        source=source,
        source_labels=option_labels(source, course.default_locale) if source else None,
        answers_hidden=own_status is not None and own_status != Status.COMPLETED,
    )


def option_labels(question: Question, locale: str) -> dict[str, str]:
    """Each option's text as a learner of `locale` reads it: a true/false question's
    options are interface strings, in that locale's catalog."""
    if question.type != "true_false":
        return {option.id: option.text for option in question.options}
    with force_locale(locale):
        return {"true": gettext("True"), "false": gettext("False")}


def languages(course: Course) -> dict[str, tuple[str, str, str]]:
    """(name, BCP 47 tag, direction) of each of the course's locales; content may come in
    a locale the interface does not offer: its code then names it."""
    return {
        code: LOCALES.get(code, (code, code.replace("_", "-"), "ltr"))
        for code in dict.fromkeys((*course.locales, *course.quizzes))
    }
