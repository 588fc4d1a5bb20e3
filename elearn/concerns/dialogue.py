"""The reporter's side of the conversation: the receipt code opens the case, shows the
answers and takes the reporter's messages and files.

The code is typed on each visit. It is never put in the cookie (signed, not
encrypted), a URL or the page: the page carries a conversation proof instead, signed
and good for PROOF_MINUTES, naming the case and the receipt it was opened with. No
address of these pages names a case or a file (an access log line must not link them).
Pages are `no-store` (wiring.py), so the browser keeps no copy.
"""

from __future__ import annotations

import io

from flask import abort, current_app, render_template, send_file
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..ratelimit import configured, limiter
from . import bp
from .categories import category_name
from .forms import ConversationForm, ReporterMessageForm, StatusLookupForm, status_labels
from .models import Concern
from .service import (
    add_message,
    attachment_of,
    decrypted,
    find_by_receipt,
    messages,
    record_reporter_visit,
    reporter_access_open,
)
from .uploads import cleaned_uploads

PROOF_SALT = "elearn.concern-conversation"
PROOF_MINUTES = 30


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PROOF_SALT)


def conversation_proof(concern: Concern) -> str:
    # the receipt's hash is part of it, so a case whose code is replaced closes old pages
    return _serializer().dumps([concern.id, concern.secret_hash[:16]])


def concern_from_proof(proof: str | None) -> Concern | None:
    try:
        concern_id, secret_part = _serializer().loads(proof or "", max_age=PROOF_MINUTES * 60)
    except (BadSignature, ValueError, TypeError):
        return None
    concern = db.session.get(Concern, concern_id) if isinstance(concern_id, int) else None
    if concern is None or concern.secret_hash[:16] != secret_part or not reporter_access_open(concern):
        return None
    return concern


def _conversation(concern: Concern, form: ReporterMessageForm | None = None, sent: bool = False, status: int = 200):
    form = form or ReporterMessageForm()
    form.conversation.data = conversation_proof(concern)
    form.body.data = "" if sent else form.body.data
    return render_template(
        "concerns/conversation.html",
        concern=concern,
        report=decrypted(concern)["description"],
        thread=messages(concern, ("answer", "reporter")),
        form=form,
        file_form=_file_form(form.conversation.data),
        sent=sent,
        status_labels=status_labels(),
        category_name=category_name,
    ), status


def _file_form(proof: str) -> ConversationForm:
    # set after the form has read the request, whose older proof it would keep otherwise
    file_form = ConversationForm()
    file_form.conversation.data = proof
    return file_form


@bp.route("/concerns/status", methods=["GET", "POST"])
@limiter.limit(configured("ELEARN_STATUS_LIMIT"), methods=["POST"])
def status():
    form = StatusLookupForm()
    concern, not_found, expired = None, False, None
    if form.validate_on_submit():
        concern = find_by_receipt(form.code.data)
        form.code.data = ""  # never echo a receipt code back into the page
        not_found = concern is None
        if concern is not None and not reporter_access_open(concern):
            expired, concern = concern.reporter_access_until, None
        elif concern is not None:
            record_reporter_visit(concern)
            db.session.commit()
            return _conversation(concern)
    code = 404 if not_found else (410 if expired else (400 if form.errors else 200))
    return render_template("concerns/status.html", form=form, not_found=not_found, expired=expired), code


@bp.post("/concerns/status/message", endpoint="reporter_message")
@limiter.limit(configured("ELEARN_STATUS_LIMIT"))
def send_message():
    form = ReporterMessageForm()
    concern = concern_from_proof(form.conversation.data)
    if concern is None:
        return _conversation_ended()
    if not form.validate_on_submit():
        return _conversation(concern, form, status=400)
    files, errors = cleaned_uploads(form.files.data or [])
    if not (form.body.data or "").strip() and not files and not errors:
        errors = [_("Write a message or attach a file.")]
    if errors:
        form.files.errors = list(errors)
        return _conversation(concern, form, status=400)
    add_message(concern, "reporter", form.body.data or "", None, files)
    db.session.commit()
    return _conversation(concern, sent=True)


@bp.post("/concerns/status/file", endpoint="reporter_file")
def download():
    form = ConversationForm()
    concern = concern_from_proof(form.conversation.data)
    if concern is None or not form.validate_on_submit():
        return _conversation_ended()
    attachment_id = form.attachment.data if (form.attachment.data or "").isdigit() else "0"
    found = attachment_of(concern.id, int(attachment_id), reporter_visible=True)
    if found is None:
        abort(404)
    return attachment_response(*found)


def _conversation_ended():
    """The page was open too long, or the code no longer opens the case: type it again."""
    form = StatusLookupForm()
    return render_template("concerns/status.html", form=form, not_found=False, expired=None, ended=True), 400


def attachment_response(attachment, data: bytes):
    """Never shown in the browser: always a download, with the type we decided on."""
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.media_type,
        as_attachment=True,
        download_name=attachment.file_name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
