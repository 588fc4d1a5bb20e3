"""The app's wiring: extensions, security headers, error pages, the language switcher
and the pages every area shares (/, /language, /healthz, /readyz). Only create_app
imports it; helpers the areas use are in web.py."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_compress import Compress
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter

from . import json_errors
from .extensions import babel, csrf, db, login_manager, migrate
from .i18n import LOCALE_COOKIE, LOCALES, bcp47, direction, supported
from .security_log import request_id
from .web import CSP, current_locale, current_timezone, is_safe_next, origin_of

site = Blueprint("site", __name__)


def security_headers_for(config) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The headers set on every response unless the view set its own, and those of pages
    (not static files). With OpenID Connect, form-action also allows the provider's
    origin: the sign-out form every page has redirects there (RP-initiated logout)."""
    csp = CSP
    if config.get("ELEARN_OIDC_ISSUER") and config.get("ELEARN_OIDC_CLIENT_ID"):
        csp = CSP.replace("form-action 'self'", f"form-action 'self' {origin_of(config['ELEARN_OIDC_ISSUER'])}")
    security = (
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )
    return security, security + (("Cache-Control", "no-store"),)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number an id column can hold (PostgreSQL's integer),
    so a larger one is a 404 instead of a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


#: Flask-Compress settings unless the config sets them: brotli (smallest) or gzip; text
#: types only, so the streamed CSV and XLSX exports are never compressed (nor buffered).
#: Static files are streamed too: they are compressed as they are read.
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "image/svg+xml", "application/json"],
}


class NoCompressionCrossSite:
    """WSGI middleware: a request another site made the browser send (a link, a form)
    gets an uncompressed answer. Pages hold the session's CSRF token beside text taken
    from the request (the language form's return path), and a compressed length could
    then leak the token to someone who can watch the traffic and make the browser send
    chosen URLs (BREACH); same-site navigation keeps its compression."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_SEC_FETCH_SITE") == "cross-site":
            environ = {k: v for k, v in environ.items() if k != "HTTP_ACCEPT_ENCODING"}
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    for name, value in COMPRESSION.items():
        app.config.setdefault(name, value)
    # First: Flask runs after_request functions last-registered first, and compression
    # must see each response as the others left it (body, headers, Vary). One per app:
    # Flask-Compress keeps the settings it read on the object.
    app.extensions["elearn_compress"] = Compress(app)
    app.wsgi_app = NoCompressionCrossSite(app.wsgi_app)  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    from . import input_guard

    input_guard.init_app(app)  # first: nothing else reads input that holds a NUL
    csrf.init_app(app)
    from . import same_origin

    same_origin.init_app(app)  # with the CSRF token check, before rate limits are counted
    babel.init_app(app, locale_selector=current_locale, timezone_selector=current_timezone)
    login_manager.init_app(app)
    from .ratelimit import limiter

    limiter.init_app(app)
    from . import pagecache, static_files

    pagecache.init_app(app)
    static_files.init_app(app)
    from .concerns import crypto

    crypto.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    from .auth.signed_in import load_user

    login_manager.user_loader(load_user)

    if app.config.get("ELEARN_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["ELEARN_PROXY_HOPS"]
        # Flask's documented way to add WSGI middleware, which its type hints (a method) do not allow
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_timedelta

    from .training.learner_status import status_label
    from .urls import absolute_url

    app.jinja_env.globals.update(
        absolute_url=absolute_url,
        status_label=status_label,
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_decimal,
        format_percent=format_percent,
        format_timedelta=format_timedelta,
    )

    @app.context_processor
    def page_globals():
        locale = current_locale()
        return {
            "html_lang": bcp47(locale),
            "html_dir": direction(locale),
            "ui_locale": locale,
            "all_locales": LOCALES,
            "concern_url": app.config["ELEARN_CONCERN_URL"],
        }

    headers_for_files, headers_for_pages = security_headers_for(app.config)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        present = {name.lower() for name in headers.keys()}  # one pass, not one per header
        page = request.endpoint and request.endpoint != "static"
        headers.extend(
            [
                (name, value)
                for name, value in (headers_for_pages if page else headers_for_files)
                if name.lower() not in present
            ]
        )
        if page:  # the language differs per visitor: shared caches must not mix them
            headers.add("Vary", "Accept-Language, Cookie")
        return response

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(HTTPException, _json_error_or_default)
    app.register_blueprint(site)
    from . import suppliers

    suppliers.init_app(app)  # its settings' defaults, and its blueprint


def _error_page(error):
    json_error = json_errors.handler_for(current_app, request.path)
    if json_error is not None:  # an API path (json_errors.py)
        return json_error(error)
    code = getattr(error, "code", 500) or 500
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return Response("Unknown host.\n", status=400, mimetype="text/plain")
    # A reference the visitor can quote: the id of the log line of this error.
    reference = request_id() if code >= 500 else None
    return render_template("error.html", code=code, reference=reference), code


def _json_error_or_default(error: HTTPException):
    """Statuses without an error page (401, 413...): JSON on API paths, Werkzeug's own elsewhere."""
    json_error = json_errors.handler_for(current_app, request.path)
    return error if json_error is None else json_error(error)


@site.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    return redirect(url_for("auth.login"))


@site.post("/language")
def set_language():
    """The switcher: saved on a signed-in user, in a cookie for a visitor."""
    locale = supported(request.form.get("locale"))
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else url_for("site.index"))
    if locale is None:
        return response
    if current_user.is_authenticated:
        current_user.chosen_locale = locale
        db.session.commit()
        from .auth.signed_in import forget_learner_state

        forget_learner_state()  # course pages show the new language at once
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@site.get("/healthz")
def healthz():
    """Liveness: the process answers (nothing else is checked)."""
    return {"status": "ok"}


@site.get("/readyz")
def readyz():
    """Readiness: the database answers. The reason of a failure goes to the log only."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("readiness check failed: %s", type(exc).__name__)
        return {"status": "unavailable"}, 503
    return {"status": "ready"}
