"""Locale choice, text direction and the supported locales: the one place for each."""

from __future__ import annotations

import re

#: locale -> (name in its own language, BCP 47 tag for <html lang>, direction)
LOCALES: dict[str, tuple[str, str, str]] = {
    "en": ("English", "en", "ltr"),
    "es": ("Español", "es", "ltr"),
    "fr": ("Français", "fr", "ltr"),
    "pt": ("Português (Brasil)", "pt-BR", "ltr"),
    "ar": ("العربية", "ar", "rtl"),
    "hi": ("हिन्दी", "hi", "ltr"),
    "zh_Hans": ("简体中文", "zh-Hans", "ltr"),
}
DEFAULT_LOCALE = "en"
LOCALE_COOKIE = "elearn_locale"

_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")


def bcp47(locale: str) -> str:
    return LOCALES.get(locale, LOCALES[DEFAULT_LOCALE])[1]


def direction(locale: str) -> str:
    return LOCALES.get(locale, LOCALES[DEFAULT_LOCALE])[2]


def supported(locale: str | None) -> str | None:
    """A stored or submitted locale if we serve it, else None."""
    return locale if locale in LOCALES else None


def closest_locale(tag: str) -> str | None:
    """One language tag (en-GB, zh-Hant-TW, pt_PT, es-419) -> the closest supported locale."""
    parts = tag.replace("_", "-").split("-")
    language = parts[0].lower()
    if language == "zh":
        # Only Simplified Chinese is served; it is the closest we have for every zh tag.
        return "zh_Hans"
    return language if language in LOCALES else None


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """'fr-CH, fr;q=0.9, en;q=0.8' -> [(tag, q), ...] best first; malformed parts dropped."""
    result = []
    for position, part in enumerate((header or "")[:2000].split(",")):
        pieces = [p.strip() for p in part.split(";")]
        tag = pieces[0]
        if not tag or not _TAG.match(tag):
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if 0 < quality <= 1:
            result.append((tag, quality, position))
    result.sort(key=lambda item: (-item[1], item[2]))
    return [(tag, q) for tag, q, _ in result]


def negotiate(header: str | None) -> str:
    """Accept-Language -> a supported locale, honouring weights; English otherwise."""
    for tag, _ in parse_accept_language(header):
        if tag == "*":
            return DEFAULT_LOCALE
        locale = closest_locale(tag)
        if locale:
            return locale
    return DEFAULT_LOCALE


def choose_locale(
    user, cookie_locale: str | None, accept_language: str | None, device_locale: str | None = None
) -> str:
    """The locale rule: the user's pick > HR locale > the visitor's cookie > the kiosk
    device's language > Accept-Language > English. The switcher saves to the user (or
    the cookie)."""
    if user is not None:
        for stored in (user.chosen_locale, user.hr_locale):
            if stored:
                locale = supported(stored) or closest_locale(stored)
                if locale:
                    return locale
    return supported(cookie_locale) or supported(device_locale) or negotiate(accept_language)
