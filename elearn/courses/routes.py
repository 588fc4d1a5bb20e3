"""Learner pages: my training, course, module, quiz, result, certificate, verify."""

from __future__ import annotations

from functools import partial, wraps

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.kiosk import in_kiosk_session
from ..auth.landing import staff_start_page
from ..auth.signed_in import LearnerCourse, account_active, forget_learner_state, learner_course
from ..catalog import Course, CourseView, Statement
from ..extensions import db, login_manager
from ..models import Assignment, QuizAttempt, utcnow
from ..pagecache import render_shell, user_key
from ..security_log import request_id
from ..training.assignments import renew_cycles
from ..training.attempt_rules import attempt_standing
from ..training.completion import (
    AttemptsUsedUp,
    acknowledge_module,
    completion_by_code,
    completion_for,
    confirm_completion,
    ready_to_confirm,
    record_attempt,
)
from ..training.learner_status import status_expression
from ..training.scoring import score_quiz
from ..web import current_locale, get_catalog
from . import bp
from .certificate_pdf import FontsMissing
from .certificates import certificate_content, certificate_pdf_bytes, own_latest_certificate, pdf_filename
from .pages import (
    GradedQuiz,
    after_acknowledging,
    emergency_numbers,
    graded_quiz,
    learner_links,
    module_page_context,
    quiz_locked,
)
from .quizflow import issue_attempt


def learner_course_view(view_function=None, *, saved_state: bool | None = None):
    """The learner's pages of one course: signed in (else to sign-in), the course exists
    (else 404) and is assigned to them (else 403). The view gets the course, the learner's
    state from one query or the session (auth/signed_in.py; `saved_state`: whether the
    saved one will do, by default on page views) and the course as they see it."""
    if view_function is None:
        return partial(learner_course_view, saved_state=saved_state)

    @wraps(view_function)
    def wrapped(course_id: str, **kwargs):
        state = learner_course(course_id, saved_state)
        if state is None:
            return login_manager.unauthorized()
        catalog = get_catalog()
        course = catalog.courses.get(course_id)
        if course is None:
            abort(404)
        if state.assignment_id is None:
            abort(403)
        view = course.view(current_locale(), catalog.region_for(state.user.country))
        return view_function(course, state, view, **kwargs)

    return wrapped


@bp.get("/training")
@login_required
def my_training():
    catalog = get_catalog()
    if renew_cycles(current_user, catalog, current_app.config["ELEARN_DEFAULT_DUE_DAYS"]):
        db.session.commit()
        forget_learner_state()  # course pages must not keep the closed cycle
    rows = db.session.execute(
        select(Assignment, status_expression())
        .where(Assignment.user_id == current_user.id, Assignment.current.is_(True))
        .order_by(Assignment.due_at)
    ).all()
    start_page = None if rows else staff_start_page(current_user)
    if start_page is not None:
        return redirect(start_page)
    region = catalog.region_for(current_user.country)
    items = [
        (catalog.courses[a.course_id].view(current_locale(), region), a, status)
        for a, status in rows
        if a.course_id in catalog.courses
    ]
    return render_template("courses/my_training.html", items=items)


@bp.get("/courses/<course_id>")
@learner_course_view
def course_page(course: Course, state: LearnerCourse, view: CourseView):
    assignment, status = db.session.execute(
        select(Assignment, status_expression()).where(Assignment.id == state.assignment_id)
    ).one()
    completion = completion_for(assignment.id)
    return render_template(
        "courses/course.html",
        view=view,
        assignment=assignment,
        done=state.acknowledged,
        status=status,
        completion=completion,
        links=learner_links(course.id),
        confirm=ready_to_confirm(assignment.id, state.acknowledged, view, completion),
    )


def confirms_text_shown(statement: Statement | None, view: CourseView) -> bool:
    """The form carries the hash of the statement text it showed: a record keeps the text
    the learner confirmed, not one they never saw (the language changed in another tab,
    or the content since the page was shown)."""
    return statement is None or request.form.get("statement") == statement.hash_in(view.locale)


@bp.post("/courses/<course_id>/complete")
@learner_course_view
def confirm(course: Course, state: LearnerCourse, view: CourseView):
    """The course's final statement confirmed: completes the course when every module is
    acknowledged and the quiz passed; otherwise the course page shows what is left."""
    confirmed = confirms_text_shown(course.final_statement, view)
    completion = confirm_completion(state.cycle, state.user.id, view) if confirmed else None
    if completion is None:
        return redirect(url_for(".course_page", course_id=course.id))
    db.session.commit()
    forget_learner_state(course.id)
    return redirect(url_for(".certificate", course_id=course.id))


@bp.get("/courses/<course_id>/modules/<module_id>")
@learner_course_view
def module_page(course: Course, state: LearnerCourse, view: CourseView, module_id: str):
    """The most visited page: one query, and a rendered shell reused across learners
    who see the same module in the same language and region (see pagecache)."""
    acknowledged = module_id in state.acknowledged
    context = module_page_context(view, module_id, acknowledged, learner_links(course.id))
    key = (
        "module",
        course.id,
        course.version,
        view.locale,
        view.region,
        module_id,
        acknowledged,
        current_locale(),
        user_key(),
    )
    slots = {"emergency_numbers": emergency_numbers(current_user.country)}
    return render_shell(key, "courses/module.html", slots, **context)


