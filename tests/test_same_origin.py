"""State-changing requests must come from our own pages: the Origin / Sec-Fetch-Site check
that replaces Flask-WTF's HTTPS Referer check, and the concern pages' no-referrer policy
that made the replacement necessary (a form posted from them carries `Origin: null` and
no Referer)."""

import pytest
from sqlalchemy import func, select

from elearn.concerns.models import Concern
from elearn.extensions import db
from elearn.same_origin import is_same_origin

from .concern_helpers import file_report, receipt_code
from .conftest import PASSWORD, csrf_token, make_app, wipe

HTTPS = "https://localhost"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
#: what chromium sends with a form posted from a page under `Referrer-Policy: no-referrer`
FROM_NO_REFERRER_PAGE = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


# The rule alone.


@pytest.mark.parametrize(
    "secure, headers",
    [
        (False, {}),  # plain HTTP, no evidence either way: local runs, old clients
        (True, {"Sec-Fetch-Site": "same-origin"}),
        (True, {"Sec-Fetch-Site": "none"}),  # typed or bookmarked by the user
        (True, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}),
        (True, {"Origin": "https://localhost"}),
        (True, {"Origin": "https://localhost:443"}),
        (True, {"Referer": "https://localhost/concerns/report"}),
        (False, {"Origin": "http://localhost"}),
    ],
)
def test_same_origin_evidence_is_accepted(secure, headers):
    own = "https://localhost" if secure else "http://localhost"
    assert is_same_origin(own, secure, headers)


@pytest.mark.parametrize(
    "secure, headers",
    [
        (False, {"Sec-Fetch-Site": "cross-site"}),
        (False, {"Sec-Fetch-Site": "same-site"}),  # a sibling subdomain is another origin
        (True, {"Sec-Fetch-Site": "cross-site", "Referer": "https://localhost/login"}),
        (False, {"Origin": "https://evil.example"}),
        (True, {"Origin": "http://localhost"}),  # same host, other scheme
        (True, {"Origin": "https://localhost:8443"}),
        (True, {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}),
        (True, {}),  # HTTPS needs positive evidence, as Flask-WTF's strict mode did
        (True, {"Origin": "null"}),
        (True, {"Referer": "https://evil.example/localhost"}),
        (True, {"Referer": "http://localhost/login"}),
    ],
)
def test_cross_origin_or_missing_evidence_is_refused(secure, headers):
    own = "https://localhost" if secure else "http://localhost"
    assert not is_same_origin(own, secure, headers)


