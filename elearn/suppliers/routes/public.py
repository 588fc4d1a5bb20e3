"""A supplier site's public course, /s/<code>: no account, no name. The worker picks
the language among the site's; the site's country picks the regional module and the
helplines; progress stays in the browser (visit.py); the quiz is scored on the server
as for employees; the database only counts (counts.py)."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ...catalog import Course, CourseView
from ...courses.pages import (
    CourseLinks,
    GradedQuiz,
    after_acknowledging,
    emergency_numbers,
    graded_quiz,
    module_page_context,
)
from ...courses.quizflow import issue_attempt
from ...ratelimit import configured, limiter
from ...web import country_name, current_locale, get_catalog
from .. import bp
from ..counts import add_to_counts
from ..forms import CompletionForm
from ..models import SupplierSite
from ..sites import site_by_code
from ..visit import Visit, as_passed, as_started, save, site_locale, visit_of, with_module_read

page_limit = limiter.limit(configured("ELEARN_SUPPLIER_PAGE_LIMIT"), methods=("GET", "POST"))


@bp.after_request
def no_referrer(response: Response) -> Response:
    """Nothing these pages request or link to learns which site's course was open."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def site_links(site: SupplierSite) -> CourseLinks:
    return CourseLinks(
        "suppliers.landing",
        "suppliers.module_page",
        "suppliers.acknowledge",
        "suppliers.quiz",
        (("site_code", site.public_code),),
    )


def site_course_view(view_function):
    """A site's course page: the open site the code names (a closed one's link says it is
    no longer active, 404), in the site's language (visit.site_locale), with the course
    as the site's country sees it and this browser's visit of it."""

    @wraps(view_function)
    def wrapped(site_code: str, **kwargs):
        site = site_by_code(site_code)
        if site is None:
            abort(404)
        g.locale = site_locale(site)  # web.current_locale: the locale chosen for this request
        if site.closed_at is not None:
            return render_template("suppliers/closed.html", site=site), 404
        catalog = get_catalog()
        course = catalog.courses.get(current_app.config["ELEARN_SUPPLIER_COURSE"])
        if course is None:
            abort(404)
        view = course.view(current_locale(), catalog.region_for(site.country))
        return view_function(site, course, view, visit_of(site), **kwargs)

    return wrapped


def count_start(site: SupplierSite, visit: Visit) -> Visit:
    """Counted once per browser and site, when it first opens a module or the quiz."""
    if visit.started:
        return visit
    add_to_counts(site.id, current_locale(), started=1)
    return as_started(visit)


@bp.get("/s/<site_code>")
@page_limit
@site_course_view
def landing(site: SupplierSite, course: Course, view: CourseView, visit: Visit):
    save(visit)  # the concern pages then know which site a report comes from
    unread = [m for m in view.modules if m.id not in visit.read]
    return render_template(
        "suppliers/landing.html",
        site=site,
        view=view,
        visit=visit,
        links=site_links(site),
        start=(unread or view.modules)[0],
        helplines=get_catalog().helplines_for(site.country),
        emergency=get_catalog().emergency_for(site.country),
        country_name=country_name(site.country),
    )


@bp.get("/s/<site_code>/modules/<module_id>")
@page_limit
@site_course_view
def module_page(site: SupplierSite, course: Course, view: CourseView, visit: Visit, module_id: str):
    context = module_page_context(view, module_id, module_id in visit.read, site_links(site))
    save(count_start(site, visit))
    return render_template("courses/module.html", emergency_numbers=emergency_numbers(site.country), **context)


@bp.post("/s/<site_code>/modules/<module_id>/acknowledge")
@page_limit
@site_course_view
def acknowledge(site: SupplierSite, course: Course, view: CourseView, visit: Visit, module_id: str):
    if view.module(module_id) is None:
        abort(404)
    save(with_module_read(visit, module_id))
    return redirect(after_acknowledging(view, module_id, site_links(site)))


@bp.get("/s/<site_code>/quiz")
@page_limit
@site_course_view
def quiz(site: SupplierSite, course: Course, view: CourseView, visit: Visit):
    visit = count_start(site, visit)
    save(visit)
    attempt = issue_attempt(current_app.config["SECRET_KEY"], view, visit.quiz_owner)
    return render_template(
        "courses/quiz.html", view=view, attempt=attempt, chosen={}, error=None, links=site_links(site)
    )


@bp.post("/s/<site_code>/quiz")
@limiter.limit(configured("ELEARN_SUPPLIER_QUIZ_LIMIT"))
@site_course_view
def submit_quiz(site: SupplierSite, course: Course, view: CourseView, visit: Visit):
    """Scored like an employee's attempt, and stored nowhere: the result is this page.
    The first pass in this browser counts as a completion."""
    graded = graded_quiz(course, view, visit.quiz_owner, site_links(site))
    if not isinstance(graded, GradedQuiz):
        return graded  # the quiz again: something is unanswered
    if graded.result.passed and visit.passed_on is None:
        add_to_counts(site.id, current_locale(), completed=1)
        save(as_passed(visit))
    return render_template(
        "suppliers/result.html",
        site=site,
        view=graded.view,
        result=graded.result,
        links=site_links(site),
        form=CompletionForm(),
    )


@bp.route("/s/<site_code>/completion", methods=["GET", "POST"])
@page_limit
@site_course_view
def completion(site: SupplierSite, course: Course, view: CourseView, visit: Visit):
    """The page a worker prints or saves after passing, with the name they type. Posted,
    so that the name is in no address, browser history or log; it is never stored."""
    if visit.passed_on is None:
        return redirect(url_for(".landing", site_code=site.public_code))
    form = CompletionForm()
    named = form.validate_on_submit()
    return render_template(
        "suppliers/completion.html",
        site=site,
        view=view,
        form=form,
        name=(form.name.data or "").strip() if named else "",
        passed_on=visit.passed_on,
        links=site_links(site),
    ), (400 if form.errors else 200)
