"""Supplier sites through HTTP on SQLite and PostgreSQL: an admin creates a site, a
worker without an account takes the course from its link, the counts appear masked,
a concern names the site, and nothing about the worker is stored."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import threading

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.models import AuditLog
from elearn.qr import qr_image
from elearn.suppliers.counts import Masked, add_to_counts, masked_breakdown
from elearn.suppliers.models import SupplierCount, SupplierSite

from .concern_helpers import file_report
from .conftest import Auth, csrf_token
from .db_diff import difference, snapshot
from .helpers import ANSWERS, WRONG

SITE = {
    "supplier_name": "Acme Textiles",
    "site_name": "Plant 3, Jebel Ali",
    "country": "AE",
    "first_language": "en",
    "other_languages": ["hi", "ar"],
}
MODULES = ["basics", "signs", "risks"]  # demo_course as the Arab States see it
NAME = "Ravi Kumar Sharma"


@pytest.fixture
def supplier_app(app):
    """The fixture course stands in for Forced Labor Awareness."""
    app.config["ELEARN_SUPPLIER_COURSE"] = "demo_course"
    return app


def create_site(client, **fields):
    page = client.get("/admin/supplier-sites/new")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), **SITE, **fields}
    return client.post("/admin/supplier-sites/new", data=data)


def site_row(app, **where) -> SupplierSite:
    with app.app_context():
        query = select(SupplierSite).order_by(SupplierSite.id.desc())
        for name, value in where.items():
            query = query.where(getattr(SupplierSite, name) == value)
        site = db.session.scalars(query).first()
        db.session.expunge_all()
        return site


@pytest.fixture
def site(supplier_app, admin_client) -> SupplierSite:
    assert create_site(admin_client).status_code == 302
    return site_row(supplier_app)


def counts(app) -> list[tuple[str, int, int]]:
    with app.app_context():
        rows = db.session.execute(select(SupplierCount.locale, SupplierCount.started, SupplierCount.completed))
        return sorted(tuple(row) for row in rows)


def read_modules(client, code, modules=MODULES):
    for module_id in modules:
        page = client.get(f"/s/{code}/modules/{module_id}")
        assert page.status_code == 200
        token = csrf_token(page.get_data(as_text=True))
        assert client.post(f"/s/{code}/modules/{module_id}/acknowledge", data={"csrf_token": token}).status_code == 302


def quiz_form(client, code):
    html = client.get(f"/s/{code}/quiz").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', html).group(1)
    return html, {"csrf_token": csrf_token(html), "attempt": attempt}


def answer(client, code, answers, form=None):
    form = form or quiz_form(client, code)[1]
    return client.post(f"/s/{code}/quiz", data={**form, **{f"q-{q}": chosen for q, chosen in answers.items()}})


def print_completion(client, code, name=NAME):
    result = client.get(f"/s/{code}")
    return client.post(
        f"/s/{code}/completion", data={"csrf_token": csrf_token(result.get_data(as_text=True)), "name": name}
    )


# --- the admin ----------------------------------------------------------------------


def test_admin_creates_a_site_with_a_link_and_an_a4_poster_in_its_languages(supplier_app, admin_client, site):
    assert site.languages == [
        "en",
        "ar",
        "hi",
    ]  # the first, then in LOCALES order and site.country == "AE" and site.closed_at is None
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", site.public_code)  # token_urlsafe(12): 96 bits
    with supplier_app.app_context():
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "supplier_site.create")).one()
        assert audit.after["public_code"] == site.public_code and audit.actor_id is not None
    link = f"http://127.0.0.1:5000/s/{site.public_code}"
    page = admin_client.get(f"/admin/supplier-sites/{site.id}").get_data(as_text=True)
    assert f'href="{link}"' in page and "Acme Textiles" in page
    assert "Acme Textiles" in admin_client.get("/admin/supplier-sites").get_data(as_text=True)
    poster = admin_client.get(f"/admin/supplier-sites/{site.id}/poster").get_data(as_text=True)
    assert qr_image(link, scale=10).replace("&", "&amp;") in poster  # the QR code of exactly this link
    assert link in poster and "Plant 3, Jebel Ali" in poster
    invitations = re.findall(r'<section class="invitation" lang="([^"]+)" dir="([^"]+)"', poster)
    assert invitations == [("en", "ltr"), ("ar", "rtl"), ("hi", "ltr")]


def test_bad_site_input_gets_clear_messages_and_changes_nothing(supplier_app, admin_client):
    before = snapshot(supplier_app)
    for fields, message in (
        ({"supplier_name": " "}, "Enter the supplier"),
        ({"site_name": "x" * 201}, "Use at most 200 characters."),
        ({"country": "XX"}, "Not a valid choice."),
        ({"first_language": "de"}, "Not a valid choice."),
        ({"other_languages": ["hi", "klingon"]}, "not a valid choice"),
    ):
        response = create_site(admin_client, **fields)
        assert response.status_code == 400 and message in response.get_data(as_text=True), fields
    assert difference(before, snapshot(supplier_app)) == {}


def test_a_region_scoped_admin_manages_the_sites_of_their_regions_only(supplier_app, admin_client, scoped_admin):
    create_site(admin_client, site_name="Dubai plant")
    create_site(admin_client, site_name="Ohio plant", country="US")
    dubai, ohio = site_row(supplier_app, country="AE"), site_row(supplier_app, country="US")
    arab_states = scoped_admin("region", "arab_states")
    listing = arab_states.get("/admin/supplier-sites").get_data(as_text=True)
    assert "Dubai plant" in listing and "Ohio plant" not in listing
    assert arab_states.get(f"/admin/supplier-sites/{dubai.id}/poster").status_code == 200
    assert arab_states.get(f"/admin/supplier-sites/{ohio.id}").status_code == 404
    assert arab_states.get(f"/admin/supplier-sites/{ohio.id}/poster").status_code == 404
    exported = arab_states.get("/admin/supplier-sites/counts.csv").get_data(as_text=True)
    assert "Dubai plant" in exported and "Ohio plant" not in exported
    assert create_site(arab_states, site_name="Texas plant", country="US").status_code == 400
    assert create_site(arab_states, site_name="Amman plant", country="JO").status_code == 302
    construction = scoped_admin("department", "Construction", employee_id="dept")
    for path in ("", "/new", f"/{dubai.id}", f"/{dubai.id}/poster", "/counts.csv"):
        assert construction.get(f"/admin/supplier-sites{path}").status_code == 403, path


# --- the worker -----------------------------------------------------------------------


def test_a_worker_without_an_account_passes_with_server_scoring_and_nothing_personal_is_stored(
    supplier_app, site, make_user
):
    make_user(employee_id="employee")  # a person in the database, whom nothing here may touch
    worker = supplier_app.test_client()
    before = snapshot(supplier_app)
    landing = worker.get(f"/s/{site.public_code}").get_data(as_text=True)
    assert 'lang="en"' in landing and "Plant 3, Jebel Ali" in landing
    assert 'href="tel:999"' in landing  # the site country's emergency numbers (content/emergency.yaml)
    assert counts(supplier_app) == []  # opening the link is not starting
    read_modules(worker, site.public_code)
    risks = worker.get(f"/s/{site.public_code}/modules/risks").get_data(as_text=True)
    assert 'href="tel:998"' in risks.split("<h2>How to report</h2>")[1]
    assert counts(supplier_app) == [("en", 1, 0)]
    html, form = quiz_form(worker, site.public_code)
    assert "explanation" not in html.lower() and "The employer should pay" not in html  # no answer key
    payload = URLSafeSerializer("test-secret", salt="elearn-quiz-attempt").loads(form["attempt"])
    assert set(payload) == {"n", "a", "q", "v"} and payload["v"] == ["en", "arab_states"]
    failed = answer(worker, site.public_code, WRONG)
    assert failed.status_code == 200 and 'class="score failed"' in failed.get_data(as_text=True)
    assert counts(supplier_app) == [("en", 1, 0)]
    passed = answer(worker, site.public_code, ANSWERS).get_data(as_text=True)
    assert 'class="score passed"' in passed and "It is not a certificate" in passed
    # never the answer key: this quiz has no attempt limit and shares the employees' pool
    assert "The employer should pay" not in passed and "Right answer" not in passed
    assert counts(supplier_app) == [("en", 1, 1)]
    assert 'class="score passed"' in answer(worker, site.public_code, ANSWERS, form).get_data(as_text=True)
    assert counts(supplier_app) == [("en", 1, 1)]  # completed once per browser, whatever is resubmitted
    page = print_completion(worker, site.public_code)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and NAME in text and "This is not a certificate." in text
    assert "Demo Awareness" in text and "Plant 3, Jebel Ali" in text
    assert not re.search(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", text)  # no verification code
    diff = difference(before, snapshot(supplier_app))
    assert set(diff) == {"supplier_counts"}  # nothing else: no attempt, no answers, no name
    assert NAME not in repr(snapshot(supplier_app))


def test_another_browsers_or_sites_quiz_token_is_refused(supplier_app, admin_client, site):
    create_site(admin_client, site_name="Second plant")
    other = site_row(supplier_app, site_name="Second plant")
    first = supplier_app.test_client()
    _html, form = quiz_form(first, site.public_code)
    second = supplier_app.test_client()
    second.get(f"/s/{site.public_code}")
    token = csrf_token(second.get(f"/s/{site.public_code}/quiz").get_data(as_text=True))
    assert answer(second, site.public_code, ANSWERS, {**form, "csrf_token": token}).status_code == 400
    assert answer(first, other.public_code, ANSWERS, form).status_code == 400
    assert counts(supplier_app) == [("en", 2, 0)]  # both browsers opened the quiz, neither passed


def test_the_worker_picks_a_language_the_site_offers(supplier_app, site):
    worker = supplier_app.test_client()
    landing = worker.get(f"/s/{site.public_code}", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'lang="en"' in landing  # the site's first language
    offered = re.findall(r'name="locale" value="(\w+)"', landing.split('class="site-languages"')[1])
    assert offered == ["en", "ar", "hi"]
    worker.post("/language", data={"csrf_token": csrf_token(landing), "locale": "hi", "next": "/"})
    module = worker.get(f"/s/{site.public_code}/modules/risks").get_data(as_text=True)
    assert '<html lang="hi"' in module and "कफ़ाला" in module  # Hindi, the Arab States module
    worker.post("/language", data={"csrf_token": csrf_token(landing), "locale": "es", "next": "/"})
    assert '<html lang="en"' in worker.get(f"/s/{site.public_code}").get_data(as_text=True)  # not offered
    assert counts(supplier_app) == [("hi", 1, 0)]


def test_a_closed_sites_link_says_it_is_no_longer_active(supplier_app, admin_client, site):
    page = admin_client.get(f"/admin/supplier-sites/{site.id}").get_data(as_text=True)
    closing = {"csrf_token": csrf_token(page), "open": "no"}
    assert admin_client.post(f"/admin/supplier-sites/{site.id}/open-state", data=closing).status_code == 302
    for path in ("", "/modules/basics", "/quiz"):
        response = supplier_app.test_client().get(f"/s/{site.public_code}{path}")
        assert response.status_code == 404 and "This link is no longer active" in response.get_data(as_text=True)
    assert supplier_app.test_client().get("/s/no-such-code").status_code == 404
    reopening = {"csrf_token": csrf_token(page), "open": "yes"}
    admin_client.post(f"/admin/supplier-sites/{site.id}/open-state", data=reopening)
    assert supplier_app.test_client().get(f"/s/{site.public_code}").status_code == 200
    with supplier_app.app_context():
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["supplier_site.create", "supplier_site.close", "supplier_site.reopen"]


def test_the_completion_page_needs_a_pass_in_this_browser(supplier_app, site):
    worker = supplier_app.test_client()
    response = print_completion(worker, site.public_code)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/{site.public_code}")


# --- counts, the CSV, concerns, limits -----------------------------------------------


def test_counts_are_masked_below_five_on_the_page_and_in_the_csv(supplier_app, admin_client):
    create_site(admin_client, supplier_name="=HYPERLINK(1)")
    site = site_row(supplier_app)
    with supplier_app.app_context():
        db.session.add_all(
            [
                SupplierCount(site_id=site.id, month="2026-10", locale="hi", started=4, completed=2),
                SupplierCount(site_id=site.id, month="2026-11", locale="hi", started=3, completed=3),
                SupplierCount(site_id=site.id, month="2026-11", locale="ar", started=2, completed=0),
                SupplierCount(site_id=site.id, month="2026-11", locale="en", started=6, completed=6),
            ]
        )
        db.session.commit()
    page = admin_client.get(f"/admin/supplier-sites/{site.id}").get_data(as_text=True)
    assert "Unverified: one person can take the course more than once" in page
    assert "Started: 15. Completed: 11." in page
    by_language = page.split('id="by-language"')[1].split("</table>")[0]
    assert "العربية</th><td>fewer than 5</td><td>fewer than 5</td>" in by_language
    # 15 - 7 - 6 would give the Arabic 2 away: the smallest other count is hidden too
    assert "हिन्दी</th><td>7</td><td>hidden</td>" in by_language
    assert "English</th><td>hidden</td><td>6</td>" in by_language
    exported = admin_client.get("/admin/supplier-sites/counts.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][-2:] == ["started (unverified)", "completed (unverified)"]
    assert rows[1] == ["'=HYPERLINK(1)", "Plant 3, Jebel Ali", "AE", "total", "", "15", "11"]
    assert [r[3:] for r in rows[2:]] == [
        ["language", "ar", "fewer than 5", "fewer than 5"],
        ["language", "en", "hidden", "6"],
        ["language", "hi", "7", "hidden"],
        ["month", "2026-11", "hidden", "hidden"],
        ["month", "2026-10", "fewer than 5", "fewer than 5"],
    ]
    with supplier_app.app_context():
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "supplier_counts.export"


@pytest.mark.parametrize(
    "counts,total,shown",
    [
        ({"hi": 7, "ar": 2}, 9, {"hi": Masked.HIDDEN, "ar": Masked.FEWER}),
        ({"hi": 7, "ar": 2, "es": 1}, 10, {"hi": 7, "ar": Masked.FEWER, "es": Masked.FEWER}),  # 3 is two counts
        ({"hi": 3}, 3, {"hi": Masked.FEWER}),  # the total is masked itself
        ({"hi": 0, "ar": 5}, 5, {"hi": Masked.FEWER, "ar": Masked.HIDDEN}),
        ({"hi": 5, "ar": 9}, 14, {"hi": 5, "ar": 9}),
    ],
)
def test_a_single_small_count_is_never_left_to_be_worked_out(counts, total, shown):
    assert masked_breakdown(counts, total) == shown


def test_counts_add_up_when_many_workers_finish_at_once(supplier_app, site):
    def finish():
        with supplier_app.app_context():
            for _ in range(5):
                add_to_counts(site.id, "hi", started=1, completed=1)

    threads = [threading.Thread(target=finish) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts(supplier_app) == [("hi", 30, 30)]


def test_a_concern_sent_from_a_supplier_link_names_the_site_not_the_person(supplier_app, site, make_user):
    worker = supplier_app.test_client()
    worker.get(f"/s/{site.public_code}")
    form = worker.get("/concerns/report").get_data(as_text=True)  # the layout's link: no site in it
    assert "comes from the site Plant 3, Jebel Ali of Acme Textiles" in form
    before = snapshot(supplier_app)
    assert file_report(worker).status_code == 200
    diff = difference(before, snapshot(supplier_app))
    assert set(diff) == {"concerns"} and diff["concerns"].added[0]["supplier_site_id"] == site.id
    unnamed = worker.get("/concerns/report?supplier=").get_data(as_text=True)
    assert "comes from the site" not in unnamed
    fields = {"category": "other", "language": "en", "description": "Not about that site.", "anonymous": "y"}
    worker.post("/concerns/report?supplier=", data={"csrf_token": csrf_token(unnamed), **fields})
    with supplier_app.app_context():
        assert db.session.scalars(select(Concern.supplier_site_id).order_by(Concern.id)).all() == [site.id, None]
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    handler = supplier_app.test_client()
    Auth(handler).login("handler")
    with supplier_app.app_context():
        case_id = db.session.scalars(select(Concern.id).order_by(Concern.id)).first()  # the one from the site
    case = handler.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Acme Textiles – Plant 3, Jebel Ali</bdi> (United Arab Emirates)" in case


def test_public_pages_and_quiz_submissions_are_rate_limited(supplier_app, site):
    supplier_app.config.update(ELEARN_SUPPLIER_PAGE_LIMIT="3 per minute", ELEARN_SUPPLIER_QUIZ_LIMIT="2 per minute")
    worker = supplier_app.test_client()
    assert [worker.get(f"/s/{site.public_code}").status_code for _ in range(4)] == [200, 200, 200, 429]
    _html, form = quiz_form(worker, site.public_code)
    codes = [answer(worker, site.public_code, WRONG, form).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # about the pages, not the database
def test_every_supplier_page_is_valid_html(supplier_app, admin_client, site, tmp_path):
    from .test_html_validity import VNU

    supplier_app.config["ELEARN_INTAKE_LIMIT"] = "100 per hour"
    code = site.public_code
    with supplier_app.app_context():
        add_to_counts(site.id, "hi", started=7, completed=5)
    pages = {
        "admin-sites": admin_client.get("/admin/supplier-sites"),
        "admin-new": admin_client.get("/admin/supplier-sites/new"),
        "admin-new-errors": create_site(admin_client, supplier_name="", country="XX"),
        "admin-site": admin_client.get(f"/admin/supplier-sites/{site.id}"),
        "admin-poster": admin_client.get(f"/admin/supplier-sites/{site.id}/poster"),
    }
    for locale in ("en", "ar", "hi"):
        worker = supplier_app.test_client()
        worker.set_cookie("elearn_locale", locale)
        pages[f"{locale}-landing"] = worker.get(f"/s/{code}")
        pages[f"{locale}-module"] = worker.get(f"/s/{code}/modules/risks")
        html, form = quiz_form(worker, code)
        pages[f"{locale}-quiz"] = worker.get(f"/s/{code}/quiz")
        pages[f"{locale}-quiz-unanswered"] = answer(worker, code, {"fees": ["true"]}, form)
        pages[f"{locale}-failed"] = answer(worker, code, WRONG, form)
        pages[f"{locale}-passed"] = answer(worker, code, ANSWERS, form)
        pages[f"{locale}-completion"] = print_completion(worker, code)
        pages[f"{locale}-completion-error"] = print_completion(worker, code, name="x" * 101)
        pages[f"{locale}-landing-done"] = worker.get(f"/s/{code}")
        pages[f"{locale}-concern-page"] = worker.get("/concerns")
        pages[f"{locale}-concern-form"] = worker.get("/concerns/report")
    file_report(supplier_app.test_client())
    admin_client.post(
        f"/admin/supplier-sites/{site.id}/open-state",
        data={"csrf_token": csrf_token(pages["admin-site"].get_data(as_text=True)), "open": "no"},
    )
    pages["closed"] = supplier_app.test_client().get(f"/s/{code}")
    files = []
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert html.startswith("<!doctype html>"), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[:5000]
