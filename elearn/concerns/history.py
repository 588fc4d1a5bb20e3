"""The case history as handlers read it: translated, with names, in the handler's time
zone, and the reporter's acts by the day only (service.py stores them so)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .forms import status_labels
from .models import CaseEvent, Concern, HandlerGroup

#: what the reporter did (stored by the day, shown without a time)
REPORTER_ACTIONS = ("reporter", "reopened")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    #: the reporter's acts: show the day, not the time
    day_only: bool
    actor: str
    text: str


def _ids(detail: str | None) -> dict[str, int | None]:
    """'group:3 handler:17' -> {'group': 3, 'handler': 17} (an empty value: None)."""
    pairs = (part.partition(":") for part in (detail or "").split())
    return {key: int(value) if value.isdigit() else None for key, _sep, value in pairs}


def _status_text(detail: str | None) -> str:
    labels = status_labels()
    before, _arrow, after = (detail or "").partition(" -> ")
    return _(
        "Status changed: %(before)s → %(after)s", before=labels.get(before, before), after=labels.get(after, after)
    )


def _assigned_text(detail: str | None, groups: dict[int, str], people: dict[int, str]) -> str:
    ids = _ids(detail)
    group, handler = ids.get("group"), ids.get("handler")
    return _(
        "Assigned: group %(group)s, handler %(handler)s",
        group=groups.get(group, "–") if group else _("none"),
        handler=people.get(handler, "–") if handler else _("anyone in the group"),
    )


def history_lines(concern: Concern) -> list[HistoryLine]:
    # by time, then order of writing: a reporter's message (stored at the start of its day)
    # is not placed between the handlers' acts of that day, which would tell its time
    events: list[CaseEvent] = sorted(concern.events, key=lambda e: (e.at, e.id))
    assigned = [_ids(e.detail) for e in events if e.action == "assigned"]
    group_ids = {i["group"] for i in assigned if i.get("group")}
    person_ids = {e.actor_id for e in events if e.actor_id} | {i["handler"] for i in assigned if i.get("handler")}
    names = select(HandlerGroup.id, HandlerGroup.name).where(HandlerGroup.id.in_(group_ids))
    groups: dict[int, str] = {i: name for i, name in db.session.execute(names)} if group_ids else {}
    people = (
        {u.id: u.shown_name for u in db.session.scalars(select(User).where(User.id.in_(person_ids)))}
        if person_ids
        else {}
    )
    fixed = {
        "answer": _("Answer sent to the reporter"),
        "note": _("Internal note added"),
        "reporter": _("Message from the reporter"),
        "feedback": _("Feedback given to the reporter"),
        "conflict": _("Declared a conflict of interest and left the case"),
        "reopened": _("The reporter's message opened the closed case again"),
    }
    lines = []
    for event in events:
        if event.action == "status":
            text = _status_text(event.detail)
        elif event.action == "assigned":
            text = _assigned_text(event.detail, groups, people)
        else:
            text = fixed.get(event.action, event.action)
        reporter = event.action in REPORTER_ACTIONS
        actor = _("Reporter") if reporter else people.get(event.actor_id or 0, "–")
        lines.append(HistoryLine(event.at, reporter, actor, text))
    return lines
