"""Every page type fits a phone, in every language: at 360 x 740 and 320 x 640 CSS px
no sideways scroll (only tables scroll, inside their own box), tap targets of at least
24 x 24 px (WCAG 2.2, 2.5.8; links inside a sentence are exempt), a header of at most
a quarter of the screen with "Report a concern" and the language choice in view
without opening the menu; axe clean at 360.

One page, resized in place (set_viewport_size), walks the page lists of pages.py; the
shipped courses (content/) are walked too: their long source links, tables and quiz
options in Hindi, Arabic and Chinese are what used to push pages sideways."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select, update

from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.i18n import LOCALE_COOKIE, LOCALES
from elearn.models import User
from elearn.seed import DEMO_PASSWORD

from ..concern_helpers import file_report
from ..conftest import PASSWORD, Auth, csrf_token
from .conftest import axe_violations, screenshot, sign_in
from .pages import (
    ADMIN_PAGES,
    CASE_HANDLER_PAGES,
    LEARNER_PAGES,
    SUPPLIER_PAGES,
    VISITOR_PAGES,
    complete_demo_course,
    page_path,
    supplier_site,
)
from .test_real_courses import real_server  # noqa: F401 - the shipped courses on a live server

PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 640}
#: admin and case pages are for staff at desks: sampled, one of each script direction and Devanagari
STAFF_LOCALES = ("en", "ar", "hi", "zh_Hans")
#: the shipped courses: Latin, Devanagari, Arabic and Chinese script
REAL_LOCALES = ("en", "hi", "ar", "zh_Hans")

#: Everything the checks need, measured in the page. A target is "in a sentence" (WCAG's
#: inline exception) when it is laid out inline and its block holds text of its own.
MEASURE = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  const shown = el => el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  const fits = r => r.left >= -0.5 && r.right <= vw + 0.5;
  const scrollBox = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a;
    }
    return null;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || fits(r)) continue;
    const box = scrollBox(el);
    if (box && fits(box.getBoundingClientRect())) continue;
    wide.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  const inSentence = el => {
    if (getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && /^(inline|contents)/.test(getComputedStyle(block).display)) block = block.parentElement;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!el.contains(n) && n.textContent.trim()) return true;
    }
    return false;
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.width >= 23.99 && r.height >= 23.99) || inSentence(el)) continue;
    small.push(`${name(el)} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)}`);
  }
  const inView = selector => {
    const el = document.querySelector(selector);
    if (!el || !shown(el)) return false;
    const closed = el.closest('details:not([open])');  // a closed menu hides all but its summary
    if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && fits(r) && r.top >= 0 && r.bottom <= vh;
  };
  const header = document.querySelector('.site-header');
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: vw,
    wide, small,
    headerShare: header.getBoundingClientRect().height / vh,
    concernInView: inView('.site-header .concern-link'),
    languageInView: inView('#language-select'),
    menu: document.querySelector('.site-header details.menu') === null ? null : inView('.site-header .menu > summary'),
  };
}"""


