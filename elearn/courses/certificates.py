"""The signed-in learner's certificate of a course: the lookup the HTML and PDF views share,
and the PDF's content in the learner's language, time zone and the company's branding."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import abort, current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..branding import current_branding
from ..extensions import db
from ..i18n import direction
from ..models import Completion
from ..urls import absolute_url
from ..web import current_locale, get_catalog
from .certificate_pdf import CertificateContent, CertificateLabels, certificate_pdf

EXTENSION = "elearn_certificate_pdfs"
#: finished PDFs each app process keeps: a Chinese one takes about a second to make
#: (mostly subsetting the CJK font), and a learner often opens the link twice
CACHED_PDFS = 64
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class EarnedCertificate:
    completion: Completion
    #: in the learner's language, as the course pages show it
    course_title: str


def own_latest_certificate(course_id: str) -> EarnedCertificate:
    """The signed-in learner's latest completion of the course; 404 when the course does
    not exist or they have none (someone else's is never looked up)."""
    course = get_catalog().courses.get(course_id)
    if course is None:
        abort(404)
    completion = db.session.scalar(
        select(Completion)
        .where(Completion.user_id == current_user.id, Completion.course_id == course_id)
        .order_by(Completion.completed_at.desc())
        .limit(1)
    )
    if completion is None:
        abort(404)
    return EarnedCertificate(completion, course.title_in(course.content_locale(current_locale())))


#: line breaks and other control characters, and the bidirectional overrides and
#: isolates that reorder text: a name printed with them could add lines or disguise itself
_NOT_PRINTED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
#: longer names are cut (with an ellipsis): the name line must not run into the rest
NAME_PRINTED_MAX = 80


def printable(text: str, limit: int) -> str:
    """A name as the certificate prints it: one line, no control or override characters."""
    one_line = " ".join(_NOT_PRINTED.sub(" ", text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def certificate_content(earned: EarnedCertificate) -> CertificateContent:
    """What the PDF prints, in the learner's interface language; dates in their time zone."""
    completion = earned.completion
    locale = current_locale()
    branding = current_branding()
    return CertificateContent(
        learner_name=printable(current_user.shown_name, NAME_PRINTED_MAX),
        course_title=earned.course_title,
        course_version=completion.course_version,
        completed_on=format_date(completion.completed_at, "long"),
        valid_until=format_date(completion.expires_at, "long") if completion.expires_at else None,
        code=completion.certificate_code,
        verify_url=absolute_url(url_for("courses.verify", code=completion.certificate_code)),
        company_name=printable(branding.company_name, NAME_PRINTED_MAX),
        logo=branding.logo,
        locale=locale,
        direction=direction(locale),
        labels=CertificateLabels(
            heading=_("Certificate of completion"),
            certifies=_("This certifies that"),
            completed_course=_("has completed the course"),
            completed_on=_("Completed on"),
            valid_until=_("Valid until"),
            course_version=_("Course version"),
            code=_("Verification code:"),
            check_at=_("Check it at:"),
        ),
    )


class PdfCache:
    """Finished PDFs by everything they print (CertificateContent is frozen, so hashable):
    a changed name, language or logo makes a new one."""

    def __init__(self, size: int):
        self.pdfs: LRUCache = LRUCache(maxsize=size)
        self.lock = threading.Lock()  # LRUCache reorders itself on every read


def certificate_pdf_bytes(content: CertificateContent) -> bytes:
    """The PDF of `content`, made once per app process; FontsMissing (certificate_pdf.py)
    when the fonts are not in ELEARN_FONT_DIR."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:  # this app's first certificate
        cache = current_app.extensions.setdefault(EXTENSION, PdfCache(CACHED_PDFS))
    with cache.lock:
        pdf = cache.pdfs.get(content)
    if pdf is None:
        pdf = certificate_pdf(content, current_app.config["ELEARN_FONT_DIR"])
        with cache.lock:
            cache.pdfs[content] = pdf
    return pdf


def pdf_filename(completion: Completion) -> str:
    """An ASCII file name from the course id and the code (no name: the file gets shared)."""
    stem = f"certificate-{completion.course_id}-{completion.certificate_code}"
    return _UNSAFE_IN_FILENAME.sub("-", stem) + ".pdf"
