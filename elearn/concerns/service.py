"""Filing, finding and answering concerns. The only code that encrypts or decrypts them.

What the reporter does is stored by the day only (the report, their messages, their
visits): an exact time can tell which shift someone works."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..extensions import db
from ..models import utcnow
from ..web import get_catalog
from .assignment import route_case
from .attachments import CleanFile
from .crypto import ConcernCipher
from .deadlines import Periods, next_due
from .models import STATUSES, CaseConflict, CaseEvent, Concern, ConcernAttachment, ConcernMessage
from .receipts import hash_secret, new_receipt, parse_receipt, secret_matches


def cipher() -> ConcernCipher:
    return current_app.extensions["elearn_concern_cipher"]


def today() -> datetime:
    """Now, cut to the start of the day (UTC): the time stored for a reporter's acts."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


def periods() -> Periods:
    return Periods.from_config(current_app.config)


def refresh_due(concern: Concern) -> None:
    concern.due_at = next_due(
        concern.created_at, concern.acknowledged_at, concern.feedback_at, concern.status == "closed", periods()
    )


def extend_reporter_access(concern: Concern, start: datetime) -> None:
    """The code opens the case for ELEARN_REPORTER_ACCESS_DAYS after `start` (never shortened)."""
    until = start + timedelta(days=current_app.config["ELEARN_REPORTER_ACCESS_DAYS"])
    if concern.reporter_access_until is None or concern.reporter_access_until < until:
        concern.reporter_access_until = until


def reporter_access_open(concern: Concern) -> bool:
    return concern.reporter_access_until is None or concern.reporter_access_until > utcnow()


def file_concern(
    *,
    category: str,
    country: str | None,
    site: str | None,
    description: str,
    anonymous: bool,
    contact: str | None,
    language: str,
    supplier_site_id: int | None = None,
    files: Sequence[CleanFile] = (),
) -> tuple[Concern, str]:
    """Store a new case; returns it and the receipt code to show once."""
    c = cipher()
    public_id, secret, code = new_receipt()
    site_text, contact_text = (site or "").strip(), (contact or "").strip()
    received = today()
    concern = Concern(
        created_at=received,
        updated_at=received,
        group_id=route_case(country or None, category, get_catalog().region_for),
        public_id=public_id,
        secret_hash=hash_secret(secret),
        category=category,
        country=country or None,
        language=language,
        anonymous=anonymous,
        body_enc=c.encrypt(description.strip()),
        site_enc=c.encrypt(site_text) if site_text else None,
        contact_enc=None if anonymous or not contact_text else c.encrypt(contact_text),
        supplier_site_id=supplier_site_id,
    )
    refresh_due(concern)
    extend_reporter_access(concern, received)
    db.session.add(concern)
    db.session.flush()
    _attach(concern, None, files)
    return concern, code


def find_by_receipt(code: str) -> Concern | None:
    """The same None for an unknown code, a malformed one and a wrong secret."""
    parsed = parse_receipt(code)
    if parsed is None:
        secret_matches(None, "")
        return None
    public_id, secret = parsed
    concern = db.session.scalar(select(Concern).where(Concern.public_id == public_id))
    if not secret_matches(concern.secret_hash if concern else None, secret):
        return None
    return concern


def decrypted(concern: Concern) -> dict:
    c = cipher()
    return {
        "description": c.decrypt(concern.body_enc),
        "site": c.decrypt(concern.site_enc),
        "contact": c.decrypt(concern.contact_enc),
    }


def messages(concern: Concern, kinds: Sequence[str]) -> list[tuple[ConcernMessage, str]]:
    """The case's messages of these kinds, oldest first, with their text."""
    c = cipher()
    return [(m, c.decrypt(m.body_enc)) for m in concern.messages if m.kind in kinds]


def change_status(concern: Concern, status: str, actor_id: int) -> bool:
    if status not in STATUSES or status == concern.status:
        return False
    concern.events.append(CaseEvent(actor_id=actor_id, action="status", detail=f"{concern.status} -> {status}"))
    concern.status = status
    concern.updated_at = utcnow()
    concern.closed_at = utcnow() if status == "closed" else None
    refresh_due(concern)
    return True


def add_message(
    concern: Concern,
    kind: str,
    text: str,
    actor_id: int | None,
    files: Sequence[CleanFile] = (),
    feedback: bool = False,
) -> ConcernMessage:
    """A handler's answer or note (actor_id: the handler), or the reporter's message
    (kind "reporter", no actor, stored by the day). A first answer acknowledges the
    report; an answer marked as feedback meets the feedback deadline."""
    assert kind in ("answer", "note", "reporter")
    at = today() if kind == "reporter" else utcnow()
    message = ConcernMessage(kind=kind, body_enc=cipher().encrypt(text.strip()), author_id=actor_id, created_at=at)
    concern.messages.append(message)
    concern.events.append(CaseEvent(actor_id=actor_id, action=kind, at=at))
    _attach(concern, message, files)
    if kind == "reporter":
        extend_reporter_access(concern, at)
        _needs_reply(concern, at)
        return message
    concern.updated_at = at
    if kind == "answer":
        concern.acknowledged_at = concern.acknowledged_at or at
        if feedback and concern.feedback_at is None:
            concern.feedback_at = at
            concern.events.append(CaseEvent(actor_id=actor_id, action="feedback", at=at))
        extend_reporter_access(concern, at)
        refresh_due(concern)
    return message