class PhoneWalk:
    """One page walked through many URLs; what does not fit is collected, not raised
    at once, so one run shows every problem."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: dict[str, list[str]] = {}
        self.visited = 0

    def check(self, label: str, url: str, axe: bool = False, signed_in: bool = False) -> None:
        page = self.page
        page.set_viewport_size(PHONE)
        response = page.goto(self.base + url)
        assert response is not None and response.status < 500, (label, url)
        self.visited += 1
        found = []
        for size in (PHONE, SMALL_PHONE):
            page.set_viewport_size(size)
            where = f"{size['width']}x{size['height']}"
            m = page.evaluate(MEASURE)
            if m["scrollWidth"] > m["innerWidth"]:
                found.append(f"{where}: scrolls sideways ({m['scrollWidth']} > {m['innerWidth']})")
            found += [f"{where}: wider than the screen: {w}" for w in m["wide"][:5]]
            found += [f"{where}: tap target under 24 px: {s}" for s in m["small"][:5]]
            if m["headerShare"] > 0.25:
                found.append(f"{where}: header takes {m['headerShare']:.0%} of the screen")
            if not m["concernInView"] or not m["languageInView"]:
                found.append(f"{where}: concern link or language choice not in view")
            if signed_in and not m["menu"]:
                found.append(f"{where}: no menu button in view")
        if axe:
            page.set_viewport_size(PHONE)
            found += [f"axe at 360: {v}" for v in axe_violations(page)]
        if found:
            self.problems[f"{label} {url}"] = found
            screenshot(page, f"phone-{label.replace(' ', '-')}")

    def open_menu(self, label: str) -> None:
        """The menu opens without JavaScript and its links fit the screen."""
        page = self.page
        page.set_viewport_size(SMALL_PHONE)
        page.click(".site-header .menu > summary")
        for link in page.locator(".site-header .menu a, .site-header .menu button").all():
            box = link.bounding_box()
            if not (link.is_visible() and box and box["x"] >= 0 and box["x"] + box["width"] <= 320.5):
                self.problems.setdefault(f"{label} menu", []).append(f"not in view when open: {link.inner_text()}")
        page.click(".site-header .menu > summary")

    def sign_in(self, login: str, password: str = PASSWORD, landing: str = "/training") -> None:
        self.page.context.clear_cookies()
        self.page.set_viewport_size(PHONE)
        sign_in(self.page, self.base, login, password, landing)

    def visitor(self, locale: str) -> None:
        self.page.context.clear_cookies()
        self.page.context.add_cookies([{"name": LOCALE_COOKIE, "value": locale, "url": self.base}])


def report(problems: dict[str, list[str]]) -> str:
    return f"{len(problems)} pages do not fit a phone:\n" + "\n".join(
        f"{page}:\n  " + "\n  ".join(found) for page, found in sorted(problems.items())
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(bypass_csp=True)  # axe is injected
    yield context.new_page()
    context.close()


def staff_ids(app, make_user) -> dict:
    """Staff in each sampled locale, a learner to edit, a reported concern, an API token
    and audit entries (made through the pages, as an admin would)."""
    for locale in STAFF_LOCALES:
        make_user(employee_id=f"admin-{locale}", roles="learner admin", hr_locale=locale, country="GB")
        make_user(employee_id=f"handler-{locale}", roles="lead_case_handler", hr_locale=locale, assign=False)
    learner = make_user(
        employee_id="worker-with-a-rather-long-employee-identifier-0001",
        name="Nomvula Thandiwe Dlamini-Mahlangu",
        hr_locale="hi",
        country="AE",
    )
    file_report(app.test_client(), description="The agency keeps our passports. " * 40)
    admin = app.test_client()
    Auth(admin).login("admin-en")
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    admin.post(
        "/admin/api-tokens",
        data={"csrf_token": csrf_token(page), "name": "HR system (Workday, nightly)", "scopes": "hr_read"},
    )
    with app.app_context():
        case = db.session.scalar(select(Concern.id))
    return {"user": learner, "case": case, **supplier_site(app, admin)}


def test_every_page_type_fits_a_phone_in_every_locale(app, live_server, phone, make_user):
    started = time.perf_counter()
    app.config.update(ELEARN_LOGIN_LIMIT="1000 per minute", ELEARN_LOGIN_ADDRESS_LIMIT="1000 per minute")
    ids = staff_ids(app, make_user)
    walk = PhoneWalk(phone, live_server)
    visitor_pages = VISITOR_PAGES | SUPPLIER_PAGES
    all_pages = len(visitor_pages) + len(LEARNER_PAGES)
    for n, locale in enumerate(sorted(LOCALES)):
        uid = make_user(employee_id=f"learner-{locale}", country="AE", hr_locale=locale)
        ids.update(complete_demo_course(app, uid, code=f"CODE-{n:04d}-PHON-{locale[:2].upper()}XX"))
        walk.visitor(locale)
        for i, (kind, template) in enumerate(visitor_pages.items()):
            # axe on each page type in a different locale each round: all are covered
            walk.check(f"{locale} {kind}", page_path(template, ids), axe=(i + n) % 3 == 0)
        walk.sign_in(f"learner-{locale}")
        walk.open_menu(f"{locale} learner")
        for i, (kind, template) in enumerate(LEARNER_PAGES.items(), start=len(visitor_pages)):
            walk.check(f"{locale} {kind}", page_path(template, ids), axe=(i + n) % 3 == 0, signed_in=True)
        if locale in STAFF_LOCALES:
            walk.sign_in(f"admin-{locale}")
            walk.open_menu(f"{locale} admin")
            for kind, template in ADMIN_PAGES.items():
                walk.check(f"{locale} {kind}", page_path(template, ids), axe=locale != "hi", signed_in=True)
            walk.sign_in(f"handler-{locale}", landing="/cases")
            for kind, template in CASE_HANDLER_PAGES.items():
                walk.check(f"{locale} {kind}", page_path(template, ids), axe=True, signed_in=True)
    assert walk.visited >= all_pages * len(LOCALES)
    print(f"\nphone layout: {walk.visited} pages x 2 sizes in {time.perf_counter() - started:.1f} s")
    assert not walk.problems, report(walk.problems)


def test_shipped_courses_fit_a_phone(real_server, phone):  # noqa: F811 - the imported fixture
    """Every module of both shipped courses (each region's module of Forced Labor
    Awareness) and both quizzes in four scripts, and every country's helplines."""
    started = time.perf_counter()
    app, base = real_server
    app.config.update(ELEARN_STATE_RECHECK_SECONDS=0)  # the region changes between pages
    catalog = app.extensions["elearn_catalog"]
    by_region: dict[str, str] = {}
    for country in sorted(catalog.regions):
        by_region.setdefault(catalog.region_for(country), country)
    walk = PhoneWalk(phone, base)
    walk.sign_in("demo-buyer-mx", DEMO_PASSWORD)  # Sourcing: both courses are assigned

    def as_learner(**fields):
        with app.app_context():
            db.session.execute(update(User).where(User.employee_id == "demo-buyer-mx").values(**fields))
            db.session.commit()

    for turn, locale in enumerate(REAL_LOCALES):
        modules = 0
        for region, country in sorted(by_region.items()):
            as_learner(chosen_locale=locale, country=country)
            for course_id, course in sorted(catalog.courses.items()):
                for module in course.view(locale, region).modules:
                    if module.region is None and region != "arab_states":
                        continue  # the modules every region shares: once per locale
                    modules += 1
                    walk.check(
                        f"{locale} {course_id}/{module.id} ({region})",
                        f"/courses/{course_id}/modules/{module.id}",
                        axe=(modules + turn) % len(REAL_LOCALES) == 0,  # each module in one locale
                        signed_in=True,
                    )
        for course_id in sorted(catalog.courses):
            walk.check(f"{locale} {course_id} quiz", f"/courses/{course_id}/quiz", axe=True, signed_in=True)
    for n, country in enumerate(sorted(catalog.helplines)):
        as_learner(chosen_locale=REAL_LOCALES[n % len(REAL_LOCALES)])
        walk.check(f"helplines {country}", f"/concerns?country={country}", axe=n < 4, signed_in=True)
    print(f"\nphone layout, shipped courses: {walk.visited} pages x 2 sizes in {time.perf_counter() - started:.1f} s")
    assert not walk.problems, report(walk.problems)


