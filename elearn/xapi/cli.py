"""`elearn xapi send`: forward statements to the configured Learning Record Store."""

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from ..urls import base_url
from .lrs import LrsError, send
from .statements import statements_since

xapi_group = AppGroup("xapi", help="xAPI statements for a Learning Record Store.")


@xapi_group.command("send")
@click.option("--since", help="ISO date or time; default: everything")
def send_command(since):
    """Activity ids are built on ELEARN_BASE_URL, as in the web export and the task."""
    config = current_app.config
    if not config["ELEARN_LRS_ENDPOINT"]:
        raise click.ClickException("ELEARN_LRS_ENDPOINT is not set")
    moment = datetime.fromisoformat(since).astimezone(UTC) if since else None
    statements = statements_since(
        moment, current_app.extensions["elearn_catalog"], config["ELEARN_XAPI_HOMEPAGE"], base_url()
    )
    try:
        count = send(
            statements, config["ELEARN_LRS_ENDPOINT"], config["ELEARN_LRS_USERNAME"], config["ELEARN_LRS_PASSWORD"]
        )
    except LrsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"sent {count} statement(s)")
