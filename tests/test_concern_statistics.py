"""Grievance channel statistics (elearn/concerns/statistics.py): who may see them, the
counts and response times, small numbers hidden on the page and in the CSV alike, and
nothing of a case's content."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from html.parser import HTMLParser

import pytest
from sqlalchemy import event

from elearn.concerns.models import Concern
from elearn.concerns.statistics import Hidden, mask_table
from elearn.extensions import db

from .conftest import Auth

YEAR = 2023
SECRET_TEXT = "Unmistakable-Description-7Q: the night supervisor locks the dormitory"
CSV_TEXT = {"fewer than 5": "<5", "hidden": "hidden"}


def add_case(app, received: datetime, category="forced_labour", country="AE", ack_days=None, feedback_days=None):
    with app.app_context():
        number = db.session.query(Concern).count() + 1
        db.session.add(
            Concern(
                public_id=f"PUB{number:05d}",
                secret_hash="0" * 64,
                category=category,
                country=country,
                language="en",
                anonymous=True,
                body_enc=app.extensions["elearn_concern_cipher"].encrypt(SECRET_TEXT),
                status="received",
                created_at=received,
                updated_at=received,
                acknowledged_at=None if ack_days is None else received + timedelta(days=ack_days),
                feedback_at=None if feedback_days is None else received + timedelta(days=feedback_days),
            )
        )
        db.session.commit()


@pytest.fixture
def cases(app):
    """Q1: 5 forced-labour cases in the Arab States (4 acknowledged), 3 harassment cases
    in North America. Q2: 6 cases in Kenya (the rest of the world) with known times.
    Q3: one case without a country, of a category the file no longer lists."""
    q1 = datetime(YEAR, 2, 10, tzinfo=UTC)
    for ack in (1, 2, 3, 4, None):
        add_case(app, q1, ack_days=ack)
    for _ in range(3):
        add_case(app, q1, category="harassment", country="US")
    q2 = datetime(YEAR, 4, 10, tzinfo=UTC)
    for ack, feedback in ((1, 20), (2, 30), (3, 40), (4, 50), (5, 60), (10, None)):
        add_case(app, q2, country="KE", ack_days=ack, feedback_days=feedback)
    add_case(app, datetime(YEAR, 8, 1, tzinfo=UTC), category="old_topic", country=None, ack_days=2)


def signed_in(app, make_user, roles: str):
    employee_id = roles.replace(" ", "-")
    make_user(employee_id=employee_id, roles=roles, hr_locale="en", assign=False)
    client = app.test_client()
    Auth(client).login(employee_id)
    return client


class Tables(HTMLParser):
    """caption -> rows of cell texts (header cells included)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.rows: list[list[str]] = []
        self.caption = self.text = ""
        self.hidden_depth = 0
        self.where = None

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("aria-hidden", "true") in attrs:
            self.hidden_depth += 1
        if tag in ("caption", "td", "th"):
            self.where, self.text = tag, ""
        elif tag == "tr":
            self.rows.append([])
        elif tag == "table":
            self.rows = []

    def handle_endtag(self, tag):
        if tag == "span" and self.hidden_depth:
            self.hidden_depth -= 1
        if tag == "caption":
            self.caption = " ".join(self.text.split())
        elif tag in ("td", "th"):
            self.rows[-1].append(" ".join(self.text.split()))
        elif tag == "table":
            self.tables[self.caption] = self.rows
        if tag in ("caption", "td", "th"):
            self.where = None

    def handle_data(self, data):
        if self.where and not self.hidden_depth:
            self.text += data


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_of(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# -- who may see them -------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ("learner", 403),
        ("learner admin", 403),
        ("admin grievance_reporting", 200),
        ("case_handler", 200),
        ("lead_case_handler", 200),
    ],
)
def test_statistics_open_to_case_handlers_and_grievance_reporting(app, make_user, roles, status):
    client = signed_in(app, make_user, roles)
    assert client.get("/cases/statistics").status_code == status
    assert client.get("/cases/statistics.csv").status_code == status


