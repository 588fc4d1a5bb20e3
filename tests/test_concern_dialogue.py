"""The reporter's conversation with case handlers: messages both ways, the receipt code
typed on each visit and kept nowhere, times by the day, access that expires, and files
cleaned of what identifies the sender."""

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select, text

from elearn.concerns import dialogue
from elearn.concerns.models import CaseEvent, Concern, ConcernAttachment, ConcernMessage
from elearn.extensions import db
from elearn.models import utcnow

from .concern_helpers import (
    PROOF,
    conversation_proof,
    file_report,
    handler_client,
    jpeg_with_gps,
    look_up,
    receipt_code,
    reply,
)
from .conftest import csrf_token


def _case_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Concern.id))


def _answer(handler, case_id, body, kind="answer", files=(), **extra):
    page = handler.get(f"/cases/{case_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), f"{kind}-body": body, **extra}
    data[f"{kind}-files"] = [(io.BytesIO(content), name) for name, content in files]
    return handler.post(f"/cases/{case_id}/{kind}", data=data, content_type="multipart/form-data")


def test_reporter_and_handler_talk_both_ways(app, client, make_user):
    code = receipt_code(file_report(client))
    case_id = _case_id(app)
    handler = handler_client(app, make_user)
    assert _answer(handler, case_id, "Which agency is it? Is it the one at the gate?").status_code == 302
    assert _answer(handler, case_id, "Ask the auditor about agency X.", kind="note").status_code == 302

    page = look_up(client, code)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Which agency is it?" in html and "auditor" not in html
    assert "The agency keeps our passports" in html  # the reporter reads their own report too
    sent = reply(client, html, "It is the agency with the blue office near gate 3.")
    assert sent.status_code == 200 and "Your message is sent" in sent.get_data(as_text=True)

    case_page = handler.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "the blue office near gate 3" in case_page
    assert "Message from the reporter" in case_page
    with app.app_context():
        message = db.session.scalars(select(ConcernMessage).where(ConcernMessage.kind == "reporter")).one()
        event = db.session.scalars(select(CaseEvent).where(CaseEvent.action == "reporter")).one()
        # stored by the day: an exact time can tell which shift someone works
        for moment in (message.created_at, event.at):
            assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
        assert message.author_id is None and event.actor_id is None
        raw = db.session.execute(text("SELECT body_enc FROM concern_messages WHERE kind = 'reporter'")).scalar()
        assert "blue office" not in raw  # encrypted at rest

    # the handler's answer after the reporter's message: the reporter reads the whole thread, in order
    _answer(handler, case_id, "Thank you. We will visit the agency.")
    again = look_up(client, code).get_data(as_text=True)
    positions = [again.index(t) for t in ("Which agency", "blue office", "We will visit the agency")]
    assert positions == sorted(positions)


def test_the_code_is_typed_each_visit_and_kept_nowhere(app, client):
    code = receipt_code(file_report(client))
    form_page = client.get("/concerns/status").get_data(as_text=True)
    assert 'autocomplete="off"' in form_page  # the browser is asked not to keep or offer it
    response = look_up(client, code)
    html = response.get_data(as_text=True)
    raw = code.replace("-", "")
    for shown in (code, raw, raw[8:]):
        assert shown not in html
    assert response.headers["Cache-Control"] == "no-store"
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:
        saved = repr(dict(session))
    for kept in (raw, raw[8:], code):
        assert kept not in cookies and kept not in saved
    assert raw not in response.request.url
    # the proof in the page is not the code, and every form on the page posts to a fixed address
    assert raw[8:] not in conversation_proof(html)
    assert 'action="/concerns/status/message"' in html


def test_a_forged_or_stale_conversation_proof_stores_nothing(app, client, monkeypatch):
    code = receipt_code(file_report(client))
    html = look_up(client, code).get_data(as_text=True)
    proof = conversation_proof(html)
    forged = html.replace(proof, proof[:-4] + ("AAAA" if not proof.endswith("AAAA") else "BBBB"))
    response = reply(client, forged, "forged message")
    assert response.status_code == 400 and "Type your receipt code again" in response.get_data(as_text=True)
    monkeypatch.setattr(dialogue, "PROOF_MINUTES", -1)  # every proof is too old now
    response = reply(client, html, "late message")
    assert response.status_code == 400 and "Type your receipt code again" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ConcernMessage.id))) == 0


