"""The shipped courses in content/: clean, complete, walkable through HTTP."""

from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from elearn.catalog import load_catalog
from elearn.extensions import db
from elearn.models import Completion

from .conftest import make_app, wipe
from .helpers import acknowledge_all, confirm_form, quiz_form, shown_question_ids

CONTENT = Path(__file__).resolve().parents[1] / "content"
CATALOG = load_catalog(CONTENT)
INDICATORS = [
    "Abuse of vulnerability",
    "Deception",
    "Restriction of movement",
    "Isolation",
    "Physical and sexual violence",
    "Intimidation and threats",
    "Retention of identity documents",
    "Withholding of wages",
    "Debt bondage",
    "Abusive working and living conditions",
    "Excessive overtime",
]


def test_shipped_content_has_no_problems():
    assert [str(p) for p in CATALOG.problems] == []


def test_every_indicator_name_appears_in_the_indicators_module():
    html = CATALOG.courses["forced_labor"].view("en", "global").module("indicators").html
    missing = [name for name in INDICATORS if name not in html]
    assert missing == []


def test_each_better_buying_principle_has_its_module():
    view = CATALOG.courses["responsible_purchasing"].view("en", "global")
    titles = {m.id: m.title for m in view.modules}
    for principle in ("visibility", "stability", "time", "financials", "shared-responsibility"):
        assert principle in titles, principle


@pytest.mark.parametrize(
    "country,region",
    [
        ("AE", "arab_states"),
        ("MY", "southeast_asia"),
        ("KE", "africa"),
        ("EG", "africa"),
        ("AU", "oceania"),
        ("WS", "oceania"),
        ("AQ", "global"),
        ("US", "north_america"),
        ("IN", "south_asia"),
        ("BR", "latin_america"),
        ("CN", "east_asia"),
        ("DE", "europe"),
        ("QA", "arab_states"),
    ],
)
def test_region_map(country, region):
    assert CATALOG.region_for(country) == region


def test_every_iso_country_code_is_mapped():
    from babel import Locale

    names = Locale("en").territories
    assert len(CATALOG.regions) == 249  # every officially assigned ISO 3166-1 alpha-2 code
    assert [c for c in CATALOG.regions if c not in names] == []


def test_every_module_ends_with_sources():
    for course in CATALOG.courses.values():
        modules = list(course.modules["en"]) + [m for r in course.regional.values() for m in r["en"]]
        for module in modules:
            assert "<h2>Sources</h2>" in module.html, module.id
            tail = module.html.split("<h2>Sources</h2>")[-1]
            assert "https://" in tail, module.id


def test_quizzes_are_large_enough_and_mix_types():
    for course_id, minimum in (("forced_labor", 15), ("responsible_purchasing", 12), ("responding_to_disclosure", 9)):
        questions = CATALOG.courses[course_id].answer_key.questions
        assert len(questions) >= minimum
        assert {q.type for q in questions} == {"single", "multiple", "true_false"}
        assert all(q.explanation for q in questions)


def test_every_shipped_quiz_is_a_pool_of_three_questions_or_more_per_module():
    for course in CATALOG.courses.values():
        questions = course.answer_key.questions
        assert all(q.module and q.hint for q in questions), course.id
        for module in course.modules[course.default_locale]:
            assert sum(q.module == module.id for q in questions) >= 3, (course.id, module.id)


def test_every_region_has_its_own_module_and_emergency_slot():
    course = CATALOG.courses["forced_labor"]
    assert set(course.regional) == set(CATALOG.region_ids)
    for region, by_locale in course.regional.items():
        for locale, modules in by_locale.items():
            assert [m.has_emergency_slot for m in modules] == [True], (region, locale)


def test_every_country_with_a_helpline_has_an_emergency_number_or_general_wording():
    """emergency.yaml sources every number; countries it lacks get the general wording."""
    for numbers in CATALOG.emergency.values():
        assert all(n.source.startswith("https://") and n.number.strip() for n in numbers)
    assert {"US", "GB", "AU", "IN", "MY", "PH"} <= set(CATALOG.emergency)


@pytest.fixture
def real_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, content_dir=CONTENT)
    yield app
    wipe(app)


@pytest.mark.parametrize(
    "country,department,course_id,regional_title",
    [
        ("AE", "Construction", "forced_labor", "Arab States"),
        ("MY", "Warehouse", "forced_labor", "Southeast Asia"),
        ("KE", "Warehouse", "forced_labor", "Africa"),
        ("MX", "Sourcing", "responsible_purchasing", None),
        ("GB", "HR", "responding_to_disclosure", None),
    ],
)
def test_walk_every_module_and_pass_the_quiz(real_app, country, department, course_id, regional_title):
    from elearn.auth.passwords import hash_password
    from elearn.models import User
    from elearn.training.assignments import apply_audience_rules

    with real_app.app_context():
        user = User(
            employee_id="walker",
            name="Walker",
            country=country,
            hr_locale="en",
            department=department,
            password_hash=hash_password("pw-walker-123"),
        )
        db.session.add(user)
        db.session.flush()
        courses = {a.course_id for a in apply_audience_rules(user, real_app.extensions["elearn_catalog"], 30)}
        db.session.commit()
    assert course_id in courses
    assert ("responsible_purchasing" in courses) == (department == "Sourcing")
    client = real_app.test_client()
    from .conftest import Auth

    assert Auth(client).login("walker", "pw-walker-123").status_code == 302
    catalog = real_app.extensions["elearn_catalog"]
    view = catalog.courses[course_id].view("en", catalog.region_for(country))
    course_page = client.get(f"/courses/{course_id}").get_data(as_text=True)
    for module in view.modules:
        assert module.title.replace("'", "&#39;").replace('"', "&#34;") in course_page
    if regional_title:
        regional = [m for m in view.modules if m.region]
        assert len(regional) == 1 and regional_title in regional[0].title
    else:
        assert not any(m.region for m in view.modules)
    acknowledge_all(client, [m.id for m in view.modules], course=course_id)
    html, form = quiz_form(client, course_id)
    course = catalog.courses[course_id]
    shown = shown_question_ids(html)
    # every module is tested: the drawn number from each module's part of the pool
    modules = [course.answer_key.question(qid).module for qid in shown]
    assert sorted(set(modules)) == sorted(m.id for m in course.modules["en"])
    assert all(modules.count(m) == course.quiz_rules.draw_count(m) for m in modules)
    for qid in shown:
        form[f"q-{qid}"] = sorted(course.answer_key.question(qid).answer)
    result = client.post(f"/courses/{course_id}/quiz", data=form)
    assert result.status_code == 302
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "You passed" in page and str(escape(course.final_statement.text_in("en"))) in page
    with real_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Completion)) == 0  # not before the statement
    confirmed = client.post(f"/courses/{course_id}/complete", data=confirm_form(page))
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/certificate")
    with real_app.app_context():
        completion = db.session.scalars(select(Completion)).one()
        assert completion.attestation_id == course.final_statement.id
        assert completion.attestation_hash == course.final_statement.hash_in("en")
