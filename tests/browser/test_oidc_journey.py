"""Single sign-on in chromium through the real redirects: the login page's button, the
OpenID Provider's own login and consent pages (npm oidc-provider, tests/peers), back to
the app; and sign-out through the provider's end-session page."""

from __future__ import annotations

import pytest

from ..conftest import make_app, wipe
from ..peers.oidc import oidc_peer  # noqa: F401 - the session fixture

ALICE = {"name": "Alice Example", "employee_id": "u1", "email": "alice@example.com", "email_verified": True}


@pytest.fixture
def app(database_url, tmp_path, oidc_peer):  # noqa: F811
    app = make_app(database_url, tmp_path, **oidc_peer.app_config())
    yield app
    wipe(app)


@pytest.fixture
def base(app, live_server):
    # the redirect URI the app sends is built on its base URL, which is the live server's
    app.config["ELEARN_BASE_URL"] = f"{live_server}/"
    return live_server


def sign_in_at_provider(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.click("text=Sign in with Contoso ID")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.click("text=Continue")  # the provider's consent page


def test_sign_in_and_out_through_the_provider(page, base, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1", name="Alice HR-Name", hr_locale="en")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    page.goto(f"{base}/login?next=/courses/demo_course")
    page.click("text=Sign in with Contoso ID")
    page.wait_for_url(f"{oidc_peer.issuer}/interaction/**", wait_until="commit")
    page.fill("input[name=login]", "sub-alice")
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.click("text=Continue")
    page.wait_for_url(f"{base}/courses/demo_course")
    assert "Alice HR-Name" in page.content()
    page.click("form.sign-out button")  # on to the provider: the page's CSP lets the form go there
    page.wait_for_url(f"{oidc_peer.issuer}/session/end**", wait_until="commit")
    page.click("text=Yes, sign me out")
    page.wait_for_url(f"{base}/login**")
    page.goto(f"{base}/training")
    page.wait_for_url(f"{base}/login**")  # signed out here too


def test_unknown_person_is_told_to_ask_hr_until_jit_is_on(app, page, base, oidc_peer):  # noqa: F811
    oidc_peer.set_accounts({"sub-new": {**ALICE, "employee_id": "E-9", "name": "New Starter"}})
    sign_in_at_provider(page, base, "sub-new")
    page.wait_for_url(f"{base}/login/sso/callback**")
    assert "not set up here yet" in page.inner_text("main")
    app.config["ELEARN_OIDC_JIT"] = True
    page.goto(f"{base}/login")
    page.click("text=Sign in with Contoso ID")  # the provider remembers the person: no login form
    page.click("text=Continue")
    page.wait_for_url(f"{base}/training")
    assert "New Starter" in page.content()


def test_deactivated_person_is_refused(page, base, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1", active=False)
    oidc_peer.set_accounts({"sub-alice": ALICE})
    sign_in_at_provider(page, base, "sub-alice")
    page.wait_for_url(f"{base}/login/sso/callback**")
    assert "not active" in page.inner_text("main")
    page.goto(f"{base}/training")
    page.wait_for_url(f"{base}/login**")
