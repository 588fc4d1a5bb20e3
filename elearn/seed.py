"""Demo data for `make run`: one user of every role, assigned by the audience rules."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .auth.grants import PRIVILEGED_ROLES
from .auth.models import SecondFactor
from .auth.passwords import hash_password
from .extensions import db
from .models import User, utcnow
from .training.assignments import apply_audience_rules

#: employee_id, name, display name (own script), department, country, HR locale, tz, roles
DEMO_USERS = (
    ("demo-learner", "Jordan Miller", None, "Warehouse", "US", "en", "America/Chicago", "learner"),
    ("demo-hindi-uae", "Ravi Kumar", "रवि कुमार", "Construction", "AE", "hi", "Asia/Dubai", "learner"),
    ("demo-buyer-mx", "María Fernández", None, "Sourcing", "MX", "es", "America/Mexico_City", "learner"),
    ("demo-arabic", "Layla Haddad", "ليلى حداد", "Logistics", "JO", "ar", "Asia/Amman", "learner"),
    ("demo-admin", "Alex Admin", None, "Human Resources", "GB", "en", "Europe/London", "learner admin"),
    ("demo-case-handler", "Casey Handler", None, "Ethics", "GB", "en", "Europe/London", "case_handler"),
    ("demo-lead-handler", "Lee Lead", None, "Ethics", "GB", "en", "Europe/London", "lead_case_handler"),
    ("demo-grievance-stats", "Gita Rao", "गीता राव", "Human Rights", "IN", "hi", "Asia/Kolkata", "grievance_reporting"),
)
DEMO_PASSWORD = "demo-password-2026"
#: the demo admin's and case handler's TOTP key (second factors are required for them by
#: default): published here, so it protects nothing; add it to an authenticator app
DEMO_TOTP_SECRET = "DEMOKEYDEMOKEYDEMOKEYDEMOKEYDEMO"


def seed_demo() -> list[User]:
    """Create (or refresh) the demo users; idempotent by employee id."""
    catalog = current_app.extensions["elearn_catalog"]
    users = []
    for employee_id, name, display, dept, country, locale, tz, roles in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.employee_id == employee_id))
        if user is None:
            user = User(employee_id=employee_id, password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
        user.name, user.display_name, user.department = name, display, dept
        user.country, user.hr_locale, user.timezone, user.roles = country, locale, tz, roles
        user.email = f"{employee_id}@example.com"
        user.active = True
        db.session.flush()
        if user.has_role("learner"):
            apply_audience_rules(user, catalog, current_app.config["ELEARN_DEFAULT_DUE_DAYS"])
        if any(user.has_role(role) for role in PRIVILEGED_ROLES):
            _enrol_demo_factor(user)
        users.append(user)
    db.session.commit()
    return users


def _enrol_demo_factor(user: User) -> None:
    factor = db.session.get(SecondFactor, user.id)
    if factor is None:
        db.session.add(SecondFactor(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=utcnow()))


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create demo users of every role and print how to sign in."""
    users = seed_demo()
    click.echo(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for user in users:
        click.echo(f"  {user.employee_id:20} {user.name:18} {user.country} {user.hr_locale:3} {user.roles}")
    click.echo(
        f"demo-admin and demo-case-handler also need a code from an authenticator app with the key {DEMO_TOTP_SECRET}"
        f" (or: python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")."
    )
