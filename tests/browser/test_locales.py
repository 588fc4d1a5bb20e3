"""Every screen in every language: lang/dir, no English interface text left, axe clean."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from elearn.i18n import LOCALES, bcp47, direction

from ..conftest import PASSWORD
from .conftest import axe_violations, screenshot, sign_in
from .pages import LEARNER_PAGES, VISITOR_PAGES, complete_demo_course, page_path

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")
SCREENSHOT_LOCALES = {"ar", "hi", "zh_Hans"}


def english_ui_strings(locale: str) -> list[str]:
    """The catalog's msgids whose translation differs (so "Module" in French is left out)."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    fragments = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            for part in PLACEHOLDER.split(msgid):
                part = part.strip(" .:,;")
                if (len(part) >= 4 and " " in part or len(part) >= 5) and not any(
                    part in translated for translated in strings
                ):
                    fragments.add(part)
    return sorted(fragments, key=len, reverse=True)


def interface_text(page) -> str:
    """Visible text without course content, names and helpline details (marked data-content)."""
    return page.evaluate("""() => {
        const clone = document.body.cloneNode(true);
        clone.querySelectorAll('[data-content], script, style').forEach(n => n.remove());
        return clone.innerText; }""")


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_page_type_in_locale(app, live_server, browser, make_user, locale):
    uid = make_user(employee_id=f"user-{locale}", country="AE", hr_locale=locale)
    ids = complete_demo_course(app, uid)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, f"user-{locale}", PASSWORD)
    pages = {kind: page_path(template, ids) for kind, template in LEARNER_PAGES.items()}
    pages.update({kind: page_path(VISITOR_PAGES[kind], ids) for kind in ("concerns", "concern-form", "verify")})
    english = english_ui_strings(locale) if locale != "en" else []
    problems = {}
    for kind, path in pages.items():
        page.goto(live_server + path)
        assert page.get_attribute("html", "lang") == bcp47(locale), kind
        assert page.get_attribute("html", "dir") == direction(locale), kind
        text = interface_text(page)
        left = [s for s in english if re.search(r"(?<![\w])" + re.escape(s) + r"(?![\w])", text)]
        violations = axe_violations(page)
        if left or violations:
            problems[kind] = {"english": left, "axe": violations}
        if locale in SCREENSHOT_LOCALES and kind in ("module", "quiz", "certificate"):
            screenshot(page, f"{locale}-{kind}-page")
    context.close()
    assert problems == {}
