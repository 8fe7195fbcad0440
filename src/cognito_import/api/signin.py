"""InitiateAuth and AdminInitiateAuth: the four flows, the user states, the challenges.

Decisions where AWS is silent (README, "Signing in"):

- USER_ID_FOR_SRP is the user's stored username: the sign-in name for plain pools, the
  sub for pools whose usernames are emails or phone numbers (as Cognito announces it).
- USER_SRP_AUTH for a user whose only credential is an imported hash (BCRYPT, ...)
  cannot work (SRP needs a verifier made from the password): it is refused at once with
  ``NotAuthorizedException: Incorrect username or password.``, AWS's answer to a wrong
  password, and the server logs why. The first sign-in of such a user goes through
  USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH, which stores the server's own
  credential, after which SRP works.
- The state between InitiateAuth and RespondToAuthChallenge (the SRP secret b and A, or
  the user that must choose a new password) travels sealed (AES-GCM, a key derived from
  the server secret in the database) in SECRET_BLOCK or Session, so any process answers.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from cognito_import.api import sessions
from cognito_import.api.clients import (
    check_secret_hash,
    require_client,
    resolve_client,
    secret_matches,
)
from cognito_import.api.pools import require_pool
from cognito_import.api.users import find_user
from cognito_import.domain import clients as C
from cognito_import.domain import credentials, srp
from cognito_import.domain.clients import AppClient
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, RESET_REQUIRED, User
from cognito_import.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    ServiceError,
    UserNotFoundException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime

log = logging.getLogger("cognito_import")

SRP_PURPOSE = "srp"
NEW_PASSWORD_PURPOSE = "new-password"
DISABLED = "User is disabled."
WRONG_PASSWORD = "Incorrect username or password."
# Which ALLOW_ flag each flow needs, for InitiateAuth and AdminInitiateAuth.
USER_FLOWS = {
    "USER_SRP_AUTH": C.SRP,
    "USER_PASSWORD_AUTH": C.PASSWORD,
    "REFRESH_TOKEN_AUTH": C.REFRESH,
    "REFRESH_TOKEN": C.REFRESH,
}
ADMIN_FLOWS = {
    **USER_FLOWS,
    "ADMIN_USER_PASSWORD_AUTH": C.ADMIN_PASSWORD,
    "ADMIN_NO_SRP_AUTH": C.ADMIN_PASSWORD,
}


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def check_flow(client: AppClient, flow: str, allowed: dict[str, str]) -> None:
    flag = allowed.get(flow)
    if flag is None:
        if flow == "CUSTOM_AUTH":
            raise InvalidParameterException(
                "Custom auth lambda trigger is not configured for the user pool."
            )
        raise InvalidParameterException(f"Initiate Auth method not supported: {flow}")
    if flag not in client.flows():
        if flag == C.ADMIN_PASSWORD:
            raise InvalidParameterException("Auth flow not enabled for this client")
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


def hidden(client: AppClient, error: ServiceError) -> ServiceError:
    """With PreventUserExistenceErrors, an unknown (or not yet usable) user gets the
    wrong-password answer, so the answer does not tell whether the user exists."""
    if client.prevents_user_existence_errors:
        return NotAuthorizedException(WRONG_PASSWORD)
    return error


def signing_in_user(rt: Runtime, pool: Pool, client: AppClient, username: str) -> User:
    """The user a sign-in names, if it may sign in at all (exists, enabled, not reset)."""
    try:
        user = find_user(rt, pool, username)
    except UserNotFoundException as exc:
        raise hidden(client, exc) from None
    if not user.enabled:
        raise NotAuthorizedException(DISABLED)
    if user.status == RESET_REQUIRED:
        raise hidden(client, PasswordResetRequiredException())
    return user


def after_password(
    rt: Runtime, pool: Pool, client: AppClient, user: User, now: float, proof: str | None = None
) -> dict[str, Any]:
    """The answer once the password is proven: tokens, or NEW_PASSWORD_REQUIRED.
    ``proof`` names a proof that must not serve twice (an SRP answer, see
    ``sessions.issue``)."""
    if user.status == FORCE_CHANGE_PASSWORD:
        if rt.store.credentials.temporary_expired(pool.id, user.username_key, now):
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator."
            )
        state = {
            "pool": pool.id,
            "client": client.client_id,
            "user": user.username_key,
            "issued": now,
        }
        return {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": sessions.seal(rt, NEW_PASSWORD_PURPOSE, state),
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": "[]",
                "userAttributes": _json_attributes(user),
            },
        }
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": sessions.issue(rt, pool, client, user, now, proof=proof),
    }


def _json_attributes(user: User) -> str:
    # What Cognito hands the app to show: the user's attributes, without sub.
    return json.dumps(dict(user.attributes))


def password_sign_in(
    rt: Runtime, pool: Pool, client: AppClient, params: dict[str, str], now: float
) -> dict[str, Any]:
    """USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH."""
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    user = signing_in_user(rt, pool, client, username)
    if not credentials.password_matches(
        pool.id, user.username, password, user.hash_algorithm, user.password_hash
    ):
        raise NotAuthorizedException(WRONG_PASSWORD)
    if user.hash_algorithm is not None and not credentials.is_own(user.hash_algorithm):
        upgrade_imported(rt, pool, user, password)
    return after_password(rt, pool, client, user, now)


def upgrade_imported(rt: Runtime, pool: Pool, user: User, password: str) -> None:
    """The first sign-in of an imported hash's user: keep our own credential instead,
    so SRP works from now on (the imported hash cannot serve SRP)."""
    assert user.hash_algorithm is not None and user.password_hash is not None
    own = credentials.own_credential(pool.id, user.username, password, srp.new_salt(os.urandom))
    rt.store.credentials.replace_imported(
        pool.id, user.username_key, (user.hash_algorithm, user.password_hash), own
    )


def srp_start(
    rt: Runtime, pool: Pool, client: AppClient, params: dict[str, str], now: float
) -> dict[str, Any]:
    """USER_SRP_AUTH: the PASSWORD_VERIFIER challenge, with b sealed into SECRET_BLOCK."""
    username = required(params, "USERNAME")
    srp_a_hex = required(params, "SRP_A")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    try:
        srp_a = int(srp_a_hex, 16)
    except ValueError:
        raise InvalidParameterException("SRP_A is not a hexadecimal number.") from None
    # Clients send A = g^a mod N; anything else (zero, or a number past N that would
    # swell SECRET_BLOCK) is not an SRP public value.
    if not 0 < srp_a < srp.N:
        raise InvalidParameterException("SRP_A is not a valid SRP public value.")
    user = signing_in_user(rt, pool, client, username)
    if not credentials.is_own(user.hash_algorithm) or user.password_hash is None:
        log.warning(
            "USER_SRP_AUTH refused for %s in %s: its only credential is an imported %s "
            "hash, which SRP cannot check; sign in once with USER_PASSWORD_AUTH",
            user.username,
            pool.id,
            user.hash_algorithm or "(none)",
        )
        raise NotAuthorizedException(WRONG_PASSWORD)
    salt, verifier = credentials.srp_parts(user.password_hash)
    secret = srp.new_secret(os.urandom)
    state = {
        "pool": pool.id,
        "client": client.client_id,
        "user": user.username_key,
        "b": format(secret, "x"),
        "a": srp_a_hex,
        "issued": now,
    }
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": srp.salt_hex(salt),
            "SECRET_BLOCK": sessions.seal(rt, SRP_PURPOSE, state),
            "SRP_B": format(srp.server_challenge(verifier, secret), "x"),
            "USERNAME": user.username,
            "USER_ID_FOR_SRP": user.username,
        },
    }


def refresh_sign_in(
    rt: Runtime, pool: Pool, client: AppClient, params: dict[str, str], now: float
) -> dict[str, Any]:
    """REFRESH_TOKEN_AUTH: new ID and access tokens of the refresh token's session."""
    token = required(params, "REFRESH_TOKEN")
    session = sessions.check_refresh(rt, client, token, now)
    user = rt.store.pools.get_user(pool.id, session.username_key)
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_REFRESH)
    if client.secret is not None:
        # The hash is over the user's username (the sub in email pools), which the app
        # may send as USERNAME or not at all; apps that hash the name the user typed
        # (pycognito) are accepted too.
        given = params.get("SECRET_HASH")
        names = [params.get("USERNAME", user.username), *user.unique_values.values()]
        if not any(secret_matches(client, name, given) for name in names):
            check_secret_hash(client, names[0], given)
    if not user.enabled:
        raise NotAuthorizedException(DISABLED)
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": sessions.issue(rt, pool, client, user, now, session),
    }


def start(
    rt: Runtime, pool: Pool, client: AppClient, flow: str, params: dict[str, str], now: float
) -> dict[str, Any]:
    if flow == "USER_SRP_AUTH":
        return srp_start(rt, pool, client, params, now)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return refresh_sign_in(rt, pool, client, params, now)
    return password_sign_in(rt, pool, client, params, now)


def initiate_auth(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = resolve_client(rt, p["ClientId"])
    check_flow(client, p["AuthFlow"], USER_FLOWS)
    return start(rt, pool, client, p["AuthFlow"], p.get("AuthParameters", {}), ctx.now)


def admin_initiate_auth(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    client = require_client(rt, pool, p["ClientId"])
    check_flow(client, p["AuthFlow"], ADMIN_FLOWS)
    return start(rt, pool, client, p["AuthFlow"], p.get("AuthParameters", {}), ctx.now)


def session_age_ok(client: AppClient, issued: float, now: float) -> bool:
    """Whether a challenge is still within the client's AuthSessionValidity (minutes)."""
    return now - issued <= 60 * int(client.settings.get("AuthSessionValidity", 3))