def _needs_reply(concern: Concern, at: datetime) -> None:
    """A reporter's message after the feedback, or on a closed case, must not go unseen:
    a closed case opens again, and the message is due for a reply like a new report (a
    handler's next answer meets it: refresh_due)."""
    if concern.status == "closed":
        concern.events.append(CaseEvent(actor_id=None, action="reopened", detail="closed -> under_review", at=at))
        concern.status, concern.closed_at = "under_review", None
    if concern.due_at is None:
        concern.due_at = at + timedelta(days=periods().ack_days)


def _attach(concern: Concern, message: ConcernMessage | None, files: Sequence[CleanFile]) -> None:
    """Numbered in the case; `message` None: files of the report itself."""
    if not files:
        return
    c = cipher()
    numbered = db.session.scalar(
        select(func.count(ConcernAttachment.id)).where(ConcernAttachment.concern_id == concern.id)
    )
    for number, file in enumerate(files, start=(numbered or 0) + 1):
        attachment = ConcernAttachment(
            concern_id=concern.id,
            file_name=f"{file.kind}-{number}.{file.extension}",
            media_type=file.media_type,
            size=len(file.data),
            data_enc=c.encrypt_bytes(file.data),
        )
        if message is None:
            db.session.add(attachment)
        else:
            message.attachments.append(attachment)


def attachment_of(
    concern_id: int, attachment_id: int, reporter_visible: bool
) -> tuple[ConcernAttachment, bytes] | None:
    """A file of the case and its bytes; with reporter_visible, only files of answers and
    of the reporter's own messages and report (never of internal notes)."""
    query = (
        select(ConcernAttachment)
        .outerjoin(ConcernMessage, ConcernMessage.id == ConcernAttachment.message_id)
        .where(ConcernAttachment.id == attachment_id, ConcernAttachment.concern_id == concern_id)
    )
    if reporter_visible:  # the report's own files, and those of answers and the reporter's messages
        query = query.where(
            or_(ConcernAttachment.message_id.is_(None), ConcernMessage.kind.in_(("answer", "reporter")))
        )
    attachment = db.session.scalar(query)
    return None if attachment is None else (attachment, cipher().decrypt_bytes(attachment.data_enc))


def record_reporter_visit(concern: Concern) -> None:
    extend_reporter_access(concern, today())


def assign(concern: Concern, group_id: int | None, assignee_id: int | None, actor_id: int) -> bool:
    if (group_id, assignee_id) == (concern.group_id, concern.assignee_id):
        return False
    concern.group_id, concern.assignee_id = group_id, assignee_id
    concern.events.append(
        CaseEvent(actor_id=actor_id, action="assigned", detail=f"group:{group_id or ''} handler:{assignee_id or ''}")
    )
    return True


def declare_conflict(concern: Concern, user_id: int) -> None:
    """The handler drops out of the case: hidden from them from now on (assignment.py)."""
    db.session.add(CaseConflict(concern_id=concern.id, user_id=user_id))
    if concern.assignee_id == user_id:
        concern.assignee_id = None
    concern.events.append(CaseEvent(actor_id=user_id, action="conflict"))


def rotate_keys() -> int:
    """Re-encrypt every stored text with the newest key; returns the rows touched."""
    c = cipher()
    count = 0
    for concern in db.session.scalars(select(Concern)):
        concern.body_enc = c.rotate(concern.body_enc)
        concern.site_enc = c.rotate(concern.site_enc)
        concern.contact_enc = c.rotate(concern.contact_enc)
        count += 1
    for message in db.session.scalars(select(ConcernMessage)):
        message.body_enc = c.rotate(message.body_enc)
        count += 1
    for attachment in db.session.scalars(select(ConcernAttachment)):
        attachment.data_enc = c.rotate_bytes(attachment.data_enc)
        count += 1
    db.session.commit()
    return count


def purge_closed(retention_days: int) -> int:
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = list(db.session.scalars(select(Concern.id).where(Concern.status == "closed", Concern.closed_at < cutoff)))
    if ids:
        # one by one, so SQLite without foreign-key enforcement keeps nothing either
        db.session.execute(delete(ConcernAttachment).where(ConcernAttachment.concern_id.in_(ids)))
        db.session.execute(delete(CaseConflict).where(CaseConflict.concern_id.in_(ids)))
        db.session.execute(delete(ConcernMessage).where(ConcernMessage.concern_id.in_(ids)))
        db.session.execute(delete(CaseEvent).where(CaseEvent.concern_id.in_(ids)))
        db.session.execute(delete(Concern).where(Concern.id.in_(ids)))
    db.session.commit()
    return len(ids)
