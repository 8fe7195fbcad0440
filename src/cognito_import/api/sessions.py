"""Tokens bound to the store: the pool's signing key, issuing ID/access/refresh tokens
for a sign-in, judging an access or refresh token, and sealing the state a challenge
carries between two requests (the SRP secret, the NEW_PASSWORD_REQUIRED session).

Every key lives in the database (``pool_keys``, ``server_state``), so any process of a
deployment issues and accepts the same tokens and sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cognito_import.domain import tokens as T
from cognito_import.domain.clients import AppClient
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import User
from cognito_import.errors import NotAuthorizedException, UserNotFoundException
from cognito_import.runtime import Runtime
from cognito_import.store.db import IntegrityError
from cognito_import.store.sessions import Session

INVALID_ACCESS = "Invalid Access Token"
# A challenge session that is expired, another's, or already answered.
INVALID_SESSION = "Invalid session for the user."
EXPIRED_ACCESS = "Access Token has expired"
REVOKED_ACCESS = "Access Token has been revoked"
INVALID_REFRESH = "Invalid Refresh Token."
OTHER_CLIENT_REFRESH = "Refresh Token has different Client."
REVOKED_REFRESH = "Refresh Token has been revoked"


def issuer(rt: Runtime, pool: Pool) -> str:
    if rt.settings.token_issuer == "aws":
        return f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}"
    return f"{rt.settings.base_url()}/{pool.id}"


def pool_key(rt: Runtime, pool_id: str) -> T.SigningKey:
    """The pool's signing key, made on first use (by whichever process gets there first)."""
    stored = rt.store.clients.stored_key(pool_id)
    if stored is None:
        fresh = T.new_signing_key()
        stored = rt.store.clients.signing_key(pool_id, fresh.kid, fresh.private_pem)
    return T.SigningKey(kid=stored[0], private_pem=stored[1])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _proof_id(proof: str) -> str:
    """A UUID (as every origin_jti is) that only this proof gives."""
    return str(uuid.UUID(bytes=hashlib.sha256(proof.encode()).digest()[:16], version=4))


def issue(
    rt: Runtime,
    pool: Pool,
    client: AppClient,
    user: User,
    now: float,
    session: Session | None = None,
    proof: str | None = None,
) -> dict[str, Any]:
    """AuthenticationResult for a sign-in: a new session with a refresh token, or, for a
    refresh, new ID and access tokens of ``session`` (and no new refresh token).

    With ``proof`` (an SRP answer's sealed block, unique to one InitiateAuth), the
    session's id is derived from it, so the primary key of ``refresh_tokens`` refuses a
    second session from the same proof: a replayed RespondToAuthChallenge. Sessions are
    never deleted but with their user, so the refusal lasts."""
    refresh = None
    if session is None:
        refresh = secrets.token_urlsafe(96)
        session = Session(
            origin_jti=rt.ids.uuid() if proof is None else _proof_id(proof),
            token_hash=_hash(refresh),
            pool_id=pool.id,
            client_id=client.client_id,
            username_key=user.username_key,
            auth_time=now,
            expires=now + client.validity("RefreshTokenValidity"),
            revoked=False,
        )
        try:
            inserted = rt.store.sessions.insert(session, user.sub)
        except IntegrityError:
            raise NotAuthorizedException(INVALID_SESSION) from None
        if not inserted:
            raise UserNotFoundException("User does not exist.")
    grant = T.Grant(
        issuer=issuer(rt, pool),
        client_id=client.client_id,
        origin_jti=session.origin_jti,
        event_id=rt.ids.uuid(),
        auth_time=int(session.auth_time),
        now=int(now),
    )
    key = pool_key(rt, pool.id)
    access_life = client.validity("AccessTokenValidity")
    id_life = client.validity("IdTokenValidity")
    result: dict[str, Any] = {
        "AccessToken": T.sign(key, T.access_claims(grant, user, access_life, rt.ids.uuid())),
        "ExpiresIn": access_life,
        "TokenType": "Bearer",
        "IdToken": T.sign(key, T.id_claims(grant, user, id_life, rt.ids.uuid())),
    }
    if refresh is not None:
        result["RefreshToken"] = refresh
    return result


@dataclass(frozen=True)
class Access:
    """What a valid access token names."""

    pool: Pool
    user: User
    session: Session
    claims: dict[str, Any]


def check_access(rt: Runtime, token: str, now: float) -> Access:
    """The pool, user and session of an access token, or AWS's NotAuthorizedException:
    forged, damaged or another pool's tokens are invalid; past ``exp`` expired; after a
    sign-out or revocation revoked. A deleted user's token is invalid too."""
    try:
        claimed = T.unverified_issuer(token)
    except T.BadToken:
        raise NotAuthorizedException(INVALID_ACCESS) from None
    pool = rt.store.pools.get_pool_by_id(claimed.rsplit("/", 1)[-1])
    if pool is None or rt.store.clients.stored_key(pool.id) is None:
        raise NotAuthorizedException(INVALID_ACCESS)
    try:
        claims = T.verify(token, pool_key(rt, pool.id), issuer(rt, pool), "access")
    except T.BadToken:
        raise NotAuthorizedException(INVALID_ACCESS) from None
    if claims["exp"] <= now:
        raise NotAuthorizedException(EXPIRED_ACCESS)
    session = rt.store.sessions.by_origin(str(claims.get("origin_jti")))
    if session is None or session.pool_id != pool.id:
        raise NotAuthorizedException(INVALID_ACCESS)
    if session.revoked:
        raise NotAuthorizedException(REVOKED_ACCESS)
    user = rt.store.pools.get_user(pool.id, session.username_key)
    if user is None or user.sub != claims.get("sub"):
        raise NotAuthorizedException(INVALID_ACCESS)
    return Access(pool=pool, user=user, session=session, claims=claims)


def find_refresh(rt: Runtime, token: str) -> Session | None:
    return rt.store.sessions.by_token(_hash(token))


def check_refresh(rt: Runtime, client: AppClient, token: str, now: float) -> Session:
    """The live session of a refresh token issued to ``client``."""
    session = find_refresh(rt, token)
    if session is None or session.expires <= now:
        raise NotAuthorizedException(INVALID_REFRESH)
    if session.client_id != client.client_id:
        raise NotAuthorizedException(OTHER_CLIENT_REFRESH)
    if session.revoked:
        raise NotAuthorizedException(REVOKED_REFRESH)
    return session


def _seal_key(rt: Runtime) -> bytes:
    # Derived from the server secret kept in the database (server_state), so every
    # process of a deployment opens what another sealed.
    return hmac.new(rt.token_secret, b"challenge seal key", hashlib.sha256).digest()


def seal(rt: Runtime, purpose: str, state: dict[str, Any]) -> str:
    """``state`` encrypted and authenticated for ``purpose``: a challenge's SECRET_BLOCK
    or Session, opaque to the client, readable by any process of this deployment."""
    nonce = os.urandom(12)
    body = json.dumps(state, separators=(",", ":")).encode()
    sealed = AESGCM(_seal_key(rt)).encrypt(nonce, body, purpose.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(rt: Runtime, purpose: str, text: str) -> dict[str, Any] | None:
    """What ``seal`` sealed for ``purpose``, or None for anything else."""
    try:
        raw = base64.b64decode(text, validate=True)
        body = AESGCM(_seal_key(rt)).decrypt(raw[:12], raw[12:], purpose.encode())
        state = json.loads(body)
    except (ValueError, InvalidTag):
        return None
    return state if isinstance(state, dict) else None
