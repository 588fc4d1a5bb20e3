"""One escaping rule (elearn/admin/cells.py) for every CSV and XLSX the admin can
download: the same payloads go through each export, on both databases."""

import csv
import io

import pytest
from openpyxl import load_workbook

from elearn.admin.cells import FORMULA_STARTS, safe_cell

from .conftest import Auth, csrf_token

PAYLOADS = ['=HYPERLINK("http://evil.example/","click")', "@SUM(1,1)", "+1+1", "-2+3", "\t=1+1", "\r=1+1"]


def dangerous(cell) -> bool:
    return isinstance(cell, str) and cell.startswith(FORMULA_STARTS)


@pytest.fixture
def boss(app, make_user):
    for n, payload in enumerate(PAYLOADS):
        make_user(employee_id=f"evil{n}", name=payload, department=payload, country="US", hr_locale="en")
    make_user(employee_id="boss", roles="admin", hr_locale="en", country="US", assign=False)
    client = app.test_client()
    Auth(client).login("boss")
    return client


def test_safe_cell_rule():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("Ravi Kumar") == "Ravi Kumar" and safe_cell(None) == "" and safe_cell("") == ""


def test_report_csv_neutralises_every_payload(app, boss):
    text = boss.get("/admin/reports.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    evil = [r for r in rows if r["employee_id"].startswith("evil")]
    assert len(evil) == len(PAYLOADS)
    for row in evil:
        assert row["name"] == row["department"] and row["name"][1:] in PAYLOADS
        assert not any(dangerous(cell) for cell in row.values()), row


def test_report_xlsx_neutralises_every_payload(app, boss):
    data = boss.get("/admin/reports.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    # (XML keeps no carriage return as it is: that payload comes back changed, still escaped)
    assert sum(1 for cell in cells if isinstance(cell.value, str) and cell.value[1:] in PAYLOADS[:5]) == 2 * 5
    assert not any(cell.data_type == "f" or dangerous(cell.value) for cell in cells)


def test_audit_csv_neutralises_targets_such_as_token_and_file_names(app, boss):
    page = csrf_token(boss.get("/admin/api-tokens").get_data(as_text=True))
    for payload in PAYLOADS:
        assert (
            boss.post(
                "/admin/api-tokens", data={"csrf_token": page, "name": "x" + payload, "scopes": "hr_read"}
            ).status_code
            == 200
        )
        boss.post("/admin/api-tokens", data={"csrf_token": page, "name": payload, "scopes": "hr_read"})
    upload = csrf_token(boss.get("/admin/users/import").get_data(as_text=True))
    boss.post(
        "/admin/users/import",
        content_type="multipart/form-data",
        data={
            "csrf_token": upload,
            "file": (
                io.BytesIO(
                    b"employee_id,name,email,department,country,locale,roles,manager_email\nn1,N,,D,US,en,learner,\n"
                ),
                "=cmd.csv",
            ),
        },
    )
    rows = list(csv.reader(io.StringIO(boss.get("/admin/audit.csv").get_data(as_text=True))))[1:]
    targets = [row[3] for row in rows]
    assert "'=cmd.csv" in targets
    assert sum(1 for target in targets if target[1:] in PAYLOADS) >= len(PAYLOADS) - 2  # names are stripped
    assert not any(dangerous(cell) for row in rows for cell in row), rows
