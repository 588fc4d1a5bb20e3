"""Interface catalogs: complete in every language, no fuzzy entries (msgfmt's own count)."""

import re
import subprocess
from pathlib import Path

import pytest

from elearn.i18n import LOCALES

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_catalog_is_complete_without_fuzzy_entries(locale):
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    stats = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", stats), stats


def test_catalogs_match_the_template():
    """Every msgid in the code is in the template, so a new string cannot skip translation."""
    from babel.messages.pofile import read_po

    template = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    for locale in LOCALES:
        catalog = read_po((TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb"))
        assert template - {m.id for m in catalog if m.id} == set(), locale


def test_template_is_up_to_date_with_the_code(tmp_path):
    """Run the extraction: a string added to the code but not to the catalogs fails here."""
    import sys

    from babel.messages.pofile import read_po

    root = TRANSLATIONS.parent
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(out),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    committed = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    assert fresh - committed == set(), "run `elearn translate update` and translate the new strings"
