"""Two workers in turn on one shared kiosk (one browser context, as a canteen tablet is):
the second never sees the first one's name, answers or concern text, not even by going
back in the browser's history."""

from __future__ import annotations

from ..conftest import Auth
from ..test_kiosks import give_pin, register_kiosk
from .test_phone_layout import PhoneWalk, report

CONCERN_TEXT = "Our agent keeps our passports in his office."


def sign_in_with_pin(page, base, employee_id, pin):
    page.goto(f"{base}/kiosk")
    assert page.get_attribute("#employee_id", "autocomplete") == "off"
    assert page.get_attribute("#pin", "autocomplete") == "off"
    page.fill("#employee_id", employee_id)
    page.fill("#pin", pin)
    page.click("form.form button[type=submit]")


def first_sign_in(page, base, employee_id, temporary, own):
    """The temporary PIN an admin gave, then the worker's own."""
    sign_in_with_pin(page, base, employee_id, temporary)
    page.wait_for_url(f"{base}/kiosk/pin")
    page.fill("#pin", own)
    page.fill("#confirm", own)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/training")


def test_two_workers_in_turn_on_one_kiosk(app, live_server, browser, make_user):
    make_user(employee_id="w1", name="Amina Worker-One", hr_locale="en")
    make_user(employee_id="w2", name="Ravi Worker-Two", hr_locale="hi")
    make_user(employee_id="admin", roles="learner admin", hr_locale="en", country="US")
    admin = app.test_client()
    Auth(admin).login("admin")
    enrol_path = register_kiosk(admin, locale="en")
    pins = {w: give_pin(admin, w)[1] for w in ("w1", "w2")}

    kiosk = browser.new_context()  # the tablet: every worker uses this one browser
    page = kiosk.new_page()
    page.goto(live_server + enrol_path)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/kiosk")
    walk = PhoneWalk(page, live_server)  # the kiosk's own pages on a phone-sized screen
    walk.check("kiosk sign-in", "/kiosk", axe=False)

    # worker one: the temporary PIN, then their own, then some training and a concern draft
    first_sign_in(page, live_server, "w1", pins["w1"], "4826")
    assert "Amina Worker-One" in page.content()
    page.goto(f"{live_server}/courses/demo_course/modules/basics")
    assert page.get_attribute("meta[http-equiv=refresh]", "content").startswith("301;url=")
    page.goto(f"{live_server}/concerns")
    assert page.is_visible("img.qr") and page.is_visible("a.quick-exit")
    for label, url in (("kiosk module", "/courses/demo_course/modules/basics"), ("kiosk concerns", "/concerns")):
        walk.check(label, url, signed_in=True)
    assert walk.problems == {}, report(walk.problems)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server}/concerns/report")
    page.fill("#description", CONCERN_TEXT)
    page.goto(f"{live_server}/training")
    page.click(".kiosk-bar button")  # "Not you? Sign out"
    page.wait_for_url(f"{live_server}/kiosk")

    # worker two, on the same browser
    first_sign_in(page, live_server, "w2", pins["w2"], "7391")
    assert "Ravi Worker-Two" in page.content() and "Amina" not in page.content()
    seen = []
    for _ in range(8):  # back through everything this tab showed
        if page.go_back() is None:
            break
        seen.append(
            page.content() + " ".join(page.eval_on_selector_all("textarea, input", "els => els.map(e => e.value)"))
        )
    assert seen and not any("Amina" in s or CONCERN_TEXT in s for s in seen)
    kiosk.close()
