"""SCORM packages: manifests valid against ADL's schemas (tests/scorm_schemas, read from
disk: lxml never fetches), reproducible builds, what each kind carries, the dispatch
launch and result relay over HTTP, the admin page and `elearn export scorm`."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Assignment, ExternalIdentity, User
from elearn.scorm import dispatch, package
from elearn.scorm.models import LmsConnection
from tests.conftest import csrf_token, shipped_catalog
from tests.helpers import ANSWERS, WRONG, acknowledge_all, submit

SCHEMAS = Path(__file__).parent / "scorm_schemas"
#: one schema per version importing every namespace a manifest of that version uses
DRIVERS = {
    "1.2": {
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "scorm12/imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "scorm12/adlcp_rootv1p2.xsd",
    },
    "2004": {
        "http://www.imsglobal.org/xsd/imscp_v1p1": "scorm2004/imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "scorm2004/adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "scorm2004/adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "scorm2004/adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "scorm2004/imsss_v1p0.xsd",
    },
}
MODULES = ["basics", "signs", "risks"]


def schema(version: str) -> etree.XMLSchema:
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / path).as_uri()}"/>'
        for ns, path in DRIVERS[version].items()
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser, base_url=(SCHEMAS / "driver.xsd").as_uri()))


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def connection(app, name="Workday", employee_ids=False) -> LmsConnection:
    with app.app_context():
        row = LmsConnection(name=name, learner_ids_are_employee_ids=employee_ids)
        db.session.add(row)
        db.session.commit()
        db.session.refresh(row)
        db.session.expunge(row)
        return row


def build(app, **spec) -> bytes:
    with app.test_request_context():
        return package.build(package.PackageSpec(**spec), app.extensions["elearn_catalog"])


def config_of(index_html: bytes) -> dict:
    found = re.search(rb'<script type="application/json" id="package-config">(.*?)</script>', index_html, re.S)
    assert found
    return json.loads(found.group(1))


@pytest.mark.parametrize("version", package.VERSIONS)
@pytest.mark.parametrize("mode", package.MODES)
def test_manifest_is_valid_against_the_scorm_schemas_and_lists_every_file(app, version, mode):
    lms = connection(app) if mode == "dispatch" else None
    files = entries(
        build(
            app, course_id="demo_course", locale="ar", region="arab_states", version=version, mode=mode, connection=lms
        )
    )
    manifest = etree.fromstring(files["imsmanifest.xml"], etree.XMLParser(no_network=True))
    validator = schema(version)
    assert validator.validate(manifest), validator.error_log
    listed = {f.get("href") for f in manifest.iter() if etree.QName(f).localname == "file"}
    assert listed == set(files) - {"imsmanifest.xml"}
    # the schema can fail: a manifest without its resources is refused
    broken = etree.fromstring(files["imsmanifest.xml"])
    broken.remove(broken[-1])
    assert not validator.validate(broken)


def test_real_courses_build_valid_packages_in_hindi_and_arabic(app):
    catalog = shipped_catalog()
    lms = connection(app)
    with app.test_request_context():
        for course_id, locale, version, mode in (
            ("forced_labor", "hi", "1.2", "standalone"),
            ("responsible_purchasing", "ar", "2004", "standalone"),
            ("responding_to_disclosure", "zh_Hans", "2004", "dispatch"),
        ):
            spec = package.PackageSpec(
                course_id, locale, "south_asia", version, mode, lms if mode == "dispatch" else None
            )
            files = entries(package.build(spec, catalog))
            assert schema(version).validate(etree.fromstring(files["imsmanifest.xml"]))
            if mode == "standalone":
                page = files["index.html"].decode()
                pool = catalog.courses[course_id].package_quizzes[locale]
                assert all(f'data-question="{q.id}"' in page for q in pool.questions)
                assert not any(q.text in page for q in catalog.courses[course_id].quizzes[locale].questions)


def test_builds_are_reproducible(app):
    lms = connection(app)
    first = build(app, course_id="demo_course", locale="hi", region="arab_states", mode="dispatch", connection=lms)
    again = build(app, course_id="demo_course", locale="hi", region="arab_states", mode="dispatch", connection=lms)
    assert first == again
    other = build(app, course_id="demo_course", locale="ar", region="arab_states", mode="dispatch", connection=lms)
    assert other != first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {package.ZIP_TIME}
        assert archive.namelist()[0] == "imsmanifest.xml"


def test_standalone_carries_the_package_pool_and_never_the_server_key(app):
    files = entries(
        build(app, course_id="demo_course", locale="ar", region="arab_states", version="2004", mode="standalone")
    )
    page = files["index.html"].decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "fonts/NotoSansArabic-Regular.ttf" in files and "fonts/OFL.txt" in files
    key = json.loads(re.search(r'id="package-quiz">(.*?)</script>', page, re.S).group(1))
    assert {q["id"] for q in key["questions"]} == {"pkg-wages-kept", "pkg-locked-dorm", "pkg-who-reports"}
    # elearn's scoring rule as a table: 2 of 3 right is 66 (floored), below the pass mark of 80
    assert key["outcomes"] == [[0, False], [33, False], [66, False], [100, True]]
    for server_question in ("passport", "fees", "signs"):
        assert f'"{server_question}"' not in page
    assert "الإبلاغ" in page or "Report a concern" not in page  # the interface is in Arabic
    # the helplines of the region's countries (the fixture lists one for AE), named in Arabic
    assert "<summary>الإمارات العربية المتحدة</summary>" in page
    assert 'target="_blank"' in page.split('class="concern-link"')[1].split(">")[0]


def test_dispatch_package_carries_no_question_and_a_key_that_names_its_connection(app):
    lms = connection(app)
    files = entries(
        build(
            app,
            course_id="demo_course",
            locale="hi",
            region="arab_states",
            version="1.2",
            mode="dispatch",
            connection=lms,
        )
    )
    assert "course.js" not in files and not any(name.startswith("fonts/") for name in files)
    assert b"passport" not in files["index.html"] and b"pkg-" not in files["index.html"]
    config = config_of(files["index.html"])
    assert config["launch"].startswith(app.config["ELEARN_BASE_URL"].rstrip("/") + "/scorm/launch/")
    key = config["launch"].rsplit("/", 1)[1]
    with app.app_context():
        named = dispatch.read_key(key)
        assert (named.connection.id, named.course_id) == (lms.id, "demo_course")
        assert dispatch.read_key(key[:-2] + "xx") is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"course_id": "nope"}, "Unknown course: nope"),
        ({"locale": "de"}, "The course has no language de."),
        ({"region": "atlantis"}, "Unknown region: atlantis"),
        ({"version": "1.3"}, "Unknown SCORM version: 1.3"),
        ({"mode": "zip"}, "Unknown kind of package: zip"),
        ({"mode": "dispatch"}, "A dispatch package needs an LMS connection that is not revoked."),
    ],
)
def test_bad_inputs_are_named(app, spec, message):
    values = {"course_id": "demo_course", "locale": "en", "region": "global", "mode": "standalone", **spec}
    with pytest.raises(package.PackageError, match=re.escape(message)):
        build(app, **values)


# --- the dispatch launch and the result relay ---------------------------------------------


def launch_url(app, lms, learner="lms-42", course="demo_course", locale="hi", name="Asha Rao"):
    with app.app_context():
        key = dispatch.package_key(lms, course)
    return f"/scorm/launch/{key}?learner={learner}&name={name}&locale={locale}&region=arab_states"


def progress(client, app, lms, learner="lms-42"):
    url = launch_url(app, lms, learner).replace("/launch/", "/progress/")
    response = client.get(url)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response


def test_launch_signs_in_the_lms_learner_and_relays_their_result(app):
    lms = connection(app)
    client = app.test_client()
    assert progress(client, app, lms).get_json()["status"] == "not attempted"
    response = client.get(launch_url(app, lms))
    # a new person: asked once where they work, the package's region first
    assert response.status_code == 302 and response.headers["Location"].startswith("/scorm/country?")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.index('value="AE"') < page.index('value="US"')
    refused = client.post(response.headers["Location"], data={"csrf_token": csrf_token(page), "country": "ZZ"})
    assert refused.status_code == 400 and 'id="country-error"' in refused.get_data(as_text=True)  # in Hindi
    with app.app_context():
        assert db.session.scalar(select(User.country)) is None
    chosen = client.post(response.headers["Location"], data={"csrf_token": csrf_token(page), "country": "AE"})
    assert chosen.headers["Location"] == "/courses/demo_course"
    assert "डेमो" in client.get("/courses/demo_course").get_data(as_text=True)  # in the package's language
    with app.app_context():
        user = db.session.scalars(select(User).join(ExternalIdentity).where(ExternalIdentity.subject == "lms-42")).one()
        assert user.roles == "learner" and user.name == "Asha Rao" and user.employee_id.startswith(f"lms-{lms.id}-")
        # the course is theirs (here by the course's audience rule already; else "lms")
        assert db.session.scalar(select(Assignment.course_id).where(Assignment.user_id == user.id)) == "demo_course"
    acknowledge_all(client, MODULES)
    lms_client = app.test_client()  # the package's page: another site, no cookies
    assert progress(lms_client, app, lms).get_json() == {
        "status": "incomplete",
        "score": None,
        "modules_read": 3,
        "modules_total": 3,
    }
    submit(client, WRONG)
    assert progress(lms_client, app, lms).get_json()["status"] == "failed"
    submit(client, ANSWERS)
    assert progress(lms_client, app, lms).get_json() == {
        "status": "passed",
        "score": 100,
        "modules_read": 3,
        "modules_total": 3,
    }
    # the same LMS learner again: the same person, still signed in
    assert client.get(launch_url(app, lms)).headers["Location"] == "/courses/demo_course"
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_revoked_or_forged_keys_and_unknown_courses_are_refused_and_store_nothing(app):
    lms = connection(app)
    client = app.test_client()
    forged = launch_url(app, lms).replace("/launch/", "/launch/x")
    assert client.get(forged).status_code == 403
    unknown = client.get(launch_url(app, lms, course="nope", locale="en"))  # a course removed since
    assert unknown.status_code == 400 and "does not have" in unknown.get_data(as_text=True)
    # a signed-out visitor reads the page in the package's language, lang attribute included
    hindi = client.get(launch_url(app, lms, course="nope")).get_data(as_text=True)
    assert '<html lang="hi"' in hindi and "does not have" not in hindi
    with app.app_context():
        db.session.get(LmsConnection, lms.id).revoked_at = func.now()
        db.session.commit()
    refused = client.get(launch_url(app, lms, locale="en"))
    assert refused.status_code == 403 and "withdrawn" in refused.get_data(as_text=True)
    answer = progress(client, app, lms)
    assert answer.status_code == 403 and "रद्द" in answer.get_json()["message"]  # in the package's language
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_employee_id_links_only_where_the_admin_said_so_and_never_a_privileged_person(app, make_user):
    make_user(employee_id="E100", roles="learner")
    make_user(employee_id="E200", roles="learner admin")
    linked = connection(app, "HR-linked LMS", employee_ids=True)
    separate = connection(app, "Other LMS")
    client = app.test_client()
    assert client.get(launch_url(app, linked, learner="E100")).status_code == 302
    other = app.test_client()
    assert other.get(launch_url(app, separate, learner="E100")).status_code == 302
    admin = app.test_client()
    refused = admin.get(launch_url(app, linked, learner="E200", locale="en"))
    assert refused.status_code == 403 and "administrator" in refused.get_data(as_text=True)
    with app.app_context():
        hr_person = db.session.scalar(select(User.id).where(User.employee_id == "E100"))
        identities = dict(db.session.execute(select(ExternalIdentity.provider, ExternalIdentity.user_id)).all())
        assert identities[dispatch.provider(linked)] == hr_person
        assert identities[dispatch.provider(separate)] != hr_person
        assert len(identities) == 2  # the admin's launch stored nothing
    # an employee ID nobody has here is refused: a launch cannot claim it ahead of the HR import
    unknown = app.test_client().get(launch_url(app, linked, learner="E9001", locale="en"))
    assert unknown.status_code == 403 and "not known here" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.employee_id == "E9001")) == 0


def test_a_launched_session_stays_a_learner_session(app, make_user):
    """A role given later ends the session at the next request; the team pages stay closed."""
    make_user(employee_id="E100", roles="learner", email="boss@example.com")
    make_user(employee_id="E101", manager_email="boss@example.com")
    linked = connection(app, "HR-linked LMS", employee_ids=True)
    client = app.test_client()
    assert client.get(launch_url(app, linked, learner="E100")).status_code == 302
    assert client.get("/courses/demo_course").status_code == 200
    assert client.get("/team").status_code == 403  # a manager, but this session shows nobody else
    with app.app_context():
        db.session.scalars(select(User).where(User.employee_id == "E100")).one().roles = "learner case_handler"
        db.session.commit()
    ended = client.get("/courses/demo_course")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    assert client.get("/cases").status_code == 302  # signed out: to the sign-in page


def test_a_launch_never_signs_out_someone_else_without_a_click(app, make_user, auth):
    make_user()
    client = auth.client
    auth.login()
    lms = connection(app)
    page = client.get(launch_url(app, lms))
    assert page.status_code == 200 and "Test Person" in page.get_data(as_text=True)
    assert client.get("/training").status_code == 200  # still the same person
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "learner": "lms-42",
        "name": "Asha Rao",
        "locale": "hi",
        "region": "arab_states",
    }
    switched = client.post(launch_url(app, lms).split("?")[0], data=data)
    assert switched.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(ExternalIdentity.id))) == 1


# --- the admin page and the command line ---------------------------------------------------


def test_admin_page_adds_and_withdraws_connections_and_builds_packages(app, admin_client, scoped_admin):
    page = admin_client.get("/admin/lms")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    assert (
        admin_client.post("/admin/lms/connections", data={"csrf_token": token, "name": "Cornerstone"}).status_code
        == 302
    )
    duplicate = admin_client.post("/admin/lms/connections", data={"csrf_token": token, "name": "Cornerstone"})
    assert duplicate.status_code == 400 and "has this name already" in duplicate.get_data(as_text=True)
    with app.app_context():
        lms_id = db.session.scalar(select(LmsConnection.id))
    form = {
        "csrf_token": token,
        "course": "demo_course",
        "locale": "ar",
        "region": "arab_states",
        "version": "1.2",
        "mode": "dispatch",
        "connection": lms_id,
    }
    built = admin_client.post("/admin/lms/package", data=form)
    assert built.status_code == 200 and built.mimetype == "application/zip"
    assert "demo_course-ar-arab_states-scorm12-dispatch.zip" in built.headers["Content-Disposition"]
    assert schema("1.2").validate(etree.fromstring(entries(built.data)["imsmanifest.xml"]))
    assert admin_client.post(f"/admin/lms/connections/{lms_id}/revoke", data={"csrf_token": token}).status_code == 302
    refused = admin_client.post("/admin/lms/package", data=form)
    assert refused.status_code == 400  # a withdrawn connection is no longer offered
    assert scoped_admin("region", "arab_states").get("/admin/lms").status_code == 403


def export(runner, *options: str):
    return runner.invoke(args=["export", "scorm", *options])


def test_export_command_builds_one_package_or_all(app, tmp_path):
    runner = app.test_cli_runner()
    one = "--course demo_course --locale hi --region arab_states --version 1.2 --mode dispatch --lms Workday".split()
    target, again = tmp_path / "one.zip", tmp_path / "again.zip"
    result = export(runner, *one, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert schema("1.2").validate(etree.fromstring(entries(target.read_bytes())["imsmanifest.xml"]))
    assert export(runner, *one, "--output", str(again)).exit_code == 0
    assert again.read_bytes() == target.read_bytes()
    bad = export(runner, *"--course nope --locale hi --mode standalone --output".split(), str(tmp_path / "x.zip"))
    assert bad.exit_code != 0 and "Unknown course: nope" in bad.output
    folder = tmp_path / "all"
    every = export(runner, "--all", "--mode", "standalone", "--output", str(folder))
    assert every.exit_code == 0, every.output
    catalog = app.extensions["elearn_catalog"]
    assert len(list(folder.glob("*.zip"))) == len(catalog.courses["demo_course"].locales) * len(catalog.region_ids)


def test_package_keys_survive_a_key_rotation_with_the_old_key_as_fallback(app):
    lms = connection(app)
    with app.app_context():
        key = dispatch.package_key(lms, "demo_course")
        old = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "a-new-secret-key-after-rotation"
        assert dispatch.read_key(key) is None  # a package made with the old key stops...
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert dispatch.read_key(key).course_id == "demo_course"  # ...unless the old key is kept
