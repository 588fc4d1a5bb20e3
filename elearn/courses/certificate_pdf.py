"""A learner's certificate as one A4 landscape PDF page in the learner's language and script.

fpdf2 shapes the text with HarfBuzz (Devanagari conjuncts, Arabic joining, right to left) and
embeds subsets of Debian's Noto fonts (fonts-noto-core, fonts-noto-cjk). Plain Python: the view
gathers and translates everything printed (CertificateContent); this module only draws it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from pathlib import Path

from fpdf import FPDF

from ..i18n import bcp47
from ..qr import qr_code

#: A4 landscape, in millimetres
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0
MARGIN = 24.0
NAVY, GOLD, INK, GREY = (31, 56, 100), (176, 141, 87), (33, 33, 33), (96, 96, 96)
QR_SIZE = 30.0


@dataclass(frozen=True)
class CertificateLabels:
    """The certificate's fixed wording, already translated into its language."""

    heading: str  # "Certificate of completion"
    certifies: str  # "This certifies that"
    completed_course: str  # "has completed the course"
    completed_on: str
    valid_until: str
    course_version: str
    code: str  # "Verification code:"
    check_at: str  # "Check it at:"


@dataclass(frozen=True)
class CertificateContent:
    """Everything the certificate prints, ready to print: dates already formatted."""

    learner_name: str
    course_title: str
    course_version: str
    completed_on: str
    #: None: the certificate never expires
    valid_until: str | None
    code: str
    verify_url: str
    #: "" prints none
    company_name: str
    #: PNG or JPEG bytes (checked by elearn/branding.py); None prints none
    logo: bytes | None
    locale: str
    #: "ltr" or "rtl", the direction of the certificate's language
    direction: str
    labels: CertificateLabels


@dataclass(frozen=True)
class NotoFace:
    """A script's regular and bold font files, as paths below the font directory."""

    regular: str
    bold: str
    #: the face inside a .ttc collection
    collection_index: int = 0


#: script -> its Noto faces. Latin also prints digits, punctuation, the code and the address.
FONTS = {
    "latin": NotoFace("truetype/noto/NotoSerif-Regular.ttf", "truetype/noto/NotoSerif-Bold.ttf"),
    "arabic": NotoFace("truetype/noto/NotoNaskhArabic-Regular.ttf", "truetype/noto/NotoNaskhArabic-Bold.ttf"),
    "devanagari": NotoFace(
        "truetype/noto/NotoSerifDevanagari-Regular.ttf", "truetype/noto/NotoSerifDevanagari-Bold.ttf"
    ),
    # face 2 of the collection is Simplified Chinese
    "han": NotoFace("opentype/noto/NotoSerifCJK-Regular.ttc", "opentype/noto/NotoSerifCJK-Bold.ttc", 2),
}
#: code point ranges of the scripts beyond Latin: a font is loaded only when its script is
#: printed (parsing and subsetting the CJK font is most of the time a Chinese certificate takes)
SCRIPT_RANGES = {
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "devanagari": ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
    # CJK radicals, punctuation, kana and ideographs; compatibility ideographs; full-width forms
    "han": ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF)),
}


class FontsMissing(Exception):
    """The font files a certificate needs are not in the font directory."""

    def __init__(self, paths: list[Path]):
        super().__init__("fonts missing: " + ", ".join(str(p) for p in paths))
        self.paths = paths


def script_of(character: str) -> str:
    """The script of FONTS that prints this character."""
    code_point = ord(character)
    for script, ranges in SCRIPT_RANGES.items():
        if any(low <= code_point <= high for low, high in ranges):
            return script
    return "latin"


def scripts_in(texts: Iterable[str]) -> list[str]:
    """The scripts of FONTS these texts need, Latin always first."""
    found = {script_of(ch) for ch in set("".join(texts))}
    return ["latin"] + [script for script in SCRIPT_RANGES if script in found]


def family_for(text: str) -> str:
    """The font family to set for `text`: its first letter's script, the others filling in.
    (fpdf2 2.8 drops the next text on the page when a text starts with a fallback font's
    glyph, py-pdf/fpdf2 issue #1772; its first glyph from the family set avoids that.)"""
    first = text.lstrip()[:1]
    return script_of(first) if first else "latin"


def printed_texts(content: CertificateContent) -> list[str]:
    return [
        content.learner_name,
        content.course_title,
        content.course_version,
        content.completed_on,
        content.valid_until or "",
        content.company_name,
        *astuple(content.labels),
    ]


def load_fonts(pdf: FPDF, font_dir: Path, scripts: list[str]) -> None:
    """Adds each script's faces as a family named after the script; each fills in the
    characters the family set for a text lacks. FontsMissing names the absent files."""
    files = [font_dir / name for script in scripts for name in (FONTS[script].regular, FONTS[script].bold)]
    missing = [path for path in files if not path.is_file()]
    if missing:
        raise FontsMissing(missing)
    for script in scripts:
        face = FONTS[script]
        for style, name in (("", face.regular), ("B", face.bold)):
            pdf.add_font(script, style, font_dir / name, collection_font_number=face.collection_index)
    pdf.set_fallback_fonts(scripts)


