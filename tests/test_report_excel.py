"""The completion report for people: the CSV for Excel and the XLSX, over HTTP on both
databases, read back the way a spreadsheet would (csv with the file's delimiter, openpyxl)."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from elearn.admin.people_export import list_separator
from elearn.admin.reports import COLUMNS
from elearn.extensions import db
from elearn.models import Assignment, Completion

from .conftest import Auth
from .helpers import completion_of

#: stored UTC, with microseconds; 20:45 UTC is already the next day in Kolkata (+5:30)
DONE_AT = datetime(2026, 3, 1, 20, 45, 12, 345678, tzinfo=UTC)
EVIL = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture
def people(app, make_user):
    """a1 completed (AE), u2 not started (US), evil with formula text (US)."""
    uid = make_user(employee_id="a1", country="AE", department="Construction")
    make_user(employee_id="u2", country="US", department="Sourcing")
    make_user(employee_id="evil", name=EVIL, department="@SUM(1,1)", country="US")
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        db.session.add(
            completion_of(a, score=90, completed_at=DONE_AT, expires_at=DONE_AT + timedelta(days=365), region="x")
        )
        db.session.commit()


@pytest.fixture
def admin(app, make_user, people):
    """admin(locale, timezone=None): a signed-in unscoped admin's test client."""

    def make(locale: str, timezone: str | None = None):
        employee_id = f"boss-{locale}-{timezone or 'utc'}".replace("/", "-")
        make_user(employee_id=employee_id, roles="admin", hr_locale=locale, timezone=timezone, assign=False)
        client = app.test_client()
        Auth(client).login(employee_id)
        return client

    return make


def excel_csv(client, query="") -> bytes:
    """The CSV for Excel as downloaded."""
    response = client.get("/admin/reports-for-excel.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "completions-excel.csv" in response.headers["Content-Disposition"]
    return response.get_data()


def read(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=delimiter))


def by_id(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


def test_list_separator_follows_the_decimal_symbol():
    assert [list_separator(locale) for locale in ("fr", "es", "pt", "de")] == [";"] * 4
    assert [list_separator(locale) for locale in ("en", "hi", "zh_Hans", "ar")] == [","] * 4


def test_excel_csv_in_english_has_bom_crlf_commas_and_readable_values(app, admin):
    data = excel_csv(admin("en"))
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    rows = read(data, ",")
    assert rows[0][:3] == ["Employee ID", "Name", "Department"] and len(rows[0]) == len(COLUMNS)
    assert rows[0][7] == "Status" and rows[0][9] == "Completed on"
    a1, u2 = by_id(rows)["a1"], by_id(rows)["u2"]
    assert a1[3] == "United Arab Emirates" and a1[4] == "Arab States" and a1[7] == "Completed"
    assert u2[7] == "Not started" and u2[9] == ""
    with app.app_context():
        title = app.extensions["elearn_catalog"].courses[a1_course(app)].title_in("en")
    assert a1[6] == title


def a1_course(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Completion.course_id))


def test_excel_csv_in_french_uses_semicolons_and_french_labels(app, admin):
    data = excel_csv(admin("fr"))
    rows = read(data, ";")
    assert rows[0][0] == "Numéro d’employé" and rows[0][7] == "Statut" and rows[0][9] == "Terminé le"
    a1, u2 = by_id(rows)["a1"], by_id(rows)["u2"]
    assert a1[3] == "Émirats arabes unis" and a1[7] == "Terminé" and u2[7] == "Pas encore commencé"
    assert len(a1) == len(COLUMNS)  # a ';' file read with ',' would be one column


def test_excel_csv_in_arabic_has_arabic_headings_and_statuses(app, admin):
    rows = read(excel_csv(admin("ar")), ",")
    assert rows[0][0] == "الرقم الوظيفي" and rows[0][7] == "الحالة"
    assert by_id(rows)["a1"][7] == "مكتمل" and by_id(rows)["u2"][7] == "لم يبدأ بعد"
    assert by_id(rows)["a1"][3] == "الإمارات العربية المتحدة"


def test_excel_csv_times_are_in_the_admins_time_zone_without_microseconds(app, admin):
    utc = by_id(read(excel_csv(admin("en")), ","))["a1"]
    kolkata = by_id(read(excel_csv(admin("en", "Asia/Kolkata")), ","))["a1"]
    assert utc[9] == "2026-03-01 20:45:12"
    assert kolkata[9] == "2026-03-02 02:15:12"  # +5:30, the next day
    assert kolkata[13] == (DONE_AT + timedelta(days=365, hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    assert all("." not in cell and "+" not in cell for cell in (kolkata[8], kolkata[9], kolkata[13]))


def test_excel_csv_cells_cannot_inject_formulas(app, admin):
    evil = by_id(read(excel_csv(admin("en")), ","))["evil"]
    assert evil[1] == "'" + EVIL and evil[2] == "'@SUM(1,1)"


def test_excel_csv_keeps_a_scoped_admins_scope_and_the_filters(app, people, scoped_admin):
    client = scoped_admin("region", "arab_states")
    assert sorted(by_id(read(excel_csv(client), ","))) == ["a1"]
    assert sorted(by_id(read(excel_csv(client, "?country=US"), ","))) == []
    assert app.test_client().get("/admin/reports-for-excel.csv").status_code == 302  # signed out


def test_excel_csv_is_streamed(app, admin):
    response = admin("en").get("/admin/reports-for-excel.csv", buffered=False)
    assert response.is_streamed
    response.close()


def test_machine_csv_is_unchanged_by_the_excel_one(app, admin):
    text = admin("fr").get("/admin/reports.csv").get_data(as_text=True)
    assert not text.startswith("\ufeff") and text.startswith("employee_id,name,department,")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["employee_id"] == "a1")
    assert row["status"] == "completed" and row["completed_at"].startswith("2026-03-01T20:45:12.345678")


def test_xlsx_has_date_cells_in_the_admins_time_zone_and_french_labels(app, admin):
    response = admin("fr", "Asia/Kolkata").get("/admin/reports.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Numéro d’employé" and rows[0][7].value == "Statut"
    a1 = next(row for row in rows[1:] if row[0].value == "a1")
    assert a1[7].value == "Terminé" and a1[3].value == "Émirats arabes unis"
    completed = a1[9]
    assert completed.is_date and isinstance(completed.value, datetime) and "yy" in completed.number_format
    assert completed.value == datetime(2026, 3, 2, 2, 15, 12)  # Kolkata wall-clock, to the second
    assert a1[13].is_date and a1[8].is_date
    evil = next(row for row in rows[1:] if row[0].value == "evil")
    assert evil[1].value == "'" + EVIL and evil[1].data_type == "s"


def test_report_page_offers_the_excel_csv_with_its_filters_and_shared_labels(app, admin):
    html = admin("fr").get("/admin/reports?status=completed").get_data(as_text=True)
    assert 'href="/admin/reports-for-excel.csv?status=completed"' in html
    assert 'href="/admin/reports.csv?status=completed"' in html  # the machine CSV stays
    assert '<th scope="col">Numéro d’employé</th>' in html and ">Terminé</span>" in html
    assert '<option value="not_started">Pas encore commencé</option>' in html
