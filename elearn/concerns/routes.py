"""Report a concern: open to everyone, signed in or not. Nothing here stores or logs
who the visitor is."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..i18n import LOCALES
from ..ratelimit import configured, limiter
from ..web import country_choices, current_locale, get_catalog
from . import bp
from .forms import ConcernForm, StatusLookupForm, category_labels, status_labels
from .service import file_concern, find_by_receipt, messages


@bp.after_request
def no_referrer(response):
    """Nothing requested from these pages (the stylesheet, the language switch, a link
    followed) names them in a Referer; web.security_headers keeps a policy set here.
    Their forms then post with `Origin: null`: see elearn/same_origin.py."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _visitor_country(names: dict[str, str]) -> str | None:
    if current_user.is_authenticated and current_user.country in names:
        return current_user.country
    return None


@bp.get("/concerns")
def concern_page():
    countries = country_choices()
    names = dict(countries)
    asked = (request.args.get("country") or "").upper()
    error = None
    if asked and asked not in names:
        error = _("We do not know that country. Choose one from the list.")
    country = asked if asked in names else _visitor_country(names)
    helplines = get_catalog().helplines_for(country) if country else ()
    return render_template(
        "concerns/index.html",
        country=country,
        country_name=names.get(country or ""),
        countries=countries,
        helplines=helplines,
        error=error,
    )


@bp.route("/concerns/report", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_INTAKE_LIMIT"), methods=["POST"])
def report():
    countries = country_choices()
    locales = [(code, name) for code, (name, _tag, _dir) in LOCALES.items()]
    form = ConcernForm(countries=countries, locales=locales)
    if request.method == "GET":
        form.language.data = current_locale()
        form.country.data = _visitor_country(dict(countries)) or ""
    if form.validate_on_submit():
        _concern, code = file_concern(
            category=form.category.data,
            country=form.country.data,
            site=form.site.data,
            description=form.description.data,
            anonymous=form.anonymous.data,
            contact=form.contact.data,
            language=form.language.data,
        )
        db.session.commit()
        return render_template("concerns/receipt.html", code=code)
    status = 400 if request.method == "POST" else 200
    return render_template("concerns/report.html", form=form), status


@bp.route("/concerns/status", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_STATUS_LIMIT"), methods=["POST"])
def status():
    form = StatusLookupForm()
    concern = None
    not_found = False
    if form.validate_on_submit():
        concern = find_by_receipt(form.code.data)
        not_found = concern is None
        form.code.data = ""  # never echo a receipt code back into the page
    answers = messages(concern, "answer") if concern else []
    code = 404 if not_found else (400 if form.errors else 200)
    return render_template(
        "concerns/status.html",
        form=form,
        concern=concern,
        answers=answers,
        not_found=not_found,
        status_labels=status_labels(),
        category_labels=category_labels(),
    ), code
