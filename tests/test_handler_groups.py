"""Handler groups: only lead case handlers manage them; the groups they make route new
cases (assignment.route_case) and decide who sees which case (assignment.visible_to)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.concerns import assignment
from elearn.concerns.models import CaseConflict, Concern, HandlerGroup
from elearn.extensions import db
from elearn.models import User

from .conftest import Auth, csrf_token

ROLES = {
    "lead": "lead_case_handler",
    "handler": "case_handler",
    "admin": "admin",
    "learner": "learner",
}


@pytest.fixture
def people(make_user):
    """One person per role (the lead holds the lead role alone)."""
    return {
        name: make_user(employee_id=name, name=name.title(), roles=role, hr_locale="en", assign=False)
        for name, role in ROLES.items()
    }


def lead_client(app, people):
    client = app.test_client()
    Auth(client).login("lead")
    return client


def save_group(client, url="/cases/groups/new", **fields):
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "name": "Gulf team"}
    data.update(fields)
    return client.post(url, data=data)


def group_rows(app):
    with app.app_context():
        return [
            (g.name, g.regions, g.categories, g.is_default, sorted(m.employee_id for m in g.members))
            for g in db.session.scalars(select(HandlerGroup).order_by(HandlerGroup.id))
        ]


def group_id(app, name):
    with app.app_context():
        return db.session.scalar(select(HandlerGroup.id).where(HandlerGroup.name == name))


def add_case(app, public_id, *, category="forced_labour", country="AE", group=None, status="received"):
    with app.app_context():
        concern = Concern(
            public_id=public_id,
            secret_hash="0" * 64,
            category=category,
            country=country,
            language="en",
            body_enc=app.extensions["elearn_concern_cipher"].encrypt("x"),
            group_id=group,
            status=status,
        )
        db.session.add(concern)
        db.session.commit()
        return concern.id


@pytest.mark.parametrize("who", ["handler", "admin", "learner"])
def test_only_lead_case_handlers_reach_group_pages(app, people, who):
    with app.app_context():
        group = HandlerGroup(name="Existing")
        db.session.add(group)
        db.session.commit()
        existing = group.id
    client = app.test_client()
    Auth(client).login(who)
    # a valid token, so that what refuses the POSTs is the role check, not CSRF
    token = csrf_token(client.get("/concerns/report").get_data(as_text=True))
    for url in ("/cases/groups", "/cases/groups/new", f"/cases/groups/{existing}/edit"):
        assert client.get(url).status_code == 403, url
    for url in ("/cases/groups/new", f"/cases/groups/{existing}/edit", f"/cases/groups/{existing}/delete"):
        assert client.post(url, data={"csrf_token": token, "name": "Taken over"}).status_code == 403, url
    assert [row[0] for row in group_rows(app)] == ["Existing"]

    lead = lead_client(app, people)
    for url in ("/cases/groups", "/cases/groups/new", f"/cases/groups/{existing}/edit"):
        assert lead.get(url).status_code == 200, url


def test_anonymous_visitor_is_sent_to_sign_in(app, client):
    for url in ("/cases/groups", "/cases/groups/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_lead_creates_group_with_regions_categories_and_members(app, people, make_user):
    make_user(employee_id="gone", name="Gone", roles="case_handler", active=False, assign=False)
    client = lead_client(app, people)
    form = client.get("/cases/groups/new").get_data(as_text=True)
    # members: active people with a case handling role only
    assert f'value="{people["handler"]}"' in form and f'value="{people["lead"]}"' in form
    for not_a_handler in ("Admin (admin)", "Learner (learner)", "Gone (gone)"):
        assert not_a_handler not in form
    response = save_group(
        client,
        regions=["arab_states", "north_america"],
        categories=["forced_labour", "child_labour"],
        members=[str(people["handler"])],
    )
    assert response.status_code == 302
    assert group_rows(app) == [
        ("Gulf team", "north_america arab_states", "forced_labour child_labour", False, ["handler"])
    ]
    add_case(app, "OPEN1", group=group_id(app, "Gulf team"))
    add_case(app, "SHUT1", group=group_id(app, "Gulf team"), status="closed")
    page = client.get("/cases/groups").get_data(as_text=True)
    for shown in ("Gulf team", "North America", "Arab States", "Modern slavery and forced labour", "Child labour"):
        assert shown in page
    assert "<dt>Open cases</dt><dd>1</dd>" in page
    assert "<bdi>Handler</bdi>" in page


def test_empty_lists_read_all_regions_and_categories(app, people):
    client = lead_client(app, people)
    assert save_group(client, name="Everyone").status_code == 302
    page = client.get("/cases/groups").get_data(as_text=True)
    assert "All regions" in page and "All categories" in page


def test_group_name_is_unique(app, people):
    client = lead_client(app, people)
    assert save_group(client, name="Gulf team").status_code == 302
    response = save_group(client, name="Gulf team", regions=["arab_states"])
    assert response.status_code == 400
    assert "Another group is already called “Gulf team”." in response.get_data(as_text=True)
    assert save_group(client, name="Asia team").status_code == 302
    asia = group_id(app, "Asia team")
    response = save_group(client, url=f"/cases/groups/{asia}/edit", name="Gulf team")
    assert response.status_code == 400 and "already called" in response.get_data(as_text=True)
    assert [row[0] for row in group_rows(app)] == ["Gulf team", "Asia team"]
    # saving a group under its own name is no clash
    assert save_group(client, url=f"/cases/groups/{asia}/edit", name="Asia team").status_code == 302


def test_name_is_required_and_at_most_120_characters(app, people):
    client = lead_client(app, people)
    assert save_group(client, name="   ").status_code == 400
    assert save_group(client, name="x" * 121).status_code == 400
    assert group_rows(app) == []


def test_only_one_group_is_default(app, people):
    client = lead_client(app, people)
    assert save_group(client, name="First", is_default="y").status_code == 302
    assert save_group(client, name="Second", is_default="y").status_code == 302
    assert [(row[0], row[3]) for row in group_rows(app)] == [("First", False), ("Second", True)]
    first = group_id(app, "First")
    assert save_group(client, url=f"/cases/groups/{first}/edit", name="First", is_default="y").status_code == 302
    assert [(row[0], row[3]) for row in group_rows(app)] == [("First", True), ("Second", False)]


def test_default_group_with_regions_is_refused(app, people):
    client = lead_client(app, people)
    response = save_group(client, is_default="y", regions=["arab_states"])
    assert response.status_code == 400
    assert "leave its regions and categories unticked" in response.get_data(as_text=True)
    assert group_rows(app) == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("regions", "atlantis"),
        ("categories", "not_a_category"),
        ("members", "999999"),
        ("members", "not-a-number"),
    ],
)
def test_unknown_choice_is_refused_and_nothing_stored(app, people, field, value):
    client = lead_client(app, people)
    assert save_group(client, name="Kept", regions=["arab_states"]).status_code == 302
    kept = group_id(app, "Kept")
    before = group_rows(app)
    response = save_group(client, name="New", **{field: value})
    assert response.status_code == 400
    assert "is not a valid choice" in response.get_data(as_text=True)
    response = save_group(client, url=f"/cases/groups/{kept}/edit", name="Renamed", **{field: value})
    assert response.status_code == 400
    assert group_rows(app) == before


def test_learner_cannot_be_made_a_member(app, people):
    client = lead_client(app, people)
    response = save_group(client, members=[str(people["learner"])])
    assert response.status_code == 400
    assert group_rows(app) == []


def test_delete_puts_the_group_cases_in_no_group(app, people):
    client = lead_client(app, people)
    save_group(client, name="Gulf team", members=[str(people["handler"])])
    save_group(client, name="Other")
    gulf, other = group_id(app, "Gulf team"), group_id(app, "Other")
    mine = add_case(app, "MINE", group=gulf)
    theirs = add_case(app, "THEIRS", group=other)
    edit = client.get(f"/cases/groups/{gulf}/edit").get_data(as_text=True)
    assert "The group has 1 open case." in edit and "in no group" in edit
    assert "Delete the group “Gulf team”" in edit
    response = client.post(f"/cases/groups/{gulf}/delete", data={"csrf_token": csrf_token(edit)})
    assert response.status_code == 302
    assert [row[0] for row in group_rows(app)] == ["Other"]
    with app.app_context():
        assert db.session.scalar(select(Concern.group_id).where(Concern.id == mine)) is None
        assert db.session.scalar(select(Concern.group_id).where(Concern.id == theirs)) == other
        # the handler left with the group: they are in no group now and see the case
        handler = db.session.get(User, people["handler"])
        assert assignment.group_ids_of(people["handler"]) == []
        assert db.session.scalars(select(Concern.public_id).where(assignment.visible_to(handler))).all() == ["MINE"]
    assert client.post(f"/cases/groups/{gulf}/delete", data={"csrf_token": csrf_token(edit)}).status_code == 404


def test_created_groups_route_new_cases(app, people):
    client = lead_client(app, people)
    save_group(client, name="Gulf labour", regions=["arab_states"], categories=["forced_labour"])
    save_group(client, name="Catch-all", is_default="y")
    save_group(client, name="Americas", regions=["north_america"])
    gulf, default, americas = (group_id(app, n) for n in ("Gulf labour", "Catch-all", "Americas"))
    with app.test_request_context():
        region_for = app.extensions["elearn_catalog"].region_for
        assert assignment.route_case("AE", "forced_labour", region_for) == gulf
        assert assignment.route_case("JO", "forced_labour", region_for) == gulf
        # the region matches, the category does not
        assert assignment.route_case("AE", "child_labour", region_for) == default
        assert assignment.route_case("US", "child_labour", region_for) == americas
        assert assignment.route_case("KE", "forced_labour", region_for) == default
        # no country: a group limited to regions never takes the case
        assert assignment.route_case(None, "forced_labour", region_for) == default


def test_groups_decide_who_sees_which_case(app, people, make_user):
    other_handler = make_user(employee_id="other", name="Other", roles="case_handler", assign=False)
    loner = make_user(employee_id="loner", name="Loner", roles="case_handler", assign=False)
    other_lead = make_user(employee_id="lead2", name="Lead Two", roles="case_handler lead_case_handler", assign=False)
    client = lead_client(app, people)
    save_group(client, name="Gulf", regions=["arab_states"], members=[str(people["handler"])])
    save_group(client, name="Americas", regions=["north_america"], members=[str(other_handler)])
    gulf, americas = group_id(app, "Gulf"), group_id(app, "Americas")
    add_case(app, "GULF", group=gulf)
    add_case(app, "AMER", country="US", group=americas)
    add_case(app, "NONE", country=None)
    hidden = add_case(app, "HIDDEN", group=gulf)
    with app.app_context():
        db.session.add_all(
            [
                CaseConflict(concern_id=hidden, user_id=people["lead"]),
                CaseConflict(concern_id=hidden, user_id=people["handler"]),
            ]
        )
        db.session.commit()

        def seen(user_id):
            user = db.session.get(User, user_id)
            query = select(Concern.public_id).where(assignment.visible_to(user)).order_by(Concern.public_id)
            return db.session.scalars(query).all()

        assert seen(people["handler"]) == ["GULF"]
        assert seen(other_handler) == ["AMER"]
        assert seen(loner) == ["NONE"]
        assert seen(people["lead"]) == ["AMER", "GULF", "NONE"]
        assert seen(people["admin"]) == [] and seen(people["learner"]) == []
        # the conflict alone hides HIDDEN from the lead: another lead sees it
        assert seen(other_lead) == ["AMER", "GULF", "HIDDEN", "NONE"]
