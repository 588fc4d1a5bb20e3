"""SCORM 1.2 and 2004 (4th edition) packages of a course in one locale and region.

- dispatch: a thin page that opens the course served by elearn (dispatch.py has the
  rules) and relays the result to the LMS; content, quiz pools and the answer key stay
  on the server.
- standalone: the whole course in the zip (modules, the helplines and emergency numbers
  of the region's countries, styles and fonts) with the course's package-only question
  pool, scored in the browser.

A build is reproducible: the same inputs give the same bytes (entries in a fixed order,
fixed times and permissions), so a company can diff two releases.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalog import Catalog, Course, CourseView, EmergencyNumber, Helpline, Quiz
from ..i18n import bcp47, direction
from ..training.scoring import score_of
from ..urls import absolute_url
from ..web import country_name
from . import dispatch
from .models import LmsConnection

VERSIONS = ("1.2", "2004")
MODES = ("dispatch", "standalone")
FILES = Path(__file__).parent / "package_files"
STYLES = Path(__file__).parents[1] / "static" / "elearn.css"
#: every entry's time: zip's earliest (1980-01-01), so the time of a build is not in it
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: how often a dispatch page asks elearn for the learner's result while the course is open
POLL_SECONDS = 15


@dataclass(frozen=True)
class PackageSpec:
    course_id: str
    locale: str
    region: str
    version: str = "2004"
    mode: str = "dispatch"
    #: the LMS connection a dispatch package belongs to
    connection: LmsConnection | None = None

    @property
    def file_name(self) -> str:
        version = self.version.replace(".", "")
        return f"{self.course_id}-{self.locale}-{self.region}-scorm{version}-{self.mode}.zip"


class PackageError(ValueError):
    """Why a package cannot be built, in the reader's language."""


def check(spec: PackageSpec, catalog: Catalog) -> Course:
    """The course of a buildable spec; PackageError names the first bad input."""
    course = catalog.courses.get(spec.course_id)
    if course is None:
        raise PackageError(_("Unknown course: %(value)s", value=spec.course_id))
    if spec.locale not in course.locales:
        raise PackageError(_("The course has no language %(value)s.", value=spec.locale))
    if spec.region not in catalog.region_ids:
        raise PackageError(_("Unknown region: %(value)s", value=spec.region))
    if spec.version not in VERSIONS:
        raise PackageError(_("Unknown SCORM version: %(value)s", value=spec.version))
    if spec.mode not in MODES:
        raise PackageError(_("Unknown kind of package: %(value)s", value=spec.mode))
    if spec.mode == "dispatch" and (spec.connection is None or spec.connection.revoked_at is not None):
        raise PackageError(_("A dispatch package needs an LMS connection that is not revoked."))
    if spec.mode == "standalone" and spec.locale not in course.package_quizzes:
        raise PackageError(_("This course has no package-only quiz: build a dispatch package."))
    return course


def build(spec: PackageSpec, catalog: Catalog) -> bytes:
    """The zip of a checked spec (see check)."""
    course = check(spec, catalog)
    view = course.view(spec.locale, spec.region)
    with force_locale(spec.locale):
        if spec.mode == "standalone":
            files = _standalone_files(spec, view, catalog)
        else:
            files = _dispatch_files(spec, view)
        files["elearn.css"] = STYLES.read_bytes()
        for name in ("elearn-scorm.js", "package.css"):
            files[name] = (FILES / name).read_bytes()
        manifest = render_template(
            f"scorm/package/imsmanifest_{spec.version}.xml",
            identifier=f"elearn-{course.id}-{spec.locale}-{spec.region}-{spec.mode}",
            version=course.version,
            title=view.title,
            pass_mark=course.pass_mark,
            files=sorted(files),
        )
    files["imsmanifest.xml"] = manifest.encode()
    return _zip(files)


