"""Sign-in: hashing, inactive users, safe `next` redirects, CSRF."""

import pytest

from elearn.extensions import db
from elearn.models import User

from .conftest import csrf_token


def test_password_is_hashed_with_scrypt(app, make_user):
    uid = make_user()
    with app.app_context():
        assert db.session.get(User, uid).password_hash.startswith("scrypt:")


def test_sign_in_and_out(app, client, auth, make_user):
    make_user(hr_locale="en")
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"].endswith("/training")
    page = client.get("/training").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/training").status_code == 302


def test_deactivating_a_person_ends_their_signed_in_session(app, client, auth, make_user):
    """Both ways a signed-in user is read refuse an account deactivated after sign-in, at
    the very next request: Flask-Login's loader, and the course pages' one query, even
    with the learner's state saved in their session (for quiz submissions)."""
    uid = make_user(hr_locale="en")
    auth.login()
    course_page = "/courses/demo_course"
    page = client.get("/courses/demo_course/modules/basics")
    token = csrf_token(page.get_data(as_text=True))
    assert client.get("/training").status_code == client.get(course_page).status_code == 200
    with app.app_context():
        db.session.get(User, uid).active = False
        db.session.commit()
    acknowledge = client.post("/courses/demo_course/modules/basics/acknowledge", data={"csrf_token": token})
    assert acknowledge.status_code == 302 and "/login" in acknowledge.headers["Location"]
    for path in ("/training", course_page, "/courses/demo_course/quiz"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_sign_in_by_email_case_insensitive(app, auth, make_user):
    make_user(email="Person@Example.com")
    assert auth.login("person@example.COM").status_code == 302


def test_wrong_password_and_inactive_user_get_the_same_message(app, client, auth, make_user):
    make_user(employee_id="a1", hr_locale="en")
    make_user(employee_id="a2", hr_locale="en", active=False)
    wrong = auth.login("a1", "nope")
    inactive = auth.login("a2")
    unknown = auth.login("nobody")
    assert wrong.status_code == inactive.status_code == unknown.status_code == 400
    assert client.get("/training").status_code == 302


def test_user_without_password_cannot_sign_in(app, auth, make_user):
    make_user(password=None)
    assert auth.login(password="").status_code == 400
    assert auth.login(password="anything").status_code == 400


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/evil"]
)
def test_open_redirect_after_login_is_refused(app, auth, make_user, target):
    make_user()
    response = auth.login(next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/training", "http://localhost/training")


def test_local_next_is_followed(app, auth, make_user):
    make_user()
    response = auth.login(next_url="/courses/demo_course")
    assert response.headers["Location"].endswith("/courses/demo_course")


def test_login_without_csrf_is_rejected(app, client, make_user):
    make_user()
    response = client.post("/login", data={"login": "u1", "password": "x"})
    assert response.status_code == 400


def test_language_switcher_saves_on_user_and_wins_over_hr_locale(app, client, auth, make_user):
    uid = make_user(hr_locale="hi")
    auth.login()
    page = client.get("/training").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "locale": "ar", "next": "/training"})
    assert 'lang="ar" dir="rtl"' in client.get("/training").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).chosen_locale == "ar" and db.session.get(User, uid).hr_locale == "hi"


def test_language_switcher_for_visitor_uses_cookie(app, client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/language", data={"csrf_token": csrf_token(page), "locale": "zh_Hans", "next": "/login"})
    assert response.headers["Location"].endswith("/login")
    assert 'lang="zh-Hans"' in client.get("/login").get_data(as_text=True)


def test_unknown_language_changes_nothing(app, client):
    page = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "locale": "xx"})
    assert 'lang="es"' in client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)


def test_accept_language_picks_locale_for_visitor(app, client):
    html = client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-Hans" dir="ltr">' in html
    html = client.get("/login", headers={"Accept-Language": "ar-EG"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html


def test_sign_in_does_the_same_password_work_whoever_is_named(app, client, auth, make_user, monkeypatch):
    """Unknown people, wrong passwords, accounts without a password yet and inactive
    accounts each cost one scrypt verification, so the answer's time does not tell who
    exists. Counted, not timed."""
    import elearn.auth.passwords as passwords

    calls = []
    real = passwords.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    make_user(employee_id="known", hr_locale="en")
    make_user(employee_id="fresh", hr_locale="en", password=None)
    make_user(employee_id="gone", hr_locale="en", active=False)
    for login, password in (
        ("nobody", "whatever"),
        ("known", "wrong password"),
        ("fresh", "whatever"),
        ("gone", "correct horse battery staple"),
    ):
        calls.clear()
        assert auth.login(login, password).status_code == 400
        assert len(calls) == 1 and calls[0].startswith("scrypt:"), (login, calls)
