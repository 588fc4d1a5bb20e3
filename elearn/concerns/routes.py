"""Report a concern: open to everyone, signed in or not."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import render_template, request
from flask_login import current_user

from ..web import current_locale, get_catalog
from . import bp


@lru_cache(maxsize=16)
def country_names(locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name in the visitor's language) for every ISO 3166-1 alpha-2 country, sorted."""
    territories = Locale.parse(locale).territories
    pairs = [(code, name) for code, name in territories.items()
             if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK")]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


@bp.get("/concerns")
def concern_page():
    names = dict(country_names(current_locale()))
    asked = (request.args.get("country") or "").upper()
    if asked in names:
        country = asked
    elif current_user.is_authenticated and current_user.country in names:
        country = current_user.country
    else:
        country = None
    helplines = get_catalog().helplines_for(country) if country else ()
    return render_template("concerns/index.html", country=country, country_name=names.get(country),
                           countries=country_names(current_locale()), helplines=helplines)
