"""What a signed-in user (or an admin on their behalf) does with the tokens: GetUser,
ChangePassword, GlobalSignOut, AdminUserGlobalSignOut, RevokeToken and
GetTokensFromRefreshToken.

Decisions where AWS is silent (README): RevokeToken with an unknown client, a wrong
client secret or another client's refresh token is ``UnauthorizedException: Invalid
client``; an ID or access token (a JWT) is ``UnsupportedTokenTypeException``; a string
that is no refresh token at all is accepted and changes nothing, as RFC 7009 (which
RevokeToken follows) asks.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from cognito_import.api import sessions
from cognito_import.api.clients import resolve_client
from cognito_import.api.pools import require_pool
from cognito_import.api.signin import DISABLED, WRONG_PASSWORD
from cognito_import.api.users import find_user
from cognito_import.domain import credentials, srp
from cognito_import.domain.passwords import policy_problem
from cognito_import.errors import (
    InvalidPasswordException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime
from cognito_import.store.credentials import Credential

REVOCATION_DISABLED = "Token revocation is not enabled for this app client."


def _signed_in(rt: Runtime, ctx: Context, token: str) -> sessions.Access:
    access = sessions.check_access(rt, token, ctx.now)
    if not access.user.enabled:
        raise NotAuthorizedException(DISABLED)
    return access


def get_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    user = _signed_in(rt, ctx, p["AccessToken"]).user
    return {"Username": user.username, "UserAttributes": user.wire_attributes()}


def change_password(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    access = _signed_in(rt, ctx, p["AccessToken"])
    pool, user = access.pool, access.user
    previous = p.get("PreviousPassword")
    if previous is None or not credentials.password_matches(
        pool.id, user.username, previous, user.hash_algorithm, user.password_hash
    ):
        raise NotAuthorizedException(WRONG_PASSWORD)
    policy = pool.settings.get("Policies", {}).get("PasswordPolicy", {})
    problem = policy_problem(policy, p["ProposedPassword"])
    if problem is not None:
        raise InvalidPasswordException(problem)
    algorithm, encoded = credentials.own_credential(
        pool.id, user.username, p["ProposedPassword"], srp.new_salt(os.urandom)
    )
    if not rt.store.credentials.set_credential(
        pool.id, user.username_key, Credential(algorithm, encoded, user.status), ctx.now
    ):
        raise NotAuthorizedException(sessions.INVALID_ACCESS)
    return {}


def global_sign_out(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    access = sessions.check_access(rt, p["AccessToken"], ctx.now)
    rt.store.sessions.revoke_user(access.pool.id, access.user.username_key)
    return {}


def admin_user_global_sign_out(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    rt.store.sessions.revoke_user(pool.id, user.username_key)
    return {}


def revoke_token(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    try:
        _, client = resolve_client(rt, p["ClientId"])
    except ResourceNotFoundException:
        raise UnauthorizedException("Invalid client") from None
    if client.secret is not None and not hmac.compare_digest(
        client.secret.encode(), str(p.get("ClientSecret", "")).encode()
    ):
        raise UnauthorizedException("Invalid client")
    if not client.revocation_enabled:
        raise UnsupportedOperationException(REVOCATION_DISABLED)
    token = p["Token"]
    if token.count(".") == 2:
        # A JWT: an ID or access token, which RevokeToken does not take.
        raise UnsupportedTokenTypeException("Unsupported token type.")
    session = sessions.find_refresh(rt, token)
    if session is None:
        return {}
    if session.client_id != client.client_id:
        raise UnauthorizedException("Invalid client")
    rt.store.sessions.revoke(session.origin_jti)
    return {}


def get_tokens_from_refresh_token(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = resolve_client(rt, p["ClientId"])
    if client.secret is not None and not hmac.compare_digest(
        client.secret.encode(), str(p.get("ClientSecret", "")).encode()
    ):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.client_id}")
    session = sessions.check_refresh(rt, client, p["RefreshToken"], ctx.now)
    user = rt.store.pools.get_user(pool.id, session.username_key)
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_REFRESH)
    if not user.enabled:
        raise NotAuthorizedException(DISABLED)
    return {"AuthenticationResult": sessions.issue(rt, pool, client, user, ctx.now, session)}
