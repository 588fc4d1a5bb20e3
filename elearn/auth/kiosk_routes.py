"""Kiosk pages: enrolling a device, PIN sign-in, choosing one's own PIN, and the rules
every request of a kiosk session follows (see kiosk.py)."""

from __future__ import annotations

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user, user_logged_in
from sqlalchemy import select

from .. import security_log
from ..extensions import db
from ..models import User
from ..ratelimit import configured, keyed_hash, limiter
from . import bp
from .forms import ChoosePinForm, KioskSignInForm
from .kiosk import (
    DEVICE_COOKIE,
    ENDS_SESSION,
    MUST_CHOOSE_PIN,
    check_pin,
    current_kiosk,
    device_key,
    enrol,
    idle_seconds,
    in_kiosk_session,
    kiosk_for_enrolment,
    may_use_pin,
    must_wait,
    pin_of,
    session_expired,
    set_pin,
    start_kiosk_session,
    weak_pin,
)
from .passwords import verify_password

#: what a worker who must choose a PIN may still open
WHILE_CHOOSING = frozenset({"auth.choose_pin", "auth.logout", "auth.kiosk_exit", "static"})
DEVICE_COOKIE_DAYS = 5 * 365


@bp.route("/kiosk/enrol/<token>", methods=["GET", "POST"])
def enrol_kiosk(token: str):
    """Opened on the device itself: a GET only asks (link previews must not spend it)."""
    kiosk = kiosk_for_enrolment(token)
    if kiosk is None:
        return render_template("auth/kiosk_enrol.html", kiosk=None), 404
    if request.method == "GET":
        return render_template("auth/kiosk_enrol.html", kiosk=kiosk)
    secret = enrol(kiosk)
    security_log.event("kiosk.enrolled", kiosk_id=kiosk.id)
    db.session.commit()
    logout_user()  # whoever opened the link (an admin) does not stay signed in on the kiosk
    session.clear()
    response = redirect(url_for("auth.kiosk_sign_in"))
    response.set_cookie(
        DEVICE_COOKIE,
        secret,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


@bp.route("/kiosk", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_KIOSK_LIMIT"), methods=["POST"], key=lambda: keyed_hash(device_key()))
def kiosk_sign_in():
    kiosk = current_kiosk()
    if kiosk is None:  # an ordinary browser signs in with a password
        return redirect(url_for("auth.login"))
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    form = KioskSignInForm()
    if form.validate_on_submit():
        employee_id = form.employee_id.data.strip()
        if not limiter.hit(current_app.config["ELEARN_LOGIN_LIMIT"], keyed_hash(f"account:{employee_id.lower()}")):
            abort(429)
        user = db.session.scalar(select(User).where(User.employee_id == employee_id))
        pin = pin_of(user)
        retry_at = must_wait(pin)
        if retry_at is not None:
            verify_password(None, form.pin.data)  # the same time as a check
            form.pin.errors.append(
                _(
                    "Too many wrong PINs for this employee ID. Try again after %(time)s, "
                    "or ask an administrator to unlock it.",
                    time=format_datetime(retry_at, "short"),
                )
            )
        elif check_pin(user, pin, form.pin.data):
            assert user is not None and pin is not None
            temporary = pin.temporary
            login_user(user)  # starts the kiosk session (on_sign_in below)
            db.session.commit()
            if temporary:
                session[MUST_CHOOSE_PIN] = True
                return redirect(url_for("auth.choose_pin"))
            return redirect(url_for("courses.my_training"))
        else:
            db.session.commit()  # the failure count
            security_log.event("kiosk.sign_in_failed", kiosk_id=kiosk.id, known_account=user is not None)
            form.pin.errors.append(
                _("The employee ID or PIN is not right. Ask your supervisor or administrator if you have no PIN.")
            )
    return render_template("auth/kiosk_sign_in.html", form=form, kiosk=kiosk), (400 if form.errors else 200)


@bp.route("/kiosk/pin", methods=["GET", "POST"])
@login_required
def choose_pin():
    """A PIN an admin set is temporary: the worker replaces it before anything else, so
    whoever else knows it cannot take the training in their name."""
    if not in_kiosk_session() or not may_use_pin(current_user):
        abort(404)
    form = ChoosePinForm()
    if form.validate_on_submit():
        pin = pin_of(current_user)
        if weak_pin(form.pin.data):
            form.pin.errors.append(
                _("This PIN is too easy to guess. Do not use one digit repeated or a run like 1234.")
            )
        elif pin is not None and verify_password(pin.pin_hash, form.pin.data):
            form.pin.errors.append(_("Choose a PIN different from the one you were given."))
        else:
            set_pin(current_user, form.pin.data, temporary=False)
            db.session.commit()
            session.pop(MUST_CHOOSE_PIN, None)
            flash(_("Your PIN is saved. Use it the next time you sign in here."), "info")
            return redirect(url_for("courses.my_training"))
    return render_template("auth/kiosk_pin.html", form=form), (400 if form.errors else 200)


@bp.get("/kiosk/exit")
def kiosk_exit():
    """Where a kiosk page goes when left idle, and the concern page's quick exit: the
    session ends and the neutral sign-in page opens. Ending a session is all it does."""
    if in_kiosk_session():
        end_kiosk_session()
    if request.args.get("idle") == "1":
        flash(_("You were signed out because nothing happened for a while."), "info")
    return redirect(url_for("auth.kiosk_sign_in") if current_kiosk() else url_for("site.index"))


def end_kiosk_session() -> None:
    logout_user()
    session.clear()


def kiosk_rules():
    """Before each request: the device's language, and the kiosk session's limits."""
    if request.endpoint == "static":
        return None
    kiosk = current_kiosk() if request.cookies.get(DEVICE_COOKIE) else None
    if kiosk is not None:
        g.device_locale, g.device_country = kiosk.locale, kiosk.country
    if not in_kiosk_session():
        return None
    if kiosk is None or session_expired():  # left idle, or the kiosk was revoked
        end_kiosk_session()
        return redirect(url_for("auth.kiosk_exit", idle=1) if kiosk is not None else url_for("auth.login"))
    if session.get(MUST_CHOOSE_PIN) and request.endpoint not in WHILE_CHOOSING:
        return redirect(url_for("auth.choose_pin"))
    if request.endpoint in ENDS_SESSION:
        g.kiosk_session_ends = True
    return None


def end_after_result(response):
    """The quiz result and the certificate end a kiosk session once they are shown."""
    if g.get("kiosk_session_ends") and response.status_code == 200:
        end_kiosk_session()
    return response


def kiosk_page() -> dict:
    """For the base layout: on a kiosk, a refresh to the sign-in page when left idle
    (no JavaScript needed) and a "Not you? Sign out" bar."""
    on_device = g.get("device_country") is not None  # what is typed here is not kept for the next person
    if not in_kiosk_session():
        return {"kiosk_session": None, "on_kiosk_device": on_device}
    ends = bool(g.get("kiosk_session_ends"))
    return {
        "kiosk_session": {"refresh": 60 if ends else idle_seconds() + 1, "ends": ends},
        "on_kiosk_device": on_device,
    }


def on_sign_in(sender, user, **extra) -> None:
    """Any sign-in on a kiosk device starts a kiosk session."""
    kiosk = current_kiosk()
    if kiosk is not None:
        start_kiosk_session(kiosk)
        db.session.commit()


@bp.record_once
def wire_kiosk_rules(state) -> None:
    app: Flask = state.app
    app.before_request(kiosk_rules)
    app.after_request(end_after_result)
    app.context_processor(kiosk_page)
    user_logged_in.connect(on_sign_in, app)
