"""Item analysis over HTTP, on both databases: shares of right answers per question by
locale and region, the flag for a locale far below a question's average, the minimum
sample, first attempts only, the admin's scope, the question in one locale."""

import subprocess
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from elearn.admin.item_analysis import ItemFilters, analyse
from elearn.extensions import db
from elearn.models import Assignment, QuizAttempt

from .conftest import Auth
from .helpers import ANSWERS, WRONG, submit
from .test_html_validity import VNU

FLAG = "Far below this question&#39;s average"
#: (locale, country, how many, questions answered wrongly): 12 Hindi learners get
#: "passport" wrong; 5 Arabic learners in Kenya (the "global" region: too few to judge)
#: get "signs" wrong
GROUPS = [
    ("en", "US", 12, ()),
    ("hi", "US", 6, ("passport",)),
    ("hi", "AE", 6, ("passport",)),
    ("ar", "AE", 12, ()),
    ("ar", "KE", 5, ("signs",)),
]


def add_attempt(assignment, locale, region, wrong=(), token=None):
    answers = {qid: (WRONG if qid in wrong else ANSWERS)[qid] for qid in ANSWERS}
    db.session.add(
        QuizAttempt(
            assignment_id=assignment.id,
            token=token or f"t-{assignment.id}-{len(wrong)}-{locale}",
            questions=[{"id": qid, "options": []} for qid in ANSWERS],
            answers=answers,
            score=0,
            passed=not wrong,
            locale=locale,
            region=region,
            course_version="1.0.0",
        )
    )


@pytest.fixture
def attempts(app, make_user):
    """First attempts as GROUPS says, each stored as the quiz path stores it; then a
    second, all-right attempt of every Hindi learner, which must not count."""
    catalog = app.extensions["elearn_catalog"]
    people = []
    for locale, country, how_many, wrong in GROUPS:
        for n in range(how_many):
            uid = make_user(employee_id=f"{locale}-{country}-{n}", country=country, hr_locale=locale, password=None)
            people.append((uid, locale, catalog.region_for(country), wrong))
    with app.app_context():
        for uid, locale, region, wrong in people:
            assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
            add_attempt(assignment, locale, region, wrong)
        db.session.flush()
        for uid, locale, region, _wrong in people:
            if locale == "hi":
                assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
                add_attempt(assignment, locale, region, (), token=f"retake-{uid}")
        db.session.commit()


class Table(HTMLParser):
    """The page's data table as rows of cell texts (links as "[link:href]")."""

    def __init__(self, html):
        super().__init__()
        self.rows, self.cell, self.inside = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and tag == "a":
            self.cell.append(f"[link:{attrs['href']}]")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.cell is not None and tag in ("td", "th"):
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(client, query="course=demo_course"):
    response = client.get(f"/admin/reports/items?{query}")
    assert response.status_code == 200
    rows = Table(response.get_data(as_text=True)).rows
    header = ["Question", "Right overall", *rows[1]]
    return {row[0].split()[-1]: dict(zip(header, row, strict=True)) for row in rows[2:]}


def test_a_locale_far_below_a_questions_average_is_flagged_there_only(app, attempts, admin_client):
    rows = table(admin_client)
    assert list(rows) == ["passport", "signs", "fees"]
    flagged = [(qid, column) for qid, row in rows.items() for column, text in row.items() if "Far below" in text]
    assert flagged == [("passport", "हिन्दी")]
    passport = rows["passport"]
    assert passport["Right overall"] == "71% (41)" and passport["English"] == "100% (12)"
    assert passport["हिन्दी"].startswith("0% (12) Far below")
    assert "[link:/admin/reports/items/demo_course/passport/hi]" in passport["हिन्दी"]
    # a region with the Hindi learners in it is only 4 points below: not flagged
    assert passport["North America"] == "67% (18)" and passport["Arab States"] == "67% (18)"


def test_a_cell_under_the_minimum_sample_is_never_flagged(app, attempts, admin_client):
    signs = table(admin_client)["signs"]
    # 0 of 5 right in "global", 88 % overall: far below, but 5 answers say little
    assert signs["Rest of the world"] == "Too few answers (5)"
    assert signs["العربية"] == "71% (17)"  # 17 points below: not flagged either
    assert signs["Right overall"] == "88% (41)"


def test_only_each_cycles_first_attempt_counts(app, attempts):
    course = app.extensions["elearn_catalog"].courses["demo_course"]
    with app.app_context():
        result = analyse(course, app.extensions["elearn_catalog"], ItemFilters(course="demo_course"))
    passport = next(row for row in result.rows if row.question_id == "passport")
    assert (passport.by_locale["hi"].answered, passport.by_locale["hi"].right) == (12, 0)
    assert result.locales == ("en", "hi", "ar") and result.regions == ("north_america", "arab_states", "global")
    assert [row.flags for row in result.rows] == [1, 0, 0]


def test_a_scoped_admin_counts_only_their_regions_people(app, attempts, scoped_admin):
    rows = table(scoped_admin("region", "arab_states", country="AE"))
    passport = rows["passport"]
    assert set(passport) == {"Question", "Right overall", "हिन्दी", "العربية", "Arab States"}
    assert passport["Right overall"] == "67% (18)"
    # 6 Hindi learners: too few to flag in this scope
    assert passport["हिन्दी"] == "Too few answers (6)"


