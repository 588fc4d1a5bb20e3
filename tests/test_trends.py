"""The report's trends over HTTP, on both databases: completion rate and completions per
month and per week from known dates, period boundaries in the admin's time zone, overdue
aging at its edges, the report's filters and the admin's scope, bad input, valid HTML."""

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from babel.dates import format_interval
from sqlalchemy import event, select

from elearn.admin.reports import ReportFilters, report_query
from elearn.admin.trends import PeriodKind, completion_trend, overdue_aging
from elearn.extensions import db
from elearn.models import Assignment, utcnow

from .conftest import Auth
from .helpers import completion_of
from .test_html_validity import VNU

NOW = utcnow()


def month_start(back: int) -> datetime:
    """Midnight UTC on the first day of the month `back` months before this one."""
    months = NOW.year * 12 + NOW.month - 1 - back
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)


def week_start(back: int) -> datetime:
    """Midnight UTC on the Monday of the week `back` weeks before this one."""
    monday = NOW.date() - timedelta(days=NOW.weekday(), weeks=back)
    return datetime.combine(monday, datetime.min.time(), tzinfo=UTC)


def person(app, make_user, employee_id, assigned_at, completed_at=None, expires_at=None, due_at=None, **fields):
    """A learner of demo_course assigned, and maybe completed, at the given instants."""
    uid = make_user(employee_id=employee_id, password=None, **fields)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        assignment.assigned_at = assigned_at
        assignment.due_at = due_at or NOW + timedelta(days=30)
        if completed_at is not None:
            db.session.add(
                completion_of(
                    assignment, completed_at=completed_at, expires_at=expires_at, certificate_code=f"C-{employee_id}"
                )
            )
        db.session.commit()


@pytest.fixture
def monthly(app, make_user):
    """Five people in the Arab States (Construction) and one in Kenya (Warehouse):
    month by month, who was assigned and who completed (see MONTHLY)."""
    day = timedelta(days=1)
    person(app, make_user, "old", month_start(20), month_start(15))
    person(app, make_user, "p1", month_start(5) + 2 * day, month_start(3) + 10 * day)
    person(app, make_user, "p2", month_start(5) + 2 * day, month_start(1) + 10 * day)
    person(app, make_user, "p3", month_start(2) + 3 * day)
    # completed, then expired at the start of last month
    person(app, make_user, "p5", month_start(4) + day, month_start(3) + 5 * day, expires_at=month_start(1) + day)
    person(app, make_user, "ke", month_start(3), month_start(3) + day, country="KE", department="Warehouse")


#: months back -> (assigned by the month's end, completed by then, completions within it)
#: for the Arab States people of `monthly`
MONTHLY = {
    **{back: (1, 1, 0) for back in range(11, 5, -1)},
    5: (3, 1, 0),
    4: (4, 1, 0),
    3: (4, 3, 2),
    2: (5, 3, 0),
    1: (5, 3, 1),  # p2 completes, p5's completion expires
    0: (5, 3, 0),
}


class Tables(HTMLParser):
    """Each <table> of the page by its caption, as rows of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.rows, self.text, self.cell = {}, None, "", None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.rows, self.text = [], ""
        elif tag == "caption":
            self.text = ""
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.caption = self.text.strip()
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "table":
            self.tables[self.caption] = self.rows[1:]
            self.rows = None

    def handle_data(self, data):
        self.text += data
        if self.cell is not None:
            self.cell += data


def tables(client, query=""):
    response = client.get("/admin/reports/trends" + query)
    assert response.status_code == 200, response.status_code
    return Tables(response.get_data(as_text=True)).tables


RATE_MONTHS = "Completion rate at the end of each month"
RATE_WEEKS = "Completion rate at the end of each week"
AGING = "Overdue assignments by days overdue"


def numbers(rows):
    """(assigned, completed, completions) of each table row ("60% (3 of 5)", "1"), oldest first."""
    found = [re.fullmatch(r"(\d+)% \((\d+) of (\d+)\)", r[1]) for r in rows]
    return [(int(m[3]), int(m[2]), int(r[2])) for m, r in zip(found, rows, strict=True)]


def test_monthly_rates_and_completions_are_exact(app, monthly, admin_client):
    rows = tables(admin_client, "?region=arab_states")[RATE_MONTHS]
    assert numbers(rows) == [MONTHLY[back] for back in range(11, -1, -1)]
    assert [r[1] for r in rows][-4:] == ["75% (3 of 4)", "60% (3 of 5)", "60% (3 of 5)", "60% (3 of 5)"]
    assert rows[0][0] == month_start(11).strftime("%B %Y") and rows[-1][0] == NOW.strftime("%B %Y") + " (so far)"


def test_the_current_period_is_the_report_page_today(app, monthly, admin_client):
    """Today's end of the trend and the report page count the same assignments."""
    rows = tables(admin_client, "?region=arab_states")[RATE_MONTHS]
    report = admin_client.get("/admin/reports?region=arab_states").get_data(as_text=True)
    assert "3 of 5 assignments completed (60%)" in report and rows[-1][1] == "60% (3 of 5)"


