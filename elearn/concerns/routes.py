"""Report a concern: open to everyone, signed in or not."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import render_template, request
from flask_login import current_user

from ..web import current_locale, get_catalog
from . import bp


@lru_cache(maxsize=16)
def country_names(locale: str, codes: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(code, name in the visitor's language) for the countries of regions.yaml, sorted."""
    territories = Locale.parse(locale).territories
    return tuple(sorted(((code, territories.get(code, code)) for code in codes),
                        key=lambda pair: pair[1]))


@bp.get("/concerns")
def concern_page():
    countries = country_names(current_locale(), frozenset(get_catalog().regions))
    names = dict(countries)
    asked = (request.args.get("country") or "").upper()
    if asked in names:
        country = asked
    elif current_user.is_authenticated and current_user.country in names:
        country = current_user.country
    else:
        country = None
    helplines = get_catalog().helplines_for(country) if country else ()
    return render_template("concerns/index.html", country=country, country_name=names.get(country),
                           countries=countries, helplines=helplines)
