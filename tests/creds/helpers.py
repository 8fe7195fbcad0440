"""What the credential tests share: a pool with an app client and a user, the stored
state a refusal must leave alone, and the outbox as a test reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cognito_import.cli.messages import fetch_messages
from cognito_import.domain import credentials
from cognito_import.protocol.keys import AccessKey
from tests.live import TEST_KEY, LiveServer

GOOD = "Corr3ct-Horse"
OTHER_GOOD = "B4ttery-Staple"


@dataclass(frozen=True)
class Setup:
    pool_id: str
    client_id: str


def make_pool(cognito: Any, **client: Any) -> Setup:
    pool_id = cognito.create_user_pool(PoolName="creds")["UserPool"]["Id"]
    made = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **client)
    return Setup(pool_id, made["UserPoolClient"]["ClientId"])


def make_user(
    cognito: Any, pool_id: str, username: str = "jane", verified: bool = True, **extra: str
) -> None:
    attributes = {"email": f"{username}@example.com", "email_verified": str(verified).lower()}
    attributes.update(extra)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        MessageAction="SUPPRESS",
    )


def stored(server: LiveServer, pool_id: str, username: str = "jane") -> tuple[Any, ...]:
    """The user's row as stored: status, enabled, credential, modified."""
    user = server.rt.store.pools.get_user(pool_id, username)
    assert user is not None
    return (user.status, user.enabled, user.hash_algorithm, user.password_hash, user.modified)


def password_works(server: LiveServer, pool_id: str, password: str, username: str = "jane") -> bool:
    user = server.rt.store.pools.get_user(pool_id, username)
    assert user is not None
    return credentials.password_matches(
        pool_id, user.username, password, user.hash_algorithm, user.password_hash
    )


def outbox(
    server: LiveServer, pool_id: str, username: str | None = None, key: AccessKey = TEST_KEY
) -> list[dict[str, Any]]:
    return fetch_messages(server.url, key.key_id, key.secret, "us-east-1", pool_id, username)


def last_code(server: LiveServer, pool_id: str, username: str = "jane") -> str:
    code: str = outbox(server, pool_id, username)[-1]["Code"]
    return code


def snapshot(server: LiveServer, pool_id: str) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was: the pool's users as stored,
    its reset codes, temporary-password expiries and outbox."""
    with server.rt.store.db.read() as tx:
        users = tx.all(
            "SELECT username_key, status, enabled, hash_algorithm, password_hash, modified"
            " FROM users WHERE pool_id = ? ORDER BY username_key",
            (pool_id,),
        )
    with server.rt.store.db.read() as tx:
        codes = tx.all(
            "SELECT username_key, digest, expires, attempts FROM user_codes WHERE pool_id = ?"
            " ORDER BY username_key",
            (pool_id,),
        )
    with server.rt.store.db.read() as tx:
        temporary = tx.all(
            "SELECT username_key, expires FROM temporary_passwords WHERE pool_id = ?"
            " ORDER BY username_key",
            (pool_id,),
        )
    # The outbox as stored: a test that moved the server's clock cannot sign a read.
    return users, codes, temporary, server.rt.store.outbox.messages(TEST_KEY.account, pool_id, None)


def unsigned_client(server: LiveServer) -> Any:
    """boto3 as an app without AWS credentials holds it: nothing is signed."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.session.Session().client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=server.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
