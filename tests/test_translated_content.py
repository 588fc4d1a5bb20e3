"""Translations of the shipped courses: complete, fresh, and every figure kept."""

import re
import shutil
from pathlib import Path

import pytest

from elearn.catalog import load_catalog

CONTENT = Path(__file__).resolve().parents[1] / "content"
NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९", "0123456789" * 3)
# Digits joined by . , ' or - (27.6, 27,6, 1-888-373-7888), or by a space before a
# group of three (French 1 500); "Law360, 2021" stays two numbers.
NUMBER = re.compile(r"\d+(?:(?:[.,’'-]|[\u00a0\u202f\u2009 ](?=\d{3}\b))\d+)*")
SCALE_AFTER = re.compile(r"\s*(million|billion)", re.I)
SCALES = {"million": 1e6, "billion": 1e9}
PM = re.compile(r"\s*p\.m\.")  # 4 p.m. may become 16 h
# Other ways of writing a large number: 万 and 亿 (Chinese), lakh and crore (Hindi).
UNITS = (1e4, 1e8, 1e5, 1e7)


def digits(token: str) -> str:
    return re.sub(r"\D", "", token)


def english_figures(text: str) -> list[tuple[str, set[str]]]:
    """Each figure of the English text with the digit strings a translation may use for it."""
    figures = []
    for match in NUMBER.finditer(text):
        token = match.group().strip(" -.,")
        accepted = {digits(token)}
        scale = SCALE_AFTER.match(text, match.end())
        if scale and re.fullmatch(r"\d+(\.\d+)?", token):
            value = float(token) * SCALES[scale.group(1).lower()]
            accepted |= {digits(f"{value / unit:.2f}".rstrip("0").rstrip(".")) for unit in UNITS}
        if PM.match(text, match.end()) and token.isdigit() and int(token) < 12:
            accepted.add(str(int(token) + 12))
        figures.append((token, accepted))
    return figures


def figures_in(text: str) -> set[str]:
    return {digits(m.group()) for m in NUMBER.finditer(text.translate(NATIVE_DIGITS))}


def strip_front_matter_hash(text: str) -> str:
    """Without the source hash and YAML comment lines (notes to translators, never shown)."""
    return re.sub(r"^(source_hash:.*|\s*#(?!#).*)$", "", text, flags=re.M)


def translation_pairs():
    pairs = []
    for source in (
        sorted(CONTENT.glob("*/en/*.md"))
        + sorted(CONTENT.glob("*/regions/*/en/*.md"))
        + sorted(CONTENT.glob("*/en/quiz.yaml"))
    ):
        for target in sorted(source.parent.parent.glob(f"*/{source.name}")):
            if target.parent.name != "en":
                pairs.append(pytest.param(source, target, id=str(target.relative_to(CONTENT))))
    return pairs


@pytest.mark.parametrize("source,target", translation_pairs())
def test_every_figure_year_and_phone_number_survives(source, target):
    translated = figures_in(strip_front_matter_hash(target.read_text(encoding="utf-8")))
    missing = [
        token
        for token, accepted in english_figures(strip_front_matter_hash(source.read_text(encoding="utf-8")))
        if not accepted & translated
    ]
    assert missing == []


def test_number_normalisation_handles_native_digits_and_separators():
    assert figures_in("٢٧٫٦ مليون و १८८८ و 27,6 millions et 1 500") >= {"276", "1888", "1500"}
    ((token, accepted),) = english_figures("27.6 million")
    assert {"276", "2760"} <= accepted  # 27,6 millions or 2760万


def test_shipped_translations_are_complete_and_fresh():
    catalog = load_catalog(CONTENT)
    assert [str(p) for p in catalog.problems] == []


def test_changing_one_english_module_makes_exactly_its_translations_stale(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    course = load_catalog(copy).courses["forced_labor"]
    source = copy / "forced_labor" / "en" / "03-indicators.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    catalog = load_catalog(copy)
    stale = sorted(str(p.path.relative_to(copy)) for p in catalog.stale)
    others = [loc for loc in course.locales if loc != "en"]
    assert stale == sorted(f"forced_labor/{loc}/03-indicators.md" for loc in others)
    assert len(others) == 6
    for locale in others:  # still served: the best the learner's language has
        view = catalog.courses["forced_labor"].view(locale, "global")
        assert view.module("indicators").locale == locale
