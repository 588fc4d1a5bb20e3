import re

from .conftest import csrf_token

CODE = re.compile(r'id="receipt-code">([A-Z2-7-]+)<')


def file_report(client, headers=None, **fields):
    page = client.get("/concerns/report", headers=headers or {})
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "category": "forced_labour",
        "country": "AE",
        "site": "Warehouse 7, Jebel Ali",
        "language": "ar",
        "description": "The agency keeps our passports and we owe recruitment fees.",
        "anonymous": "y",
        "contact": "",
    }
    data.update(fields)
    if data.get("anonymous") is None:
        data.pop("anonymous")
    return client.post("/concerns/report", data=data, headers=headers or {})


def receipt_code(response) -> str:
    match = CODE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1)


def look_up(client, code, headers=None):
    page = client.get("/concerns/status", headers=headers or {})
    return client.post(
        "/concerns/status",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": code},
        headers=headers or {},
    )


PROOF = re.compile(r'name="conversation"[^>]*value="([^"]+)"')


def conversation_proof(html: str) -> str:
    match = PROOF.search(html)
    assert match, html[:2000]
    return match.group(1)


def reply(client, page_html, body="", files=(), headers=None):
    """The reporter's message from the conversation page `page_html`; files: (name, bytes)."""
    import io

    data = {
        "csrf_token": csrf_token(page_html),
        "conversation": conversation_proof(page_html),
        "body": body,
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post("/concerns/status/message", data=data, content_type="multipart/form-data", headers=headers or {})


def handler_client(app, make_user, employee_id="handler", roles="case_handler", **fields):
    from .conftest import Auth

    client = app.test_client()
    make_user(employee_id=employee_id, roles=roles, hr_locale=fields.pop("hr_locale", "en"), assign=False, **fields)
    Auth(client).login(employee_id)
    return client


def jpeg_with_gps() -> bytes:
    """A photo as a phone saves it: camera, time and GPS position in its EXIF."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:12:05 07:32:10"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (25.0, 1.0, 12.5), "E", (55.0, 3.0, 41.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()