def _page_context(spec: PackageSpec, view: CourseView) -> dict:
    return {
        "view": view,
        "html_lang": bcp47(spec.locale),
        "html_dir": direction(spec.locale),
        "concern_url": absolute_url(url_for("concerns.concern_page")),
    }


def _config(spec: PackageSpec, view: CourseView, **more: object) -> dict:
    return {"version": spec.version, "mode": spec.mode, "course": view.course.id, "locale": spec.locale, **more}


def _dispatch_files(spec: PackageSpec, view: CourseView) -> dict[str, bytes]:
    assert spec.connection is not None  # check() refused a dispatch spec without one
    key = dispatch.package_key(spec.connection, view.course.id)
    text = {
        "opened": _("The course is open in another window."),
        "not_attempted": "",
        "incomplete": _("In progress: your learning platform has your progress."),
        "passed": _("Passed: your learning platform has your result."),
        "failed": _("Not passed yet: you can take the quiz again in the course."),
        "unavailable": _("The course cannot be reached just now. Try again later."),
        "popup_blocked": _("Your browser blocked the new window: allow pop-ups for this page and try again."),
        "no_lms": _("Open this course from your learning platform."),
    }
    config = _config(
        spec,
        view,
        region=spec.region,
        launch=absolute_url(url_for("scorm.launch", key=key)),
        progress=absolute_url(url_for("scorm.progress", key=key)),
        poll_seconds=POLL_SECONDS,
        text=text,
    )
    page = render_template("scorm/package/dispatch.html", config=config, **_page_context(spec, view))
    return {"index.html": page.encode(), "dispatch.js": (FILES / "dispatch.js").read_bytes()}


def _standalone_files(spec: PackageSpec, view: CourseView, catalog: Catalog) -> dict[str, bytes]:
    quiz = view.course.package_quizzes[spec.locale]
    page = render_template(
        "scorm/package/standalone.html",
        config=_config(spec, view),
        quiz=quiz,
        quiz_key=_quiz_key(quiz, view.course),
        countries=_countries(spec.region, spec.locale, catalog),
        **_page_context(spec, view),
    )
    files = {"index.html": page.encode(), "course.js": (FILES / "course.js").read_bytes()}
    for font in sorted((FILES / "fonts").iterdir()):
        files[f"fonts/{font.name}"] = font.read_bytes()
    return files


def _quiz_key(quiz: Quiz, course: Course) -> dict:
    """What course.js needs to score the package-only pool: the answers, the hints and
    explanations, and elearn's scoring rule as a table (right answers -> score, passed)."""
    total = len(quiz.questions)
    return {
        "questions": [
            {"id": q.id, "answer": sorted(q.answer), "hint": q.hint, "explanation": q.explanation}
            for q in quiz.questions
        ],
        "outcomes": [list(score_of(right, total, course.pass_mark)) for right in range(total + 1)],
        "text": {
            # formatted here (so "%%" is one sign), with the placeholder left for course.js
            "score": _("Your score: %(score)s%%", score="%(score)s"),
            "passed": _("You passed."),
            "failed": _("Not passed yet. Read the hints, then try again."),
            "right": _("Right."),
            "wrong": _("Not right."),
        },
    }


@dataclass(frozen=True)
class CountryHelp:
    name: str
    emergency: tuple[EmergencyNumber, ...]
    helplines: tuple[Helpline, ...]


def _countries(region: str, locale: str, catalog: Catalog) -> list[CountryHelp]:
    """The countries of the package's region that have emergency numbers or helplines."""
    found = []
    for code in catalog.countries_in({region}):
        emergency, helplines = catalog.emergency_for(code), catalog.helplines_for(code)
        if emergency or helplines:
            found.append(CountryHelp(country_name(code, locale), emergency, helplines))
    return sorted(found, key=lambda c: c.name)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # imsmanifest.xml first (some LMSs peek at the start), then by name
        for name in sorted(files, key=lambda n: (n != "imsmanifest.xml", n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