#: what a printed page leaves out, and how its source links and boxes break across pages
PRINTED = """() => ({
  hidden: ['.site-header', '.site-footer', '.breadcrumb', '.acknowledge', '.pager', 'main form', 'button']
    .filter(s => [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== 'none')),
  mainWidth: getComputedStyle(document.querySelector('main')).maxInlineSize,
  links: [...document.querySelectorAll('main a[href^="http"]')].map(a => [
    a.href, a.textContent.trim() + getComputedStyle(a, '::after').content.replace(/^"|"$/g, '')]),
  unbroken: [...document.querySelectorAll('main h1, main h2, .check-question')]
    .map(e => getComputedStyle(e).breakInside),
})"""
PDF_PAGE = re.compile(rb"/Type\s*/Page\b")


def test_module_and_certificate_print_cleanly(app, live_server, phone, make_user):
    """Print: no header, menu, forms or footer; source links with their full URL; no break
    inside a heading or a question box; the certificate on one A4 page in every script."""
    for locale in ("en", "ar", "hi", "zh_Hans"):
        uid = make_user(employee_id=f"printer-{locale}", hr_locale=locale, country="AE", name="Nomvula Dlamini")
        complete_demo_course(app, uid, code=f"PRNT-{locale[:2].upper()}00-ABCD-EFGH")
    walk = PhoneWalk(phone, live_server)
    links = 0
    for locale in ("en", "ar", "hi", "zh_Hans"):
        walk.sign_in(f"printer-{locale}")
        phone.goto(f"{live_server}/courses/demo_course/modules/basics")
        phone.emulate_media(media="print")
        printed = phone.evaluate(PRINTED)
        assert printed["hidden"] == [] and printed["mainWidth"] == "none", (locale, printed)
        assert all(href in shown for href, shown in printed["links"]), printed["links"]
        links += len(printed["links"])
        assert set(printed["unbroken"]) == {"avoid"}, printed["unbroken"]
        phone.goto(f"{live_server}/courses/demo_course/certificate")
        assert phone.evaluate(PRINTED)["hidden"] == []
        pdf = phone.pdf(format="A4")
        assert len(PDF_PAGE.findall(pdf)) == 1, f"the {locale} certificate takes {len(PDF_PAGE.findall(pdf))} A4 pages"
        phone.emulate_media(media="screen")
    assert links, "no source link was checked"
