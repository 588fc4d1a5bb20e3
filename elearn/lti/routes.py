"""The tool's endpoints a platform calls: login initiation, the launch (resource links
and deep linking), the continuation of a framed launch, and the tool's public key.

The protocol checks are pylti1p3's (state, nonce issued here, registration and client
id, signature against the platform's key set, expiry, deployment, message claims); the
nonce is then spent once (launches.spend_nonce) so a replayed launch is refused.
Whom a launch signs in and which course it opens are launches.py's rules."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from .. import same_origin, security_log
from ..auth import learner_sessions
from ..catalog import Course
from ..extensions import csrf, db
from ..models import User
from ..ratelimit import configured, limiter
from ..urls import absolute_url
from ..web import current_locale, get_catalog
from . import bp, continuation, launches
from .framing import all_platform_origins, framable, origins_of
from .grades import SCORE_MAXIMUM, TimeoutSession
from .keys import ToolKey, tool_key
from .models import LtiRegistration
from .tool import DatabaseLaunchStorage, DatabaseToolConf, find_row, forget_expired_launch_data

#: how long a spent nonce is kept: longer than any id token we accept lives
NONCE_SECONDS = 24 * 3600


def _key_or_404() -> ToolKey:
    key = tool_key()
    if key is None:
        abort(404)
    return key


def problem(title: str, message: str, status: int, origins: list[str] | None = None) -> Response:
    """A refusal the platform's frame can show, in the person's language."""
    response = Response(render_template("lti/problem.html", title=title, message=message), status)
    return framable(response, all_platform_origins() if origins is None else origins)


def _not_verified(reason: str, detail: str = "") -> Response:
    db.session.rollback()
    security_log.event("lti.launch_refused", reason=reason, detail=detail[:200])
    return problem(
        _("This course could not be opened"),
        _("Your learning platform's request could not be verified. Go back and open the course again."),
        400,
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
@same_origin.exempt
@csrf.exempt
def login():
    """OIDC third-party login initiation: the platform sends the browser here first."""
    key = _key_or_404()
    forget_expired_launch_data()
    try:
        oidc_login = FlaskOIDCLogin(FlaskRequest(), DatabaseToolConf(key), launch_data_storage=DatabaseLaunchStorage())
        response = oidc_login.redirect(absolute_url(url_for("lti.launch")))
    except Exception as error:  # noqa: BLE001 - pylti1p3 raises OIDCException, LtiException, AssertionError
        return _not_verified(f"login:{type(error).__name__}", str(error))
    db.session.commit()
    return response


@bp.post("/launch")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
@same_origin.exempt
@csrf.exempt
def launch():
    """The platform's signed launch (form_post of the id token), after login initiation."""
    key = _key_or_404()
    try:
        message = FlaskMessageLaunch(
            FlaskRequest(),
            DatabaseToolConf(key),
            launch_data_storage=DatabaseLaunchStorage(),
            requests_session=TimeoutSession(),
        )
        claims: dict[str, Any] = dict(message.get_launch_data())
        deep_link = message.get_deep_link() if message.is_deep_link_launch() else None
    except Exception as error:  # noqa: BLE001 - any failed check (pylti1p3, PyJWT, requests) refuses
        return _not_verified(type(error).__name__, str(error))
    registration = find_row(claims.get("iss"), message.get_client_id())
    if registration is None:
        return _not_verified("registration")
    if not launches.spend_nonce(f"launch:{registration.id}:{claims.get('nonce')}", NONCE_SECONDS):
        return _not_verified(launches.REPLAYED)
    launches.forget_spent_nonces()
    if deep_link is not None:
        return _deep_linking_page(registration, deep_link, claims)
    return _resource_launch(registration, claims)


