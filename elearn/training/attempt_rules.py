"""How often a quiz may be taken: the one rule (course.yaml `quiz: max_attempts`,
`cooldown_hours`). After that many failed attempts in a row the learner waits; then a
new round of attempts starts. Passed attempts do not count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..catalog import QuizRules
from ..extensions import db
from ..models import QuizAttempt, utcnow


@dataclass(frozen=True)
class AttemptStanding:
    #: when the learner may try again; None: now
    locked_until: datetime | None
    #: attempts left before a cool-down; None: no limit
    left: int | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def wait(self) -> timedelta:
        """How long until the learner may try again (what pages show)."""
        return max(self.locked_until - utcnow(), timedelta(0)) if self.locked_until else timedelta(0)


def standing_after(rules: QuizRules, failed_at: Iterable[datetime], now: datetime) -> AttemptStanding:
    """Where a learner stands, given the times of their failed attempts in this cycle."""
    if rules.max_attempts is None:
        return AttemptStanding(None, None)
    cooldown = timedelta(hours=rules.cooldown_hours)
    in_round, until = 0, None
    for moment in sorted(failed_at):
        if until is not None and moment >= until:
            in_round, until = 0, None  # the wait is over: a new round
        in_round += 1
        if in_round >= rules.max_attempts:
            until = moment + cooldown
    if until is not None and now >= until:
        in_round, until = 0, None
    return AttemptStanding(until, None if until else rules.max_attempts - in_round)


def attempt_standing(assignment_id: int, rules: QuizRules, now: datetime) -> AttemptStanding:
    """The learner's standing in one assignment cycle: one query, none without a limit."""
    if rules.max_attempts is None:
        return AttemptStanding(None, None)
    failed = db.session.scalars(
        select(QuizAttempt.submitted_at).where(
            QuizAttempt.assignment_id == assignment_id, QuizAttempt.passed.is_(False)
        )
    )
    return standing_after(rules, failed, now)
