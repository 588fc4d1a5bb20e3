"""Learner pages: my training, course, module, quiz, result, certificate, verify."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Assignment, Completion, QuizAttempt, utcnow
from ..pagecache import ShellCache, user_key
from ..training.assignments import current_assignment, module_state, renew_cycles
from ..training.completion import (acknowledge_module, acknowledged_modules, completion_by_code,
                                   completion_for, record_attempt)
from ..training.scoring import score_quiz
from ..training.status import status_expression
from ..web import current_locale, get_catalog
from . import bp
from .quizflow import ForgedSubmission, IncompleteSubmission, issue_attempt, read_answers, read_attempt

SHELLS = ShellCache()


def _learner_course(course_id: str):
    """The course as this learner sees it, with their current assignment cycle."""
    catalog = get_catalog()
    course = catalog.courses.get(course_id)
    if course is None:
        abort(404)
    assignment = current_assignment(current_user.id, course_id)
    if assignment is None:
        abort(403)
    view = course.view(current_locale(), catalog.region_for(current_user.country))
    return course, assignment, view


@bp.get("/training")
@login_required
def my_training():
    catalog = get_catalog()
    if renew_cycles(current_user, catalog, current_app.config["ELEARN_DEFAULT_DUE_DAYS"]):
        db.session.commit()
    rows = db.session.execute(
        select(Assignment, status_expression())
        .where(Assignment.user_id == current_user.id, Assignment.current.is_(True))
        .order_by(Assignment.due_at)).all()
    region = catalog.region_for(current_user.country)
    items = [(catalog.courses[a.course_id].view(current_locale(), region), a, status)
             for a, status in rows if a.course_id in catalog.courses]
    return render_template("courses/my_training.html", items=items)


@bp.get("/courses/<course_id>")
@login_required
def course_page(course_id: str):
    course, assignment, view = _learner_course(course_id)
    done = acknowledged_modules(assignment.id)
    status = db.session.scalar(select(status_expression()).where(Assignment.id == assignment.id))
    return render_template("courses/course.html", view=view, assignment=assignment, done=done,
                           status=status, completion=completion_for(assignment.id))


@bp.get("/courses/<course_id>/modules/<module_id>")
@login_required
def module_page(course_id: str, module_id: str):
    """The most visited page: one query, and a rendered shell reused across learners
    who see the same module in the same language and region (see pagecache)."""
    catalog = get_catalog()
    course = catalog.courses.get(course_id)
    if course is None:
        abort(404)
    state = module_state(current_user.id, course_id, module_id)
    if state is None:
        abort(403)
    view = course.view(current_locale(), catalog.region_for(current_user.country))
    module = view.module(module_id)
    if module is None:
        abort(404)
    acknowledged = state[1]
    previous, following = view.neighbours(module_id)
    key = ("module", course_id, view.locale, view.region, module_id, acknowledged,
           current_locale(), user_key())
    return SHELLS.render(key, "courses/module.html", view=view, module=module, previous=previous,
                         following=following, acknowledged=acknowledged,
                         position=view.modules.index(module) + 1)


@bp.post("/courses/<course_id>/modules/<module_id>/acknowledge")
@login_required
def acknowledge(course_id: str, module_id: str):
    course, assignment, view = _learner_course(course_id)
    if view.module(module_id) is None:
        abort(404)
    acknowledge_module(assignment, view, module_id)
    db.session.commit()
    _, following = view.neighbours(module_id)
    if following is not None:
        return redirect(url_for(".module_page", course_id=course_id, module_id=following.id))
    return redirect(url_for(".course_page", course_id=course_id))


@bp.get("/courses/<course_id>/quiz")
@login_required
def quiz(course_id: str):
    course, assignment, view = _learner_course(course_id)
    attempt = issue_attempt(current_app.secret_key, view, assignment.id)
    return render_template("courses/quiz.html", view=view, attempt=attempt, chosen={}, error=None)


@bp.post("/courses/<course_id>/quiz")
@login_required
def submit_quiz(course_id: str):
    course, assignment, view = _learner_course(course_id)
    try:
        attempt = read_attempt(current_app.secret_key, request.form.get("attempt", ""), assignment.id)
        answers = read_answers(request.form, attempt, view)
    except ForgedSubmission:
        abort(400)
    except IncompleteSubmission as missing:
        return render_template("courses/quiz.html", view=view, attempt=attempt,
                               chosen=missing.answers,
                               error=_("Please answer every question before you submit.")), 400
    result = score_quiz(course.answer_key, [q["id"] for q in attempt.shown],
                        {k: frozenset(v) for k, v in answers.items()}, course.pass_mark)
    stored = record_attempt(assignment, view, attempt.nonce, attempt.shown, answers, result)
    db.session.commit()
    return redirect(url_for(".attempt_result", course_id=course_id, attempt_id=stored.id))


@bp.get("/courses/<course_id>/attempts/<int:attempt_id>")
@login_required
def attempt_result(course_id: str, attempt_id: int):
    course, assignment, view = _learner_course(course_id)
    attempt = db.session.get(QuizAttempt, attempt_id)
    owned = attempt is not None and db.session.scalar(select(Assignment.user_id).where(
        Assignment.id == attempt.assignment_id, Assignment.course_id == course_id)) == current_user.id
    if not owned:
        abort(404)
    result = score_quiz(course.answer_key, [q["id"] for q in attempt.questions],
                        {k: frozenset(v) for k, v in attempt.answers.items()}, course.pass_mark)
    remaining = [m for m in view.modules if m.id not in acknowledged_modules(assignment.id)]
    return render_template("courses/result.html", view=view, attempt=attempt, result=result,
                           remaining=remaining, completion=completion_for(attempt.assignment_id))


@bp.get("/courses/<course_id>/certificate")
@login_required
def certificate(course_id: str):
    catalog = get_catalog()
    course = catalog.courses.get(course_id)
    if course is None:
        abort(404)
    completion = db.session.scalar(
        select(Completion).where(Completion.user_id == current_user.id,
                                 Completion.course_id == course_id)
        .order_by(Completion.completed_at.desc()).limit(1))
    if completion is None:
        abort(404)
    return render_template("courses/certificate.html", completion=completion,
                           course_title=course.title_in(course.content_locale(current_locale())),
                           learner=current_user)


@bp.get("/verify/<code>")
def verify(code: str):
    completion = completion_by_code(code[:40])
    if completion is None:
        return render_template("courses/verify.html", completion=None), 404
    course = get_catalog().courses.get(completion.course_id)
    title = course.title_in(course.content_locale(current_locale())) if course else completion.course_id
    valid = completion.expires_at is None or completion.expires_at > utcnow()
    return render_template("courses/verify.html", completion=completion, course_title=title,
                           valid=valid)
