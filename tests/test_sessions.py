"""Sessions are Flask's own signed cookies; CSRF tokens are Flask-WTF's; rendered page
shells are kept per app, bounded by configuration."""

import time
from datetime import timedelta

from flask.sessions import SecureCookieSessionInterface

from elearn.pagecache import EXTENSION

from .conftest import Auth, csrf_token, make_app, wipe

MODULE = "/courses/demo_course/modules/basics"
ACKNOWLEDGE = MODULE + "/acknowledge"


def signed_in_cookie(client):
    return client.get_cookie("session").value


def test_the_app_uses_flasks_own_session_interface(app):
    assert type(app.session_interface) is SecureCookieSessionInterface


def test_a_tampered_cookie_is_refused(app, client, auth, make_user):
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200
    genuine = signed_in_cookie(client)
    payload, _, signature = genuine.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", forged)
    response = client.get(MODULE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sessions_expire(app, client, auth, make_user):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200
    time.sleep(2.1)
    response = client.get(MODULE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_secret_key_ends_sessions(app, client, auth, make_user):
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200
    app.secret_key = "a-rotated-secret"
    assert client.get(MODULE).status_code == 302


def test_the_csrf_token_of_a_cached_page_works_for_its_session_only(app, make_user):
    make_user(employee_id="a1")
    make_user(employee_id="b1")
    first, second = app.test_client(), app.test_client()
    Auth(first).login("a1")
    Auth(second).login("b1")
    token_a = csrf_token(first.get(MODULE).get_data(as_text=True))
    token_b = csrf_token(second.get(MODULE).get_data(as_text=True))
    assert token_a != token_b
    assert second.post(ACKNOWLEDGE, data={"csrf_token": token_a}).status_code == 400
    assert first.post(ACKNOWLEDGE, data={"csrf_token": token_a}).status_code == 302


def test_a_page_token_is_signed_once_per_session_and_again_for_a_new_key(app, client, auth, make_user, monkeypatch):
    import elearn.pagecache as pagecache

    signed = []
    real = pagecache.generate_csrf

    def counting():
        signed.append(1)
        return real()

    monkeypatch.setattr(pagecache, "generate_csrf", counting)
    make_user()
    auth.login()
    tokens = {csrf_token(client.get(MODULE).get_data(as_text=True)) for _ in range(3)}
    assert len(tokens) == 1 and len(signed) == 1
    assert client.post(ACKNOWLEDGE, data={"csrf_token": tokens.pop()}).status_code == 302
    app.config["WTF_CSRF_SECRET_KEY"] = "a-rotated-csrf-key"
    fresh = csrf_token(client.get(MODULE).get_data(as_text=True))
    assert len(signed) == 2
    assert client.post(ACKNOWLEDGE, data={"csrf_token": fresh}).status_code == 302


def shell_keys(app) -> list[tuple]:
    return list(app.extensions[EXTENSION].shells)


def test_page_shells_are_kept_per_app_and_bounded_by_configuration(database_url, tmp_path, make_user):
    small = make_app(database_url, tmp_path, ELEARN_PAGE_CACHE_SIZE=2)
    other = make_app(database_url, tmp_path)
    try:
        make_user(country="AE", hr_locale="en")
        client = small.test_client()
        Auth(client).login()
        for module in ("basics", "signs", "basics", "risks"):  # basics used again: signs is the oldest
            assert client.get(f"/courses/demo_course/modules/{module}").status_code == 200
        assert sorted(key[5] for key in shell_keys(small)) == ["basics", "risks"]
        assert shell_keys(other) == []  # nothing shared between apps
    finally:
        wipe(small)


def test_the_page_shell_key_holds_the_course_version(app, client, auth, make_user):
    make_user(hr_locale="en", country="US")
    auth.login()
    assert client.get(MODULE).status_code == 200
    version = app.extensions["elearn_catalog"].courses["demo_course"].version
    [key] = shell_keys(app)
    assert "demo_course" in key and version in key
