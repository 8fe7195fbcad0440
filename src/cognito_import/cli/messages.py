"""``messages``: what a pool of this server would have sent, read from its outbox."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import urlencode

import click

from cognito_import.cli.options import caller_key
from cognito_import.settings import DEFAULT_HOST, DEFAULT_PORT

DEFAULT_ENDPOINT = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def fetch_messages(
    endpoint_url: str, key_id: str, secret: str, region: str, pool_id: str, username: str | None
) -> list[dict[str, Any]]:
    from cognito_import.client.signed import signed_call
    from cognito_import.outbox_endpoint import OUTBOX_PATH

    query = {"UserPoolId": pool_id, **({"Username": username} if username else {})}
    url = f"{endpoint_url.rstrip('/')}{OUTBOX_PATH}?{urlencode(query)}"
    messages: list[dict[str, Any]] = signed_call("GET", url, key_id, secret, region)["Messages"]
    return messages


def _when(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_message(m: dict[str, Any]) -> str:
    """One message: a heading line with the code, then the text as sent."""
    head = (
        f"{_when(m['CreationDate'])}  {m['Kind']}  {m['Username']}  "
        f"{m['DeliveryMedium']} {m['Destination']}  code: {m['Code']}"
    )
    lines = [head]
    if m["Subject"]:
        lines.append(f"  Subject: {m['Subject']}")
    lines.extend("  " + line for line in m["Body"].splitlines())
    return "\n".join(lines)


@click.command()
@click.option("--user-pool-id", required=True)
@click.option("--username", default=None, help="Only this user's messages (a username or alias).")
@click.option(
    "--endpoint-url",
    default=DEFAULT_ENDPOINT,
    show_default=True,
    envvar="COGNITO_IMPORT_ENDPOINT_URL",
    show_envvar=True,
    help="The server.",
)
@click.option(
    "--region",
    default=None,
    help="Region of the signature (default: AWS_REGION or the profile's, else us-east-1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outbox's JSON answer instead.")
def messages(
    user_pool_id: str, username: str | None, endpoint_url: str, region: str | None, as_json: bool
) -> None:
    """Print every message the pool would have sent (reset codes, invitations with
    temporary passwords), oldest first, each with its code. Signed with the account's
    key (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the AWS profile): an account
    sees its own pools' messages only."""
    from cognito_import.client.signed import SignedCallFailed

    key, secret, region = caller_key(region, "the pool's account")
    try:
        found = fetch_messages(endpoint_url, key, secret, region, user_pool_id, username)
    except SignedCallFailed as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"Messages": found}, indent=2, ensure_ascii=False))
        return
    for m in found:
        click.echo(format_message(m))
    if not found:
        click.echo(f"# no messages for {user_pool_id}", err=True)
