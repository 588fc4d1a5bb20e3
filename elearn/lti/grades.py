"""Grade passback (LTI Assignment and Grade Services): when a learner who came through
an LTI launch completes the course, the score goes to the line item of their launch.

training/completion.py sends `completion_stored` where a completion is written (a
signal: training does not import this area); the receiver queues one task per place
the learner launched the course from. The task posts through pylti1p3's
AssignmentsGradesService (token request signed with the tool key) and is retried with
growing delays when the platform does not answer or refuses."""

from __future__ import annotations

import logging
from typing import Any

import requests
from flask import Flask
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from ..extensions import db
from ..tasks.queue import huey
from ..tasks.runs import app_context
from ..training.completion import completion_stored
from .keys import tool_key
from .models import LtiGradeTarget, LtiRegistration
from .tool import registration_for

logger = logging.getLogger("elearn.lti")

SCORE_MAXIMUM = 100
HTTP_TIMEOUT_SECONDS = 10


class TimeoutSession(requests.Session):
    """requests has no default timeout: a platform that never answers must not hold a worker."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def init_app(app: Flask) -> None:
    completion_stored.connect(queue_grades)  # the same receiver connects once, however many apps


def queue_grades(sender: object, *, user_id: int, course_id: str, score: int, completed_at: str, **_: Any) -> None:
    """Receiver of training's completion_stored: a task per grade target of this learner
    and course (none for people who never came through an LTI launch)."""
    if tool_key() is None:
        return
    targets = db.session.scalars(
        select(LtiGradeTarget.id).where(LtiGradeTarget.user_id == user_id, LtiGradeTarget.course_id == course_id)
    ).all()
    for target_id in targets:
        post_score(target_id, score, completed_at)


def grade_for(subject: str, score: int, completed_at: str) -> Grade:
    return (
        Grade()
        .set_user_id(subject)
        .set_score_given(score)
        .set_score_maximum(SCORE_MAXIMUM)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(completed_at)
    )


@huey.task(retries=6, retry_delay=30, retry_backoff=2, context=True)
def post_score(target_id: int, score: int, completed_at: str, task=None) -> None:
    """POST the score to the line item; an exception makes Huey retry (30 s, 60 s, ...)."""
    with app_context():
        target = db.session.get(LtiGradeTarget, target_id)
        row = db.session.get(LtiRegistration, target.registration_id) if target is not None else None
        key = tool_key()
        if target is None or row is None or key is None:
            return  # the registration or the person went: nowhere to post
        connector = ServiceConnector(registration_for(row, key), requests_session=TimeoutSession())
        service = AssignmentsGradesService(connector, {"scope": target.scopes, "lineitem": target.lineitem_url})
        service.put_grade(grade_for(target.subject, score, completed_at))
        logger.info("lti grade posted: registration %s, target %s", row.id, target.id)
