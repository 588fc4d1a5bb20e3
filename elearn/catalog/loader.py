"""content/ files -> Catalog. The only code that knows the layout of content/.

Everything is parsed, checked and rendered once at load time; the web app keeps the
Catalog for its lifetime and never renders Markdown on a request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .assessment import (
    check_draw,
    check_longest_answers,
    check_pool,
    load_statements,
    named_statement,
    parse_quiz_rules,
)
from .concern_categories import ConcernCategory, load_categories
from .model import (
    DEFAULT_REGION,
    EMERGENCY_SLOT,
    Course,
    EmergencyNumber,
    Helpline,
    Module,
    Quiz,
    Statement,
    locale_fallback,
)
from .places import load_emergency, load_helplines, load_regions
from .questions import parse_question, same_check
from .render import render_markdown
from .yamlfile import ContentError, Problem, file_hash, read_yaml, require, split_front_matter

#: the package-only question pool of a locale (standalone SCORM packages)
PACKAGE_QUIZ_FILE = "package_quiz.yaml"
_MODULE_FILE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)\.md$")
T = TypeVar("T")


@dataclass
class Catalog:
    root: Path
    courses: dict[str, Course] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)  #: country -> region
    #: region id -> locale -> its name, in the order of content/regions.yaml
    region_names: dict[str, dict[str, str]] = field(default_factory=dict)
    helplines: dict[str, tuple[Helpline, ...]] = field(default_factory=dict)
    emergency: dict[str, tuple[EmergencyNumber, ...]] = field(default_factory=dict)
    embassy_advice: set[str] = field(default_factory=set)  #: countries where the embassy can help
    concern_categories: dict[str, ConcernCategory] = field(default_factory=dict)  #: in the form's order
    statements: dict[str, Statement] = field(default_factory=dict)  #: content/attestations.yaml
    problems: list[Problem] = field(default_factory=list)

    def region_for(self, country: str | None) -> str:
        """The one region lookup: ISO 3166-1 alpha-2 country -> region."""
        return self.regions.get((country or "").upper(), DEFAULT_REGION)

    @property
    def default_region(self) -> str:
        """The region of every country the map does not name (and of no country)."""
        return DEFAULT_REGION

    @property
    def region_ids(self) -> tuple[str, ...]:
        return tuple(self.region_names) or (DEFAULT_REGION,)

    def countries_in(self, regions: Container[str]) -> set[str]:
        """The mapped countries of these regions (the default region also holds every
        unmapped code: Catalog.region_for)."""
        return {country for country, region in self.regions.items() if region in regions}

    def region_name(self, region: str, locale: str) -> str:
        """The region's name in the locale, its language, or English; else its id."""
        names = self.region_names.get(region)
        return names[locale_fallback(locale, names, "en")] if names else region

    def helplines_for(self, country: str | None) -> tuple[Helpline, ...]:
        return self.helplines.get((country or "").upper(), ())

    def emergency_for(self, country: str | None) -> tuple[EmergencyNumber, ...]:
        return self.emergency.get((country or "").upper(), ())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "warning"]

    @property
    def stale(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "stale"]


def load_catalog(root: str | Path) -> Catalog:
    root = Path(root)
    catalog = Catalog(root=root)
    problems = catalog.problems
    region_map = _guard(problems, lambda: load_regions(root / "regions.yaml"))
    if region_map is not None:
        catalog.region_names.update(region_map[0])
        catalog.regions.update(region_map[1])
    _guard(problems, lambda: catalog.helplines.update(load_helplines(root / "helplines.yaml")))
    emergency = _guard(problems, lambda: load_emergency(root / "emergency.yaml")) or ({}, set())
    catalog.emergency, catalog.embassy_advice = emergency
    _guard(problems, lambda: catalog.concern_categories.update(load_categories(root / "concern_categories.yaml")))
    _guard(problems, lambda: catalog.statements.update(load_statements(root / "attestations.yaml")))
    for course_yaml in sorted(root.glob("*/course.yaml")):
        course = _guard(problems, partial(_load_course, course_yaml, catalog, problems))
        if course is not None:
            catalog.courses[course.id] = course
    return catalog


def _guard(problems: list[Problem], action: Callable[[], T]) -> T | None:
    try:
        return action()
    except ContentError as exc:
        problems.append(Problem(exc.path, exc.line, exc.message))
        return None


