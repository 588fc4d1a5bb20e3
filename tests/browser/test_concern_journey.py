"""A visitor reports in Arabic without an account, a case handler answers, the visitor reads it."""

from ..conftest import PASSWORD
from .conftest import axe_violations, screenshot, sign_in


def test_arabic_visitor_reports_handler_answers_visitor_reads(app, live_server, browser, make_user):
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    visitor_context = browser.new_context(locale="ar-AE", extra_http_headers={"Accept-Language": "ar-AE,ar;q=0.9"})
    visitor = visitor_context.new_page()
    visitor.goto(f"{live_server}/concerns")
    assert visitor.get_attribute("html", "dir") == "rtl"
    visitor.click("a.button.primary[href$='/concerns/report']")
    visitor.select_option("#category", "forced_labour")
    visitor.select_option("#country", "AE")
    visitor.fill("#description", "يحتفظ الوكيل بجوازات سفرنا ونحن مدينون برسوم التوظيف.")
    assert visitor.is_checked("#anonymous")
    screenshot(visitor, "ar-concern-form")
    visitor.click("form.form button[type=submit]")
    code = visitor.inner_text("#receipt-code").strip()
    assert len(code.replace("-", "")) == 28
    screenshot(visitor, "ar-concern-receipt")

    handler = browser.new_context().new_page()
    sign_in(handler, live_server, "handler", PASSWORD, landing="/training")
    handler.goto(f"{live_server}/cases")
    handler.click("table.data tbody a")
    assert "جوازات" in handler.inner_text(".report-text")
    handler.fill("#answer-body", "شكرًا لك. نحن نتحقق من الأمر مع الوكالة.")
    handler.click("form[action$='/answer'] button")
    handler.fill("#note-body", "Internal: audit the agency next week.")
    handler.click("form[action$='/note'] button")
    handler.select_option("#status", "under_review")
    handler.click("form[action$='/status'] button")
    handler.context.close()

    visitor.goto(f"{live_server}/concerns/status")
    visitor.fill("#code", code)
    visitor.click("form.form button[type=submit]")
    text = visitor.inner_text("main")
    assert "نحن نتحقق من الأمر" in text and "Internal" not in text
    screenshot(visitor, "ar-concern-status")
    visitor_context.close()


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
    context.close()
    assert {k: v for k, v in found.items() if v} == {}
