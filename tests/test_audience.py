"""course.yaml audience rules: people who manage others (named as someone's manager in
the HR feed) and HR departments get a course that floor workers do not."""

import shutil

import pytest
from sqlalchemy import select

from elearn.extensions import db
from elearn.models import Assignment, User

from .conftest import FIXTURE_CONTENT, make_app, wipe
from .helpers import upload_csv

HEADER = "employee_id,name,email,department,country,locale,roles,manager_email\n"


@pytest.fixture
def app(database_url, tmp_path):
    """The fixture content plus a course for managers and HR."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    course = content / "leading_people"
    shutil.copytree(content / "demo_course", course, ignore=shutil.ignore_patterns("regions"))
    yaml = (course / "course.yaml").read_text()
    yaml = yaml.replace("id: demo_course", "id: leading_people").replace("regional_after: signs\n", "")
    yaml = yaml.replace("  everyone: true", "  managers: true\n  departments: [HR]")
    (course / "course.yaml").write_text(yaml)
    app = make_app(database_url, tmp_path, content_dir=content)
    assert not app.extensions["elearn_catalog"].problems
    yield app
    wipe(app)


def courses_of(app) -> dict[str, set[str]]:
    with app.app_context():
        rows = db.session.execute(
            select(User.employee_id, Assignment.course_id).join(Assignment).where(Assignment.current.is_(True))
        )
        found: dict[str, set[str]] = {}
        for employee_id, course_id in rows:
            found.setdefault(employee_id, set()).add(course_id)
        return found


def test_managers_and_hr_get_the_course_floor_workers_do_not(app, admin_client):
    upload_csv(
        admin_client,
        HEADER
        + "M1,Mona Manager,mona@example.com,Warehouse,KE,en,learner,\n"
        + "W1,Wale Worker,wale@example.com,Warehouse,KE,en,learner,MONA@example.com\n"
        + "H1,Hana HR,hana@example.com,HR,KE,en,learner,\n",
    )
    have = courses_of(app)
    assert have["M1"] == {"demo_course", "leading_people"}
    assert have["W1"] == {"demo_course"}
    assert have["H1"] == {"demo_course", "leading_people"}


def test_a_new_report_makes_an_unchanged_person_a_manager(app, admin_client):
    person = HEADER + "M2,Mo Later,mo@example.com,Warehouse,KE,en,learner,\n"
    upload_csv(admin_client, person)
    assert courses_of(app)["M2"] == {"demo_course"}
    # the next feed names Mo as a new hire's manager; Mo's own row is unchanged
    upload_csv(admin_client, person + "W2,New Hire,,Warehouse,KE,en,learner,mo@example.com\n")
    have = courses_of(app)
    assert have["M2"] == {"demo_course", "leading_people"}
    assert have["W2"] == {"demo_course"}


def test_a_deactivated_report_does_not_make_a_manager(app, admin_client):
    upload_csv(admin_client, HEADER + "M3,Max,max@example.com,Warehouse,KE,en,learner,\n")
    with app.app_context():
        db.session.add(User(employee_id="gone", name="Gone", active=False, manager_email="max@example.com"))
        db.session.commit()
    upload_csv(admin_client, HEADER + "M3,Max,max@example.com,Stores,KE,en,learner,\n")
    assert courses_of(app)["M3"] == {"demo_course"}
