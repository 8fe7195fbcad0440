"""What the sign-in tests share: a pool with an app client, users imported with their
password hashes, unsigned clients as a browser app uses them, and a snapshot of what
sign-in can change (to prove a refusal changed nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from cognito_import.domain.hashes import hash_password
from tests.conftest import REGION
from tests.engine.helpers import csv_header, run_import, user_row
from tests.live import LiveServer

FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
PASSWORD = "Old-passw0rd!"


@dataclass(frozen=True)
class App:
    pool_id: str
    client_id: str
    secret: str | None


def unsigned(server: LiveServer) -> Any:
    """A client that sends no SigV4, as Amplify and identity-js do."""
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=server.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


def make_app(cognito: Any, pool_id: str, **client: Any) -> App:
    client.setdefault("ExplicitAuthFlows", FLOWS)
    made = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **client)[
        "UserPoolClient"
    ]
    return App(pool_id, made["ClientId"], made.get("ClientSecret"))


def import_hashed(
    cognito: Any, pool_id: str, users: dict[str, str | None], algorithm: str = "BCRYPT"
) -> None:
    """Import ``users`` (username -> password, or None for no hash: RESET_REQUIRED, in a
    job of its own, since a hash job needs a hash on every row)."""
    hashed = {u: p for u, p in users.items() if p is not None}
    plain = [u for u, p in users.items() if p is None]
    header = csv_header(cognito, pool_id)
    if hashed:
        with_hash = [*header, "cognito:password_hash"]
        lines = [",".join(with_hash)]
        for username, password in hashed.items():
            row = user_row(username)
            # Cognito's CSV escapes a comma (in scrypt's parameters) with a backslash.
            value = hash_password(algorithm, password, fast=True)
            row["cognito:password_hash"] = value.replace(",", "\\,")
            lines.append(",".join(row.get(c, "") for c in with_hash))
        _run(cognito, pool_id, lines, PasswordHashingAlgorithm=algorithm)
    if plain:
        lines = [",".join(header)]
        lines.extend(",".join(user_row(u).get(c, "") for c in header) for u in plain)
        _run(cognito, pool_id, lines)


def _run(cognito: Any, pool_id: str, lines: list[str], **extra: Any) -> None:
    job = run_import(cognito, pool_id, ("\n".join(lines) + "\n").encode(), **extra)
    assert job["Status"] == "Succeeded" and job["FailedUsers"] == 0, job


def sign_in_state(server: LiveServer) -> dict[str, Any]:
    """Users (with credentials and status), sessions and keys: what sign-in writes."""
    with server.rt.store.db.read() as tx:
        return {
            "users": sorted(
                tx.all(
                    "SELECT pool_id, username_key, status, enabled, password_hash,"
                    " hash_algorithm, modified FROM users"
                )
            ),
            "sessions": sorted(tx.all("SELECT * FROM refresh_tokens")),
            "clients": sorted(tx.all("SELECT * FROM pool_clients")),
            "keys": sorted(tx.all("SELECT pool_id, kid FROM pool_keys")),
        }