@bp.post("/courses/<course_id>/modules/<module_id>/acknowledge")
@learner_course_view
def acknowledge(course: Course, state: LearnerCourse, view: CourseView, module_id: str):
    if view.module(module_id) is None:
        abort(404)
    if not confirms_text_shown(course.module_statement, view):  # the page again, in its language now
        return redirect(url_for(".module_page", course_id=course.id, module_id=module_id))
    acknowledge_module(state.cycle, state.user.id, view, module_id)
    db.session.commit()
    forget_learner_state(course.id)
    return redirect(after_acknowledging(view, module_id, learner_links(course.id)))


@bp.get("/courses/<course_id>/quiz")
@learner_course_view
def quiz(course: Course, state: LearnerCourse, view: CourseView):
    standing = attempt_standing(state.cycle, course.quiz_rules, utcnow())
    if standing.locked:
        return quiz_locked(view, standing, learner_links(course.id))
    attempt = issue_attempt(current_app.config["SECRET_KEY"], view, state.cycle)
    return render_template(
        "courses/quiz.html",
        view=view,
        attempt=attempt,
        chosen={},
        error=None,
        links=learner_links(course.id),
        standing=standing,
    )


@bp.post("/courses/<course_id>/quiz")
@learner_course_view(saved_state=True)
def submit_quiz(course: Course, state: LearnerCourse, view: CourseView):
    """The attempt token (signed when the quiz was shown) names the cycle and the course
    view the questions were shown in. The state saved in the session will do: the one
    INSERT stores the attempt only if the database finds the person active and the cycle
    theirs and current (completion.record_attempt)."""
    standing = attempt_standing(state.cycle, course.quiz_rules, utcnow())
    if standing.locked:  # a quiz opened before the last attempts: it waits too
        return quiz_locked(view, standing, learner_links(course.id), 429)
    graded = graded_quiz(course, view, state.cycle, learner_links(course.id))
    if not isinstance(graded, GradedQuiz):
        return graded  # the quiz again: something is unanswered
    attempt = graded.attempt
    try:
        stored = record_attempt(
            state.user.id,
            attempt.assignment_id,
            graded.view,
            attempt.nonce,
            attempt.shown,
            graded.answers,
            graded.result,
            course.quiz_rules,
        )
    except AttemptsUsedUp:  # other tabs, submitted at the same moment, took the last attempts
        standing = attempt_standing(state.cycle, course.quiz_rules, utcnow())
        return quiz_locked(view, standing, learner_links(course.id), 429)
    if stored is None:  # what the saved state said no longer holds
        forget_learner_state(course.id)
        if not account_active(state.user.id):
            return login_manager.unauthorized()
        abort(400)
    attempt_id, completed = stored
    if completed:
        forget_learner_state(course.id)  # the course pages must show the completion
    return redirect(url_for(".attempt_result", course_id=course.id, attempt_id=attempt_id))


@bp.get("/courses/<course_id>/attempts/<int:attempt_id>")
@learner_course_view
def attempt_result(course: Course, state: LearnerCourse, view: CourseView, attempt_id: int):
    attempt = db.session.scalar(
        select(QuizAttempt)
        .join(Assignment)
        .where(QuizAttempt.id == attempt_id, Assignment.user_id == state.user.id, Assignment.course_id == course.id)
    )
    if attempt is None:  # not theirs, or not this course's: the same answer as a missing one
        abort(404)
    result = score_quiz(
        course.answer_key,
        [q["id"] for q in attempt.questions],
        {k: frozenset(v) for k, v in attempt.answers.items()},
        course.pass_mark,
    )
    remaining = [m for m in view.modules if m.id not in state.acknowledged]
    completion = completion_for(attempt.assignment_id)
    return render_template(
        "courses/result.html",
        view=view,
        attempt=attempt,
        result=result,
        remaining=remaining,
        completion=completion,
        links=learner_links(course.id),
        standing=attempt_standing(state.cycle, course.quiz_rules, utcnow()),
        reveal=course.quiz_rules.reveals_answers(result.passed),
        confirm=ready_to_confirm(attempt.assignment_id, state.acknowledged, view, completion),
    )


@bp.get("/courses/<course_id>/certificate")
@login_required
def certificate(course_id: str):
    earned = own_latest_certificate(course_id)
    return render_template(
        "courses/certificate.html",
        completion=earned.completion,
        course_title=earned.course_title,
        learner=current_user,
    )


@bp.get("/courses/<course_id>/certificate.pdf")
@login_required
def certificate_pdf(course_id: str):
    if in_kiosk_session():  # a download would stay on the shared device for the next person
        abort(403)
    earned = own_latest_certificate(course_id)
    try:
        pdf = certificate_pdf_bytes(certificate_content(earned))
    except FontsMissing as exc:
        current_app.logger.error("certificate PDF cannot be made: %s (Debian: fonts-noto-core fonts-noto-cjk)", exc)
        message = _(
            "The PDF of your certificate cannot be made at the moment. Please try again later; "
            "you can still print your certificate page."
        )
        return render_template("error.html", code=503, message=message, reference=request_id()), 503
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename={pdf_filename(earned.completion)}",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/verify/<code>")
def verify(code: str):
    completion = completion_by_code(code[:40])
    if completion is None:
        return render_template("courses/verify.html", completion=None), 404
    course = get_catalog().courses.get(completion.course_id)
    title = course.title_in(course.content_locale(current_locale())) if course else completion.course_id
    valid = completion.expires_at is None or completion.expires_at > utcnow()
    return render_template("courses/verify.html", completion=completion, course_title=title, valid=valid)
