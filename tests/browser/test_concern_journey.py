"""A visitor reports without an account (in Arabic and in Hindi) with a photo, a case
handler asks a question, the visitor answers it."""

from pathlib import Path

import pytest

from ..concern_helpers import file_report, jpeg_with_gps, receipt_code
from ..conftest import PASSWORD
from .conftest import axe_violations, screenshot, sign_in

JOURNEYS = {
    "ar": {
        "country": "AE",
        "report": "يحتفظ الوكيل بجوازات سفرنا ونحن مدينون برسوم التوظيف.",
        "question": "شكرًا لك. ما اسم الوكالة؟",
        "reply": "اسم الوكالة هو النجمة الزرقاء.",
    },
    "hi": {
        "country": "AE",
        "report": "एजेंट ने हमारे पासपोर्ट रख लिए हैं और हम पर भर्ती फीस का कर्ज़ है।",
        "question": "धन्यवाद। एजेंसी का नाम क्या है?",
        "reply": "एजेंसी का नाम नीला तारा है।",
    },
}


@pytest.mark.parametrize("locale", sorted(JOURNEYS))
def test_visitor_reports_with_a_photo_handler_asks_visitor_answers(
    app, live_server, browser, make_user, locale, tmp_path
):
    """Right to left (ar) and Devanagari (hi): the report with a phone photo, the handler's
    question, the visitor's answer typed after the receipt code, all in chromium."""
    words = JOURNEYS[locale]
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    photo = tmp_path / "IMG_20261205_073210.jpg"
    photo.write_bytes(jpeg_with_gps())
    visitor_context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": f"{locale},en;q=0.5"})
    visitor = visitor_context.new_page()
    visitor.goto(f"{live_server}/concerns")
    assert visitor.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
    visitor.click("a.button.primary[href$='/concerns/report']")
    visitor.select_option("#category", "forced_labour")
    visitor.select_option("#country", words["country"])
    visitor.fill("#description", words["report"])
    visitor.set_input_files("#files", str(photo))
    assert visitor.is_checked("#anonymous")
    screenshot(visitor, f"{locale}-concern-form")
    visitor.click("form.form button[type=submit]")
    code = visitor.inner_text("#receipt-code").strip()
    assert len(code.replace("-", "")) == 28
    screenshot(visitor, f"{locale}-concern-receipt")

    handler = browser.new_context().new_page()
    sign_in(handler, live_server, "handler", PASSWORD, landing="/cases")  # no training: the queue first
    handler.click("table.data tbody a")
    assert words["report"][:10] in handler.inner_text(".report-text")
    with handler.expect_download() as download:
        handler.click("ul.attachments a")
    assert download.value.suggested_filename == "image-1.jpg"
    assert b"Exif" not in Path(download.value.path()).read_bytes()
    handler.fill("#answer-body", words["question"])
    handler.click("form[action$='/answer'] button")
    handler.fill("#note-body", "Internal: audit the agency next week.")
    handler.click("form[action$='/note'] button")
    handler.select_option("#status", "under_review")
    handler.click("form[action$='/status'] button")

    visitor.goto(f"{live_server}/concerns/status")
    visitor.fill("#code", code)
    visitor.click("form.form button[type=submit]")
    visitor.wait_for_load_state("load")  # the click waits for the next page to start, not to finish
    text = visitor.inner_text("main")
    assert words["question"] in text and "Internal" not in text
    assert code.replace("-", "")[8:] not in visitor.content()  # the code is not kept in the page
    visitor.fill("#body", words["reply"])
    visitor.click("form[action$='/concerns/status/message'] button")
    visitor.wait_for_selector("p.notice[role=status]")
    screenshot(visitor, f"{locale}-concern-conversation")
    visitor_context.close()

    handler.reload()
    assert words["reply"] in handler.inner_text("ol.thread")
    handler.context.close()


def test_concern_pages_have_no_axe_violations_in_arabic(app, live_server, browser):
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": "ar"})
    page = context.new_page()
    found = {}
    for path in ("/concerns?country=US", "/concerns/report", "/concerns/status"):
        page.goto(live_server + path)
        found[path] = axe_violations(page)
    page.goto(live_server + "/concerns/report")
    page.click("form.form button[type=submit]")  # an empty form: errors shown
    found["report-errors"] = axe_violations(page)
    # the conversation, opened with a code, at 360 px in Arabic, Hindi and Chinese
    for locale, tag in (("ar", "ar"), ("hi", "hi"), ("zh_Hans", "zh-Hans")):
        code = receipt_code(file_report(app.test_client(), language=locale))
        page.set_extra_http_headers({"Accept-Language": tag})
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(live_server + "/concerns/status")
        page.fill("#code", code)
        page.click("form.form button[type=submit]")
        page.wait_for_selector("ol.thread")
        assert page.get_attribute("html", "lang") == tag
        found[f"{locale}-conversation"] = axe_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            found[f"{locale}-conversation-width"] = [f"{width}px wide at 360"]
    context.close()
    assert {k: v for k, v in found.items() if v} == {}
