"""Local accounts: passwords off for people with single sign-on, and the TOTP second
factor of admins and case handlers, through HTTP on both databases. pyotp computes the
codes an authenticator app would show."""

from __future__ import annotations

import hashlib
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from elearn.auth.models import RecoveryCode, SecondFactor
from elearn.auth.second_factor import PENDING_KEY, PENDING_SECONDS
from elearn.extensions import db
from elearn.models import ExternalIdentity, User

from .conftest import PASSWORD, Auth, csrf_token

SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
RECOVERY = re.compile(r"<li><code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code></li>")
GENERIC = "The employee ID, email or password is not right, or the account is not active."


@pytest.fixture
def required(app):
    app.config["ELEARN_REQUIRE_SECOND_FACTOR"] = "admins"
    return app


def signed_in(client) -> bool:
    return client.get("/training").status_code == 200


def send_code(client, code, path="/login/second-factor"):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": code})


def enrol(client):
    """From a half-done sign-in or a signed-in session: scan, confirm, get the codes."""
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn here, by no outside service
    secret = SECRET.search(html).group(1)
    response = send_code(client, pyotp.TOTP(secret).now(), "/account/second-factor")
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = RECOVERY.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def next_step_code(secret):
    """The code of the next time step: accepted (clock drift) and newer than the last."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def sign_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/training").get_data(as_text=True))})


def add_identity(app, user_id):
    with app.app_context():
        db.session.add(ExternalIdentity(user_id=user_id, provider="oidc:" + "a" * 40, subject=f"sub-{user_id}"))
        db.session.commit()


def test_admin_must_enrol_before_the_first_sign_in_completes(app, required, client, make_user):
    uid = make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    response = Auth(client).login("adm")
    assert response.headers["Location"].endswith("/login/second-factor")
    assert client.get("/login/second-factor").headers["Location"].endswith("/account/second-factor")
    assert not signed_in(client)  # the password alone signs nobody in
    secret, codes = enrol(client)
    assert signed_in(client)
    with app.app_context():
        factor = db.session.get(SecondFactor, uid)
        assert factor.secret == secret and factor.confirmed_at is not None
        hashes = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)))
    assert len(hashes) == 10 and not set(codes) & hashes  # stored hashed only
    # shown once: the page now says it is on and does not show them again
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "10 unused recovery codes" in page and codes[0] not in page and secret not in page


def test_sign_in_with_code_refuses_wrong_and_replayed_codes(app, required, client, make_user):
    make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    Auth(client).login("adm")
    secret, _codes = enrol(client)
    sign_out(client)

    Auth(client).login("adm")
    wrong = send_code(client, "000000" if next_step_code(secret) != "000000" else "111111")
    assert wrong.status_code == 400 and "This code is not right" in wrong.get_data(as_text=True)
    assert not signed_in(client)
    # the enrolment's code, again: its time step was used
    replay = send_code(client, pyotp.TOTP(secret).now())
    assert replay.status_code == 400 and not signed_in(client)
    code = next_step_code(secret)
    assert send_code(client, code).headers["Location"].endswith("/training")
    assert signed_in(client)
    sign_out(client)

    Auth(client).login("adm")
    assert send_code(client, code).status_code == 400  # the same code in a new sign-in
    assert not signed_in(client)


def test_recovery_code_signs_in_once(app, required, client, make_user):
    uid = make_user(employee_id="ch", roles="case_handler", hr_locale="en")
    Auth(client).login("ch")
    _secret, codes = enrol(client)
    sign_out(client)

    Auth(client).login("ch")
    assert send_code(client, codes[3].lower()).status_code == 302  # typed in lower case: still right
    assert signed_in(client)
    sign_out(client)
    Auth(client).login("ch")
    assert send_code(client, codes[3]).status_code == 400
    assert not signed_in(client)
    with app.app_context():
        used = db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == uid, RecoveryCode.used_at.is_not(None))
        )
    assert used == 1


def test_half_done_sign_in_expires(app, required, client, make_user):
    make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    Auth(client).login("adm")
    secret, _codes = enrol(client)
    sign_out(client)

    Auth(client).login("adm")
    page = client.get("/login/second-factor")
    with client.session_transaction() as session:
        pending = session[PENDING_KEY]
        pending["started"] -= PENDING_SECONDS + 1
        session[PENDING_KEY] = pending  # a new value: the session saves it
    response = client.post(
        "/login/second-factor",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": next_step_code(secret)},
    )
    assert response.headers["Location"].endswith("/login")
    assert not signed_in(client)
    # another browser cannot finish it either: the half-done sign-in lives in this session
    other = app.test_client()
    assert other.get("/login/second-factor").headers["Location"].endswith("/login")


def test_hostile_codes_get_a_clear_error_and_change_nothing(app, required, client, make_user):
    uid = make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    Auth(client).login("adm")
    enrol(client)
    with app.app_context():
        before = db.session.get(SecondFactor, uid).last_step
    sign_out(client)
    Auth(client).login("adm")
    for code in ["", "1" * 41, "١٢٣٤٥٦", "' OR 1=1 --", "12345\x00", "<script>"]:
        response = send_code(client, code)
        assert response.status_code == 400
        assert not signed_in(client)
    with app.app_context():
        assert db.session.get(SecondFactor, uid).last_step == before
        assert (
            db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
            == 0
        )


def test_second_factor_is_off_for_learners_and_when_not_required(app, client, make_user):
    make_user(employee_id="u1")
    make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    assert Auth(client).login("u1").headers["Location"].endswith("/training")
    sign_out(client)
    assert Auth(client).login("adm").headers["Location"].endswith("/training")  # setting "off"


def test_local_passwords_off_for_people_with_single_sign_on(app, client, make_user):
    from elearn.auth.activation import issue_code

    app.config["ELEARN_LOCAL_PASSWORDS"] = "without_sso"
    office = make_user(employee_id="office", email="office@example.com")
    add_identity(app, office)
    make_user(employee_id="floor")
    refused = Auth(client).login("office")
    assert refused.status_code == 400 and GENERIC in refused.get_data(as_text=True)
    assert not signed_in(client)
    # a wrong password of the same account gets the very same answer
    wrong = Auth(client).login("office", password="not-the-password")
    assert wrong.get_data(as_text=True).count(GENERIC) == refused.get_data(as_text=True).count(GENERIC) == 1
    # floor workers (no provider identity) keep passwords and activation codes
    assert Auth(client).login("floor").headers["Location"].endswith("/training")
    sign_out(client)
    newcomer = make_user(employee_id="new", password=None)
    with app.app_context():
        code = issue_code(db.session.get(User, newcomer))
        db.session.commit()
    page = client.get("/activate")
    response = client.post(
        "/activate",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "employee_id": "new",
            "code": code,
            "password": "a-long-new-password",
            "confirm": "a-long-new-password",
        },
    )
    assert response.headers["Location"].endswith("/training")


def test_floor_workers_keep_kiosk_pins_when_passwords_are_off_for_sso(app, admin_client, make_user):
    from .test_kiosks import choose_pin, give_pin, pin_sign_in, register_kiosk
    from .test_kiosks import enrol as enrol_kiosk

    app.config["ELEARN_LOCAL_PASSWORDS"] = "without_sso"
    make_user(employee_id="w1", hr_locale="en")
    device = enrol_kiosk(app, register_kiosk(admin_client, locale="en"))
    _, temporary = give_pin(admin_client, "w1")
    assert pin_sign_in(device, "w1", temporary).headers["Location"].endswith("/kiosk/pin")
    assert choose_pin(device, "4826").headers["Location"].endswith("/training")


def test_break_glass_admin_signs_in_with_password_and_second_factor(app, client, make_user):
    """Passwords off for SSO people and no second factor required in general: an admin
    with a provider identity still signs in locally, but only with a TOTP code."""
    app.config["ELEARN_LOCAL_PASSWORDS"] = "without_sso"
    uid = make_user(employee_id="glass", roles="learner admin", hr_locale="en")
    add_identity(app, uid)
    assert Auth(client).login("glass").headers["Location"].endswith("/login/second-factor")
    assert not signed_in(client)
    enrol(client)
    assert signed_in(client)


def enrol_while_signed_in(client, employee_id):
    """Anyone may turn the second factor on for themselves, from their signed-in session."""
    assert Auth(client).login(employee_id).headers["Location"].endswith("/training")
    enrol(client)


def test_unscoped_admin_resets_a_second_factor_and_it_is_audited(app, client, admin_client, make_user):
    from elearn.models import AuditLog

    uid = make_user(employee_id="ch", roles="case_handler", hr_locale="en")
    enrol_while_signed_in(client, "ch")
    page = admin_client.get(f"/admin/users/{uid}")
    assert "Reset second factor" in page.get_data(as_text=True)
    response = admin_client.post(
        f"/admin/users/{uid}/second-factor/reset", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(SecondFactor, uid) is None
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
        actions = db.session.scalars(select(AuditLog.action)).all()
    assert "user.second_factor_reset" in actions
    # the next password sign-in asks no code (the setting is off here): the factor is gone
    sign_out(client)
    assert Auth(client).login("ch").headers["Location"].endswith("/training")


def test_scoped_admin_cannot_reset_a_second_factor(app, client, make_user, scoped_admin):
    uid = make_user(employee_id="ch", roles="case_handler", hr_locale="en", country="AE")
    enrol_while_signed_in(client, "ch")
    scoped = scoped_admin("region", "arab_states")
    token = csrf_token(scoped.get("/admin/users").get_data(as_text=True))
    response = scoped.post(f"/admin/users/{uid}/second-factor/reset", data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(SecondFactor, uid) is not None


def test_recovery_codes_are_stored_as_sha256(app, required, client, make_user):
    uid = make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    Auth(client).login("adm")
    _secret, codes = enrol(client)
    with app.app_context():
        hashes = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)))
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in hashes
    assert PASSWORD  # the fixtures' password signs in the admin above


def renew(client, code):
    page = client.get("/account/second-factor").get_data(as_text=True)
    return client.post("/account/second-factor/recovery-codes", data={"csrf_token": csrf_token(page), "code": code})


def test_a_person_renews_their_recovery_codes_with_their_apps_code_only(app, required, client, make_user):
    uid = make_user(employee_id="adm", roles="learner admin", hr_locale="en")
    Auth(client).login("adm")
    secret, old_codes = enrol(client)
    with app.app_context():
        old_hashes = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid)))
    # a recovery code cannot mint more, a wrong or replayed app code neither: nothing changes
    for code in (old_codes[0], "000000" if next_step_code(secret) != "000000" else "111111", pyotp.TOTP(secret).now()):
        refused = renew(client, code)
        assert refused.status_code == 400 and "This code is not right" in refused.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == uid))) == old_hashes
    response = renew(client, next_step_code(secret))
    assert response.status_code == 200
    new_codes = RECOVERY.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    sign_out(client)
    Auth(client).login("adm")
    assert send_code(client, old_codes[1]).status_code == 400  # the earlier codes are gone
    assert send_code(client, new_codes[1]).status_code == 302
    assert signed_in(client)


def test_renewing_recovery_codes_needs_a_signed_in_person_with_a_factor(app, required, client, make_user):
    make_user(employee_id="learner", hr_locale="en")
    Auth(client).login("learner")
    page = client.get("/training").get_data(as_text=True)
    response = client.post("/account/second-factor/recovery-codes", data={"csrf_token": csrf_token(page), "code": "1"})
    assert response.headers["Location"].endswith("/account/second-factor")
    assert app.test_client().post("/account/second-factor/recovery-codes").status_code in (302, 400)
