"""Second-factor pages: the code step of a password sign-in, and enrolment (also for a
privileged person who must enrol before their first sign-in completes). The rules are
in auth/second_factor.py."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from .. import security_log
from ..extensions import db
from ..models import User
from ..qr import qr_image
from ..ratelimit import configured, keyed_hash, limiter
from ..web import is_safe_next
from . import bp, second_factor
from .forms import SecondFactorForm

EXPIRED = "expired"


def _within_limit(user: User) -> bool:
    """Codes count against the same per-account limit as passwords."""
    return limiter.hit(current_app.config["ELEARN_LOGIN_LIMIT"], keyed_hash(f"second-factor:{user.id}"))


def _sign_in(user: User):
    target = second_factor.finish_pending()
    login_user(user)
    return redirect(target if is_safe_next(target) else url_for("courses.my_training"))


def _wrong_app_code() -> str:
    return _("This code is not right. Type the current code from your authenticator app.")


def _start_again():
    flash(_("Your sign-in took too long or was not started. Sign in again."), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/second-factor", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"), methods=["POST"])
def second_factor_sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    user = second_factor.pending_user()
    if user is None:
        return _start_again()
    factor = second_factor.confirmed_factor(user.id)
    if factor is None:  # must enrol before the sign-in completes
        return redirect(url_for("auth.second_factor_enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if not _within_limit(user):
            abort(429)
        code = form.code.data
        if second_factor.accept_code(factor, code) or second_factor.spend_recovery_code(user.id, code):
            db.session.commit()
            return _sign_in(user)
        db.session.rollback()
        security_log.event("auth.second_factor_failed", known_account=True, user_id=user.id)
        form.code.errors.append(
            _(
                "This code is not right, or it was used already. "
                "Type the current code from your app, or a recovery code."
            )
        )
    return render_template("auth/second_factor_sign_in.html", form=form), (400 if form.errors else 200)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"), methods=["POST"])
def second_factor_enrol():
    """For the signed-in person, or for a half-done sign-in that must enrol first."""
    pending = None if current_user.is_authenticated else second_factor.pending_user()
    user = current_user if current_user.is_authenticated else pending
    if user is None:
        return _start_again()
    if second_factor.confirmed_factor(user.id) is not None:
        if pending is not None:
            return redirect(url_for("auth.second_factor_sign_in"))
        unused = second_factor.unused_recovery_codes(user.id)
        return render_template("auth/second_factor_on.html", unused=unused, form=SecondFactorForm())
    factor = second_factor.enrolling_factor(user.id)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if not _within_limit(user):
            abort(429)
        codes = second_factor.confirm(factor, form.code.data)
        if codes is not None:
            security_log.event("auth.second_factor_enrolled", actor=user.id)
            if pending is not None:
                target = second_factor.finish_pending()
                login_user(pending)
            else:
                target = ""
            go_on = target if is_safe_next(target) else url_for("courses.my_training")
            return render_template("auth/second_factor_codes.html", codes=codes, go_on=go_on)
        form.code.errors.append(_wrong_app_code())
    uri = second_factor.provisioning_uri(factor, user)
    return render_template("auth/second_factor_enrol.html", form=form, qr=qr_image(uri), secret=factor.secret), (
        400 if form.errors else 200
    )


@bp.post("/account/second-factor/recovery-codes")
@login_required
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
def renew_recovery_codes():
    """New recovery codes for a signed-in person with a factor, against a code of their app."""
    factor = second_factor.confirmed_factor(current_user.id)
    if factor is None:
        return redirect(url_for("auth.second_factor_enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if not _within_limit(current_user):
            abort(429)
        codes = second_factor.renew_recovery_codes(factor, form.code.data)
        if codes is not None:
            security_log.event("auth.recovery_codes_renewed", actor=current_user.id)
            return render_template(
                "auth/second_factor_codes.html", codes=codes, go_on=url_for("auth.second_factor_enrol")
            )
        form.code.errors.append(_wrong_app_code())
    unused = second_factor.unused_recovery_codes(current_user.id)
    return render_template("auth/second_factor_on.html", unused=unused, form=form), 400
