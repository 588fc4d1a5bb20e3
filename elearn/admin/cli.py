"""`elearn users import FILE.csv`: the HR feed from the command line, with a progress bar."""

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .audit import record
from .importer import RowError, run_import

users_group = AppGroup("users", help="Users from an HR feed.")

_MESSAGES = {
    "empty_file": "the file is empty",
    "bad_header": "the header must be: {columns}",
    "column_count": "expected 8 columns, found {value}",
    "duplicate_employee_id": "employee ID {value} appears twice",
    "email_taken": "email {value} belongs to another person",
    "bad_employee_id": "bad employee ID '{value}'",
    "bad_name": "name missing or too long",
    "bad_email": "'{value}' is not a valid email",
    "bad_manager_email": "manager email '{value}' is not valid",
    "bad_country": "'{value}' is not an ISO country code",
    "bad_locale": "language '{value}' is not supported",
    "bad_roles": "roles '{value}': use learner, admin, case_handler",
    "bad_department": "department longer than 120 characters",
}


def describe(error: RowError) -> str:
    from .importer import COLUMNS

    return f"row {error.row}: " + _MESSAGES[error.code].format(value=error.value, columns=",".join(COLUMNS))


@users_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--valid-only", is_flag=True, help="Import the valid rows even if some rows are bad.")
def import_command(path, valid_only):
    """Create or update users by employee ID. A file with a bad row changes nothing
    unless --valid-only is given."""
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read()

    def progress(rows):
        import sys

        with click.progressbar(rows, label="Importing", file=sys.stderr) as bar:
            yield from bar

    result = run_import(
        text,
        current_app.extensions["elearn_catalog"],
        current_app.config["ELEARN_DEFAULT_DUE_DAYS"],
        valid_only=valid_only,
        progress=progress,
    )
    for error in result.errors:
        click.echo(describe(error), err=True)
    if not result.applied:
        db.session.rollback()
        click.echo(f"{len(result.errors)} bad row(s): nothing was imported.", err=True)
        raise SystemExit(1)
    record(
        "users.import",
        path,
        None,
        {"created": result.created, "updated": result.updated, "skipped_rows": len(result.errors)},
    )
    db.session.commit()
    click.echo(
        f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
        f"skipped {len(result.errors)} bad row(s)"
    )
