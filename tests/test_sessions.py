"""The remembered session cookies (elearn/sessions.py) and the page CSRF token
(pagecache.page_csrf_token): faster, and no weaker than Flask's own checks."""
import copy
import time
from datetime import timedelta

from .conftest import Auth, csrf_token

MODULE = "/courses/demo_course/modules/basics"
ACKNOWLEDGE = MODULE + "/acknowledge"


def signed_in_cookie(client):
    return client.get_cookie("session").value


def test_a_tampered_cookie_is_refused_after_the_genuine_one_was_remembered(app, client, auth, make_user):
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200  # verified and remembered
    genuine = signed_in_cookie(client)
    payload, _, signature = genuine.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", forged)
    response = client.get(MODULE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remembered_session_is_a_fresh_copy_each_time(app):
    """Flask appends flash messages to the session's list in place: what one request
    does to its session must not reach the next request with the same cookie."""
    interface = app.session_interface
    with app.test_request_context("/"):
        cookie = interface.get_signing_serializer(app).dumps({"_flashes": [["info", "first"]], "n": 1})
    name = interface.get_cookie_name(app)
    opened = []
    for _ in range(3):  # verified, then remembered twice
        with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
            from flask import request
            session = interface.open_session(app, request)
            opened.append(copy.deepcopy(dict(session)))
            session["_flashes"].append(["info", "second"])
            session["n"] = 2
    assert opened == [{"_flashes": [["info", "first"]], "n": 1}] * 3


def test_remembered_sessions_still_expire(app, client, auth, make_user):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200
    time.sleep(2.1)
    response = client.get(MODULE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_secret_key_ends_remembered_sessions(app, client, auth, make_user):
    make_user()
    auth.login()
    assert client.get(MODULE).status_code == 200
    app.secret_key = "a-rotated-secret"
    assert client.get(MODULE).status_code == 302


def test_page_csrf_token_works_for_its_session_only(app, make_user):
    make_user(employee_id="a1")
    make_user(employee_id="b1")
    first, second = app.test_client(), app.test_client()
    Auth(first).login("a1")
    Auth(second).login("b1")
    token_a = csrf_token(first.get(MODULE).get_data(as_text=True))
    assert token_a == csrf_token(first.get(MODULE).get_data(as_text=True))  # signed once, reused
    token_b = csrf_token(second.get(MODULE).get_data(as_text=True))
    assert token_a != token_b
    assert second.post(ACKNOWLEDGE, data={"csrf_token": token_a}).status_code == 400
    assert first.post(ACKNOWLEDGE, data={"csrf_token": token_a}).status_code == 302


def pool_checkouts(app):
    """Counts database connections taken from the pool (every query path takes one)."""
    from sqlalchemy import event

    from elearn.extensions import db
    counter = {"n": 0}
    with app.app_context():
        event.listen(db.engine, "checkout", lambda *args: counter.__setitem__("n", counter["n"] + 1))
    return counter


def test_course_page_views_reuse_the_state_saved_in_the_session(app, client, auth, make_user):
    make_user()
    auth.login()
    client.get(MODULE)  # reads the database, saves the state in the session
    checkouts = pool_checkouts(app)
    for _ in range(3):
        assert client.get(MODULE).status_code == 200
        assert client.get("/courses/demo_course").status_code == 200
    assert checkouts["n"] == 3  # the course page's own queries (assignment, completion): not the state


def test_own_progress_shows_at_once_and_submissions_always_read_the_database(app, client, auth, make_user):
    make_user(hr_locale="en")
    auth.login()
    page = client.get(MODULE).get_data(as_text=True)
    assert 'class="done"' not in page
    checkouts = pool_checkouts(app)
    client.post(ACKNOWLEDGE, data={"csrf_token": csrf_token(page)})
    assert checkouts["n"] >= 1
    again = client.get(MODULE).get_data(as_text=True)
    assert 'class="done"' in again


def test_recheck_zero_reads_the_database_on_every_page(app, client, auth, make_user):
    app.config["ELEARN_STATE_RECHECK_SECONDS"] = 0
    make_user()
    auth.login()
    client.get(MODULE)
    checkouts = pool_checkouts(app)
    for _ in range(3):
        client.get(MODULE)
    assert checkouts["n"] == 3


def test_sign_out_leaves_nothing_of_the_person_in_the_cookie(app, client, auth, make_user):
    import base64
    import zlib
    make_user(name="Ana Unique-Name")
    auth.login()
    page = client.get(MODULE).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    payload = client.get_cookie("session").value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = zlib.decompress(data) if client.get_cookie("session").value.startswith(".") else data
    assert b"Unique-Name" not in text and b"_course_state" not in text


def test_pages_vary_on_cookie_whether_or_not_the_session_is_written(app, client, auth, make_user):
    make_user()
    auth.login()
    first = client.get(MODULE)  # saves the state: the cookie is written
    again = client.get(MODULE)  # nothing to write
    assert "Set-Cookie" in first.headers and "Set-Cookie" not in again.headers
    for response in (first, again):
        assert "Cookie" in ", ".join(response.headers.get_all("Vary"))
