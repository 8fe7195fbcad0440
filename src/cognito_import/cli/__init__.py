"""The ``cognito-import`` command line: builds Settings, holds no logic of its own."""

from __future__ import annotations

import click

from cognito_import import __version__
from cognito_import.cli.jobtools import report, run
from cognito_import.cli.messages import messages
from cognito_import.cli.options import load_keys
from cognito_import.cli.preflight import validate
from cognito_import.cli.serve import serve, worker
from cognito_import.cli.tools import export, reset


@click.group()
@click.version_option(__version__)
def main() -> None:
    """A self-hosted Amazon Cognito user-import-job service.

    Point boto3 or the aws CLI at it with --endpoint-url.
    """


for command in (serve, worker, reset, export, validate, run, report, messages):
    main.add_command(command)

__all__ = [
    "export",
    "load_keys",
    "main",
    "messages",
    "report",
    "reset",
    "run",
    "serve",
    "validate",
    "worker",
]
