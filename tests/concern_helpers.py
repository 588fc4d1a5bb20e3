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
