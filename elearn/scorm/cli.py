"""`elearn export scorm`: SCORM packages from the command line (the admin page builds
the same files)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..admin.audit import record
from ..extensions import db
from ..urls import base_url
from ..web import get_catalog
from . import package
from .models import LmsConnection


@click.group("export")
def export_group():
    """Files for other systems: SCORM packages for an LMS."""


def _connection(name: str | None, mode: str) -> LmsConnection | None:
    if mode != "dispatch":
        return None
    if not name:
        raise click.UsageError("a dispatch package needs --lms NAME (the LMS connection; made if new)")
    connection = db.session.scalar(select(LmsConnection).where(LmsConnection.name == name))
    if connection is None:
        connection = LmsConnection(name=name)
        db.session.add(connection)
        db.session.flush()
        record("lms.connection_added", name, note="command line")
        db.session.commit()
        click.echo(f"LMS connection added: {name}", err=True)
    return connection


@export_group.command("scorm")
@click.option("--course", "course_id", help="Course id (content/<id>/).")
@click.option("--locale", help="Language of the package (one of the course's locales).")
@click.option("--region", help="Region id (content/regions.yaml); default: the catalog's default region.")
@click.option("--version", type=click.Choice(package.VERSIONS), default="2004", show_default=True)
@click.option("--mode", type=click.Choice(package.MODES), default="dispatch", show_default=True)
@click.option("--lms", "lms_name", help="The LMS connection a dispatch package belongs to (made if new).")
@click.option("--all", "every", is_flag=True, help="Every course x locale x region, into the --output folder.")
@click.option("--output", type=click.Path(path_type=Path), required=True, help="The zip (a folder with --all).")
@with_appcontext
def export_scorm(course_id, locale, region, version, mode, lms_name, every, output):
    """Build a SCORM package (reproducible: the same inputs give the same bytes)."""
    catalog = get_catalog()
    region = region or catalog.default_region
    connection = _connection(lms_name, mode)
    if every:
        specs = [
            package.PackageSpec(course.id, course_locale, course_region, version, mode, connection)
            for course in catalog.courses.values()
            for course_locale in course.locales
            for course_region in catalog.region_ids
        ]
        output.mkdir(parents=True, exist_ok=True)
    elif not course_id or not locale:
        raise click.UsageError("name --course and --locale, or build --all")
    else:
        specs = [package.PackageSpec(course_id, locale, region, version, mode, connection)]
    for spec in specs:
        # pages are rendered as for a request to the configured base URL (their links)
        with current_app.test_request_context("/", base_url=base_url()):
            try:
                data = package.build(spec, catalog)
            except package.PackageError as problem:
                raise click.ClickException(str(problem)) from problem
        target = output / spec.file_name if every else output
        target.write_bytes(data)
        click.echo(f"{target} ({len(data) // 1024} KB)")