class HttpsClient:
    """A test client whose requests go to https://localhost (request.is_secure)."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, *args, **kwargs):
        return self.client.get(*args, base_url=HTTPS, **kwargs)

    def post(self, *args, **kwargs):
        return self.client.post(*args, base_url=HTTPS, **kwargs)


# Sign-in over HTTPS.


def _login(client, headers, base_url=HTTPS):
    page = client.get("/login", base_url=base_url)
    return client.post(
        "/login",
        base_url=base_url,
        headers=headers,
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "login": "u1", "password": PASSWORD},
    )


def _signed_in(client) -> bool:
    return client.get("/training", base_url=HTTPS).status_code == 200


@pytest.mark.parametrize("headers", [SAME_ORIGIN, FROM_NO_REFERRER_PAGE, {"Referer": f"{HTTPS}/login"}])
def test_https_sign_in_with_same_origin_evidence_works(app, client, make_user, headers):
    make_user()
    response = _login(client, headers)
    assert response.status_code == 302 and response.headers["Location"].endswith("/training")
    assert _signed_in(client)


@pytest.mark.parametrize("headers", [CROSS_SITE, {"Sec-Fetch-Site": "same-site"}, {}])
def test_https_sign_in_cross_site_or_without_evidence_is_refused(app, client, make_user, headers):
    make_user()
    response = _login(client, {**headers, "Accept-Language": "es"})
    assert response.status_code == 400
    assert "No se pudo entender la solicitud" in response.get_data(as_text=True)  # the translated error page
    assert not _signed_in(client)


def test_plain_http_sign_in_without_headers_still_works(app, client, make_user):
    make_user()
    assert _login(client, {}, base_url="http://localhost").status_code == 302


def test_plain_http_cross_site_post_is_refused(app, client, make_user):
    make_user()
    assert _login(client, {"Sec-Fetch-Site": "cross-site"}, base_url="http://localhost").status_code == 400
    assert _login(client, {"Origin": "https://evil.example"}, base_url="http://localhost").status_code == 400


# The concern form over HTTPS.


def _concern_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Concern))


@pytest.mark.parametrize("headers", [SAME_ORIGIN, FROM_NO_REFERRER_PAGE])
def test_https_concern_form_from_our_page_is_filed(app, make_user, headers):
    client = HttpsClient(app)
    receipt_code(file_report(client, headers=headers))
    assert _concern_count(app) == 1


@pytest.mark.parametrize("headers", [CROSS_SITE, {"Sec-Fetch-Site": "cross-site"}, {}])
def test_https_concern_form_cross_site_or_without_evidence_writes_nothing(app, headers):
    client = HttpsClient(app)
    response = file_report(client, headers=headers)
    assert response.status_code == 400 and 'id="receipt-code"' not in response.get_data(as_text=True)
    assert _concern_count(app) == 0


def test_plain_http_concern_form_without_headers_is_filed(app, client):
    receipt_code(file_report(client))
    assert _concern_count(app) == 1


@pytest.mark.parametrize("hops, status", [(1, 200), (0, 400)])
def test_behind_a_tls_proxy_our_origin_is_the_one_the_browser_used(database_url, tmp_path, hops, status):
    """With ELEARN_PROXY_HOPS the app sees https and accepts the browser's https Origin;
    without it (a misconfigured proxy) it sees http and refuses: see README, Production."""
    app = make_app(database_url, tmp_path, ELEARN_PROXY_HOPS=hops)
    try:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.7",
            "Origin": "https://localhost",
            "Sec-Fetch-Site": "same-origin",
        }
        assert file_report(app.test_client(), headers=headers).status_code == status
    finally:
        wipe(app)


# The API: bearer tokens, no cookies, exempt from CSRF and from this check.


def test_api_with_token_is_not_subject_to_the_origin_check(app, make_user):
    make_user(employee_id="boss", roles="admin", hr_locale="en", assign=False)
    admin = HttpsClient(app)
    _login_as(admin, "boss")
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    html = admin.post(
        "/admin/api-tokens",
        headers=SAME_ORIGIN,
        data={"csrf_token": csrf_token(page), "name": "HRIS", "scopes": "hr_read"},
    ).get_data(as_text=True)
    token = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    hris = HttpsClient(app)  # no cookies, no browser headers
    response = hris.get("/api/v1/completions", headers={"Authorization": f"Bearer {token}", **CROSS_SITE})
    assert response.status_code == 200


def _login_as(client, login):
    page = client.get("/login")
    client.post(
        "/login",
        headers=SAME_ORIGIN,
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "login": login, "password": PASSWORD},
    )


# Referrer policy: concern pages leak their address to no other request.


@pytest.mark.parametrize("path", ["/concerns", "/concerns?country=AE", "/concerns/report", "/concerns/status"])
def test_concern_pages_send_no_referrer(app, client, path):
    assert client.get(path).headers.getlist("Referrer-Policy") == ["no-referrer"]


def test_refused_concern_post_also_sends_no_referrer(app):
    client = HttpsClient(app)
    response = file_report(client, headers=CROSS_SITE)
    assert response.status_code == 400
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]


@pytest.mark.parametrize("path", ["/login", "/static/elearn.css"])
def test_other_pages_keep_same_origin_referrer(app, client, path):
    assert client.get(path).headers.getlist("Referrer-Policy") == ["same-origin"]
