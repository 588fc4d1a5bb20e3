"""`elearn lti ...`: platform registrations from the command line (the operator, who
is unscoped). The same checks as the admin page; every change is audit-logged."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..admin.audit import record
from ..extensions import db
from .forms import deployment_list
from .framing import origin
from .launches import claim_path_allowed
from .models import LtiRegistration
from .registrations import remove, snapshot


@click.group("lti")
def lti_group():
    """LTI 1.3: the learning platforms that may launch courses here."""


def _url(_ctx, param, value: str | None) -> str | None:
    if value and origin(value) is None:
        raise click.BadParameter("an http(s) address", param=param)
    return value


@lti_group.command("register")
@click.option("--issuer", required=True, help="The platform ID (the id token's iss).")
@click.option("--client-id", required=True, help="The client ID the platform gave this tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeat for each deployment.")
@click.option("--login-url", required=True, callback=_url, help="The platform's authentication request URL.")
@click.option("--token-url", required=True, callback=_url, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, callback=_url, help="The platform's public keyset URL.")
@click.option("--employee-id-claim", default=None, help="The launch claim that holds the HR employee ID.")
@click.option("--label", default=None, help="A name for administrators (default: the issuer).")
@with_appcontext
def register_command(issuer, client_id, deployment_ids, login_url, token_url, jwks_url, employee_id_claim, label):
    """Register a platform (or print why not)."""
    ids = deployment_list("\n".join(deployment_ids))
    if employee_id_claim is not None and not claim_path_allowed(employee_id_claim):
        raise click.BadParameter("custom parameters cannot carry the employee ID", param_hint="--employee-id-claim")
    if db.session.scalar(
        select(LtiRegistration.id).where(LtiRegistration.issuer == issuer, LtiRegistration.client_id == client_id)
    ):
        raise click.ClickException(f"{issuer} with client id {client_id} is registered already")
    row = LtiRegistration(
        label=(label or issuer)[:120],
        issuer=issuer,
        client_id=client_id,
        deployment_ids=ids,
        auth_login_url=login_url,
        auth_token_url=token_url,
        key_set_url=jwks_url,
        employee_id_claim=(employee_id_claim or "").strip() or None,
    )
    db.session.add(row)
    db.session.flush()
    record("lti_registration.add", f"lti:{row.id}", None, snapshot(row), note="command line")
    db.session.commit()
    click.echo(f"registered {row.id}: {row.label}")


@lti_group.command("list")
@with_appcontext
def list_command():
    """The registered platforms, one a line: id, issuer, client id, deployments, claim."""
    for row in db.session.scalars(select(LtiRegistration).order_by(LtiRegistration.id)):
        deployments = ",".join(row.deployment_ids or [])
        click.echo(f"{row.id}\t{row.issuer}\t{row.client_id}\t{deployments}\t{row.employee_id_claim or '-'}")


@lti_group.command("remove")
@click.argument("registration_id", type=int)
@with_appcontext
def remove_command(registration_id: int):
    """Remove a platform: it can no longer launch; its people keep their accounts."""
    row = db.session.get(LtiRegistration, registration_id)
    if row is None:
        raise click.ClickException(f"no registration {registration_id}")
    record("lti_registration.remove", f"lti:{row.id}", snapshot(row), None, note="command line")
    remove(row)
    db.session.commit()
    click.echo(f"removed {registration_id}")
