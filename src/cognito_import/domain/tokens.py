"""ID and access tokens as Cognito issues them: RS256 JWTs with a ``kid``, signed with
the pool's own RSA key, and the JWKS and discovery document that verify them.

PyJWT does the JWT work (header, base64url, RS256 through ``cryptography``); this module
decides the claims. Time comes from the caller: tokens are judged by the server's clock
(which tests move), not by PyJWT's.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cognito_import.domain.users import User

ACCESS_SCOPE = "aws.cognito.signin.user.admin"
ALGORITHM = "RS256"
# Attributes Cognito puts into the ID token as JSON booleans rather than strings.
_BOOLEAN_ATTRIBUTES = frozenset({"email_verified", "phone_number_verified"})


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str

    @property
    def private(self) -> rsa.RSAPrivateKey:
        return _load(self.private_pem)

    def jwk(self) -> dict[str, str]:
        """The public half as one JWKS entry."""
        numbers = self.private.public_key().public_numbers()
        return {
            "alg": ALGORITHM,
            "e": _b64_int(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _b64_int(numbers.n),
            "use": "sig",
        }


@functools.lru_cache(maxsize=1024)
def _load(pem: str) -> rsa.RSAPrivateKey:
    # Parsing checks the key, which costs about a millisecond: once per pool and process.
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _b64_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_signing_key() -> SigningKey:
    """A fresh 2048-bit RSA key (Cognito's size); its kid is a digest of the public key,
    so two processes that race to make one can tell which won."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.b64encode(hashlib.sha256(public).digest()).decode()
    return SigningKey(kid=kid, private_pem=pem)


@dataclass(frozen=True)
class Grant:
    """One issue of tokens: who, through which client, in which session, and when."""

    issuer: str
    client_id: str
    origin_jti: str
    event_id: str
    auth_time: int
    now: int


def id_claims(grant: Grant, user: User, lifetime: int, jti: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": user.sub}
    for name, value in user.attributes.items():
        claims[name] = value == "true" if name in _BOOLEAN_ATTRIBUTES else value
    claims.update(
        {
            "iss": grant.issuer,
            "cognito:username": user.username,
            "origin_jti": grant.origin_jti,
            "aud": grant.client_id,
            "event_id": grant.event_id,
            "token_use": "id",
            "auth_time": grant.auth_time,
            "exp": grant.now + lifetime,
            "iat": grant.now,
            "jti": jti,
        }
    )
    return claims


def access_claims(grant: Grant, user: User, lifetime: int, jti: str) -> dict[str, Any]:
    return {
        "sub": user.sub,
        "iss": grant.issuer,
        "client_id": grant.client_id,
        "origin_jti": grant.origin_jti,
        "event_id": grant.event_id,
        "token_use": "access",
        "scope": ACCESS_SCOPE,
        "auth_time": grant.auth_time,
        "exp": grant.now + lifetime,
        "iat": grant.now,
        "jti": jti,
        "username": user.username,
    }


def sign(key: SigningKey, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})


class BadToken(Exception):
    """Not a token this pool signed (forged, damaged, another pool's, not a JWT)."""


def unverified_issuer(token: str) -> str:
    """The ``iss`` a token claims, to find the pool whose key must verify it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise BadToken(str(exc)) from exc
    issuer = claims.get("iss")
    if not isinstance(issuer, str):
        raise BadToken("no issuer")
    return issuer


def verify(token: str, key: SigningKey, issuer: str, token_use: str) -> dict[str, Any]:
    """The claims of a token ``key`` signed for ``issuer``; expiry is the caller's check."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key.kid:
            raise BadToken("another key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private.public_key(),
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"verify_exp": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise BadToken(str(exc)) from exc
    if claims.get("token_use") != token_use or not isinstance(claims.get("exp"), int):
        raise BadToken("wrong use")
    return claims


def jwks(key: SigningKey) -> str:
    return json.dumps({"keys": [key.jwk()]})


def discovery(issuer: str, jwks_uri: str) -> dict[str, Any]:
    """The OpenID configuration a verifier follows from ``iss`` to the keys."""
    return {
        "issuer": issuer,
        "jwks_uri": jwks_uri,
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "subject_types_supported": ["public"],
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "auth_time",
            "exp",
            "iat",
            "token_use",
            "cognito:username",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
        ],
    }
