"""Accept-Language negotiation on real browser headers."""

import pytest

from elearn.i18n import bcp47, choose_locale, direction, negotiate

HEADERS = [
    ("en-US,en;q=0.9", "en"),
    ("es-MX,es;q=0.9,en;q=0.8", "es"),
    ("es-419,es;q=0.9", "es"),
    ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
    ("pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "pt"),
    ("pt-PT", "pt"),
    ("ar-AE,ar;q=0.9,en;q=0.8", "ar"),
    ("hi-IN,hi;q=0.9,en-IN;q=0.8", "hi"),
    ("zh-CN,zh;q=0.9", "zh_Hans"),
    ("zh-Hans-SG", "zh_Hans"),
    ("zh-TW,zh;q=0.9", "zh_Hans"),
    ("de-DE,de;q=0.9,fr;q=0.8", "fr"),
    ("de;q=1.0, ar;q=0.2, hi;q=0.5", "hi"),
    ("en;q=0.1, ar", "ar"),
    ("ja-JP", "en"),
    ("", "en"),
    (None, "en"),
    (";;;,,q=abc", "en"),
    ("fr;q=zz, es;q=0.5", "es"),
    ("es;q=0, fr;q=0.3", "fr"),
    ("*", "en"),
    ("x" * 5000, "en"),
    ("en-US;q=1.5, hi;q=0.8", "hi"),
]


@pytest.mark.parametrize("header,expected", HEADERS)
def test_accept_language_negotiation(header, expected):
    assert negotiate(header) == expected


def test_bcp47_tags_and_direction():
    assert bcp47("zh_Hans") == "zh-Hans" and bcp47("pt") == "pt-BR"
    assert direction("ar") == "rtl" and direction("hi") == "ltr"


class FakeUser:
    def __init__(self, chosen=None, hr=None):
        self.chosen_locale, self.hr_locale = chosen, hr


def test_user_pick_beats_hr_locale_beats_cookie_beats_header():
    assert choose_locale(FakeUser("fr", "hi"), "ar", "es") == "fr"
    assert choose_locale(FakeUser(None, "hi"), "ar", "es") == "hi"
    assert choose_locale(FakeUser(None, "hi_IN"), None, None) == "hi"
    assert choose_locale(None, "ar", "es") == "ar"
    assert choose_locale(None, "xx", "es") == "es"
    assert choose_locale(None, None, None) == "en"
