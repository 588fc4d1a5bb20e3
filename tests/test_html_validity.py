"""Every page type, in every locale, through the Nu HTML Checker in one run."""

import io
import re
import subprocess
import zipfile
from pathlib import Path

from sqlalchemy import select

from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.i18n import LOCALES
from elearn.scorm.models import LmsConnection
from elearn.scorm.package import PackageSpec, build

from .concern_helpers import file_report, receipt_code
from .conftest import Auth, csrf_token
from .helpers import ANSWERS, acknowledge_all, submit

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def scorm_page(app, locale: str, kind: str) -> str:
    """The page a SCORM package opens in the LMS (elearn/scorm/package.py)."""
    with app.test_request_context():
        connection = LmsConnection(id=1, name="LMS") if kind == "dispatch" else None
        spec = PackageSpec("demo_course", locale, "arab_states", "2004", kind, connection)
        data = build(spec, app.extensions["elearn_catalog"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("index.html").decode()


def test_every_page_type_in_every_locale_is_valid_html(app, make_user, tmp_path):
    app.config.update(
        ELEARN_LOGIN_LIMIT="1000 per minute",
        ELEARN_LOGIN_ADDRESS_LIMIT="1000 per minute",
        ELEARN_INTAKE_LIMIT="1000 per hour",
    )
    pages: dict[str, str] = {}
    for locale in LOCALES:
        make_user(employee_id=f"l-{locale}", country="AE", hr_locale=locale, display_name="ليلى")
        make_user(employee_id=f"a-{locale}", roles="learner admin", hr_locale=locale, country="GB")
        make_user(employee_id=f"c-{locale}", roles="case_handler", hr_locale=locale, assign=False)
        visitor = app.test_client()
        headers = {"Accept-Language": locale.replace("_", "-")}
        for path in (
            "/login",
            "/activate",
            "/concerns?country=US",
            "/concerns/report",
            "/concerns/status",
            "/verify/NOPE-NOPE-NOPE-NOPE",
            "/no-such-page",
        ):
            pages[f"{locale}-visitor{path}"] = visitor.get(path, headers=headers).get_data(as_text=True)
        receipt = file_report(visitor, headers=headers)
        pages[f"{locale}-receipt"] = receipt.get_data(as_text=True)
        pages[f"{locale}-report-errors"] = file_report(visitor, headers=headers, description="").get_data(as_text=True)
        learner = app.test_client()
        Auth(learner).login(f"l-{locale}")
        acknowledge_all(learner, ["basics", "signs", "risks"])
        result = learner.get(submit(learner, ANSWERS).headers["Location"]).get_data(as_text=True)
        pages[f"{locale}-result"] = result
        for path in (
            "/training",
            "/courses/demo_course",
            "/courses/demo_course/modules/risks",
            "/courses/demo_course/quiz",
            "/courses/demo_course/certificate",
        ):
            pages[f"{locale}-learner{path}"] = learner.get(path).get_data(as_text=True)
        code = re.search(r'/verify/([A-Z2-7-]+)"', pages[f"{locale}-learner/courses/demo_course/certificate"]).group(1)
        pages[f"{locale}-verify"] = visitor.get(f"/verify/{code}", headers=headers).get_data(as_text=True)
        admin = app.test_client()
        Auth(admin).login(f"a-{locale}")
        for path in (
            "/admin/users",
            "/admin/users/new",
            "/admin/users/import",
            "/admin/assign",
            "/admin/activation-codes",
            "/admin/reports",
            "/admin/tasks",
            "/admin/audit",
            "/admin/api-tokens",
            "/admin/lms",
        ):
            pages[f"{locale}-admin{path}"] = admin.get(path).get_data(as_text=True)
        if locale in app.extensions["elearn_catalog"].courses["demo_course"].locales:
            for kind in ("standalone", "dispatch"):
                pages[f"{locale}-scorm-{kind}"] = scorm_page(app, locale, kind)
        handler = app.test_client()
        Auth(handler).login(f"c-{locale}")
        with app.app_context():
            case_id = db.session.scalars(select(Concern.id)).first()
        pages[f"{locale}-cases"] = handler.get("/cases?status=all").get_data(as_text=True)
        page = handler.get(f"/cases/{case_id}").get_data(as_text=True)
        handler.post(f"/cases/{case_id}/answer", data={"csrf_token": csrf_token(page), "answer-body": "Thank you."})
        pages[f"{locale}-case"] = handler.get(f"/cases/{case_id}").get_data(as_text=True)
        status_page = visitor.get("/concerns/status", headers=headers).get_data(as_text=True)
        pages[f"{locale}-status-answer"] = visitor.post(
            "/concerns/status",
            headers=headers,
            data={"csrf_token": csrf_token(status_page), "code": receipt_code(receipt)},
        ).get_data(as_text=True)
    files = []
    for name, html in pages.items():
        assert html.startswith("<!doctype html>"), name
        path = tmp_path / (re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".html")
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    package_locales = app.extensions["elearn_catalog"].courses["demo_course"].locales
    assert len(files) == 29 * len(LOCALES) + 2 * len(package_locales)
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *files], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[:5000]
