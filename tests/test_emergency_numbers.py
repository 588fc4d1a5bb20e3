"""content/emergency.yaml: each country's emergency numbers, first in the regional
module's part on how to report (filled per request into the one cached page of the
region) and on the concern page."""

import pytest

from .conftest import CONTENT, Auth, make_app, wipe

RISKS = "/courses/demo_course/modules/risks"


def sign_in(app, make_user, employee_id, country):
    make_user(employee_id=employee_id, country=country, hr_locale="en")
    client = app.test_client()
    Auth(client).login(employee_id)
    return client


def slot_of(page: str) -> str:
    """The emergency block and what the module says right after it."""
    return page.split('<div class="emergency"', 1)[1].split("Use the Report a concern page.", 1)[0]


def test_each_learner_sees_their_own_countrys_numbers_in_the_shared_regional_page(app, make_user):
    in_uae = sign_in(app, make_user, "uae", "AE")
    in_jordan = sign_in(app, make_user, "jordan", "JO")
    uae_page = in_uae.get(RISKS).get_data(as_text=True)
    # Jordan is in the same region: the same cached page, but no number of the UAE
    jordan_page = in_jordan.get(RISKS).get_data(as_text=True)
    uae_again = in_uae.get(RISKS).get_data(as_text=True)

    assert 'href="tel:999"' in slot_of(uae_page) and "police" in slot_of(uae_page)
    assert 'href="tel:998"' in slot_of(uae_page) and "ambulance" in slot_of(uae_page)
    assert "United Arab Emirates" in slot_of(uae_page)
    assert "tel:" not in slot_of(jordan_page)
    assert "call your local emergency number" in slot_of(jordan_page)
    assert uae_again == uae_page
    # the slot sits where the module put it: after its heading, before its text
    assert uae_page.index("<h2>How to report</h2>") < uae_page.index('<div class="emergency"')
    assert "[[emergency-numbers]]" not in uae_page + jordan_page


def test_a_module_without_the_slot_shows_no_numbers(app, make_user):
    client = sign_in(app, make_user, "uae", "AE")
    page = client.get("/courses/demo_course/modules/basics").get_data(as_text=True)
    assert 'class="emergency"' not in page


def test_the_concern_page_shows_the_chosen_countrys_numbers(app):
    client = app.test_client()
    page = client.get("/concerns?country=AE").get_data(as_text=True)
    assert 'href="tel:999"' in page
    assert "call your local emergency number" in client.get("/concerns?country=US").get_data(as_text=True)


EMBASSY = "If you are working away from your home country, your country's embassy or consulate can also help."


def concern_page(client, query=""):
    return client.get(f"/concerns{query}", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.fixture
def shipped_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, content_dir=CONTENT)
    yield app
    wipe(app)


def test_the_gulf_states_add_the_embassy_advice_and_other_countries_do_not(shipped_app):
    client = shipped_app.test_client()
    for country in ("AE", "SA", "QA", "KW", "BH", "OM"):
        page = concern_page(client, f"?country={country}")
        assert EMBASSY in page.split('<div class="emergency"', 1)[1].split("</div>", 1)[0], country
    for country in ("GB", "JO", "IN"):
        assert "embassy" not in concern_page(client, f"?country={country}"), country


def test_the_emergency_numbers_come_before_every_other_channel(shipped_app):
    page = concern_page(shipped_app.test_client(), "?country=GB")
    emergency = page.index('<div class="emergency"')
    assert 'href="tel:999"' in page[emergency : page.index("</div>", emergency)]
    later = ('href="/concerns/report"', "Our company channel", 'class="helplines"', "tel:08000121700")
    assert all(emergency < page.index(marker) for marker in later), [page.find(m) for m in later]
    assert page.count('class="emergency"') == 1


def test_a_signed_in_worker_sees_their_countrys_numbers_and_advice_first(app, make_user):
    client = sign_in(app, make_user, "uae", "AE")
    page = concern_page(client)
    emergency = page.index('<div class="emergency"')
    assert emergency < page.index(EMBASSY) < page.index("</div>", emergency) < page.index('href="/concerns/report"')
    assert 'href="tel:999"' in page[emergency : page.index(EMBASSY)]
    # the same block in a regional module names the numbers and gives no embassy advice
    assert "embassy" not in client.get(RISKS).get_data(as_text=True)