class CertificatePage:
    """Drawing helpers on one fpdf2 page: centred lines, label-value pairs, the frame."""

    def __init__(self, pdf: FPDF, direction: str):
        self.pdf = pdf
        self.direction = direction

    def font(
        self,
        text: str,
        size: float,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        direction: str | None = None,
    ) -> None:
        """Sets the font for `text`. `direction`: the paragraph's base direction; None
        guesses it from the text (names, which may be in another script than the page)."""
        self.pdf.set_font(family_for(text), "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.set_text_shaping(use_shaping_engine=True, direction=direction)

    def centred(self, text: str, y: float, size: float, line_height: float, **font) -> float:
        """Prints `text` centred between the margins from `y`, wrapping; returns where it ends."""
        self.font(text, size, **font)
        self.pdf.set_xy(MARGIN, y)
        self.pdf.multi_cell(PAGE_WIDTH - 2 * MARGIN, line_height, text, align="C")
        return self.pdf.get_y()

    def fitted_size(self, text: str, width: float, largest: float, smallest: float) -> float:
        """The largest size from `largest` down to `smallest` at which `text` fits on one line."""
        size = largest
        while size > smallest:
            self.font(text, size, bold=True)
            if self.pdf.get_string_width(text) <= width:
                break
            size -= 2
        return size

    def facts(self, pairs: list[tuple[str, str]], y: float) -> None:
        """Label above value, side by side, in reading order (from the right in Arabic)."""
        if self.direction == "rtl":
            pairs = pairs[::-1]
        width = min(80.0, (PAGE_WIDTH - 2 * MARGIN) / len(pairs))
        start = (PAGE_WIDTH - width * len(pairs)) / 2
        for index, (label, value) in enumerate(pairs):
            x = start + index * width
            self.font(label, 9.5, colour=GREY, direction=self.direction)
            self.pdf.set_xy(x, y)
            self.pdf.cell(width, 6, label, align="C")
            self.font(value, 13, bold=True, direction=self.direction)
            self.pdf.set_xy(x, y + 6)
            self.pdf.cell(width, 7, value, align="C")

    def border(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*NAVY)
        pdf.set_line_width(1.4)
        pdf.rect(8, 8, PAGE_WIDTH - 16, PAGE_HEIGHT - 16)
        pdf.set_draw_color(*GOLD)
        pdf.set_line_width(0.5)
        pdf.rect(12, 12, PAGE_WIDTH - 24, PAGE_HEIGHT - 24)

    def rule(self, y: float, width: float) -> None:
        self.pdf.set_draw_color(*GOLD)
        self.pdf.set_line_width(0.4)
        self.pdf.line((PAGE_WIDTH - width) / 2, y, (PAGE_WIDTH + width) / 2, y)


def certificate_pdf(content: CertificateContent, font_dir: str | Path) -> bytes:
    """The certificate as PDF bytes; FontsMissing when the Noto fonts are not installed."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    # the only metadata: no learner's name in the document's properties
    pdf.set_title(content.course_title)
    pdf.set_lang(bcp47(content.locale))
    load_fonts(pdf, Path(font_dir), scripts_in(printed_texts(content)))
    pdf.add_page()
    page = CertificatePage(pdf, content.direction)
    page.border()
    labels, page_direction = content.labels, content.direction

    y = 20.0
    if content.logo:
        pdf.image(io.BytesIO(content.logo), x=(PAGE_WIDTH - 70) / 2, y=y, w=70, h=18, keep_aspect_ratio=True)
        y += 21
    if content.company_name:
        y = page.centred(content.company_name, y, 12, 6, colour=GREY) + 2
    y = max(y + 4, 32.0)
    y = page.centred(labels.heading, y, 28, 13, colour=NAVY, direction=page_direction)
    page.rule(y + 3, 60)
    y = page.centred(labels.certifies, y + 8, 13, 7, direction=page_direction)
    name_width = PAGE_WIDTH - 2 * MARGIN - 20
    size = page.fitted_size(content.learner_name, name_width, 34, 18)
    y = page.centred(content.learner_name, y + 3, size, size * 0.5, bold=True)
    page.rule(y + 2, min(name_width, max(90.0, pdf.get_string_width(content.learner_name) + 20)))
    y = page.centred(labels.completed_course, y + 6, 13, 7, direction=page_direction)
    y = page.centred(content.course_title, y + 2, 20, 9.5, bold=True, colour=NAVY, direction=page_direction)
    facts = [(labels.completed_on, content.completed_on)]
    if content.valid_until:
        facts.append((labels.valid_until, content.valid_until))
    facts.append((labels.course_version, content.course_version))
    page.facts(facts, max(y + 6, 132.0))

    # the check: the code and the address by the QR code, in the page's end corner
    qr_x = MARGIN if page_direction == "rtl" else PAGE_WIDTH - MARGIN - QR_SIZE
    qr_y = PAGE_HEIGHT - 18 - QR_SIZE
    qr_png = io.BytesIO()
    qr_code(content.verify_url).save(qr_png, kind="png", scale=10, border=2)
    pdf.image(qr_png, x=qr_x, y=qr_y, w=QR_SIZE, h=QR_SIZE)
    text_width = 150.0
    text_x = qr_x + QR_SIZE + 4 if page_direction == "rtl" else qr_x - 4 - text_width
    align = "L" if page_direction == "rtl" else "R"
    lines = (
        (labels.code, 9.5, False, GREY, page_direction, 5.0),
        (content.code, 14, True, NAVY, "ltr", 8.0),
        (labels.check_at, 9.5, False, GREY, page_direction, 5.0),
        (content.verify_url, 9.5, False, INK, "ltr", 5.0),
    )
    y = qr_y + 1
    for text, size, bold, colour, direction, height in lines:
        page.font(text, size, bold=bold, colour=colour, direction=direction)
        pdf.set_xy(text_x, y)
        pdf.cell(text_width, height, text, align=align)
        y += height + 0.5
    return bytes(pdf.output())
