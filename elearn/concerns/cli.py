"""`elearn concerns ...`: key rotation and retention."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import security_log
from .crypto import new_key
from .service import purge_closed, rotate_keys

concerns_group = AppGroup("concerns", help="Concern cases: encryption keys and retention.")


@concerns_group.command("new-key")
def new_key_command():
    """Print a new key: put it first in ELEARN_CONCERN_KEYS, keep the old ones after it."""
    click.echo(new_key())


@concerns_group.command("rotate-key")
def rotate_key_command():
    """Re-encrypt every report, answer and note with the first key of ELEARN_CONCERN_KEYS."""
    rows = rotate_keys()
    security_log.event("concerns.keys_rotated", rows=rows)
    click.echo(f"re-encrypted {rows} row(s) with the newest key")


@concerns_group.command("purge")
@click.option("--days", type=int, default=None, help="Defaults to ELEARN_CONCERN_RETENTION_DAYS")
def purge_command(days):
    """Delete closed cases older than the retention period."""
    days = days if days is not None else current_app.config["ELEARN_CONCERN_RETENTION_DAYS"]
    purged = purge_closed(days)
    security_log.event("concerns.purged", cases=purged, days=days)
    click.echo(f"purged {purged} closed case(s) older than {days} days")