def test_statistics_send_anonymous_visitors_to_sign_in(client):
    for path in ("/cases/statistics", "/cases/statistics.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- the numbers ------------------------------------------------------------------


def test_counts_by_category_and_region_with_small_counts_hidden(app, make_user, cases):
    html = signed_in(app, make_user, "case_handler").get(f"/cases/statistics?year={YEAR}").get_data(as_text=True)
    q1 = page_tables(html)["Cases received in 1st quarter 2023 by category and region"]
    assert q1[0] == [
        "Category",
        "North America",
        "Arab States",
        "Rest of the world",
        "Country not given",
        "All regions",
    ]
    rows = {row[0]: row[1:] for row in q1[1:]}
    assert rows["Modern slavery and forced labour"] == ["0", "5", "0", "0", "5"]
    assert rows["Harassment, including sexual harassment"] == ["fewer than 5", "0", "0", "0", "fewer than 5"]
    assert rows["Child labour"] == ["0", "0", "0", "0", "0"]
    assert rows["old_topic"] == ["0", "0", "0", "0", "0"]  # a retired category shows as its id
    # 8 - 5 would give the 3 away: the quarter's total is hidden too
    assert rows["All categories"] == ["fewer than 5", "5", "0", "0", "hidden"]
    q3 = {row[0]: row[1:] for row in page_tables(html)["Cases received in 3rd quarter 2023 by category and region"]}
    assert q3["old_topic"] == ["0", "0", "0", "fewer than 5", "fewer than 5"]


def test_response_times_medians_and_shares(app, make_user, cases):
    html = signed_in(app, make_user, "case_handler").get(f"/cases/statistics?year={YEAR}").get_data(as_text=True)
    rows = {row[0]: row[1:] for row in page_tables(html)["Response times by quarter received, 2023"]}
    assert rows["Measure"] == ["Q1", "Q2", "Q3", "Q4"]
    assert rows["Cases received"] == ["hidden", "6", "fewer than 5", "0"]
    # Q1: 4 acknowledged; Q2: acknowledged after 1, 2, 3, 4, 5 and 10 days
    none = "no case yet"
    # Q1: 4 acknowledged; Q2: acknowledged after 1, 2, 3, 4, 5 and 10 days
    assert rows["Median time to acknowledgement"] == ["fewer than 5", "3.5 days", "fewer than 5", none]
    assert rows["Median time to feedback"] == [none, "40 days", none, none]
    # every deadline of 2023 has passed; Q2's 10-day acknowledgement was late and that
    # case never had feedback
    assert rows["Acknowledged within the deadline"] == ["50%", "83%", "fewer than 5", none]
    assert rows["Feedback within the deadline"] == ["0%", "83%", "fewer than 5", none]
    assert rows["Open cases past a deadline now"] == ["8", "fewer than 5", "fewer than 5", "0"]


def test_csv_holds_the_page_numbers_and_writes_lt5(app, make_user, cases):
    client = signed_in(app, make_user, "admin grievance_reporting")
    html = client.get(f"/cases/statistics?year={YEAR}").get_data(as_text=True)
    response = client.get(f"/cases/statistics.csv?year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=grievance-statistics-{YEAR}.csv"
    rows = csv_of(response)
    by_key = {(r["quarter"], r["category_name"], r["region_name"]): r for r in rows}
    assert by_key[("2023-Q1", "Harassment, including sexual harassment", "North America")]["received"] == "<5"
    assert by_key[("2023-Q1", "Modern slavery and forced labour", "Arab States")]["region_id"] == "arab_states"
    quarter_total = by_key[("2023-Q2", "All categories", "All regions")]
    assert (quarter_total["category_id"], quarter_total["region_id"]) == ("all", "all")
    assert quarter_total["median_days_to_acknowledgement"] == "3.5"
    assert quarter_total["median_days_to_feedback"] == "40.0"
    assert quarter_total["acknowledged_in_time_percent"] == "83"
    assert quarter_total["open_past_deadline"] == "<5"
    # every count of every quarter's table is in the CSV, the same
    compared = 0
    for quarter, name in zip(range(1, 5), ("1st", "2nd", "3rd", "4th"), strict=True):
        table = page_tables(html)[f"Cases received in {name} quarter 2023 by category and region"]
        for row in table[1:]:
            for region, shown in zip(table[0][1:], row[1:], strict=True):
                written = by_key[(f"2023-Q{quarter}", row[0], region)]["received"]
                assert written == CSV_TEXT.get(shown, shown), (quarter, row[0], region)
                compared += 1
    assert compared == 4 * 16 * 5 == len([r for r in rows if r["received"]])


def test_no_case_content_on_the_page_or_in_the_csv(app, make_user, cases):
    client = signed_in(app, make_user, "case_handler")
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        page = client.get(f"/cases/statistics?year={YEAR}").get_data(as_text=True)
        exported = client.get(f"/cases/statistics.csv?year={YEAR}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    for text in (page, exported):
        assert "Unmistakable" not in text and "dormitory" not in text
        assert "PUB0000" not in text and not re.search(r'href="[^"]*/cases/\d', text)
    read = [s for s in statements if "concerns" in s]
    assert read and not any(
        column in s for s in read for column in ("body_enc", "contact_enc", "site_enc", "public_id")
    )


def test_default_year_is_this_year_and_offers_years_with_cases(app, make_user, cases):
    html = signed_in(app, make_user, "case_handler").get("/cases/statistics").get_data(as_text=True)
    this_year = datetime.now(UTC).year
    assert f'<option value="{this_year}" selected>' in html and f'<option value="{YEAR}">' in html
    assert f"No case was received in {this_year}." in html


@pytest.mark.parametrize("year", ["1999", "abc", "2023x", "-1", "²"])
def test_unknown_year_is_refused_with_a_message(app, make_user, cases, year):
    client = signed_in(app, make_user, "case_handler")
    for path in ("/cases/statistics", "/cases/statistics.csv"):
        response = client.get(f"{path}?year={year}")
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert "There are no statistics for that year." in response.get_data(as_text=True)


# -- the masking rule on its own --------------------------------------------------


def masked(grid: list[list[int]]):
    rows, columns = [f"r{i}" for i in range(len(grid))], [f"c{j}" for j in range(len(grid[0]))]
    counts = {(r, c): grid[i][j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
    return counts, mask_table(counts, rows, columns)


def test_one_small_cell_hides_its_row_column_and_grand_totals():
    _, table = masked([[3, 9], [7, 8]])
    assert table.cells["r0", "c0"] is Hidden.FEWER and table.cells["r0", "c1"] == 9
    assert table.row_totals == {"r0": Hidden.HIDDEN, "r1": 15}
    assert table.column_totals == {"c0": Hidden.HIDDEN, "c1": 17}
    assert table.total is Hidden.HIDDEN


def test_two_small_cells_in_a_row_keep_the_row_and_grand_totals():
    _, table = masked([[3, 2, 9], [7, 8, 0]])
    assert table.row_totals == {"r0": 14, "r1": 15} and table.total == 29
    assert table.column_totals == {"c0": Hidden.HIDDEN, "c1": Hidden.HIDDEN, "c2": 9}
    assert table.cells["r1", "c2"] == 0  # 0 is shown as 0


def rank(matrix: list[list[Fraction]]) -> int:
    rows, found = [row[:] for row in matrix], 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(found, len(rows)) if rows[i][column]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for i in range(len(rows)):
            if i != found and rows[i][column]:
                factor = rows[i][column] / rows[found][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[found], strict=True)]
        found += 1
    return found


def entries_of(table) -> dict[tuple, int | Hidden]:
    entries = {("cell", r, c): table.cells[r, c] for r in table.rows for c in table.columns}
    entries |= {("row", r): table.row_totals[r] for r in table.rows}
    entries |= {("column", c): table.column_totals[c] for c in table.columns}
    entries[("all",)] = table.total
    return entries


def worked_out(table) -> list[tuple]:
    """The hidden entries the shown ones determine exactly (linear algebra, not the graph)."""
    unknown = [e for e, v in entries_of(table).items() if isinstance(v, Hidden)]
    equations = [[("cell", r, c) for c in table.columns] + [("-", "row", r)] for r in table.rows]
    equations += [[("cell", r, c) for r in table.rows] + [("-", "column", c)] for c in table.columns]
    equations += [
        [("row", r) for r in table.rows] + [("-", "all")],
        [("column", c) for c in table.columns] + [("-", "all")],
    ]
    matrix = []
    for equation in equations:
        line = [Fraction(0)] * len(unknown)
        for term in equation:
            sign, entry = (-1, term[1:]) if term[0] == "-" else (1, term)
            if entry in unknown:
                line[unknown.index(entry)] += sign
        matrix.append(line)
    base = rank(matrix)
    unit = [[Fraction(int(i == k)) for i in range(len(unknown))] for k in range(len(unknown))]
    return [e for k, e in enumerate(unknown) if rank(matrix + [unit[k]]) == base]


def test_no_small_count_can_be_worked_out_from_the_totals():
    generator = random.Random(18)
    for _ in range(400):
        shape = (generator.randint(1, 4), generator.randint(1, 4))
        grid = [[generator.choice((0, 0, 1, 2, 3, 4, 5, 6, 9)) for _ in range(shape[1])] for _ in range(shape[0])]
        _, table = masked(grid)
        fewer = {e for e, v in entries_of(table).items() if v is Hidden.FEWER}
        assert not fewer & set(worked_out(table)), grid
        assert all(v == 0 or v >= 5 for v in entries_of(table).values() if isinstance(v, int)), grid


def test_a_quarter_counts_only_once_it_has_ended(app, make_user):
    """Counts that grow day by day would point to the one report of that day."""
    now = datetime.now(UTC)
    add_case(app, now)
    last_quarter_day = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1, tzinfo=UTC) - timedelta(days=1)
    add_case(app, last_quarter_day)
    client = signed_in(app, make_user, "case_handler")
    rows = csv_of(client.get(f"/cases/statistics.csv?year={now.year}"))
    received = {
        (row["quarter"], row["category_id"], row["region_id"]): row["received"]
        for row in rows
        if row["category_id"] == "forced_labour"
    }
    this_quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    assert all(value in ("0", "") for key, value in received.items() if key[0] == this_quarter), received
    if last_quarter_day.year == now.year:  # the ended quarter holds its one case ("<5")
        assert "<5" in [v for k, v in received.items() if k[0] != this_quarter]
