"""``reset`` and ``export``: state tools for test suites and CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cognito_import.admin_paths import RESET_PATH
from cognito_import.cli.options import caller_key, data_dir_option, database_option
from cognito_import.client.signed import SignedCallFailed, signed_call


def signed_reset(
    endpoint_url: str, key_id: str, secret: str, region: str, reseed: bool, timeout: float = 30
) -> dict[str, Any]:
    """POST the reset, SigV4-signed with the account's key; the server's JSON answer.
    ``ResetFailed`` carries the server's error code and message."""
    body = json.dumps({"reseed": reseed}).encode()
    url = endpoint_url.rstrip("/") + RESET_PATH
    try:
        return signed_call("POST", url, key_id, secret, region, body, timeout)
    except SignedCallFailed as exc:
        raise ResetFailed(str(exc)) from None


class ResetFailed(Exception):
    pass


@click.command()
@click.option(
    "--endpoint-url",
    required=True,
    envvar="COGNITO_IMPORT_ENDPOINT_URL",
    show_envvar=True,
    help="The server, e.g. http://127.0.0.1:9245.",
)
@click.option(
    "--region",
    default=None,
    help="Region of the signature (default: AWS_DEFAULT_REGION or the profile's, else "
    "us-east-1); a reset acts on all regions of the account.",
)
@click.option(
    "--empty",
    is_flag=True,
    help="Leave the account empty instead of creating the server's seed again.",
)
def reset(endpoint_url: str, region: str | None, empty: bool) -> None:
    """Delete the pools, users, import jobs, logs and uploads of the account whose key
    signs the request (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the AWS
    profile), then create the server's --seed again for it."""
    key, secret, region = caller_key(region, "the account to reset")
    try:
        result = signed_reset(endpoint_url, key, secret, region, reseed=not empty)
    except ResetFailed as exc:
        raise click.ClickException(f"reset refused: {exc}") from None
    deleted, seeded = result["deleted"], result["seeded"]
    click.echo(
        f"reset account {result['account']}: deleted {deleted['pools']} pools, "
        f"{deleted['users']} users, {deleted['jobs']} jobs; "
        f"seeded {seeded['pools']} pools, {seeded['users']} users"
    )


@click.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Seed file to write: JSON if it ends in .json, else YAML.",
)
@data_dir_option("Data dir of the server whose SQLite store to read.")
@database_option("sqlite:///PATH or postgresql://... to read instead of the data dir's SQLite.")
def export(output: Path, data_dir: Path, database: str | None) -> None:
    """Write every pool and user of a store (all accounts; statuses and password hashes
    included) as a seed file that `serve --seed` replays."""
    from cognito_import.seed import write_document
    from cognito_import.seed.export import export_seed
    from cognito_import.store import open_store

    if not database and not (data_dir / "cognito-import.sqlite3").is_file():
        raise click.ClickException(f"no cognito-import store in {data_dir}")
    try:
        store = open_store(database, data_dir)
    except Exception as exc:
        raise click.ClickException(f"cannot open the store: {exc}") from None
    try:
        data = export_seed(store)
    finally:
        store.close()
    write_document(output, data)
    users = sum(len(p["Users"]) for p in data["pools"])
    click.echo(f"# exported {len(data['pools'])} pools and {users} users to {output}", err=True)
