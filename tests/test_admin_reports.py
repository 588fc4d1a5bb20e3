"""The completion report over HTTP: every filter, both exports, charts, checked against the DB."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Assignment, ModuleProgress, User, utcnow
from elearn.training.learner_status import status_expression

from .conftest import Auth
from .helpers import completion_of

NOW = utcnow()
PEOPLE = [  # employee id, country, department, locale, state
    ("a1", "AE", "Construction", "hi", "completed"),
    ("a2", "AE", "Construction", "ar", "overdue"),
    ("u1", "US", "Warehouse", "en", "in_progress"),
    ("u2", "US", "Sourcing", "es", "not_started"),
    ("k1", "KE", "Warehouse", "en", "completed"),
]


@pytest.fixture
def report_data(app, make_user):
    for employee_id, country, department, locale, state in PEOPLE:
        uid = make_user(employee_id=employee_id, country=country, department=department, hr_locale=locale)
        with app.app_context():
            a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
            if state == "overdue":
                a.due_at = NOW - timedelta(days=3)
            if state == "in_progress":
                db.session.add(ModuleProgress(assignment_id=a.id, module_id="basics", locale=locale))
            if state == "completed":
                db.session.add(
                    completion_of(
                        a,
                        locale=locale,
                        region="x",
                        score=90,
                        completed_at=NOW - timedelta(days=10 if employee_id == "a1" else 1),
                        expires_at=NOW + timedelta(days=300),
                        certificate_code=f"CODE-{employee_id}",
                    )
                )
            db.session.commit()
    make_user(employee_id="boss", roles="admin", hr_locale="en", country="GB", assign=False)
    client = app.test_client()
    Auth(client).login("boss")
    return client


def exported(client, query=""):
    response = client.get("/admin/reports.csv?" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def ids(rows):
    return sorted(r["employee_id"] for r in rows)


#: (query string, employee ids exported): one set of people serves every case
FILTER_CASES = [
    ("", ["a1", "a2", "k1", "u1", "u2"]),
    ("course=demo_course", ["a1", "a2", "k1", "u1", "u2"]),
    ("department=Warehouse", ["k1", "u1"]),
    ("country=AE", ["a1", "a2"]),
    ("region=arab_states", ["a1", "a2"]),
    ("region=global", ["k1"]),
    ("locale=es", ["u2"]),
    ("status=completed", ["a1", "k1"]),
    ("status=overdue", ["a2"]),
    ("status=in_progress", ["u1"]),
    ("status=not_started", ["u2"]),
    (f"completed_from={(NOW - timedelta(days=3)).date()}", ["k1"]),
    (f"completed_to={(NOW - timedelta(days=5)).date()}", ["a1"]),
    (f"due_to={(NOW - timedelta(days=1)).date()}", ["a2"]),
    (f"due_from={(NOW + timedelta(days=1)).date()}", ["a1", "k1", "u1", "u2"]),
    ("status=completed&region=global", ["k1"]),
    ("department=' OR '1'='1", []),
    ("status=bogus&country=ZZ&region=mars&completed_from=notadate", ["a1", "a2", "k1", "u1", "u2"]),
]


def test_every_filter_in_csv_export(app, report_data):
    found = {query: ids(exported(report_data, query)) for query, _expected in FILTER_CASES}
    assert found == dict(FILTER_CASES)


def test_csv_rows_match_database_and_status_rule(app, report_data):
    rows = {r["employee_id"]: r for r in exported(report_data)}
    with app.app_context():
        truth = dict(
            db.session.execute(
                select(User.employee_id, status_expression())
                .join(Assignment, Assignment.user_id == User.id)
                .where(Assignment.current.is_(True))
            ).all()
        )
    assert {k: v["status"] for k, v in rows.items()} == truth
    assert rows["a1"]["certificate_code"] == "CODE-a1" and rows["a1"]["score"] == "90"
    assert rows["a1"]["region"] == "arab_states" and rows["k1"]["region"] == "global"


def test_xlsx_export_has_exactly_the_filtered_rows(app, report_data):
    response = report_data.get("/admin/reports.xlsx?status=completed")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("Employee ID", "Name", "Department")  # headings for people, in the admin's language
    assert sorted(v[0] for v in values[1:]) == ["a1", "k1"]
    assert ids(exported(report_data, "status=completed")) == ["a1", "k1"]


def test_xlsx_export_is_a_sheet_people_read(app, report_data):
    """Header frozen, every column filters, widths set, dates as real date cells."""
    from datetime import datetime

    from elearn.admin.reports import COLUMNS

    response = report_data.get("/admin/reports.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{chr(ord('A') + len(COLUMNS) - 1)}{sheet.max_row}" and sheet.max_row == 6
    assert int(sheet.column_dimensions["B"].width) == 28  # name (XlsxWriter adds Excel's padding: 28.71)
    completed = COLUMNS.index("completed_at") + 1
    dates = [row[completed - 1].value for row in sheet.iter_rows(min_row=2) if row[completed - 1].value]
    assert dates and all(isinstance(d, datetime) for d in dates)


def test_report_page_shows_charts_table_and_totals(app, report_data):
    html = report_data.get("/admin/reports").get_data(as_text=True)
    assert "2 of 5 assignments completed" in html
    assert html.count("<svg") == 2 and 'role="img"' in html
    assert "Arab States: 50%" in html  # each bar's figures are text, not colour alone
    assert "Warehouse: 50%" in html


def test_csv_cells_cannot_inject_formulas(app, report_data, make_user):
    make_user(employee_id="evil", name='=HYPERLINK("http://x")', country="US", hr_locale="en")
    row = next(r for r in exported(report_data) if r["employee_id"] == "evil")
    assert row["name"].startswith("'=")


def test_scoped_admin_report_only_in_scope(app, report_data, scoped_admin):
    client = scoped_admin("department", "Warehouse", country="AE")
    assert ids(exported(client)) == ["k1", "u1"]
    assert ids(exported(client, "country=AE")) == []
