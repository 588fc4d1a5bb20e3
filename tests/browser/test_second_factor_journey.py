"""An admin's second factor in chromium, at phone width: the password, then enrolment
(QR code and key, confirmed with the app's code), the recovery codes, and the next
sign-in with a code. pyotp is the authenticator app."""

from __future__ import annotations

import time

import pyotp

from ..conftest import PASSWORD


def test_admin_enrols_and_signs_in_with_a_code(app, live_server, page, make_user):
    app.config["ELEARN_REQUIRE_SECOND_FACTOR"] = "admins"
    make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(f"{live_server}/login")
    page.fill("#login", "adm")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/account/second-factor")
    qr = page.locator("img.qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR code is drawn (the CSP allows data: images)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    secret = page.locator("code.secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form.form button[type=submit]")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=I have saved them, continue")
    page.wait_for_url(f"{live_server}/training")

    page.context.clear_cookies()  # another day, a new session
    page.goto(f"{live_server}/login")
    page.fill("#login", "adm")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/login/second-factor")
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("form.form button[type=submit]")
    assert page.locator(".error").first.inner_text().startswith("This code is not right")
    page.fill("#code", pyotp.TOTP(secret).at(int(time.time()) + 30))  # the next step: newer than enrolment's
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/training")
