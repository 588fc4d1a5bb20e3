"""content/emergency.yaml: each country's emergency numbers, first in the regional
module's part on how to report (filled per request into the one cached page of the
region) and on the concern page."""

from .conftest import Auth

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