def test_a_quiz_taken_through_the_course_pages_is_counted(app, make_user, admin_client):
    make_user(employee_id="learner", country="US", hr_locale="en")
    learner = app.test_client()
    Auth(learner).login("learner")
    assert submit(learner, WRONG).status_code == 302
    assert submit(learner, ANSWERS).status_code == 302  # a retake: not counted
    rows = table(admin_client)
    assert rows["passport"]["Right overall"] == "0% (1)" and rows["passport"]["English"] == "Too few answers (1)"
    assert rows["passport"]["Rest of the world"] == "Too few answers (1)"


def test_results_are_kept_for_the_configured_time(app, attempts, admin_client, make_user):
    before = table(admin_client)["fees"]["Right overall"]
    with app.app_context():
        uid = make_user(employee_id="late", country="US", password=None)
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        add_attempt(assignment, "en", "north_america", ("fees",))
        db.session.commit()
    assert table(admin_client)["fees"]["Right overall"] == before == "100% (41)"
    app.config["ELEARN_ITEM_ANALYSIS_SECONDS"] = 0
    assert table(admin_client)["fees"]["Right overall"] == "98% (42)"


def test_version_and_date_filters(app, attempts, admin_client):
    assert table(admin_client, "course=demo_course&version=1.0.0")["fees"]["Right overall"] == "100% (41)"
    page = admin_client.get("/admin/reports/items?course=demo_course&version=9.9").get_data(as_text=True)
    assert "No quiz attempts match these filters." in page
    page = admin_client.get("/admin/reports/items?course=demo_course&submitted_to=2000-01-01").get_data(as_text=True)
    assert "No quiz attempts match these filters." in page


@pytest.mark.parametrize(
    "query,message",
    [
        ("course=nope", "There is no such course. Please choose one from the list."),
        ("course=demo_course&submitted_from=31.12.2026", "Please write dates as YYYY-MM-DD"),
    ],
)
def test_bad_filters_get_a_clear_message(app, attempts, admin_client, query, message):
    response = admin_client.get(f"/admin/reports/items?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and FLAG not in page


def test_learners_are_refused(app, attempts, make_user):
    make_user(employee_id="learner", country="US", hr_locale="en")
    learner = app.test_client()
    Auth(learner).login("learner")
    assert learner.get("/admin/reports/items?course=demo_course").status_code == 403
    assert learner.get("/admin/reports/items/demo_course/passport/hi").status_code == 403


@pytest.fixture
def analyst(app, make_user):
    """An admin who does not take the course (one who does reads no answer key)."""
    make_user(employee_id="analyst", roles="admin", hr_locale="en", assign=False)
    client = app.test_client()
    Auth(client).login("analyst")
    return client


def test_the_question_link_shows_the_hindi_text(app, analyst):
    page = analyst.get("/admin/reports/items/demo_course/passport/hi").get_data(as_text=True)
    assert 'lang="hi"' in page
    assert "एजेंसी ने एक सहकर्मी का पासपोर्ट रख लिया। आप क्या करेंगे?" in page
    assert "इसकी रिपोर्ट करें</span> <strong>(right answer)</strong>" in page
    assert "कुछ नहीं, यह निजी मामला है</span></li>" in page
    assert "पहचान दस्तावेज़ रखना बलात् श्रम का एक संकेत है।" in page
    # beside it the source text it was translated from
    assert "The agency kept a colleague&#39;s passport. What do you do?" in page


def test_a_true_false_question_reads_true_and_false_in_its_locale(app, analyst):
    page = analyst.get("/admin/reports/items/demo_course/fees/hi").get_data(as_text=True)
    assert '<span data-content lang="hi" dir="ltr">सही</span>' in page
    assert '<span data-content lang="en" dir="ltr">False</span> <strong>(right answer)</strong>' in page


@pytest.mark.parametrize(
    "path", ["/nope/passport/hi", "/demo_course/nope/hi", "/demo_course/passport/fr", "/demo_course/passport/xx"]
)
def test_an_unknown_course_question_or_locale_is_not_found(app, admin_client, path):
    assert admin_client.get(f"/admin/reports/items{path}").status_code == 404


def test_the_pages_are_valid_html_in_english_and_arabic(app, attempts, make_user, tmp_path):
    files = []
    for locale in ("en", "ar"):
        make_user(employee_id=f"admin-{locale}", roles="admin", hr_locale=locale, assign=False)
        admin = app.test_client()
        Auth(admin).login(f"admin-{locale}")
        for name, path in [
            ("table", "/admin/reports/items?course=demo_course"),
            ("empty", "/admin/reports/items"),
            ("bad", "/admin/reports/items?course=nope"),
            ("question", "/admin/reports/items/demo_course/passport/hi"),
            ("true-false", "/admin/reports/items/demo_course/fees/ar"),
        ]:
            files.append(tmp_path / f"{locale}-{name}.html")
            files[-1].write_text(admin.get(path).get_data(as_text=True), encoding="utf-8")
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[:5000]


def test_an_admin_who_takes_the_course_reads_no_answer_key_until_complete(app, admin_client):
    """admin_client's admin is also a learner with demo_course assigned and not done."""
    from elearn.models import Assignment, User

    from .helpers import completion_of

    page = admin_client.get("/admin/reports/items/demo_course/passport/hi").get_data(as_text=True)
    assert "एजेंसी ने एक सहकर्मी का पासपोर्ट रख लिया। आप क्या करेंगे?" in page  # the question itself
    assert "(right answer)" not in page and "पहचान दस्तावेज़ रखना बलात् श्रम का एक संकेत है।" not in page
    assert "You take this course yourself" in page
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.employee_id == "admin"))
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == admin_id))
        db.session.add(completion_of(assignment))
        db.session.commit()
    done = admin_client.get("/admin/reports/items/demo_course/passport/hi").get_data(as_text=True)
    assert "(right answer)" in done
