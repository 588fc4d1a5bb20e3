"""Immutable objects the content loader builds from the files under content/.

Ids are stable across languages (Kolibri's rule): user state in the database refers
to course, module and question ids, never to file paths or rendered text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

QUESTION_TYPES = ("single", "multiple", "true_false")
TRUE_FALSE_OPTION_IDS = ("true", "false")

#: the region of every country content/regions.yaml does not map
DEFAULT_REGION = "global"

#: A regional module's "How to report a concern" part starts with this paragraph; the
#: page puts the emergency numbers of the learner's country there, per request, so one
#: rendered module serves every country of its region.
EMERGENCY_SLOT = "<p>[[emergency-numbers]]</p>"
EMERGENCY_SERVICES = ("all", "police", "ambulance", "fire")


def locale_fallback(requested: str, available: Iterable[str], default: str) -> str:
    """The one locale fallback for content: the requested locale (es_MX) if available,
    else one of its language (es), else the default."""
    available = tuple(available)
    if requested in available:
        return requested
    language = requested.replace("-", "_").split("_")[0]
    return next((locale for locale in available if locale.split("_")[0] == language), default)


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str  #: single | multiple | true_false
    text: str
    options: tuple[Option, ...]  #: true_false questions get ids "true" and "false"
    answer: frozenset[str]  #: ids of the correct options
    explanation: str  #: the full explanation; may state the answer
    module: str | None = None  #: the id of the module the question tests (quiz pools)
    hint: str = ""  #: points back to the module without giving the answer away

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Quiz:
    locale: str
    shuffle: bool
    questions: tuple[Question, ...]
    source_hash: str | None = None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class QuizRules:
    """How a course's quiz is drawn and retaken (course.yaml `quiz:`)."""

    #: questions drawn per attempt from each module's part of the pool; None: all
    draw_per_module: int | None = None
    #: module id -> how many to draw from it, where it differs from draw_per_module
    draw_by_module: tuple[tuple[str, int], ...] = ()
    #: failed attempts in a row before a cool-down; None: no limit
    max_attempts: int | None = None
    cooldown_hours: int = 24
    #: "pass": the right answers and full explanations after a passed attempt only;
    #: "never": only which answers were wrong, with hints
    answers_after: str = "pass"

    def reveals_answers(self, passed: bool) -> bool:
        """Right answers and full explanations: after a passed attempt, unless never."""
        return passed and self.answers_after == "pass"

    def draw_count(self, module_id: str) -> int | None:
        return dict(self.draw_by_module).get(module_id, self.draw_per_module)


@dataclass(frozen=True)
class Statement:
    """A statement a learner confirms (content/attestations.yaml). A record keeps its id,
    the locale and the hash of the exact text shown."""

    id: str
    texts: dict[str, str]  #: locale -> text

    def locale_for(self, requested: str) -> str:
        return locale_fallback(requested, self.texts, "en")

    def text_in(self, locale: str) -> str:
        return self.texts[self.locale_for(locale)]

    def hash_in(self, locale: str) -> str:
        return hashlib.sha256(self.text_in(locale).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Module:
    id: str  #: the file's slug, the same in every locale
    order: int
    locale: str
    title: str
    minutes: int
    html: str  #: sanitised, rendered once at load time (without the emergency slot)
    region: str | None = None  #: set on regional modules
    check: Question | None = None  #: a regional module's unscored check question
    source_hash: str | None = None
    #: the HTML before and after the emergency slot; (html,) when the module has none
    html_parts: tuple[str, ...] = ()

    @property
    def has_emergency_slot(self) -> bool:
        return len(self.html_parts) == 2


@dataclass(frozen=True)
class Helpline:
    name: str
    source: str
    confidence: str
    run_by: str | None = None
    phone: str | None = None
    sms: str | None = None
    url: str | None = None
    hours: str | None = None
    languages: str | None = None
    anonymous: bool | None = None


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    service: str  #: one of EMERGENCY_SERVICES ("all": one number for every emergency)
    source: str


@dataclass(frozen=True)
class CourseView:
    """What one learner sees of a course: one locale, one region, modules in order."""

    course: Course
    locale: str  #: the locale the content is served in
    requested_locale: str
    region: str
    modules: tuple[Module, ...]
    quiz: Quiz

    @property
    def fell_back(self) -> bool:
        return self.locale != self.requested_locale

    @property
    def module_ids(self) -> frozenset[str]:
        """What a learner must acknowledge to complete the course in this view."""
        return frozenset(m.id for m in self.modules)

    @property
    def title(self) -> str:
        return self.course.title_in(self.locale)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def neighbours(self, module_id: str) -> tuple[Module | None, Module | None]:
        ids = [m.id for m in self.modules]
        i = ids.index(module_id)
        prev = self.modules[i - 1] if i > 0 else None
        nxt = self.modules[i + 1] if i + 1 < len(ids) else None
        return prev, nxt


@dataclass
class Course:
    id: str
    version: str
    default_locale: str
    locales: tuple[str, ...]
    pass_mark: int
    recertify_months: int | None
    retrain_on_major: bool
    audience_everyone: bool
    audience_departments: tuple[str, ...]
    #: people named as someone's manager in the HR feed
    audience_managers: bool
    regional_after: str | None
    titles: dict[str, str]
    descriptions: dict[str, str]
    #: locale -> modules in order (without regional modules)
    modules: dict[str, tuple[Module, ...]] = field(default_factory=dict)
    #: region -> locale -> regional modules in order
    regional: dict[str, dict[str, tuple[Module, ...]]] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    #: locale -> the package-only pool a standalone SCORM package carries (it holds its
    #: own answer key); empty when the course has none
    package_quizzes: dict[str, Quiz] = field(default_factory=dict)
    quiz_rules: QuizRules = field(default_factory=QuizRules)
    #: the statement confirmed on each module, and the one that completes the course
    #: (content/attestations.yaml ids); None: a plain acknowledgement, no final statement
    module_statement: Statement | None = None
    final_statement: Statement | None = None
    _views: dict[tuple[str, str], CourseView] = field(default_factory=dict, repr=False)

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def answer_key(self) -> Quiz:
        """The source-locale quiz: the one key every locale is scored against."""
        return self.quizzes[self.default_locale]

    def title_in(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles[self.default_locale]

    def description_in(self, locale: str) -> str:
        return self.descriptions.get(locale) or self.descriptions.get(self.default_locale, "")

    def content_locale(self, requested: str) -> str:
        """learner locale (es_MX) -> its language (es) -> the course default."""
        return locale_fallback(requested, self.locales, self.default_locale)

    def region_used(self, region: str) -> str:
        if not self.regional:
            return region
        return region if region in self.regional else DEFAULT_REGION

    def view(self, requested_locale: str, region: str) -> CourseView:
        """Views are built once per (locale, region) and reused: never per request."""
        key = (requested_locale, region)
        view = self._views.get(key)
        if view is None:
            view = self._build_view(requested_locale, region)
            self._views[key] = view
        return view

    def _build_view(self, requested_locale: str, region: str) -> CourseView:
        locale = self.content_locale(requested_locale)
        region = self.region_used(region)
        modules = list(self.modules[locale])
        if self.regional:
            extra = self.regional.get(region, {}).get(locale, ())
            at = len(modules)
            if self.regional_after:
                at = next(i + 1 for i, m in enumerate(modules) if m.id == self.regional_after)
            modules[at:at] = extra
        return CourseView(self, locale, requested_locale, region, tuple(modules), self.quizzes[locale])
