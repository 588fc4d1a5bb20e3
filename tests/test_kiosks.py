"""Kiosks through HTTP: an admin registers one, the device enrols with its one-time
link, workers sign in with an employee ID and PIN, and kiosk sessions end when left idle
or after a result."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.auth.kiosk import KIOSK_SESSION, LONGEST_WAIT, wait_after, weak_pin
from elearn.auth.models import Kiosk, KioskPin
from elearn.extensions import db
from elearn.models import Assignment, AuditLog, User, utcnow

from .conftest import Auth, csrf_token, make_app, wipe
from .helpers import ANSWERS, acknowledge_all, completion_of, submit

LINK = re.compile(r'<code id="enrolment-link">([^<]+)</code>')
PIN = re.compile(r'<code id="new-pin">([0-9]+)</code>')


def register_kiosk(admin_client, name="Canteen tablet", country="AE", locale="hi"):
    page = admin_client.get("/admin/kiosks")
    response = admin_client.post(
        "/admin/kiosks",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "name": name,
            "country": country,
            "locale": locale,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    link = LINK.search(response.get_data(as_text=True)).group(1)
    return link[link.index("/kiosk/enrol/") :]


def enrol(app, path):
    """A fresh browser opens the enrolment link and confirms: it is the kiosk now."""
    device = app.test_client()
    page = device.get(path)
    assert page.status_code == 200
    response = device.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk")
    assert device.get_cookie("elearn_kiosk") is not None
    return device


def give_pin(admin_client, employee_id):
    page = admin_client.get("/admin/kiosk-pins")
    response = admin_client.post(
        "/admin/kiosk-pins", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "employee_id": employee_id}
    )
    match = PIN.search(response.get_data(as_text=True))
    return response, match.group(1) if match else None


def pin_sign_in(device, employee_id, pin):
    page = device.get("/kiosk")
    assert page.status_code == 200, page.status_code
    return device.post(
        "/kiosk", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "employee_id": employee_id, "pin": pin}
    )


def choose_pin(device, pin, confirm=None):
    page = device.get("/kiosk/pin")
    return device.post(
        "/kiosk/pin",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "pin": pin, "confirm": confirm or pin},
    )


@pytest.fixture
def kiosk(app, admin_client, make_user):
    """An enrolled kiosk device and a worker who has chosen their PIN 4826 on it."""
    make_user(employee_id="w1", name="Worker One", hr_locale="en")
    device = enrol(app, register_kiosk(admin_client, locale="en"))
    _, temporary = give_pin(admin_client, "w1")
    assert pin_sign_in(device, "w1", temporary).headers["Location"].endswith("/kiosk/pin")
    assert choose_pin(device, "4826").headers["Location"].endswith("/training")
    device.post("/logout", data={"csrf_token": csrf_token(device.get("/training").get_data(as_text=True))})
    return device


def test_registering_a_kiosk_gives_a_one_time_link_and_is_audited(app, admin_client):
    path = register_kiosk(admin_client)
    with app.app_context():
        kiosk = db.session.scalars(select(Kiosk)).one()
        assert (kiosk.name, kiosk.country, kiosk.locale, kiosk.device_hash) == ("Canteen tablet", "AE", "hi", None)
        assert path.rsplit("/", 1)[1] not in (kiosk.enrolment_hash or "")  # only a hash is stored
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "kiosk.create"))
    device = enrol(app, path)
    assert device.get("/kiosk").status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 404 and "not valid" in again.get_data(as_text=True)


def test_bad_kiosk_form_changes_nothing(app, admin_client):
    page = admin_client.get("/admin/kiosks")
    token = csrf_token(page.get_data(as_text=True))
    for data in ({"name": "", "country": "AE", "locale": "en"}, {"name": "X", "country": "ZZ", "locale": "en"}):
        response = admin_client.post("/admin/kiosks", data={"csrf_token": token, **data})
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_enrolment_link_expires(app, admin_client):
    path = register_kiosk(admin_client)
    with app.app_context():
        kiosk = db.session.scalars(select(Kiosk)).one()
        kiosk.enrolment_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_an_ordinary_browser_has_no_pin_sign_in(client, kiosk):
    response = client.get("/kiosk")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_temporary_pin_must_be_replaced_before_anything_else(app, admin_client, make_user):
    make_user(employee_id="w2", name="Worker Two")
    device = enrol(app, register_kiosk(admin_client))
    _, temporary = give_pin(admin_client, "w2")
    assert pin_sign_in(device, "w2", temporary).status_code == 302
    blocked = device.get("/courses/demo_course")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/kiosk/pin")
    assert choose_pin(device, "1234").status_code == 400  # a run is too easy
    assert choose_pin(device, temporary).status_code == 400  # the supervisor knows that one
    assert choose_pin(device, "5937", "5938").status_code == 400
    assert choose_pin(device, "5937").status_code == 302
    assert device.get("/courses/demo_course").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(KioskPin)).one().temporary is False


def test_sign_in_with_own_pin_then_sign_out_leaves_nothing(app, kiosk):
    response = pin_sign_in(kiosk, "w1", "4826")
    assert response.status_code == 302 and response.headers["Location"].endswith("/training")
    assert "Worker One" in kiosk.get("/training").get_data(as_text=True)
    out = kiosk.post("/logout", data={"csrf_token": csrf_token(kiosk.get("/training").get_data(as_text=True))})
    assert out.status_code == 302
    with kiosk.session_transaction() as saved:
        assert set(saved) <= {"_flashes", "csrf_token"}  # nobody's id, state or kiosk session
    assert kiosk.get("/training").status_code == 302


def test_login_page_on_a_kiosk_goes_to_pin_sign_in(kiosk):
    response = kiosk.get("/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk")


def test_kiosk_pages_open_in_the_kiosk_language(app, admin_client):
    device = enrol(app, register_kiosk(admin_client, locale="hi"))
    page = device.get("/kiosk", headers={"Accept-Language": "en"})
    assert 'lang="hi"' in page.get_data(as_text=True)


def test_privileged_people_never_sign_in_with_a_pin(app, admin_client, make_user, kiosk):
    make_user(employee_id="handler", roles="learner case_handler")
    response, pin = give_pin(admin_client, "handler")
    assert response.status_code == 400 and pin is None
    with app.app_context():  # a PIN from before a privileged role was granted stops working
        db.session.get(User, db.session.scalar(select(KioskPin.user_id))).roles = "learner admin"
        db.session.commit()
    assert pin_sign_in(kiosk, "w1", "4826").status_code == 400


def test_wrong_pins_bring_growing_waits_that_an_admin_clears(app, admin_client, kiosk):
    assert [wait_after(n).total_seconds() for n in range(1, 8)] == [0, 0, 30, 60, 120, 240, 480]
    assert wait_after(50) == LONGEST_WAIT
    codes = [pin_sign_in(kiosk, "w1", "0000").status_code for _ in range(3)]
    assert codes == [400, 400, 400]
    waiting = pin_sign_in(kiosk, "w1", "4826")  # the right PIN, but it must wait
    assert waiting.status_code == 400 and "Too many wrong PINs" in waiting.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalars(select(KioskPin)).one()
        assert row.failures == 3 and row.retry_after > utcnow()
        uid = row.user_id
    page = admin_client.get("/admin/kiosk-pins")
    assert "Worker One" in page.get_data(as_text=True)
    admin_client.post(f"/admin/kiosk-pins/{uid}/unlock", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert pin_sign_in(kiosk, "w1", "4826").status_code == 302


def test_idle_kiosk_session_ends_on_the_server(kiosk):
    pin_sign_in(kiosk, "w1", "4826")
    with kiosk.session_transaction() as saved:
        saved[KIOSK_SESSION] = {**saved[KIOSK_SESSION], "seen": int(time.time()) - 301}
    response = kiosk.get("/training")
    assert response.status_code == 302 and "/kiosk/exit" in response.headers["Location"]
    assert kiosk.get("/training").status_code == 302  # signed out
    page = kiosk.get("/training", follow_redirects=True).get_data(as_text=True)
    assert "Worker One" not in page


def test_kiosk_page_refreshes_to_sign_in_without_javascript(app, kiosk):
    pin_sign_in(kiosk, "w1", "4826")
    html = kiosk.get("/courses/demo_course/modules/basics").get_data(as_text=True)
    refresh = re.search(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)"', html)
    assert refresh and int(refresh.group(1)) == app.config["ELEARN_KIOSK_IDLE_SECONDS"] + 1
    assert "/kiosk/exit?idle=1" in refresh.group(2).replace("&amp;", "&")
    assert "Not you?" in html


def test_quiz_result_ends_the_kiosk_session(kiosk):
    pin_sign_in(kiosk, "w1", "4826")
    acknowledge_all(kiosk, ["basics", "signs", "risks"])
    result = submit(kiosk, ANSWERS)
    page = kiosk.get(result.headers["Location"])
    assert page.status_code == 200 and "Worker One" in page.get_data(as_text=True)
    assert kiosk.get("/training").status_code == 302  # the next person starts signed out


def test_revoking_a_kiosk_ends_its_sessions(app, admin_client, kiosk):
    pin_sign_in(kiosk, "w1", "4826")
    with app.app_context():
        kiosk_id = db.session.scalar(select(Kiosk.id))
    page = admin_client.get("/admin/kiosks")
    admin_client.post(f"/admin/kiosks/{kiosk_id}/revoke", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert kiosk.get("/training").headers["Location"].endswith("/login")
    assert kiosk.get("/kiosk").headers["Location"].endswith("/login")  # an ordinary browser again


def test_scoped_admins_manage_kiosks_of_their_region_only(app, admin_client, scoped_admin):
    register_kiosk(admin_client, name="Dubai", country="AE")
    register_kiosk(admin_client, name="Nairobi", country="KE")
    arab_states = scoped_admin("region", "arab_states")
    listing = arab_states.get("/admin/kiosks").get_data(as_text=True)
    assert "Dubai" in listing and "Nairobi" not in listing
    with app.app_context():
        nairobi = db.session.scalar(select(Kiosk.id).where(Kiosk.name == "Nairobi"))
    token = csrf_token(listing)
    assert arab_states.post(f"/admin/kiosks/{nairobi}/revoke", data={"csrf_token": token}).status_code == 404
    department = scoped_admin("department", "Construction", employee_id="dept")
    assert department.get("/admin/kiosks").status_code == 403


def test_shift_change_behind_one_address_is_not_limited_but_one_account_is(database_url, tmp_path):
    app = make_app(database_url, tmp_path, ELEARN_LOGIN_LIMIT="3 per minute")
    try:
        from elearn.auth.passwords import hash_password

        with app.app_context():
            hashed = hash_password("a-long-password")
            db.session.add_all([User(employee_id=f"s{i}", name=f"S {i}", password_hash=hashed) for i in range(25)])
            db.session.commit()
        codes = [Auth(app.test_client()).login(f"s{i}", "a-long-password").status_code for i in range(25)]
        assert codes == [302] * 25  # 25 people from one site address
        client = app.test_client()
        tries = [Auth(client).login("s1", "wrong").status_code for _ in range(3)]
        assert tries == [400, 400, 429]  # s1's sign-in a moment ago counts too
    finally:
        wipe(app)


def test_each_kiosk_has_its_own_sign_in_limit(app, admin_client, make_user):
    app.config["ELEARN_KIOSK_LIMIT"] = "2 per minute"
    first = enrol(app, register_kiosk(admin_client, name="A"))
    second = enrol(app, register_kiosk(admin_client, name="B"))
    assert [pin_sign_in(first, f"x{i}", "1111").status_code for i in range(3)] == [400, 400, 429]
    assert pin_sign_in(second, "x9", "1111").status_code == 400  # another device, same address


def test_weak_pins():
    assert all(weak_pin(p) for p in ("0000", "1234", "9876", "55555555"))
    assert not any(weak_pin(p) for p in ("4826", "1235", "2468"))


def test_concern_page_on_a_kiosk_offers_own_phone_and_quick_exit(kiosk, client):
    page = kiosk.get("/concerns").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "/kiosk/exit" in page
    assert 'value="AE" selected' in page  # the kiosk's country picks the helplines
    form = kiosk.get("/concerns/report").get_data(as_text=True)
    assert 'autocomplete="off"' in form and "/kiosk/exit" in form
    ordinary = client.get("/concerns").get_data(as_text=True)
    assert "data:image/svg+xml" not in ordinary and "/kiosk/exit" not in ordinary


def test_no_pdf_download_and_no_team_page_on_a_shared_device(app, kiosk, make_user):
    """A downloaded file stays on the device, and the next person sees the screen."""
    with app.app_context():
        worker = db.session.scalar(select(User).where(User.employee_id == "w1"))
        worker.email = "w1@example.com"
        db.session.add(completion_of(db.session.scalars(select(Assignment).filter_by(user_id=worker.id)).one()))
        db.session.commit()
    make_user(employee_id="w2", hr_locale="en", manager_email="w1@example.com")
    pin_sign_in(kiosk, "w1", "4826")
    assert kiosk.get("/courses/demo_course/certificate.pdf").status_code == 403
    assert kiosk.get("/team").status_code == 403
    certificate = kiosk.get("/courses/demo_course/certificate").get_data(as_text=True)
    assert "Worker One" in certificate and "certificate.pdf" not in certificate and "My team" not in certificate
