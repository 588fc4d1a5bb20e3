"""The Report a concern page: open to all, helplines for the visitor's country."""


def test_concern_link_on_every_page(app, client, auth, make_user):
    make_user(hr_locale="en")
    for path in ("/login", "/verify/NOPE"):
        assert 'href="/concerns"' in client.get(path).get_data(as_text=True)
    auth.login()
    for path in (
        "/training",
        "/courses/demo_course",
        "/courses/demo_course/modules/basics",
        "/courses/demo_course/quiz",
    ):
        assert 'href="/concerns"' in client.get(path).get_data(as_text=True)


def test_signed_out_visitor_picks_a_country(app, client):
    page = client.get("/concerns?country=us").get_data(as_text=True)
    assert "1-888-373-7888" in page and "https://humantraffickinghotline.org/about-us/what-we-do" in page


def test_signed_in_user_sees_their_country_by_default(app, client, auth, make_user):
    make_user(country="US", hr_locale="en")
    auth.login()
    assert "1-888-373-7888" in client.get("/concerns").get_data(as_text=True)


def test_country_without_confirmed_line_gets_general_wording(app, client):
    page = client.get("/concerns?country=KE", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "call your local emergency number" in page and "tel:" not in page


def test_company_channel_url_is_shown(database_url, tmp_path):
    from .conftest import make_app, wipe

    app = make_app(database_url, tmp_path, ELEARN_CONCERN_URL="https://ethics.example.com/report")
    try:
        assert "https://ethics.example.com/report" in app.test_client().get("/concerns").get_data(as_text=True)
    finally:
        wipe(app)


def test_country_names_in_visitor_language(app, client):
    page = client.get("/concerns?country=US", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Estados Unidos" in page
