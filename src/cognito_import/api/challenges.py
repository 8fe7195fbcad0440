"""RespondToAuthChallenge and AdminRespondToAuthChallenge: PASSWORD_VERIFIER (the SRP
claim) and NEW_PASSWORD_REQUIRED (a FORCE_CHANGE_PASSWORD user's first password)."""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from cognito_import.api import sessions
from cognito_import.api.clients import check_secret_hash, require_client, resolve_client
from cognito_import.api.pools import require_pool
from cognito_import.api.signin import (
    NEW_PASSWORD_PURPOSE,
    SRP_PURPOSE,
    WRONG_PASSWORD,
    after_password,
    required,
    session_age_ok,
    signing_in_user,
)
from cognito_import.domain import credentials, srp
from cognito_import.domain.clients import AppClient
from cognito_import.domain.passwords import policy_problem
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import CONFIRMED, FORCE_CHANGE_PASSWORD, User
from cognito_import.errors import (
    InvalidParameterException,
    InvalidPasswordException,
    NotAuthorizedException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime
from cognito_import.store.credentials import Credential

INVALID_SESSION = sessions.INVALID_SESSION
EXPIRED_SESSION = "Invalid session for the user, session is expired."


def _state(rt: Runtime, client: AppClient, purpose: str, sealed: str, now: float) -> dict[str, Any]:
    state = sessions.unseal(rt, purpose, sealed)
    if state is None or state.get("client") != client.client_id:
        raise NotAuthorizedException(INVALID_SESSION)
    if not session_age_ok(client, float(state["issued"]), now):
        raise NotAuthorizedException(EXPIRED_SESSION)
    return state


def _challenged_user(
    rt: Runtime, pool: Pool, client: AppClient, state: dict[str, Any], responses: dict[str, str]
) -> User:
    """The user the challenge was for, named again (username, alias or USER_ID_FOR_SRP)."""
    username = required(responses, "USERNAME")
    check_secret_hash(client, username, responses.get("SECRET_HASH"))
    user = signing_in_user(rt, pool, client, username)
    if user.username_key != state.get("user"):
        raise NotAuthorizedException(INVALID_SESSION)
    return user


def password_verifier(
    rt: Runtime, pool: Pool, client: AppClient, responses: dict[str, str], now: float
) -> dict[str, Any]:
    sealed = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature_b64 = required(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required(responses, "TIMESTAMP")
    state = _state(rt, client, SRP_PURPOSE, sealed, now)
    user = _challenged_user(rt, pool, client, state, responses)
    if not credentials.is_own(user.hash_algorithm) or user.password_hash is None:
        raise NotAuthorizedException(WRONG_PASSWORD)
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        block = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError):
        raise NotAuthorizedException(WRONG_PASSWORD) from None
    salt, verifier = credentials.srp_parts(user.password_hash)
    if not srp.check_claim(
        pool.id,
        user.username,
        salt,
        verifier,
        int(state["b"], 16),
        int(state["a"], 16),
        block,
        timestamp,
        signature,
    ):
        raise NotAuthorizedException(WRONG_PASSWORD)
    # The sealed block is this sign-in's alone: an answer captured and sent again gets
    # no second session.
    return after_password(rt, pool, client, user, now, proof=sealed)


def new_password(
    rt: Runtime, pool: Pool, client: AppClient, p: dict[str, Any], now: float
) -> dict[str, Any]:
    responses: dict[str, str] = p.get("ChallengeResponses", {})
    password = required(responses, "NEW_PASSWORD")
    if "Session" not in p:
        raise InvalidParameterException("Missing required parameter Session")
    state = _state(rt, client, NEW_PASSWORD_PURPOSE, p["Session"], now)
    user = _challenged_user(rt, pool, client, state, responses)
    if user.status != FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(INVALID_SESSION)
    policy = pool.settings.get("Policies", {}).get("PasswordPolicy", {})
    problem = policy_problem(policy, password)
    if problem is not None:
        raise InvalidPasswordException(problem)
    algorithm, encoded = credentials.own_credential(
        pool.id, user.username, password, srp.new_salt(os.urandom)
    )
    if not rt.store.credentials.set_credential(
        pool.id, user.username_key, Credential(algorithm, encoded, CONFIRMED), now
    ):
        raise NotAuthorizedException(INVALID_SESSION)
    confirmed = rt.store.pools.get_user(pool.id, user.username_key) or user
    return after_password(rt, pool, client, confirmed, now)


def respond(
    rt: Runtime, pool: Pool, client: AppClient, p: dict[str, Any], now: float
) -> dict[str, Any]:
    name = p["ChallengeName"]
    if name == "PASSWORD_VERIFIER":
        return password_verifier(rt, pool, client, p.get("ChallengeResponses", {}), now)
    if name == "NEW_PASSWORD_REQUIRED":
        return new_password(rt, pool, client, p, now)
    raise InvalidParameterException(f"The challenge {name} is not supported by this server.")


def respond_to_auth_challenge(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = resolve_client(rt, p["ClientId"])
    return respond(rt, pool, client, p, ctx.now)


def admin_respond_to_auth_challenge(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    client = require_client(rt, pool, p["ClientId"])
    return respond(rt, pool, client, p, ctx.now)
