"""What a concern is about: content/concern_categories.yaml, offered by the report form
in the reader's language, shown to case handlers and the reporter, checked by
`elearn content check`."""

import re
import shutil

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape
from sqlalchemy import func, select

from elearn.catalog import load_catalog
from elearn.cli import content_check
from elearn.concerns.models import Concern
from elearn.concerns.service import file_concern
from elearn.extensions import db
from elearn.i18n import LOCALES

from .concern_helpers import file_report, look_up, receipt_code
from .conftest import CONTENT, FIXTURE_CONTENT, Auth

NEW_IDS = ("child_labour", "harassment", "discrimination", "retaliation")
FORMER_IDS = (
    "forced_labour",
    "health_safety",
    "wages_hours",
    "association",
    "dei",
    "privacy",
    "product_safety",
    "justice",
    "future_of_work",
    "other",
)


def categories_file(root=FIXTURE_CONTENT):
    return yaml.safe_load((root / "concern_categories.yaml").read_text(encoding="utf-8"))


def option_texts(page: str) -> list[str]:
    """The category select's options (value, text), in page order."""
    select_html = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    return [part.split("</option>", 1)[0] for part in select_html.split("<option")[1:]]


def test_shipped_list_keeps_every_former_id_adds_four_and_ends_with_other():
    ids = [entry["id"] for entry in categories_file(CONTENT)]
    assert set(FORMER_IDS) | set(NEW_IDS) == set(ids) and len(ids) == len(FORMER_IDS) + len(NEW_IDS)
    assert ids[-1] == "other"
    assert [entry["id"] for entry in categories_file()] == ids  # the tests use the shipped list


@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_category_is_offered_in_every_locale_with_its_name_from_the_file(client, locale):
    client.set_cookie("elearn_locale", locale)
    options = option_texts(client.get("/concerns/report").get_data(as_text=True))
    expected = [f' value="{entry["id"]}">{escape(entry["name"][locale])}' for entry in categories_file()]
    assert options[1:] == expected  # after the empty "Choose…", in the file's order


def handler_client(app, make_user):
    handler = app.test_client()
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    Auth(handler).login("handler")
    return handler


def test_a_new_category_can_be_reported_and_shows_for_the_handler_and_the_reporter(app, client, make_user):
    code = receipt_code(file_report(client, category="retaliation"))
    with app.app_context():
        case = db.session.scalars(select(Concern)).one()
        assert case.category == "retaliation"
    handler = handler_client(app, make_user)
    name = "Retaliation for reporting or for helping an investigation"
    assert name in handler.get(f"/cases/{case.id}").get_data(as_text=True)
    assert name in handler.get("/cases?category=retaliation").get_data(as_text=True)
    assert not re.search(r'href="/cases/\d', handler.get("/cases?category=child_labour").get_data(as_text=True))
    client.set_cookie("elearn_locale", "ar")
    assert "الانتقام بسبب الإبلاغ أو المساعدة في تحقيق" in look_up(client, code).get_data(as_text=True)


def test_an_unknown_category_is_refused_with_the_form_message_and_nothing_stored(app, client):
    client.set_cookie("elearn_locale", "en")
    response = file_report(client, category="bribery")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose what the concern is about." in page and "Not a valid choice" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Concern.id))) == 0


def test_a_case_whose_category_was_retired_still_renders_with_its_id(app, client, make_user):
    with app.app_context():
        case, code = file_concern(
            category="bribery",  # filed when the file still listed it
            country="AE",
            site="",
            description="Filed under a category that is gone.",
            anonymous=True,
            contact="",
            language="en",
            supplier_site_id=None,
        )
        db.session.commit()
        case_id = case.id
    handler = handler_client(app, make_user)
    for page in (handler.get(f"/cases/{case_id}"), handler.get("/cases"), look_up(client, code)):
        assert page.status_code == 200
        assert "<dd>bribery</dd>" in page.get_data(as_text=True) or "<td>bribery</td>" in page.get_data(as_text=True)


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def edit_categories(root, old, new):
    path = root / "concern_categories.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def lines_of(path, needle):
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]


def test_content_check_names_a_missing_locale_with_file_and_line(content_copy):
    path = edit_categories(content_copy, "    hi: बाल श्रम\n", "")
    result = CliRunner().invoke(content_check, ["--content-dir", str(content_copy)])
    assert result.exit_code == 1
    (names_line,) = lines_of(path, "en: Child labour")
    assert f"{path}:{names_line}: error: 'child_labour': no name in hi" in result.output


def test_content_check_names_a_duplicate_id_with_its_line(content_copy):
    path = edit_categories(content_copy, "- id: discrimination\n", "- id: harassment\n")
    second = lines_of(path, "- id: harassment")[1]
    assert [str(p) for p in load_catalog(content_copy).errors] == [f"{path}:{second}: error: duplicate id 'harassment'"]


def test_other_must_stay_last_and_the_file_must_exist(content_copy):
    path = content_copy / "concern_categories.yaml"
    entries = categories_file(content_copy)
    path.write_text(yaml.safe_dump(entries[-1:] + entries[:-1], allow_unicode=True), encoding="utf-8")
    assert [p.message for p in load_catalog(content_copy).errors] == ["the last category must be 'other'"]
    path.unlink()
    assert [p.path.name for p in load_catalog(content_copy).errors] == ["concern_categories.yaml"]
