"""PDF certificates (GET /courses/<id>/certificate.pdf): the learner's name in its own script,
the course and the code, read back from the PDF in every interface language; fonts embedded;
only one's own certificate. One page per script is rendered to PNG (pdftoppm) into
test-artifacts/certificates/ for a person to look at (conjuncts, Arabic joining, no tofu)."""

import io
import logging
import subprocess
import time
import unicodedata
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import select

from elearn.courses.certificate_pdf import CertificateContent, CertificateLabels, certificate_pdf
from elearn.extensions import db
from elearn.models import Completion, User

from .conftest import Auth, make_app, wipe
from .helpers import ANSWERS, acknowledge_all, submit

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "certificates"
COMPANY = "Acme Textiles Ltd"
PDF = "/courses/demo_course/certificate.pdf"
#: locale -> a learner's name in that locale's script (Latin with accents for es, fr, pt)
NAMES = {
    "en": "Ada Lovelace",
    "es": "José Núñez Peña",
    "fr": "Élodie Lefèvre",
    "pt": "João Conceição",
    "ar": "فاطمة الزهراء",
    "hi": "क्षितिज प्रज्ञा श्रीवास्तव",
    "zh_Hans": "王小明",
}
#: the fixture course's title as each locale shows it (no es, fr, pt or zh text: English)
TITLES = {"ar": "توعية تجريبية", "hi": "डेमो जागरूकता"}
#: one certificate per script is rendered for a person to look at
RENDERED = {"en": "latin", "ar": "arabic", "hi": "devanagari", "zh_Hans": "han"}


@pytest.fixture
def logo_path(tmp_path):
    path = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (138, 28, 74)).save(path, format="PNG")
    return str(path)


@pytest.fixture
def app(database_url, tmp_path, logo_path):
    """The app with a company name and a logo (make_user, client and auth use it)."""
    app = make_app(database_url, tmp_path, ELEARN_COMPANY_NAME=COMPANY, ELEARN_LOGO_FILE=logo_path)
    yield app
    wipe(app)


def complete_course(client):
    acknowledge_all(client, ["basics", "signs", "risks"])
    assert submit(client, ANSWERS).status_code == 302


def code_of(app, employee_id="u1"):
    with app.app_context():
        return db.session.scalars(
            select(Completion.certificate_code)
            .join(User, User.id == Completion.user_id)
            .where(User.employee_id == employee_id)
        ).one()


def normalised(text: str) -> str:
    """NFKC (Arabic presentation forms back to letters), without control and format
    characters: fpdf2 maps a reordered Devanagari vowel sign's glyph to no text, which
    pypdf shows as a control character, and bidi marks are invisible."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) not in ("Cc", "Cf"))


def printed(pdf_text: str, expected: str) -> bool:
    """Whether `expected` is in the extracted text; right-to-left text may come out in
    visual order, so it also counts reversed (the letters must all be there in sequence)."""
    text, wanted = normalised(pdf_text), normalised(expected)
    rtl = any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in wanted)
    return wanted in text or (rtl and wanted[::-1] in text)


def page_text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def fonts_of(pdf: bytes) -> list:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return [font.get_object() for font in page["/Resources"]["/Font"].values()]


def is_embedded(font) -> bool:
    """A Type0 font's program hangs on its descendant's descriptor; a simple font's on its own."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font["/FontDescriptor"].get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def image_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images)


