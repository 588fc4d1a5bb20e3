"""Filing, finding and answering concerns. The only code that encrypts or decrypts them."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models import utcnow
from .crypto import ConcernCipher
from .models import STATUSES, CaseEvent, Concern, ConcernMessage
from .receipts import hash_secret, new_receipt, parse_receipt, secret_matches


def cipher() -> ConcernCipher:
    return current_app.extensions["elearn_concern_cipher"]


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
) -> tuple[Concern, str]:
    """Store a new case; returns it and the receipt code to show once."""
    c = cipher()
    public_id, secret, code = new_receipt()
    site_text, contact_text = (site or "").strip(), (contact or "").strip()
    concern = Concern(
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
    db.session.add(concern)
    db.session.flush()
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


def messages(concern: Concern, kind: str) -> list[tuple[ConcernMessage, str]]:
    c = cipher()
    return [(m, c.decrypt(m.body_enc)) for m in concern.messages if m.kind == kind]


def change_status(concern: Concern, status: str, actor_id: int) -> bool:
    if status not in STATUSES or status == concern.status:
        return False
    concern.events.append(CaseEvent(actor_id=actor_id, action="status", detail=f"{concern.status} -> {status}"))
    concern.status = status
    concern.updated_at = utcnow()
    concern.closed_at = utcnow() if status == "closed" else None
    return True


def add_message(concern: Concern, kind: str, text: str, actor_id: int) -> None:
    assert kind in ("answer", "note")
    concern.messages.append(ConcernMessage(kind=kind, body_enc=cipher().encrypt(text.strip()), author_id=actor_id))
    concern.events.append(CaseEvent(actor_id=actor_id, action=kind))
    concern.updated_at = utcnow()


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
    db.session.commit()
    return count


def purge_closed(retention_days: int) -> int:
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = list(db.session.scalars(select(Concern.id).where(Concern.status == "closed", Concern.closed_at < cutoff)))
    if ids:
        db.session.execute(delete(ConcernMessage).where(ConcernMessage.concern_id.in_(ids)))
        db.session.execute(delete(CaseEvent).where(CaseEvent.concern_id.in_(ids)))
        db.session.execute(delete(Concern).where(Concern.id.in_(ids)))
    db.session.commit()
    return len(ids)
