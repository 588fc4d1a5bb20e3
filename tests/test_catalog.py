"""The content loader: layout, locale fallback, region lookup, rules and staleness."""

import shutil

import pytest
from click.testing import CliRunner

from elearn.catalog import load_catalog
from elearn.catalog.render import render_markdown
from elearn.command import main

from .conftest import FIXTURE_CONTENT


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def check(content_dir):
    return CliRunner().invoke(main, ["content", "check", "--content-dir", str(content_dir)])


def test_fixture_content_is_clean():
    catalog = load_catalog(FIXTURE_CONTENT)
    assert catalog.problems == []
    assert set(catalog.courses) == {"demo_course"}


def test_hindi_learner_in_uae_gets_hindi_with_arab_states_module():
    catalog = load_catalog(FIXTURE_CONTENT)
    view = catalog.courses["demo_course"].view("hi", catalog.region_for("AE"))
    assert view.locale == "hi" and view.region == "arab_states" and not view.fell_back
    assert [m.id for m in view.modules] == ["basics", "signs", "risks"]
    assert "कफ़ाला" in view.modules[2].html
    assert view.modules[2].check is not None and view.modules[2].check.answer == {"false"}


def test_locale_falls_back_from_region_tag_to_language_to_default():
    course = load_catalog(FIXTURE_CONTENT).courses["demo_course"]
    assert course.content_locale("hi_IN") == "hi"
    assert course.content_locale("ar-JO") == "ar"
    assert course.content_locale("fr") == "en"
    view = course.view("fr", "global")
    assert view.fell_back and view.locale == "en"


def test_unlisted_country_is_global_and_has_no_regional_module_here():
    catalog = load_catalog(FIXTURE_CONTENT)
    assert catalog.region_for("KE") == "global"
    assert catalog.region_for("ZZ") == "global"
    assert catalog.region_for(None) == "global"
    view = catalog.courses["demo_course"].view("en", catalog.region_for("US"))
    assert [m.id for m in view.modules] == ["basics", "signs"]


def test_views_are_built_once_and_reused():
    course = load_catalog(FIXTURE_CONTENT).courses["demo_course"]
    assert course.view("ar", "arab_states") is course.view("ar", "arab_states")


def test_markdown_is_sanitised():
    html = render_markdown("Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_content_check_passes_on_clean_fixture():
    result = check(FIXTURE_CONTENT)
    assert result.exit_code == 0, result.output


def test_content_check_fails_on_missing_translation(content_copy):
    (content_copy / "demo_course" / "hi" / "02-signs.md").unlink()
    result = check(content_copy)
    assert result.exit_code == 1
    assert "hi/02-signs.md:1: error: missing translation" in result.output


def test_content_check_fails_on_bad_answer_key_with_line(content_copy):
    quiz = content_copy / "demo_course" / "en" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("answer: [b]", "answer: [z]"))
    result = check(content_copy)
    assert result.exit_code == 1
    assert "en/quiz.yaml:3: error: question 'passport': answer names unknown option(s) z" in result.output


def test_content_check_fails_on_stale_translation(content_copy):
    source = content_copy / "demo_course" / "en" / "02-signs.md"
    source.write_text(source.read_text() + "\nOne more sentence.\n")
    result = check(content_copy)
    assert result.exit_code == 1
    assert "ar/02-signs.md:2: stale: stale translation: 02-signs.md changed" in result.output
    assert "hi/02-signs.md:2: stale" in result.output
    # A stale translation is still served: it is the best the learner's language has.
    catalog = load_catalog(content_copy)
    view = catalog.courses["demo_course"].view("hi", "global")
    assert view.module("signs").locale == "hi"


def test_translated_answer_that_differs_from_source_is_an_error(content_copy):
    quiz = content_copy / "demo_course" / "ar" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("- b\n", "- a\n", 1))
    result = check(content_copy)
    assert result.exit_code == 1
    assert "answer differs from the source" in result.output


def test_front_matter_errors_name_file_and_line(content_copy):
    module = content_copy / "demo_course" / "en" / "01-basics.md"
    module.write_text("---\ntitle: The basics\nminutes: [oops\n---\nBody\n")
    result = check(content_copy)
    assert result.exit_code == 1
    assert "en/01-basics.md:" in result.output and "invalid YAML" in result.output


def test_content_status_reports_missing_and_exits_nonzero(content_copy):
    (content_copy / "demo_course" / "ar" / "quiz.yaml").unlink()
    result = CliRunner().invoke(main, ["content", "status", "--content-dir", str(content_copy)])
    assert result.exit_code == 1
    line = next(row for row in result.output.splitlines() if row.split()[:2] == ["demo_course", "ar"])
    assert line.split()[-2:] == ["1", "0"]


def tag_fixture_quiz(content_copy, modules, hints=True):
    """Give the fixture's English quiz questions these module tags (and hints)."""
    quiz = content_copy / "demo_course" / "en" / "quiz.yaml"
    text = quiz.read_text()
    for qid, module in zip(("passport", "signs", "fees"), modules, strict=True):
        extra = f"    module: {module}\n" + ("    hint: Read the module again.\n" if hints else "")
        text = text.replace(f"  - id: {qid}\n", f"  - id: {qid}\n{extra}")
    quiz.write_text(text)


def test_a_quiz_pool_needs_known_modules_hints_and_enough_questions_per_module(content_copy):
    tag_fixture_quiz(content_copy, ["basics", "basics", "nowhere"], hints=False)
    output = check(content_copy).output
    assert "question 'fees' names unknown module 'nowhere'" in output
    assert "question 'passport' needs a hint and an explanation" in output
    assert "module 'basics' has 2 question(s); a pool needs 3" in output
    assert "module 'signs' has 0 question(s); a pool needs 3" in output


def test_a_translation_keeps_the_module_of_each_question(content_copy):
    tag_fixture_quiz(content_copy, ["basics", "signs", "signs"])
    translated = content_copy / "demo_course" / "hi" / "quiz.yaml"
    text = translated.read_text().replace("  - id: passport\n", "  - id: passport\n    module: signs\n")
    translated.write_text(text)
    assert "question 'passport': module differs from the source" in check(content_copy).output


def test_an_option_cut_short_by_an_unquoted_comma_is_an_error(content_copy):
    quiz = content_copy / "demo_course" / "en" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("{id: b, text: Report it}", "{id: b, text: Report it, not even a call}"))
    assert "question 'passport': option b has keys other than id and text" in check(content_copy).output


def test_content_check_warns_when_the_right_option_is_usually_the_longest(content_copy):
    clean = check(content_copy)
    assert clean.exit_code == 0 and "guessing cue" not in clean.output
    # the Hindi quiz's only single-answer question: its right option made the longest
    quiz = content_copy / "demo_course" / "hi" / "quiz.yaml"
    quiz.write_text(quiz.read_text().replace("text: इसकी रिपोर्ट करें", "text: तुरंत कंपनी को इसकी रिपोर्ट करें, देर न करें"))
    result = check(content_copy)
    assert "hi/quiz.yaml:1: warning: the right option is the longest in 1 of 1 single-answer questions" in result.output
    assert result.exit_code == 0  # a warning: reported, not failing
    assert [p.kind for p in load_catalog(content_copy).problems] == ["warning"]