def test_month_is_the_default_and_the_chart_has_the_table_numbers(app, monthly, admin_client):
    html = admin_client.get("/admin/reports/trends?period=&region=arab_states").get_data(as_text=True)
    assert RATE_MONTHS in html and '<svg role="img"' in html and 'width="328"' in html
    label = month_start(3).strftime("%b %Y")
    assert f"{label}: 75% (3 / 4)" in html  # the chart's description: the table's numbers


def test_weeks_start_on_monday(app, make_user, admin_client):
    day = timedelta(days=1)
    person(app, make_user, "w1", week_start(5), week_start(1) - timedelta(minutes=1))  # last Sunday of week 2
    person(app, make_user, "w2", week_start(3) + 2 * day, week_start(1))  # Monday, first moment of week 1
    person(app, make_user, "w3", week_start(1) + 6 * day)
    rows = tables(admin_client, "?period=week&country=AE")[RATE_WEEKS]
    assert len(rows) == 12
    by_back = dict(zip(range(11, -1, -1), numbers(rows), strict=True))
    assert by_back[4] == (1, 0, 0) and by_back[3] == (2, 0, 0)  # w2, assigned within week 3, counts at its end
    assert by_back[2] == (2, 1, 1) and by_back[1] == (3, 2, 1) and by_back[0] == (3, 2, 0)
    monday = week_start(1).date()
    label = format_interval(monday, monday + timedelta(days=6), "yMMMd", locale="en")
    assert rows[-2][0] == " ".join(label.split())  # "Nov 23 – 29, 2026" (thin spaces read as one)


def test_periods_end_at_midnight_in_the_admins_time_zone(app, make_user):
    """22:00 UTC on the last day of a month is already the 1st in Kolkata (UTC+5:30)."""
    late = month_start(1) - timedelta(hours=2)
    person(app, make_user, "tz", month_start(6), late)
    counts = {}
    for zone in ("UTC", "Asia/Kolkata"):
        make_user(employee_id=zone, roles="admin", hr_locale="en", assign=False, timezone=zone)
        admin = app.test_client()
        Auth(admin).login(zone)
        counts[zone] = [n[2] for n in numbers(tables(admin, "?department=Construction")[RATE_MONTHS])]
    assert counts["UTC"][-3:] == [1, 0, 0]
    assert counts["Asia/Kolkata"][-3:] == [0, 1, 0]


@pytest.fixture
def overdue(app, make_user):
    """Overdue by just under and just over 8 and 31 whole days, one an hour ago; one due
    later and one overdue but completed (neither is overdue). The edges are an hour
    either side of the page's own now: the suite may run minutes after NOW was set."""
    margin, day, now = timedelta(hours=1), timedelta(days=1), datetime.now(UTC)
    for employee_id, due in [
        ("hour", timedelta(hours=1)),
        ("7", 8 * day - margin),
        ("8", 8 * day + margin),
        ("30", 31 * day - margin),
        ("31", 31 * day + margin),
    ]:
        person(app, make_user, f"due-{employee_id}", NOW - 60 * day, due_at=now - due)
    person(app, make_user, "later", NOW - 60 * day, due_at=NOW + day)
    person(app, make_user, "done", NOW - 60 * day, NOW - 50 * day, due_at=NOW - 40 * day)
    person(app, make_user, "ke-31", NOW - 60 * day, due_at=NOW - 40 * day, country="KE", department="Warehouse")


