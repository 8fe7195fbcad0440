"""App clients: Create, Describe, List, Update and DeleteUserPoolClient, and how an
unsigned request's ``ClientId`` (with its ``SECRET_HASH``) is resolved to its pool."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from typing import Any

from cognito_import.api.pools import pool_not_found, require_pool
from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain.clients import AppClient, settings_from_request
from cognito_import.domain.pools import Pool
from cognito_import.errors import NotAuthorizedException, ResourceNotFoundException
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime

# Cognito's ids: 26 lower-case letters and digits; secrets: 51 of them.
CLIENT_ID_LENGTH = 26
SECRET_LENGTH = 51
_LOWER = string.ascii_lowercase + string.digits


def client_not_found(client_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"User pool client {client_id} does not exist.")


def _lower_id(rt: Runtime, length: int) -> str:
    # Ids come from the injected source (tests fix them); Cognito's are lower case.
    raw = rt.ids.alphanumeric(length)
    return "".join(_LOWER[ord(c) % len(_LOWER)] for c in raw)


def require_client(rt: Runtime, pool: Pool, client_id: str) -> AppClient:
    client = rt.store.clients.get(client_id)
    if client is None or client.pool_id != pool.id:
        raise client_not_found(client_id)
    return client


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """What a client with a secret sends as SECRET_HASH."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def secret_matches(client: AppClient, username: str, given: str | None) -> bool:
    if client.secret is None:
        return True
    expected = secret_hash(client.secret, username, client.client_id)
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def check_secret_hash(client: AppClient, username: str, given: str | None) -> None:
    """AWS's refusal when a client with a secret gets no or a wrong SECRET_HASH."""
    if client.secret is None:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {client.client_id} is configured for secret but secret was not received"
        )
    if not secret_matches(client, username, given):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.client_id}")


def resolve_client(
    rt: Runtime, client_id: str, username: str | None = None, given_hash: str | None = None
) -> tuple[Pool, AppClient]:
    """The pool and app client of an unsigned request (InitiateAuth, ForgotPassword, ...):
    ``ResourceNotFoundException`` for an unknown client, and, when ``username`` is given,
    the SECRET_HASH check of a client with a secret (computed over the name the request
    gives, as AWS does)."""
    client = rt.store.clients.get(client_id)
    if client is None:
        raise client_not_found(client_id)
    pool = rt.store.pools.get_pool_by_id(client.pool_id)
    if pool is None:
        raise client_not_found(client_id)
    if username is not None:
        check_secret_hash(client, username, given_hash)
    return pool, client


def create_user_pool_client(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    settings = settings_from_request(p)
    secret = None
    if "ClientSecret" in p:
        secret = p["ClientSecret"]
    elif p.get("GenerateSecret"):
        secret = _lower_id(rt, SECRET_LENGTH)
    client = AppClient(
        client_id=_lower_id(rt, CLIENT_ID_LENGTH),
        pool_id=pool.id,
        name=p["ClientName"],
        secret=secret,
        created=ctx.now,
        modified=ctx.now,
        settings=settings,
    )
    if not rt.store.clients.insert(client):
        raise pool_not_found(pool.id)
    return {"UserPoolClient": client.describe()}


def describe_user_pool_client(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    return {"UserPoolClient": require_client(rt, pool, p["ClientId"]).describe()}


def list_user_pool_clients(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    scope = f"clients/{pool.id}"
    after = None
    if "NextToken" in p:
        after = decode_token(rt.token_secret, scope, p["NextToken"], "Invalid NextToken.")[0]
    limit = p.get("MaxResults", 60)
    clients = rt.store.clients.list(pool.id, after, limit + 1)
    result: dict[str, Any] = {"UserPoolClients": [c.summary() for c in clients[:limit]]}
    if len(clients) > limit:
        result["NextToken"] = encode_token(rt.token_secret, scope, [clients[limit - 1].client_id])
    return result


def update_user_pool_client(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    client = require_client(rt, pool, p["ClientId"])
    updated = AppClient(
        client_id=client.client_id,
        pool_id=pool.id,
        name=p.get("ClientName", client.name),
        secret=client.secret,
        created=client.created,
        modified=ctx.now,
        settings=settings_from_request(p),
    )
    if not rt.store.clients.update(updated):
        raise client_not_found(client.client_id)
    return {"UserPoolClient": updated.describe()}


def delete_user_pool_client(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    client = require_client(rt, pool, p["ClientId"])
    if not rt.store.clients.delete(pool.id, client.client_id):
        raise client_not_found(client.client_id)
    return {}
