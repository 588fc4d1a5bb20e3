"""A quiz attempt between rendering and submitting.

The rendered quiz carries a signed attempt token naming the questions and the option
order shown, and whom it was issued to; the answer key never leaves the server.
Submitting checks the signature and the owner, then that every answer names a
question and option that was shown.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from ..catalog import CourseView
from ..catalog.assessment import draw_questions

_SALT = "elearn-quiz-attempt"


class ForgedSubmission(Exception):
    """The submission names something the rendered quiz did not show."""


class IncompleteSubmission(Exception):
    def __init__(self, answers: dict[str, list[str]]):
        super().__init__("unanswered questions")
        self.answers = answers


@dataclass(frozen=True)
class Attempt:
    nonce: str  #: stored as the attempt's unique token
    #: whom the token was issued to: a learner's assignment cycle (its id), or an
    #: anonymous visitor of a supplier site (a text key, see elearn/suppliers)
    owner: int | str
    shown: list[dict]  #: [{"id": qid, "options": [oid, ...]}] in display order
    signed: str  #: goes into the form
    #: (requested locale, region) of the course view the quiz was shown in; None in
    #: tokens issued before it was recorded
    view_key: tuple[str, str] | None = None

    @property
    def assignment_id(self) -> int:
        """The learner's assignment cycle the token was issued to."""
        if not isinstance(self.owner, int):
            raise ForgedSubmission("attempt token was not issued to an assignment")
        return self.owner


def issue_attempt(secret: str, view: CourseView, owner: int | str) -> Attempt:
    rng = random.SystemRandom()
    shown = []
    for q in draw_questions(view, rng):
        options = [o.id for o in q.options]
        if view.quiz.shuffle and q.type != "true_false":
            rng.shuffle(options)
        shown.append({"id": q.id, "options": options})
    nonce = secrets.token_hex(16)
    view_key = (view.requested_locale, view.region)
    signed = URLSafeSerializer(secret, salt=_SALT).dumps({"n": nonce, "a": owner, "q": shown, "v": list(view_key)})
    return Attempt(nonce, owner, shown, signed, view_key)


def read_attempt(secret: str, signed: str, owner: int | str | None = None) -> Attempt:
    """The signed attempt; with owner, also that it was issued to them (without, the
    database checks the assignment when storing: see completion.record_attempt)."""
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(signed or "")
    except BadSignature as exc:
        raise ForgedSubmission("bad attempt token") from exc
    if owner is not None and (data.get("a") != owner or type(data.get("a")) is not type(owner)):
        raise ForgedSubmission("attempt token belongs to someone else")
    view_key = tuple(data["v"]) if isinstance(data.get("v"), list) and len(data["v"]) == 2 else None
    return Attempt(data["n"], data["a"], data["q"], signed, view_key)


def read_answers(form, attempt: Attempt, view: CourseView) -> dict[str, list[str]]:
    """Form fields q-<question id> -> {question id: [option ids]}; refuses anything
    that was not shown and asks again when a question is unanswered."""
    shown = {item["id"]: item["options"] for item in attempt.shown}
    answers: dict[str, list[str]] = {}
    for field in form:
        if not field.startswith("q-"):
            continue
        qid = field[2:]
        if qid not in shown:
            raise ForgedSubmission(f"unknown question {qid!r}")
        chosen = form.getlist(field)
        if any(c not in shown[qid] for c in chosen) or len(set(chosen)) != len(chosen):
            raise ForgedSubmission(f"unknown option for {qid!r}")
        question = view.quiz.question(qid)
        if question is None or (question.type != "multiple" and len(chosen) > 1):
            raise ForgedSubmission(f"too many options for {qid!r}")
        answers[qid] = sorted(chosen)
    if set(answers) != set(shown) or not all(answers.values()):
        raise IncompleteSubmission(answers)
    return answers