def test_reporter_access_ends_after_the_later_of_visit_and_answer(app, client, make_user):
    code = receipt_code(file_report(client))
    case_id = _case_id(app)
    with app.app_context():
        concern = db.session.get(Concern, case_id)
        days = app.config["ELEARN_REPORTER_ACCESS_DAYS"]
        assert concern.reporter_access_until == concern.created_at + timedelta(days=days)
        concern.reporter_access_until = utcnow() - timedelta(days=1)
        db.session.commit()
    expired = look_up(client, code)
    assert expired.status_code == 410
    assert "no longer opens the report" in expired.get_data(as_text=True)
    assert "The agency keeps" not in expired.get_data(as_text=True)

    # a handler's answer opens it again for the full period, counted from the answer
    handler = handler_client(app, make_user)
    _answer(handler, case_id, "We have news for you.")
    assert look_up(client, code).status_code == 200
    with app.app_context():
        until = db.session.get(Concern, case_id).reporter_access_until
        answered = db.session.scalar(select(ConcernMessage.created_at).where(ConcernMessage.kind == "answer"))
        # from the answer; the visit after it (counted by the day) does not move it back
        assert until == answered + timedelta(days=days)


def test_a_phone_photo_loses_its_place_and_time(app, client, make_user):
    code = receipt_code(file_report(client))
    html = look_up(client, code).get_data(as_text=True)
    photo = jpeg_with_gps()
    assert b"Exif" in photo and b"PhoneMaker" in photo
    sent = reply(client, html, "A photo of the passports in the office.", files=[("IMG_20261205_073210.jpg", photo)])
    assert sent.status_code == 200, sent.get_data(as_text=True)[:3000]
    with app.app_context():
        attachment = db.session.scalars(select(ConcernAttachment)).one()
        assert attachment.file_name == "image-1.jpg"  # the phone's name holds the time it was taken
        assert b"\xff\xd8" not in attachment.data_enc[:16] and b"PhoneMaker" not in attachment.data_enc
        attachment_id = attachment.id

    handler = handler_client(app, make_user)
    response = handler.get(f"/cases/{_case_id(app)}/files/{attachment_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (64, 48)
    assert not image.getexif() and b"Exif" not in response.data and b"PhoneMaker" not in response.data

    # the reporter downloads their own file with the page's proof (the fresh one on every form)
    page = sent.get_data(as_text=True)
    assert len(set(PROOF.findall(page))) == 1 and 'name="attachment"' in page
    own = client.post(
        "/concerns/status/file",
        data={"csrf_token": csrf_token(page), "conversation": conversation_proof(page), "attachment": attachment_id},
    )
    assert own.status_code == 200 and own.data == response.data
    # without it: the code must be typed again
    assert (
        client.post(
            "/concerns/status/file", data={"csrf_token": csrf_token(page), "attachment": attachment_id}
        ).status_code
        == 400
    )


def test_refused_files_say_why_and_store_nothing(app, client):
    code = receipt_code(file_report(client))
    html = look_up(client, code).get_data(as_text=True)
    cases = [
        ([("holiday.jpg", b"MZ" + b"\0" * 200)], "Programs and scripts cannot be sent"),
        ([("report.docm", _macro_document())], "macros"),
        ([("big.png", _decompression_bomb())], "picture is too large"),
        ([("big.pdf", b"%PDF-1.4\n" + b"0" * (app.config["ELEARN_ATTACHMENT_MAX_BYTES"] + 1))], "larger than"),
        ([("a.txt", b"one"), ("b.txt", b"two"), ("c.txt", b"three"), ("d.txt", b"four")], "at most 3 files"),
        # one good file and one bad: neither is kept, nor the message
        ([("fine.txt", b"fine"), ("voice.mp3", b"ID3\x04\0\0\0\0\0\0" + b"\0" * 64)], "Sound and video"),
    ]
    for files, message in cases:
        response = reply(client, html, "with a file", files=files)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True), message
        for name, _content in files:
            assert name not in response.get_data(as_text=True)  # a file's name may name someone
    with app.app_context():
        assert db.session.scalar(select(func.count(ConcernAttachment.id))) == 0
        assert db.session.scalar(select(func.count(ConcernMessage.id))) == 0


