"""The `elearn` console command: Flask's command group for the app, with the commands
that need no app. The entry point (pyproject), and nothing imports it."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app
from .cli import STANDALONE_COMMANDS


def _create(*_args, **_kwargs):
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create, add_default_commands=True)
def main():
    """elearn: human-rights compliance training."""


for command in STANDALONE_COMMANDS:
    main.add_command(command)


if __name__ == "__main__":
    main()