def _load_course(path: Path, catalog: Catalog, problems: list[Problem]) -> Course:
    data = read_yaml(path)
    course_id = require(data, "id", path, str)
    if course_id != path.parent.name:
        raise ContentError(path, data.line, f"id '{course_id}' differs from folder '{path.parent.name}'")
    default = require(data, "default_locale", path, str)
    locales = tuple(require(data, "locales", path, list))
    if default not in locales:
        raise ContentError(path, data.line, "default_locale must be one of locales")
    audience = data.get("audience") or {"everyone": True}
    titles = require(data, "title", path, dict)
    for locale in locales:
        if locale not in titles:
            problems.append(Problem(path, titles.line, f"title missing for locale {locale}"))
    course = Course(
        id=course_id,
        version=str(require(data, "version", path)),
        default_locale=default,
        locales=locales,
        pass_mark=int(data.get("pass_mark", 80)),
        recertify_months=data.get("recertify_months"),
        retrain_on_major=bool(data.get("retrain_on_major", False)),
        audience_everyone=bool(audience.get("everyone", False)),
        audience_departments=tuple(audience.get("departments") or ()),
        audience_managers=bool(audience.get("managers", False)),
        regional_after=data.get("regional_after"),
        titles=dict(titles),
        descriptions=dict(data.get("description") or {}),
        quiz_rules=parse_quiz_rules(data.get("quiz"), path),
        module_statement=named_statement(data, "module_statement", catalog.statements, path),
        final_statement=named_statement(data, "final_statement", catalog.statements, path),
    )
    folder = path.parent
    source_modules = _load_modules(folder / default, default, None, None, problems)
    if not source_modules:
        raise ContentError(path, 1, f"no modules in {folder / default}")
    course.modules[default] = source_modules
    course.quizzes[default] = _load_quiz(folder / default / "quiz.yaml", default, None, problems)
    check_pool(course.quizzes[default], source_modules, folder / default / "quiz.yaml", problems)
    for problem in check_draw(course.quiz_rules, course.quizzes[default].questions, [m.id for m in source_modules]):
        problems.append(Problem(path, data.line, problem))
    for locale in locales:
        if locale == default:
            continue
        course.modules[locale] = _load_translations(folder, default, locale, source_modules, None, problems)
        course.quizzes[locale] = _load_quiz(folder / locale / "quiz.yaml", locale, course.quizzes[default], problems)
    for locale, quiz in course.quizzes.items():
        if quiz.locale == locale:  # not a missing translation standing in with the source
            check_longest_answers(quiz, folder / locale / "quiz.yaml", problems)
    _load_package_quizzes(course, folder, problems)
    _load_regional(course, folder / "regions", catalog.region_ids, problems)
    if course.regional_after and course.regional_after not in {m.id for m in source_modules}:
        problems.append(Problem(path, data.line, f"regional_after names unknown module '{course.regional_after}'"))
        course.regional_after = None
    return course


def _module_files(folder: Path) -> list[tuple[int, str, Path]]:
    found = []
    for file in sorted(folder.glob("*.md")):
        match = _MODULE_FILE.match(file.name)
        if match:
            found.append((int(match.group(1)), match.group(2), file))
    return found


def _load_modules(
    folder: Path, locale: str, region: str | None, sources: dict[str, Path] | None, problems: list[Problem]
) -> tuple[Module, ...]:
    modules = []
    for order, slug, file in _module_files(folder):
        source = sources.get(slug) if sources is not None else None
        module = _guard(problems, partial(_parse_module, file, order, slug, locale, region, source, problems))
        if module is not None:
            modules.append(module)
    return tuple(modules)


def _parse_module(
    file: Path,
    order: int,
    slug: str,
    locale: str,
    region: str | None,
    source_file: Path | None,
    problems: list[Problem],
) -> Module:
    meta, body, body_line = split_front_matter(file.read_text(encoding="utf-8"), file)
    title = require(meta, "title", file, str)
    minutes = require(meta, "minutes", file, int)
    check = None
    if "check" in meta:
        check = parse_question(meta["check"], file, source=None, default_id="check")
    source_hash = meta.get("source_hash")
    if source_file is not None:
        _check_fresh(file, meta, source_file, problems)
    try:
        html = render_markdown(body)
    except Exception as exc:  # Markdown should never fail; report it if it does
        raise ContentError(file, body_line, f"Markdown does not render: {exc}") from exc
    parts = tuple(html.split(EMERGENCY_SLOT))
    if region is not None and len(parts) != 2:
        raise ContentError(
            file,
            body_line,
            "a regional module needs the paragraph [[emergency-numbers]] exactly once, "
            "at the start of its part on how to report",
        )
    if region is None and len(parts) != 1:
        raise ContentError(file, body_line, "only a regional module has the paragraph [[emergency-numbers]]")
    return Module(
        id=slug,
        order=order,
        locale=locale,
        title=title,
        minutes=minutes,
        html="".join(parts),
        region=region,
        check=check,
        source_hash=source_hash,
        html_parts=parts,
    )


