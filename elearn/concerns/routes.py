"""Report a concern: open to everyone, signed in or not. Nothing here stores or logs
who the visitor is."""

from __future__ import annotations

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..i18n import LOCALES
from ..qr import qr_image
from ..ratelimit import configured, limiter
from ..suppliers.models import SupplierSite
from ..suppliers.visit import reporting_site
from ..urls import absolute_url
from ..web import country_choices, current_locale, get_catalog
from . import bp
from .categories import category_choices
from .forms import ConcernForm
from .service import file_concern
from .uploads import cleaned_uploads


@bp.after_request
def no_referrer(response):
    """Nothing requested from these pages (the stylesheet, the language switch, a link
    followed) names them in a Referer; web.security_headers keeps a policy set here.
    Their forms then post with `Origin: null`: see elearn/same_origin.py."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _visitor_country(names: dict[str, str], supplier: SupplierSite | None = None) -> str | None:
    if supplier is not None and supplier.country in names:
        return supplier.country
    if current_user.is_authenticated and current_user.country in names:
        return current_user.country
    device_country = g.get("device_country")  # a kiosk's site (auth/kiosk_routes.py)
    return device_country if device_country in names else None


@bp.get("/concerns")
def concern_page():
    countries = country_choices()
    names = dict(countries)
    asked = (request.args.get("country") or "").upper()
    error = None
    if asked and asked not in names:
        error = _("We do not know that country. Choose one from the list.")
    supplier = reporting_site(request.args.get("supplier"))
    country = asked if asked in names else _visitor_country(names, supplier)
    helplines = get_catalog().helplines_for(country) if country else ()
    on_kiosk = g.get("device_country") is not None
    return render_template(
        "concerns/index.html",
        # on a shared device: a QR code to report from one's own phone instead
        own_phone_qr=qr_image(absolute_url(url_for("concerns.concern_page", country=country))) if on_kiosk else None,
        country=country,
        country_name=names.get(country or ""),
        countries=countries,
        helplines=helplines,
        emergency=get_catalog().emergency_for(country) if country else (),
        embassy_advice=country in get_catalog().embassy_advice,
        error=error,
        supplier=supplier,
    )


@bp.route("/concerns/report", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_INTAKE_LIMIT"), methods=["POST"])
def report():
    countries = country_choices()
    locales = [(code, name) for code, (name, _tag, _dir) in LOCALES.items()]
    form = ConcernForm(categories=category_choices(), countries=countries, locales=locales)
    # the supplier site whose course link led here: the report says so (the site, not the person)
    supplier = reporting_site(request.args.get("supplier"))
    if request.method == "GET":
        form.language.data = current_locale()
        form.country.data = _visitor_country(dict(countries), supplier) or ""
    valid = form.validate_on_submit()
    files, errors = cleaned_uploads(form.files.data or []) if valid else ([], [])
    if errors:
        form.files.errors = list(errors)
    elif valid:
        _concern, code = file_concern(
            category=form.category.data,
            country=form.country.data,
            site=form.site.data,
            description=form.description.data,
            anonymous=form.anonymous.data,
            contact=form.contact.data,
            language=form.language.data,
            supplier_site_id=supplier.id if supplier else None,
            files=files,
        )
        db.session.commit()
        return render_template("concerns/receipt.html", code=code)
    status = 400 if request.method == "POST" else 200
    return render_template("concerns/report.html", form=form, supplier=supplier), status
