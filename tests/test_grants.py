"""The one rule for granting roles and scopes (elearn/auth/grants.py), and its SQL twin."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from elearn.admin.scope import not_privileged, scope_clause
from elearn.auth.grants import (
    OUTSIDE_SCOPE,
    PRIVILEGED_PERSON,
    ROLE_NOT_GRANTABLE,
    UNSCOPED,
    Person,
    Scope,
    grantable_roles,
    may_set_scopes,
    refusal,
)
from elearn.extensions import db
from elearn.models import ROLES, User

ARAB_STATES = Scope(regions=frozenset({"arab_states"}))
CONSTRUCTION = Scope(departments=frozenset({"Construction"}))
BOTH = Scope(regions=frozenset({"arab_states"}), departments=frozenset({"Construction"}))


def person(roles="learner", region="arab_states", department="Construction"):
    return Person(frozenset(roles.split()), region, department)


@pytest.mark.parametrize("grantor", [ARAB_STATES, CONSTRUCTION, BOTH])
def test_scoped_admin_manages_learners_in_scope_only(grantor):
    assert refusal(grantor, None, person()) is None
    assert refusal(grantor, person(), person(department="Construction")) is None
    assert refusal(grantor, None, person("learner admin")) == ROLE_NOT_GRANTABLE
    assert refusal(grantor, None, person("case_handler")) == ROLE_NOT_GRANTABLE
    # the grievance channel's lead and its statistics reach case data too
    assert refusal(grantor, None, person("lead_case_handler")) == ROLE_NOT_GRANTABLE
    assert refusal(grantor, person("learner"), person("learner grievance_reporting")) == ROLE_NOT_GRANTABLE
    assert refusal(grantor, person("case_handler"), person("learner")) == PRIVILEGED_PERSON
    assert refusal(grantor, person("admin")) == PRIVILEGED_PERSON  # e.g. an activation code
    assert refusal(grantor, person()) is None


def test_scope_kinds_combine():
    assert refusal(ARAB_STATES, None, person(region="europe")) == OUTSIDE_SCOPE
    assert refusal(ARAB_STATES, None, person(department="Sourcing")) is None
    assert refusal(CONSTRUCTION, None, person(department="Sourcing")) == OUTSIDE_SCOPE
    assert refusal(BOTH, None, person(department="Sourcing")) == OUTSIDE_SCOPE
    assert refusal(BOTH, None, person(region="europe")) == OUTSIDE_SCOPE
    # Moving someone in scope out of it, or taking someone from outside: both refused.
    assert refusal(ARAB_STATES, person(), person(region="europe")) == OUTSIDE_SCOPE
    assert refusal(ARAB_STATES, person(region="europe"), person()) == OUTSIDE_SCOPE


def test_unscoped_admin_may_do_anything():
    assert refusal(UNSCOPED, person("admin", region="europe"), person("case_handler admin")) is None
    assert grantable_roles(UNSCOPED, ROLES) == ROLES and may_set_scopes(UNSCOPED)
    assert grantable_roles(ARAB_STATES, ROLES) == ("learner",) and not may_set_scopes(ARAB_STATES)


COUNTRIES = ["AE", "QA", "IN", "GB", "US", None, "ZZ"]
DEPARTMENTS = ["Construction", "Sourcing", None]


def test_sql_scope_agrees_with_the_rule(app):
    """scope_clause (SQL) and Scope.contains (Python) pick the same people, privileged
    roles included, for every kind of scope."""
    with app.app_context():
        catalog = app.extensions["elearn_catalog"]
        n = 0
        for country in COUNTRIES:
            for department in DEPARTMENTS:
                for roles in ("learner", "learner admin", "case_handler", "administrator"):
                    n += 1
                    db.session.add(
                        User(employee_id=f"p{n}", name="P", country=country, department=department, roles=roles)
                    )
        db.session.commit()
        people = db.session.scalars(select(User)).all()
        for scope in (ARAB_STATES, CONSTRUCTION, BOTH, Scope(regions=frozenset({"global", "europe"}))):
            sql = set(db.session.scalars(select(User.employee_id).where(scope_clause(scope, catalog))))
            python = {u.employee_id for u in people if scope.contains(catalog.region_for(u.country), u.department)}
            assert sql == python and sql, scope
        unprivileged = set(db.session.scalars(select(User.employee_id).where(not_privileged())))
        assert unprivileged == {
            u.employee_id
            for u in people
            if not Person.of(u.roles, u.country, u.department, catalog.region_for).privileged
        }
        assert any(u.roles == "administrator" for u in people if u.employee_id in unprivileged)


@settings(max_examples=200, deadline=None)
@given(
    regions=st.frozensets(st.sampled_from(["arab_states", "europe", "global"])),
    departments=st.frozensets(st.sampled_from(["Construction", "Sourcing"])),
    before=st.none()
    | st.builds(
        person,
        st.sampled_from(["learner", "admin", "case_handler learner"]),
        st.sampled_from(["arab_states", "europe"]),
        st.sampled_from(["Construction", "Sourcing", None]),
    ),
    after=st.builds(
        person,
        st.sampled_from(["learner", "admin", "case_handler learner"]),
        st.sampled_from(["arab_states", "europe"]),
        st.sampled_from(["Construction", "Sourcing", None]),
    ),
)
def test_a_scoped_grantor_never_creates_or_touches_a_privileged_person(regions, departments, before, after):
    grantor = Scope(regions, departments)
    allowed = refusal(grantor, before, after) is None
    if not grantor.unscoped and allowed:
        assert not after.privileged and (before is None or not before.privileged)
        assert grantor.contains(after.region, after.department)