def _check_fresh(file: Path, meta: dict[str, Any], source_file: Path, problems: list[Problem]) -> None:
    recorded = meta.get("source_hash")
    if recorded != file_hash(source_file):
        why = "no source_hash" if not recorded else f"{source_file.name} changed since translation"
        problems.append(Problem(file, getattr(meta, "line", 1), f"stale translation: {why}", "stale"))


def _load_translations(
    folder: Path,
    default: str,
    locale: str,
    source_modules: tuple[Module, ...],
    region: str | None,
    problems: list[Problem],
) -> tuple[Module, ...]:
    source_dir = folder / default
    sources = {slug: f for _, slug, f in _module_files(source_dir)}
    modules = _load_modules(folder / locale, locale, region, sources, problems)
    have = {m.id for m in modules}
    by_id = {m.id: m for m in modules}
    for module in source_modules:
        if module.id not in have:
            expected = folder / locale / sources[module.id].name
            problems.append(Problem(expected, 1, f"missing translation of {sources[module.id]}"))
    source_by_id = {m.id: m for m in source_modules}
    for module in modules:
        if module.id in source_by_id and not same_check(module.check, source_by_id[module.id].check):
            problems.append(
                Problem(
                    folder / locale / sources[module.id].name,
                    2,
                    "check question: type, option ids or answer differ from the source",
                )
            )
        if module.id not in sources:
            problems.append(Problem(folder / locale, 1, f"module '{module.id}' has no source in {default}"))
    # Serve the source module where a translation is missing, so a gap never breaks a page.
    return tuple(by_id.get(m.id, m) for m in source_modules)


def _load_package_quizzes(course: Course, folder: Path, problems: list[Problem]) -> None:
    """The optional package-only pool (PACKAGE_QUIZ_FILE): a standalone SCORM package
    carries its answer key, so it shares no question with the server's pool."""
    default = course.default_locale
    source_path = folder / default / PACKAGE_QUIZ_FILE
    if not source_path.exists():
        return
    source = _guard(problems, partial(_load_quiz, source_path, default, None, problems))
    if source is None:
        return
    check_pool(source, course.modules[default], source_path, problems, per_module=1)
    server = course.quizzes[default]
    server_ids, server_texts = {q.id for q in server.questions}, {q.text for q in server.questions}
    for question in source.questions:
        if question.id in server_ids or question.text in server_texts:
            problems.append(Problem(source_path, 1, f"question '{question.id}' is also in quiz.yaml"))
    course.package_quizzes[default] = source
    for locale in course.locales:
        if locale != default:
            course.package_quizzes[locale] = _load_quiz(folder / locale / PACKAGE_QUIZ_FILE, locale, source, problems)


def _load_quiz(path: Path, locale: str, source: Quiz | None, problems: list[Problem]) -> Quiz:
    if not path.exists():
        problems.append(Problem(path, 1, f"missing {path.name}"))
        if source is None:
            raise ContentError(path, 1, "the default locale must have a quiz")
        return source
    try:
        data = read_yaml(path)
        questions_data = require(data, "questions", path, list)
        questions = []
        seen = set()
        for item in questions_data:
            question = parse_question(item, path, source=source)
            if question.id in seen:
                raise ContentError(path, item.line, f"duplicate question id '{question.id}'")
            seen.add(question.id)
            questions.append(question)
    except ContentError as exc:
        problems.append(Problem(exc.path, exc.line, exc.message))
        if source is None:
            raise
        return source
    if source is not None:
        missing = [q.id for q in source.questions if q.id not in seen]
        if missing:
            problems.append(Problem(path, data.line, f"questions missing: {', '.join(missing)}"))
            return source
        source_path = path.parent.parent / source.locale / path.name
        _check_fresh(path, data, source_path, problems)
    return Quiz(
        locale=locale,
        shuffle=bool(data.get("shuffle", False)),
        questions=tuple(questions),
        source_hash=data.get("source_hash"),
    )


def _load_regional(course: Course, folder: Path, regions: tuple[str, ...], problems: list[Problem]) -> None:
    if not folder.is_dir():
        return
    for region_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        region = region_dir.name
        if region not in regions:
            problems.append(Problem(region_dir, 1, f"unknown region '{region}' (content/regions.yaml)"))
            continue
        default = course.default_locale
        source = _load_modules(region_dir / default, default, region, None, problems)
        by_locale = {default: source}
        for locale in course.locales:
            if locale != default:
                by_locale[locale] = _load_translations(region_dir, default, locale, source, region, problems)
        course.regional[region] = by_locale
    names = {r: {m.id for m in mods[course.default_locale]} for r, mods in course.regional.items()}
    expected = set().union(*names.values()) if names else set()
    for region, ids in names.items():
        for missing in sorted(expected - ids):
            problems.append(
                Problem(
                    folder / region / course.default_locale,
                    1,
                    f"regional module '{missing}' missing in region {region}",
                )
            )
