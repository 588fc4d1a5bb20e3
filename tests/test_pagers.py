"""The four paged listings (users, completion report, audit log, case queue): fifty rows a
page with links both ways; a page past the end is an empty page, a malformed page number
is the first page, never a 404 or a 500."""

import re
from datetime import timedelta

import pytest

from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.models import Assignment, AuditLog, User, utcnow
from elearn.paging import PAGE_SIZE

from .conftest import Auth

ROWS = PAGE_SIZE + 5
TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def body_rows(html: str) -> int:
    match = TBODY.search(html)
    assert match, html[:2000]
    return match.group(1).count("<tr>")


def add_people(n: int) -> list[int]:
    people = [User(employee_id=f"p{i:03}", name=f"Person {i:03}", country="KE", hr_locale="en") for i in range(n)]
    db.session.add_all(people)
    db.session.flush()
    return [p.id for p in people]


def fill_users(app):
    with app.app_context():
        add_people(ROWS - 1)  # and the admin
        db.session.commit()


def fill_report(app):
    with app.app_context():
        for user_id in add_people(ROWS):
            db.session.add(Assignment(user_id=user_id, course_id="demo_course", due_at=utcnow() + timedelta(days=30)))
        db.session.commit()


def fill_audit(app):
    with app.app_context():
        admin = db.session.scalar(db.select(User.id).where(User.employee_id == "admin"))
        db.session.add_all(
            AuditLog(
                actor_id=admin if i % 2 else None,
                action="user.update",
                target=f"t{i}",
                before={"name": "a"},
                after={"name": "b"},
            )
            for i in range(ROWS)
        )
        db.session.commit()


def fill_queue(app):
    with app.app_context():
        db.session.add_all(
            Concern(
                public_id=f"C{i:04}",
                secret_hash="0" * 64,
                category="forced_labour",
                country="AE",
                language="en",
                body_enc="x",
            )
            for i in range(ROWS)
        )
        db.session.commit()


LISTINGS = {
    "users": ("/admin/users", fill_users, "admin"),
    "report": ("/admin/reports", fill_report, "admin"),
    "audit": ("/admin/audit", fill_audit, "admin"),
    "queue": ("/cases", fill_queue, "case_handler"),
}


@pytest.fixture(params=sorted(LISTINGS))
def listing(request, app, make_user):
    path, fill, role = LISTINGS[request.param]
    make_user(employee_id="admin", roles=role, hr_locale="en", country="US", assign=False)
    fill(app)
    client = app.test_client()
    Auth(client).login("admin")
    return client, path


def test_listing_shows_fifty_rows_a_page_with_links_both_ways(listing):
    client, path = listing
    first = client.get(path).get_data(as_text=True)
    assert body_rows(first) == PAGE_SIZE
    assert "Page 1 of 2" in first and "Next page" in first and "Previous page" not in first
    assert f'{path}?page=2"' in first
    second = client.get(f"{path}?page=2").get_data(as_text=True)
    assert body_rows(second) == ROWS - PAGE_SIZE
    assert "Page 2 of 2" in second and "Previous page" in second and "Next page" not in second


def test_page_past_the_end_is_empty_never_an_error(listing):
    client, path = listing
    for page in ("3", "99", str(10**30)):  # the last: an OFFSET no database accepts, unless bounded
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert body_rows(html) == 0
        assert "Previous page" in html and "Next page" not in html


def test_malformed_page_number_is_the_first_page(listing):
    client, path = listing
    for page in ("0", "-4", "two", ""):
        response = client.get(f"{path}?page={page}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert body_rows(html) == PAGE_SIZE and "Page 1 of 2" in html, page
