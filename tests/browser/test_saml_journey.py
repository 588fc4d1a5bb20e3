"""SAML 2.0 sign-in in chromium through the real redirects and posts: the login page's
button, the identity provider's login page (pysaml2's Server, tests/peers/saml_idp.py),
its signed answer posted back to the app, and on to the person's training."""

from __future__ import annotations

import pytest

from ..conftest import make_app, wipe
from ..peers.saml_idp import SamlIdp


@pytest.fixture
def idp(tmp_path):
    idp = SamlIdp(tmp_path, host="localhost")  # another site than the app's 127.0.0.1
    idp.serve()
    yield idp
    idp.stop()


@pytest.fixture
def app(database_url, tmp_path, idp):
    # the IdP's metadata from its URL, as from Entra ID or Okta (tests/test_saml.py uses a file)
    app = make_app(
        database_url,
        tmp_path,
        ELEARN_SAML_IDP_METADATA_URL=f"{idp.base}/idp/metadata",
        ELEARN_SAML_PROVIDER_NAME="Fabrikam SAML",
    )
    yield app
    wipe(app)


@pytest.fixture
def base(app, live_server, idp):
    # the SP's entity id and ACS are built on the base URL, which is the live server's
    app.config["ELEARN_BASE_URL"] = f"{live_server}/"
    idp.trust_sp(app.test_client().get("/saml/metadata").get_data(as_text=True))
    return live_server


def test_sign_in_through_the_identity_provider(page, base, idp, make_user):
    make_user(employee_id="u1", name="Alice HR-Name", hr_locale="en")
    idp.users = {"alice": {"employeeNumber": ["u1"], "displayName": ["Alice Example"]}}
    page.goto(f"{base}/login")
    page.click("text=Sign in with Fabrikam SAML")
    page.wait_for_url(f"{idp.base}/sso/redirect**", wait_until="commit")
    page.fill("input[name=login]", "alice")
    page.click("text=Log in at the IdP")
    page.click("text=Continue to the app")  # the IdP's form posts the signed answer to the app
    # a cross-site POST comes without the SameSite=Lax session cookie: our page posts it again
    page.wait_for_url(f"{base}/saml/acs")
    assert page.locator("h1").inner_text() == "Continue signing in"
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{base}/training")
    assert "Alice HR-Name" in page.content()