@pytest.mark.parametrize("locale", list(NAMES))
def test_pdf_certificate_prints_name_course_and_code_in_every_language(app, client, auth, make_user, locale):
    name = NAMES[locale]
    make_user(country="AE", hr_locale=locale, display_name=name)
    auth.login()
    complete_course(client)
    code = code_of(app)

    started = time.perf_counter()
    response = client.get(PDF)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=certificate-demo_course-{code}.pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = response.data
    print(f"{locale}: {len(pdf)} bytes in {elapsed * 1000:.0f} ms")

    text = page_text(pdf)
    title = TITLES.get(locale, "Demo Awareness")
    for expected in (name, title, code, COMPANY, f"/verify/{code}"):
        assert printed(text, expected), f"{expected!r} not in the {locale} PDF: {normalised(text)!r}"
    if locale == "en":
        assert "Certificate of completion" in text and "Course version" in text and "1.0.0" in text

    fonts = fonts_of(pdf)
    assert fonts and all(is_embedded(font) for font in fonts), [font["/BaseFont"] for font in fonts]
    assert image_count(pdf) == 2  # the logo and the QR code

    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata.title == title
    assert not printed(" ".join(str(value) for value in metadata.values()), name)  # no personal data

    if locale in RENDERED:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        source = ARTIFACTS / f"{RENDERED[locale]}-{locale}.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(source), str(source.with_suffix(""))], check=True
        )
        assert source.with_suffix(".png").stat().st_size > 10_000

    # the public check shows the name as written and until when the certificate is valid
    verify = client.get(f"/verify/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert name in verify and 'class="valid"' in verify


def test_certificate_page_links_to_the_pdf(app, client, auth, make_user):
    make_user(hr_locale="en")
    auth.login()
    complete_course(client)
    page = client.get("/courses/demo_course/certificate").get_data(as_text=True)
    assert f'href="{PDF}"' in page and "Download PDF" in page


def test_no_completion_is_404_and_nobody_gets_another_learners_pdf(app, client, auth, make_user):
    make_user(employee_id="u1", hr_locale="en", display_name="First Learner")
    make_user(employee_id="u2", hr_locale="en", display_name="Second Learner")
    assert client.get(PDF).status_code == 302  # signed out: to the sign-in page
    auth.login("u1")
    assert client.get(PDF).status_code == 404  # nothing completed yet
    complete_course(client)
    assert client.get(PDF).status_code == 200
    assert client.get("/courses/no_such_course/certificate.pdf").status_code == 404

    other = app.test_client()
    Auth(other).login("u2")
    response = other.get(PDF)
    assert response.status_code == 404 and b"First Learner" not in response.data


def test_a_changed_name_makes_a_new_pdf(app, client, auth, make_user):
    """Finished PDFs are kept per app process by everything they print: never a stale one."""
    uid = make_user(hr_locale="en", display_name="Old Name")
    auth.login()
    complete_course(client)
    assert printed(page_text(client.get(PDF).data), "Old Name")
    with app.app_context():
        db.session.get(User, uid).display_name = "नया नाम"
        db.session.commit()
    text = page_text(client.get(PDF).data)
    assert printed(text, "नया नाम") and not printed(text, "Old Name")


def test_missing_fonts_answer_503_with_a_message_and_a_log_line(app, client, auth, make_user, tmp_path, caplog):
    make_user(hr_locale="en")
    auth.login()
    complete_course(client)
    app.config["ELEARN_FONT_DIR"] = str(tmp_path / "no-fonts-here")
    with caplog.at_level(logging.ERROR):
        response = client.get(PDF)
    assert response.status_code == 503
    assert "The PDF of your certificate cannot be made at the moment." in response.get_data(as_text=True)
    assert any("NotoSerif-Regular.ttf" in record.getMessage() for record in caplog.records)
    assert client.get("/courses/demo_course/certificate").status_code == 200  # the page still works


LABELS = CertificateLabels(
    heading="Certificate of completion",
    certifies="This certifies that",
    completed_course="has completed the course",
    completed_on="Completed on",
    valid_until="Valid until",
    course_version="Course version",
    code="Verification code:",
    check_at="Check it at:",
)


def content(**changes) -> CertificateContent:
    values = dict(
        learner_name="Ada Lovelace",
        course_title="Forced Labour Awareness",
        course_version="2.0.1",
        completed_on="5 December 2026",
        valid_until=None,
        code="ABCD-EFGH",
        verify_url="https://training.example.com/verify/ABCD-EFGH",
        company_name="",
        logo=None,
        locale="en",
        direction="ltr",
        labels=LABELS,
    )
    values.update(changes)
    return CertificateContent(**values)


def test_without_branding_or_expiry_the_pdf_prints_neither():
    pdf = certificate_pdf(content(), "/usr/share/fonts")
    text = page_text(pdf)
    assert image_count(pdf) == 1  # the QR code alone
    assert "Valid until" not in text and "Completed on" in text and "5 December 2026" in text


def test_a_name_in_another_script_than_the_page_is_printed_with_its_own_font():
    """A Chinese name on an Arabic certificate: the fonts of both scripts are loaded."""
    pdf = certificate_pdf(content(learner_name="王小明", locale="ar", direction="rtl"), "/usr/share/fonts")
    assert printed(page_text(pdf), "王小明")
    assert any("CJK" in str(font["/BaseFont"]) for font in fonts_of(pdf))


def test_only_the_fonts_of_the_printed_scripts_are_embedded():
    """Parsing and subsetting the CJK font is most of a Chinese certificate's time: a Latin
    one does without. The times are printed for the record (pytest -s)."""
    certificate_pdf(content(), "/usr/share/fonts")  # imports and first use
    timings, embedded = {}, {}
    for locale, name in (("en", "Ada Lovelace"), ("hi", NAMES["hi"]), ("zh_Hans", NAMES["zh_Hans"])):
        started = time.perf_counter()
        pdf = certificate_pdf(content(learner_name=name, locale=locale), "/usr/share/fonts")
        timings[locale] = f"{(time.perf_counter() - started) * 1000:.0f} ms"
        assert printed(page_text(pdf), name)
        embedded[locale] = {str(font["/BaseFont"]).split("+")[-1] for font in fonts_of(pdf)}
    print(timings)
    assert embedded["en"] == {"NotoSerif", "NotoSerifBold"}
    assert embedded["hi"] == {"NotoSerif", "NotoSerifBold", "NotoSerifDevanagariBold"}  # English labels, a Hindi name
    assert any("CJK" in font for font in embedded["zh_Hans"])


def test_a_name_cannot_add_lines_or_reorder_itself_and_is_cut_to_one_line(app, client, auth, make_user):
    """Names come from HR files, SCIM and forms: a line break, a bidi override or a very
    long name must not print fake lines, disguise itself or run into the rest."""
    make_user(hr_locale="en", display_name="Alice\nValid until 2099\u202eevil" + "x" * 150)
    auth.login()
    complete_course(client)
    text = page_text(client.get(PDF).data)
    assert not any(line.strip().startswith("Valid until 2099") for line in text.splitlines())
    flowing = " ".join(text.split())  # the name may wrap onto a second line
    name = flowing[flowing.index("Alice") :][:90]
    assert name.startswith("Alice Valid until 2099 evil") and "\u202e" not in name
    assert "x" * 40 in flowing and "x" * 60 not in flowing
