from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, or_, select

from .. import security_log
from ..extensions import db
from ..models import User
from ..ratelimit import configured, keyed_hash, limiter
from ..urls import absolute_url
from ..web import is_safe_next, origin_of
from . import bp, oidc, second_factor
from .forms import LoginForm
from .kiosk import current_kiosk
from .passwords import verify_password
from .signed_in import forget_learner_state


def find_user_for_login(login: str) -> User | None:
    login = login.strip()
    return db.session.scalar(
        select(User).where(or_(User.employee_id == login, func.lower(User.email) == login.lower()))
    )


def within_account_limit(login: str) -> bool:
    """Sign-in tries per account, wherever they come from (a shared site address or kiosk
    lets a whole shift through; one account's tries stay limited)."""
    return limiter.hit(current_app.config["ELEARN_LOGIN_LIMIT"], keyed_hash(f"account:{login.strip().lower()}"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"), methods=["POST"])
def login():
    if current_kiosk() is not None:  # a kiosk signs workers in with a PIN only
        return redirect(url_for("auth.kiosk_sign_in"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    if form.validate_on_submit():
        if not within_account_limit(form.login.data):
            abort(429)
        user = find_user_for_login(form.login.data)
        # The password hash is checked on every path (unknown user, no password yet,
        # inactive account), so the time of the answer does not tell who exists.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        # Local passwords may be off for people with a provider identity: the same
        # message as a wrong password (the page shows the single sign-on button first).
        allowed = user is not None and password_ok and user.active and second_factor.password_allowed(user)
        if user is not None and allowed:
            target = form.next.data
            if second_factor.second_factor_needed(user):
                second_factor.start_pending(user, target if is_safe_next(target) else "")
                return redirect(url_for("auth.second_factor_sign_in"))
            login_user(user)
            return redirect(target if is_safe_next(target) else url_for("courses.my_training"))
        # One message for unknown user, wrong password, inactive account and password off.
        security_log.sign_in_failed(user, password_ok)
        form.password.errors.append(_("The employee ID, email or password is not right, or the account is not active."))
    sso = oidc.provider_name() if oidc.enabled(current_app) else None
    sso_only = current_app.config["ELEARN_LOCAL_PASSWORDS"] == "without_sso"
    return render_template("auth/login.html", form=form, sso=sso, sso_only=sso_only), (200 if not form.errors else 400)


@bp.post("/logout")
@login_required
def logout():
    id_token = session.pop(oidc.LOGOUT_KEY, None)  # set by single sign-on only
    logout_user()
    forget_learner_state()  # nothing of this person stays in the cookie (shared computers)
    if current_kiosk() is not None:
        session.clear()  # the next worker finds nothing of this one
    flash(_("You are signed out."), "info")
    login_page = url_for("auth.login")
    # signed in through the provider: it ends its session too (RP-initiated logout), if it can
    provider_logout = oidc.end_session_url(id_token, absolute_url(login_page)) if id_token is not None else None
    if provider_logout and origin_of(provider_logout) == origin_of(current_app.config["ELEARN_OIDC_ISSUER"]):
        return redirect(provider_logout)  # the pages' CSP lets forms go to the issuer's origin (wiring.py)
    if provider_logout:
        # elsewhere: a link, not a redirect, as the pages' CSP stops this form's redirects to other sites
        return render_template("auth/sso_signed_out.html", url=provider_logout, provider=oidc.provider_name())
    return redirect(login_page)


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"), methods=["POST"])
def activate():
    """An imported person sets a password with the one-time code an admin printed."""
    from .activation import redeem
    from .forms import ActivateForm
    from .passwords import hash_password

    form = ActivateForm()
    if form.validate_on_submit():
        if not within_account_limit(form.employee_id.data):
            abort(429)
        user = redeem(form.employee_id.data, form.code.data)
        if user is not None:
            user.password_hash = hash_password(form.password.data)
            db.session.commit()
            login_user(user)
            flash(_("Your password is set. Welcome!"), "info")
            return redirect(url_for("courses.my_training"))
        db.session.rollback()
        form.code.errors.append(
            _(
                "This code is not valid for this employee ID, or it was used or has expired. "
                "Ask your administrator for a new one."
            )
        )
    return render_template("auth/activate.html", form=form), (400 if form.errors else 200)