def test_reporter_gets_answer_files_never_note_files(app, client, make_user):
    code = receipt_code(file_report(client))
    case_id = _case_id(app)
    handler = handler_client(app, make_user)
    from pypdf import PdfReader, PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Author": "Harriet Handler"})
    writer.write(out)
    pdf = out.getvalue()
    assert _answer(handler, case_id, "Our policy is attached.", files=[("policy.pdf", pdf)]).status_code == 302
    assert (
        _answer(handler, case_id, "Internal memo.", kind="note", files=[("memo.txt", b"internal")]).status_code == 302
    )
    case_page = handler.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Documents can carry the name of their author" in case_page  # the PDF warning
    with app.app_context():
        by_name = {a.file_name: a.id for a in db.session.scalars(select(ConcernAttachment))}
    assert set(by_name) == {"pdf-1.pdf", "text-2.txt"}
    html = look_up(client, code).get_data(as_text=True)
    assert "pdf-1.pdf" in html and "text-2.txt" not in html
    form = {"csrf_token": csrf_token(html), "conversation": conversation_proof(html)}
    received = client.post("/concerns/status/file", data={**form, "attachment": by_name["pdf-1.pdf"]}).data
    assert len(PdfReader(io.BytesIO(received)).pages) == 1 and b"Harriet" not in received
    assert client.post("/concerns/status/file", data={**form, "attachment": by_name["text-2.txt"]}).status_code == 404


def test_a_proof_opens_only_its_own_case_files(app, client, make_user):
    first = receipt_code(file_report(client))
    receipt_code(file_report(client, description="Second report."))
    with app.app_context():
        second_id = db.session.scalars(select(Concern.id).order_by(Concern.id.desc())).first()
    handler = handler_client(app, make_user)
    _answer(handler, second_id, "For the second reporter.", files=[("x.txt", b"second only")])
    with app.app_context():
        attachment_id = db.session.scalar(select(ConcernAttachment.id))
    html = look_up(client, first).get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), "conversation": conversation_proof(html)}
    assert client.post("/concerns/status/file", data={**form, "attachment": attachment_id}).status_code == 404


def _macro_document() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
            "</Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    return out.getvalue()


def _decompression_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


def test_a_report_can_carry_a_photo(app, client, make_user):
    response = file_report(client, files=[(io.BytesIO(jpeg_with_gps()), "IMG_0001.JPG")])
    code = receipt_code(response)
    with app.app_context():
        attachment = db.session.scalars(select(ConcernAttachment)).one()
        assert attachment.message_id is None and attachment.file_name == "image-1.jpg"
    handler = handler_client(app, make_user)
    case_page = handler.get(f"/cases/{_case_id(app)}").get_data(as_text=True)
    assert f"/files/{attachment.id}" in case_page
    html = look_up(client, code).get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), "conversation": conversation_proof(html)}
    own = client.post("/concerns/status/file", data={**form, "attachment": attachment.id})
    assert own.status_code == 200 and b"PhoneMaker" not in own.data
    # a refused file keeps the whole report back, with the reason, and the text stays in the form
    refused = file_report(client, description="Kept text.", files=[(io.BytesIO(b"\x7fELF" + b"\0" * 60), "a.jpg")])
    assert refused.status_code == 400
    assert "Programs and scripts cannot be sent" in refused.get_data(as_text=True)
    assert "Kept text." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Concern.id))) == 1
