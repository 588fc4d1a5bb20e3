"""Item analysis: for each quiz question, the share of answers that were right, overall,
by locale and by region, flagging a locale or region far below the question's overall
share (usually a translation or a regional-context problem).

Which attempts count: the first attempt of each assignment cycle. After a failed attempt
the learner sees which answers were wrong and may retake until passing, so later attempts
measure memory of that feedback more than how clearly the question reads, and counting
them would weigh each person by their number of tries. Whether an answer is right is
training/scoring.py's rule, called here, never restated.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import Text, cast, exists, func, select, true
from sqlalchemy.orm import aliased

from ..auth.grants import Scope
from ..catalog import Catalog, Course
from ..extensions import db
from ..models import Assignment, QuizAttempt, User
from ..training.scoring import answered_right
from .reports import _date, _start

#: A cell with fewer answers is shown as "too few answers" and never flagged: with 9
#: answers one learner moves the share by 11 points, so a 20-point gap is chance.
MIN_ANSWERS = 10
#: how far (in percentage points) below the question's overall share a cell is flagged
FLAG_POINTS = 20
#: counted answers fetched per round trip: memory stays flat however many there are
BATCH = 2000
CACHE = "elearn_item_analysis"
#: results kept at most (filter and scope combinations)
CACHE_SIZE = 128


@dataclass
class Tally:
    answered: int = 0
    right: int = 0

    @property
    def share(self) -> float:
        return self.right / self.answered if self.answered else 0.0

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_ANSWERS


@dataclass
class ItemRow:
    question_id: str
    overall: Tally = field(default_factory=Tally)
    by_locale: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_region: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def flagged(self, cell: Tally | None) -> bool:
        """More than FLAG_POINTS below the overall share, on enough answers (in
        integers: cell.right/cell.answered < overall.right/overall.answered - 20/100)."""
        if cell is None or not cell.enough:
            return False
        overall = self.overall
        return cell.right * 100 * overall.answered < (overall.right * 100 - FLAG_POINTS * overall.answered) * (
            cell.answered
        )

    @property
    def flags(self) -> int:
        cells = [*self.by_locale.values(), *self.by_region.values()]
        return sum(self.flagged(cell) for cell in cells)


@dataclass(frozen=True)
class ItemAnalysis:
    rows: tuple[ItemRow, ...]
    #: the columns: locales and regions that have answers, in the course's and catalog's order
    locales: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class ItemFilters:
    course: str | None = None
    version: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    #: what the admin asked for that could not be used: "course", "submitted_from", ...
    rejected: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args, catalog: Catalog) -> ItemFilters:
        """Unknown values are rejected (and named, for the page to say so), never passed on."""
        rejected = []
        course = (args.get("course") or "").strip()
        if course and course not in catalog.courses:
            rejected.append("course")
        dates = {}
        for name in ("submitted_from", "submitted_to"):
            dates[name] = _date(args.get(name))
            if args.get(name) and dates[name] is None:
                rejected.append(name)
        return cls(
            course=course if course in catalog.courses else None,
            version=(args.get("version") or "").strip()[:32] or None,
            rejected=tuple(rejected),
            **dates,
        )

    def cache_key(self) -> Hashable:
        return (self.course, self.version, self.submitted_from, self.submitted_to)


def first_attempts(filters: ItemFilters, scope_clause=None):
    """Each cycle's first attempt at the course, in the admin's scope (the people of the
    cycles, as in the completion report), within the filters."""
    earlier = aliased(QuizAttempt)
    query = (
        select(QuizAttempt)
        .join(Assignment, Assignment.id == QuizAttempt.assignment_id)
        .where(Assignment.course_id == filters.course)
        .where(~exists().where(earlier.assignment_id == QuizAttempt.assignment_id, earlier.id < QuizAttempt.id))
    )
    if scope_clause is not None:
        query = query.join(User, User.id == Assignment.user_id).where(scope_clause)
    if filters.version:
        query = query.where(QuizAttempt.course_version == filters.version)
    if filters.submitted_from:
        query = query.where(QuizAttempt.submitted_at >= _start(filters.submitted_from))
    if filters.submitted_to:
        query = query.where(QuizAttempt.submitted_at < _start(filters.submitted_to + timedelta(days=1)))
    return query


def answer_counts(filters: ItemFilters, scope_clause=None):
    """(locale, region, question id, chosen options as JSON text, how many): the first
    attempts' answers, one row per distinct answer. The database takes each attempt's
    answers apart (json_each, on SQLite and PostgreSQL) and counts identical ones, so
    Python decodes a few thousand small arrays instead of every attempt's JSON (50,000
    attempts of 41 questions on SQLite: 7 s instead of 18 s, on a busy machine). The
    answers' keys are the questions shown: courses/quizflow.read_answers stores an answer
    for each of them and nothing else."""
    answer = func.json_each(QuizAttempt.answers).table_valued("key", "value").alias("answer")
    chosen = cast(answer.c.value, Text)
    group = (QuizAttempt.locale, QuizAttempt.region, answer.c.key, chosen)
    return (
        first_attempts(filters, scope_clause)
        .join(answer, true())
        .with_only_columns(*group, func.count())
        .group_by(*group)
    )


def analyse(course: Course, catalog: Catalog, filters: ItemFilters, scope_clause=None) -> ItemAnalysis:
    """One query, streamed; each distinct answer scored once by the scoring rule."""
    key = {question.id: question for question in course.answer_key.questions}
    counts: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
    result = db.session.execute(answer_counts(filters, scope_clause).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        for locale, region, question_id, chosen, how_many in batch:
            question = key.get(question_id)
            if question is None:  # removed from the course since: no key to score it by
                continue
            # an attempt stored before the region was recorded read the default region's module
            tally = counts[(question.id, locale, region or catalog.default_region)]
            tally.answered += how_many
            if answered_right(question, frozenset(json.loads(chosen))):
                tally.right += how_many
    rows = {qid: ItemRow(qid) for qid in key}
    for (qid, locale, region), tally in counts.items():
        row = rows[qid]
        for cell in (row.overall, row.by_locale[locale], row.by_region[region]):
            cell.answered += tally.answered
            cell.right += tally.right
    return ItemAnalysis(
        rows=tuple(rows.values()),
        locales=_ordered({locale for _q, locale, _r in counts}, course.locales),
        regions=_ordered({region for _q, _l, region in counts}, catalog.region_ids),
    )


def _ordered(seen: set[str], order) -> tuple[str, ...]:
    """`seen` in the given order; anything else (a locale since dropped) after, sorted."""
    known = [value for value in order if value in seen]
    return (*known, *sorted(seen - set(known)))


def cached_analysis(course: Course, catalog: Catalog, filters: ItemFilters, scope: Scope, scope_clause) -> ItemAnalysis:
    """analyse(), kept a few minutes per (filters, scope) in this app's cache: a second
    look at the page, or another admin with the same scope, costs no scan (200,000
    attempts take seconds). The cache lives in app.extensions, made on first use
    (setdefault keeps one when two requests race). ELEARN_ITEM_ANALYSIS_SECONDS=0: none."""
    seconds = current_app.config["ELEARN_ITEM_ANALYSIS_SECONDS"]
    if seconds <= 0:
        return analyse(course, catalog, filters, scope_clause)
    if CACHE not in current_app.extensions:
        # TTLCache expires and reorders entries on every access: one lock guards it
        current_app.extensions.setdefault(CACHE, (TTLCache(maxsize=CACHE_SIZE, ttl=seconds), threading.Lock()))
    results, lock = current_app.extensions[CACHE]
    key = (filters.cache_key(), scope)
    with lock:
        found = results.get(key)
    if found is None:
        found = analyse(course, catalog, filters, scope_clause)
        with lock:
            results[key] = found
    return found
