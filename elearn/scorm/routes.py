"""What a dispatch package's page calls: the launch (opens the course for the LMS's
learner) and the learner's result, which the page relays to the LMS (dispatch.py holds
the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import security_log
from ..auth import learner_sessions
from ..auth.federation import BAD_CLAIMS, INACTIVE, UNKNOWN
from ..auth.signed_in import forget_learner_state
from ..catalog import Course
from ..extensions import db
from ..i18n import LOCALES
from ..models import User
from ..ratelimit import configured, limiter
from ..web import country_choices, get_catalog
from . import bp, dispatch
from .forms import CountryForm
from .models import LmsConnection

#: what a refused launch tells the learner, by reason
REFUSALS = {
    dispatch.REVOKED: lambda: _("This course package has been withdrawn. Ask your training team for a new one."),
    dispatch.PRIVILEGED: lambda: _(
        "Accounts with administrator or case-handling roles cannot be opened from a learning platform. "
        "Sign in to this site directly."
    ),
    INACTIVE: lambda: _("Your account here is not active. Ask your training team."),
    BAD_CLAIMS: lambda: _("Your learning platform did not say who you are. Open the course there again."),
    UNKNOWN: lambda: _("Your employee ID is not known here. Ask your training team."),
}


@dataclass(frozen=True)
class Launch:
    """A package's request: its connection, course and the LMS's learner."""

    connection: LmsConnection
    course: Course
    locale: str
    learner: str
    name: str


def _launch_from(key: str, values) -> Launch | tuple[str, int]:
    """The launch a package asks for, or what to tell the learner (message, status)."""
    package = dispatch.read_key(key)
    if package is None:
        return _("This course package is not valid. Ask your training team for a new one."), 403
    connection = package.connection
    if connection.revoked_at is not None:
        return REFUSALS[dispatch.REVOKED](), 403
    course = get_catalog().courses.get(package.course_id)
    if course is None:
        return _("This package names a course this site does not have. Ask your training team."), 400
    learner = values.get("learner", "")
    if not learner or len(learner) > 255:
        return REFUSALS[BAD_CLAIMS](), 400
    locale = values.get("locale", "")
    return Launch(connection, course, locale if locale in LOCALES else "", learner, values.get("name", "")[:200])


def _speak_package_language(values) -> None:
    """The package's language for a visitor who has not chosen one, as a kiosk's is
    (web.current_locale): the learner may not be signed in yet."""
    locale = values.get("locale")
    if locale in LOCALES:
        g.device_locale = locale


def _message(text: str, status: int):
    return render_template("scorm/message.html", message=text), status


@bp.route("/scorm/launch/<key>", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))  # each new learner id makes a person
def launch(key: str):
    """GET from the package's page (a new window); POST confirms switching from another
    account signed in on this browser (a link alone never signs someone out)."""
    values = request.form if request.method == "POST" else request.args
    _speak_package_language(values)
    found = _launch_from(key, values)
    if not isinstance(found, Launch):
        security_log.event("scorm.launch_refused", reason="package")
        return _message(*found)
    signed_in_as = dispatch.learner_user_id(found.connection, found.learner)
    if current_user.is_authenticated and signed_in_as == current_user.id:
        return redirect(url_for("courses.course_page", course_id=found.course.id))
    if current_user.is_authenticated and request.method == "GET":
        return render_template("scorm/switch.html", launch=found, values=values)
    outcome = dispatch.sign_in_learner(found.connection, found.learner, found.name, found.locale, get_catalog())
    if outcome.user is None:
        db.session.rollback()
        reason = outcome.refused or BAD_CLAIMS
        security_log.event("scorm.launch_refused", reason=reason)
        return _message(REFUSALS.get(reason, REFUSALS[BAD_CLAIMS])(), 403)
    dispatch.enrol(outcome.user, found.course.id, get_catalog())
    db.session.commit()
    learner_sessions.start(outcome.user)
    security_log.event("scorm.launch", actor=outcome.user.id, connection=found.connection.id)
    if outcome.user.country is None:
        region = values.get("region", "")
        return redirect(url_for("scorm.choose_country", course=found.course.id, region=region))
    return redirect(url_for("courses.course_page", course_id=found.course.id))


@bp.route("/scorm/country", methods=["GET", "POST"])
@login_required
def choose_country():
    """Where the learner works, asked once of a person a launch created: the countries of
    the package's region first."""
    catalog = get_catalog()
    course = catalog.courses.get(request.args.get("course", ""))
    if course is None:
        abort(404)
    region = request.args.get("region", "")
    form = CountryForm()
    everywhere = country_choices()
    near = [choice for choice in everywhere if catalog.region_for(choice[0]) == region]
    form.country.choices = near + [choice for choice in everywhere if choice not in near]
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if user is not None and user.country is None:
            user.country = form.country.data
            db.session.commit()
            forget_learner_state()
        return redirect(url_for("courses.course_page", course_id=course.id))
    return render_template("scorm/country.html", form=form), 400 if form.is_submitted() else 200


@bp.get("/scorm/progress/<key>")
def progress(key: str) -> Response:
    """The learner's result for the package's page on the LMS's site (CORS, no cookies)."""
    values = request.args
    _speak_package_language(values)
    found = _launch_from(key, values)
    if not isinstance(found, Launch):
        message, status = found
        response = jsonify(message=message)
        response.status_code = status
    else:
        user_id = dispatch.learner_user_id(found.connection, found.learner)
        result = dispatch.lms_result(user_id, found.course.id)
        region = values.get("region", "")
        total = len(found.course.view(found.locale or found.course.default_locale, region).modules)
        response = jsonify(
            status=result.status, score=result.score, modules_read=result.modules_read, modules_total=total
        )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
