"""Admin: kiosks (shared site devices) and the PINs workers sign in with on them.

The rules are auth/kiosk.py's; here an admin registers a kiosk, gets its one-time
enrolment link, revokes it, gives a person a temporary PIN and clears PIN delays.
Kiosks belong to a country: admins manage those of their regions (scope.place_clause);
PINs belong to people: the grant rule decides (auth/grants.py), as for activation codes.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...auth.grants import refusal
from ...auth.kiosk import ENROLMENT_HOURS, FREE_TRIES, may_use_pin, new_enrolment, set_pin, temporary_pin, unlock
from ...auth.models import Kiosk, KioskPin
from ...auth.roles import role_required
from ...extensions import db
from ...models import User, utcnow
from ...urls import absolute_url
from ...web import current_locale
from .. import bp
from ..audit import record
from ..forms import KioskForm, KioskPinForm
from ..scope import actor_clause, actor_scope, filter_choices, person_of, place_clause


def _managed_kiosks():
    clause = place_clause(Kiosk.country)  # 403 for an admin scoped to departments
    return select(Kiosk) if clause is None else select(Kiosk).where(clause)


def _kiosks_page(form: KioskForm, enrolment: tuple[Kiosk, str] | None = None, status: int = 200):
    kiosks = db.session.scalars(_managed_kiosks().order_by(Kiosk.name)).all()
    return (
        render_template(
            "admin/kiosks.html",
            form=form,
            kiosks=kiosks,
            enrolment=enrolment,
            hours=ENROLMENT_HOURS,
            country_name=dict(form.country.choices),
        ),
        status,
    )


def _kiosk_form() -> KioskForm:
    _managed_kiosks()  # 403 for an admin scoped to departments
    _departments, countries, _regions = filter_choices(actor_scope())
    form = KioskForm(countries=countries)
    if request.method == "GET":
        form.locale.data = current_locale()
    return form


def _kiosk(kiosk_id: int) -> Kiosk:
    kiosk = db.session.scalar(_managed_kiosks().where(Kiosk.id == kiosk_id))
    if kiosk is None:  # missing, or outside the admin's regions
        abort(404)
    return kiosk


def _enrolment_link(token: str) -> str:
    return absolute_url(url_for("auth.enrol_kiosk", token=token))


@bp.route("/kiosks", methods=["GET", "POST"])
@role_required("admin")
def kiosks():
    form = _kiosk_form()
    if not form.validate_on_submit():
        return _kiosks_page(form, status=400 if form.errors else 200)
    kiosk = Kiosk(
        name=form.name.data.strip(), country=form.country.data, locale=form.locale.data, created_by=current_user.id
    )
    db.session.add(kiosk)
    token = new_enrolment(kiosk)
    db.session.flush()
    record("kiosk.create", kiosk.name, None, {"name": kiosk.name, "country": kiosk.country, "locale": kiosk.locale})
    db.session.commit()
    return _kiosks_page(_kiosk_form(), (kiosk, _enrolment_link(token)))


@bp.post("/kiosks/<int:kiosk_id>/enrolment")
@role_required("admin")
def new_kiosk_enrolment(kiosk_id: int):
    """A new one-time link: opening it on another device moves the kiosk there."""
    kiosk = _kiosk(kiosk_id)
    if kiosk.revoked_at is not None:
        abort(404)
    token = new_enrolment(kiosk)
    record("kiosk.enrolment_link", kiosk.name, None, {"kiosk": kiosk.id})
    db.session.commit()
    return _kiosks_page(_kiosk_form(), (kiosk, _enrolment_link(token)))


@bp.post("/kiosks/<int:kiosk_id>/revoke")
@role_required("admin")
def revoke_kiosk(kiosk_id: int):
    kiosk = _kiosk(kiosk_id)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        kiosk.enrolment_hash = kiosk.enrolment_expires_at = None
        record("kiosk.revoke", kiosk.name, None, {"kiosk": kiosk.id})
        db.session.commit()
        flash(_("The kiosk %(name)s is revoked: that device is an ordinary browser again.", name=kiosk.name), "info")
    return redirect(url_for(".kiosks"))


def _person(employee_id: str) -> User | None:
    """The person with this employee ID if this admin may give them a PIN."""
    user = db.session.scalar(select(User).where(User.employee_id == employee_id.strip()))
    if user is None or refusal(actor_scope(), person_of(user)) is not None or not may_use_pin(user):
        return None
    return user


def _delayed_people():
    query = (
        select(User, KioskPin)
        .join(KioskPin, KioskPin.user_id == User.id)
        .where(KioskPin.failures >= FREE_TRIES)
        .order_by(User.name)
    )
    clause = actor_clause()
    if clause is not None:
        query = query.where(clause)
    return db.session.execute(query.limit(200)).all()


@bp.route("/kiosk-pins", methods=["GET", "POST"])
@role_required("admin")
def kiosk_pins():
    """Give a person a temporary PIN (they choose their own at first sign-in), shown once."""
    form = KioskPinForm()
    given = None
    if form.validate_on_submit():
        user = _person(form.employee_id.data)
        if user is None:
            form.employee_id.errors.append(
                _(
                    "Nobody you manage has this employee ID, or the account is inactive or has an administrator "
                    "or case handler role (those never sign in with a PIN)."
                )
            )
        else:
            pin = temporary_pin()
            set_pin(user, pin, temporary=True)
            record("kiosk_pin.issue", user.employee_id, None, {"temporary": True})
            db.session.commit()
            given = (user, pin)
            form = KioskPinForm(formdata=None)
    return render_template("admin/kiosk_pins.html", form=form, given=given, delayed=_delayed_people(), now=utcnow()), (
        400 if form.errors else 200
    )


@bp.post("/kiosk-pins/<int:user_id>/unlock")
@role_required("admin")
def unlock_kiosk_pin(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or refusal(actor_scope(), person_of(user)) is not None:
        abort(404)
    if unlock(user.id):
        record("kiosk_pin.unlock", user.employee_id, None, {"failures": 0})
        db.session.commit()
        flash(_("%(name)s can try their PIN again now.", name=user.shown_name), "info")
    return redirect(url_for(".kiosk_pins"))
