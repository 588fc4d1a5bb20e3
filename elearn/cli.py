"""The commands of `elearn` (elearn/command.py) and `flask --app elearn`: content,
translations and configuration checks, and those that need the app (register_cli)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from .config import PROJECT_ROOT


def register_cli(app) -> None:
    """Commands that need the app (and so a valid content tree) hang off app.cli."""
    from .admin.cli import users_group
    from .concerns.cli import concerns_group
    from .seed import seed_demo_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(concerns_group)
    app.cli.add_command(users_group)
    from .tasks.cli import worker_command

    app.cli.add_command(worker_command)
    from .xapi.cli import xapi_group

    app.cli.add_command(xapi_group)
    from .admin.generated_files import files_group

    app.cli.add_command(files_group)
    from .lti.cli import lti_group

    app.cli.add_command(lti_group)
    from .scorm.cli import export_group

    app.cli.add_command(export_group)


# --- production settings ---------------------------------------------------------------
@click.command("check-config")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="WEB_CONCURRENCY",
    default=1,
    show_default=True,
    help="Web worker processes per machine (gunicorn --workers); defaults to WEB_CONCURRENCY.",
)
@click.option(
    "--machines",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Machines (or containers) serving the app with their own instance folder.",
)
def check_config(workers, machines):
    """Print every setting unsafe for production; exit 1 if any is dangerous.

    Reads the environment as the app would, without starting it."""
    from .config import Config
    from .configcheck import DANGEROUS, check, instance_dir

    findings = check(
        Config(str(instance_dir())), workers=workers, machines=machines, redis_url=os.environ.get("ELEARN_REDIS_URL")
    )
    for finding in findings:
        click.echo(str(finding))
    dangerous = sum(f.level == DANGEROUS for f in findings)
    click.echo(
        f"{dangerous} dangerous, {len(findings) - dangerous} warning(s) "
        f"for {workers} worker(s) on {machines} machine(s)"
    )
    if dangerous:
        sys.exit(1)


# --- content ---------------------------------------------------------------------------
def _content_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("ELEARN_CONTENT_DIR") or PROJECT_ROOT / "content")


@click.group()
def content():
    """Check the course files and their translations."""


@content.command("check")
@click.option("--content-dir", type=click.Path(file_okay=False), help="Defaults to ELEARN_CONTENT_DIR or ./content")
def content_check(content_dir):
    """Report every rule violation with file and line; exit 1 if there is any (warnings
    are printed and do not fail)."""
    from .catalog import load_catalog

    catalog = load_catalog(_content_dir(content_dir))
    for problem in catalog.problems:
        click.echo(str(problem), err=True)
    failing = [p for p in catalog.problems if p.kind != "warning"]
    if failing:
        click.echo(f"{len(failing)} problem(s).", err=True)
        sys.exit(1)
    total = sum(len(c.locales) for c in catalog.courses.values())
    click.echo(
        f"content ok: {len(catalog.courses)} course(s), {total} course locale(s), "
        f"{len(catalog.regions)} countries mapped, {len(catalog.helplines)} countries with helplines"
    )


@content.command("status")
@click.option("--content-dir", type=click.Path(file_okay=False))
def content_status(content_dir):
    """Course x locale: modules, regional modules, quiz, with missing and stale counts."""
    from .catalog.translation_status import translation_status

    rows = translation_status(_content_dir(content_dir))
    header = f"{'course':24} {'locale':8} {'modules':>9} {'regional':>9} {'quiz':>5} {'missing':>8} {'stale':>6}"
    click.echo(header)
    for row in rows:
        click.echo(
            f"{row.course:24} {row.locale:8} {row.modules:>9} {row.regional:>9} "
            f"{row.quiz:>5} {row.missing:>8} {row.stale:>6}"
        )
    if any(row.missing for row in rows):
        sys.exit(1)


# --- translations ----------------------------------------------------------------------
@click.group()
def translate():
    """Interface catalogs: extract, update, compile (wraps pybabel)."""


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=PROJECT_ROOT).returncode != 0:
        raise click.ClickException("pybabel failed: " + " ".join(args))


@translate.command("extract")
def translate_extract():
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_pgettext:1c,2",
        "--no-location",
        "--sort-output",
        "-o",
        "translations/messages.pot",
        ".",
    )


@translate.command("update")
def translate_update():
    """Extract, merge into every catalog, and fill the English catalog from its msgids."""
    click.get_current_context().invoke(translate_extract)
    _pybabel(
        "update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete"
    )
    _fill_source_catalog(PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po")


def _fill_source_catalog(path: Path) -> None:
    """English is the source language: its catalog is complete by definition."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):  # plural: singular and plural forms
            if not any(message.string or ()):
                message.string = message.id
        elif not message.string:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)


@translate.command("compile")
def translate_compile():
    _pybabel("compile", "-d", "translations", "--statistics")


@translate.command("init")
@click.argument("locale")
def translate_init(locale):
    _pybabel("init", "-i", "translations/messages.pot", "-d", "translations", "-l", locale)


#: what the `elearn` command offers without an app (elearn/command.py adds them)
STANDALONE_COMMANDS = (check_config, content, translate)