def test_overdue_aging_at_the_bucket_edges(app, overdue, admin_client):
    rows = tables(admin_client)[AGING]
    assert rows == [["0–7 days", "2", "33%"], ["8–30 days", "2", "33%"], ["31 days or more", "2", "33%"]]
    rows = tables(admin_client, "?department=Construction")[AGING]
    assert [r[1] for r in rows] == ["2", "2", "1"]


def test_a_scoped_admin_sees_only_their_scope(app, monthly, overdue, scoped_admin):
    client = scoped_admin("department", "Warehouse", country="KE")
    found = tables(client)
    assert [r[1] for r in found[AGING]] == ["0", "0", "1"]
    assert numbers(found[RATE_MONTHS])[-1] == (2, 1, 0)  # "ke" completed, "ke-31" overdue
    outside = client.get("/admin/reports/trends?department=Construction").get_data(as_text=True)
    assert "No assignments match these filters." in outside


def test_filters_narrow_the_population(app, monthly, admin_client):
    assert numbers(tables(admin_client)[RATE_MONTHS])[-1] == (7, 4, 0)  # with the admin's own assignment
    assert numbers(tables(admin_client, "?country=KE")[RATE_MONTHS])[-1] == (1, 1, 0)
    assert numbers(tables(admin_client, "?status=not_started&region=arab_states")[RATE_MONTHS])[-1] == (1, 0, 0)
    empty = admin_client.get("/admin/reports/trends?department=Nobody").get_data(as_text=True)
    assert "No assignments match these filters." in empty and "<svg" not in empty


@pytest.mark.parametrize("period", ["year", "week'--", "MONTH"])
def test_an_unknown_period_is_refused_with_a_message(app, monthly, admin_client, period):
    response = admin_client.get(f"/admin/reports/trends?period={period}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose months or weeks from the list." in html and "<svg" not in html


def test_the_report_and_its_trends_link_each_other_with_the_filters(app, monthly, admin_client):
    report = admin_client.get("/admin/reports?department=Warehouse&status=completed").get_data(as_text=True)
    assert 'href="/admin/reports/trends?department=Warehouse&amp;status=completed"' in report
    trends = admin_client.get("/admin/reports/trends?department=Warehouse&period=week").get_data(as_text=True)
    assert 'href="/admin/reports?department=Warehouse">Back to the completion report' in trends
    assert '<option value="week" selected>' in trends and "<option selected>Warehouse</option>" in trends


def test_a_learner_may_not_see_trends(app, make_user, client):
    make_user(employee_id="learner", hr_locale="en")
    Auth(client).login("learner")
    assert client.get("/admin/reports/trends").status_code == 403


def test_each_trend_is_one_query_in_the_database(app, monthly):
    statements = []
    with app.app_context():
        report = report_query(ReportFilters(), app.extensions["elearn_catalog"])

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            trend = completion_trend(report, PeriodKind.WEEK, "UTC", utcnow())
            overdue_aging(report, utcnow())
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2 and len(trend) == 12 and trend[-1].start.weekday() == 0
    assert all(isinstance(p.start, date) for p in trend)


def test_the_page_is_valid_html_in_english_and_arabic(app, monthly, overdue, make_user, tmp_path):
    files = []
    for locale in ("en", "ar"):
        make_user(employee_id=f"admin-{locale}", roles="admin", hr_locale=locale, assign=False)
        admin = app.test_client()
        Auth(admin).login(f"admin-{locale}")
        for name, query in [("months", ""), ("weeks", "?period=week"), ("bad", "?period=x"), ("empty", "?country=US")]:
            files.append(tmp_path / f"{locale}-{name}.html")
            files[-1].write_text(admin.get("/admin/reports/trends" + query).get_data(as_text=True), encoding="utf-8")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[:5000]