def _resource_launch(registration: LtiRegistration, claims: dict[str, Any]) -> Response:
    catalog = get_catalog()
    origins = origins_of([registration])
    course = launches.course_of(claims, catalog)
    if course is None:
        db.session.rollback()
        security_log.event("lti.launch_refused", reason=launches.UNKNOWN_COURSE, registration=registration.id)
        return problem(
            _("This course is not available"),
            _("The link in your learning platform names a course this site does not have. Tell your teacher."),
            400,
            origins,
        )
    outcome = launches.person_for(registration, claims, catalog)
    if outcome.user is None:
        db.session.rollback()
        security_log.event("lti.launch_refused", reason=outcome.refused, registration=registration.id)
        if outcome.refused == launches.PRIVILEGED:
            message = _(
                "Administrators and case handlers cannot sign in from a learning platform. "
                "Sign in on this site directly."
            )
        else:
            message = _("We cannot sign you in from your learning platform. Ask your training administrator.")
        return problem(_("You cannot sign in here from your learning platform"), message, 403, origins)
    user = outcome.user
    launches.give_course(user, course)
    launches.remember_grade_target(registration, user, course, claims)
    db.session.commit()
    security_log.event("lti.launch", actor=user.id, user_id=user.id, registration=registration.id, course=course.id)
    if not launches.in_frame(request.headers.get("Sec-Fetch-Dest"), claims):
        return _sign_in(user, course)
    token = continuation.new_token(user.id, course.id)
    page = render_template("lti/continue.html", course=course, locale=current_locale(), token=token)
    return framable(Response(page), origins)


def _sign_in(user: User, course: Course) -> Response:
    learner_sessions.start(user)
    security_log.event("auth.lti_sign_in", actor=user.id, user_id=user.id)
    return redirect(url_for("courses.course_page", course_id=course.id), 303)  # type: ignore[return-value]


@bp.get("/continue/<token>")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
def continue_launch(token: str):
    """The framed launch's one-time link, opened at top level: sign in, go to the course."""
    _key_or_404()
    named = continuation.person_of(token)
    if named is not None and current_user.is_authenticated and current_user.id != named:
        # a link alone never switches someone out of their own session (it could be another's)
        security_log.event("lti.continue_refused", reason="someone_else_signed_in")
        return problem(
            _("Someone else is signed in"),
            _("Someone else is signed in on this browser. Sign out, then open the course again."),
            400,
        )
    redeemed = continuation.redeem(token)
    user = db.session.get(User, redeemed[0]) if redeemed else None
    course = get_catalog().courses.get(redeemed[1]) if redeemed else None
    if user is None or course is None or not launches.may_sign_in(user):
        db.session.rollback()
        security_log.event("lti.continue_refused", reason="invalid_or_used" if not redeemed else "person")
        return problem(
            _("This link has expired"),
            _("Links from your learning platform work once, for two minutes. Go back and open the course again."),
            400,
        )
    db.session.commit()
    return _sign_in(user, course)


def _deep_linking_page(registration: LtiRegistration, deep_link: Any, claims: dict[str, Any]) -> Response:
    """A teacher picks a course: one form per course, each posting a signed deep-linking
    answer (an LtiResourceLink whose custom parameter names the course) to the platform.
    No round trip here: this page has no session in the platform's frame."""
    settings = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    return_url = settings.get("deep_link_return_url", "")
    locale = current_locale()
    choices = []
    for course in sorted(get_catalog().courses.values(), key=lambda c: c.title_in(locale).casefold()):
        # a line item: the platform makes a gradebook column for the link, and its launches
        # name it (the grade passback's target)
        column = LineItem().set_label(course.title_in(locale)).set_score_maximum(SCORE_MAXIMUM)
        resource = (
            DeepLinkResource()
            .set_url(absolute_url(url_for("lti.launch")))
            .set_title(course.title_in(locale))
            .set_custom_params({launches.COURSE_PARAMETER: course.id})
            .set_lineitem(column.set_resource_id(course.id))
        )
        choices.append((course, deep_link.get_response_jwt([resource])))
    db.session.commit()  # the nonce, spent
    security_log.event("lti.deep_linking", registration=registration.id)
    page = render_template("lti/deep_link.html", choices=choices, return_url=return_url, locale=locale)
    return framable(Response(page), origins_of([registration]), form_targets=[return_url])


@bp.get("/jwks")
def jwks():
    """The tool's public key (JWKS); the key id stays as long as the key."""
    key = _key_or_404()
    return jsonify({"keys": [key.public_jwk()]})
