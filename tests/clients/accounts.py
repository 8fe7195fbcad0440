"""Users for the sign-in client tests, made as a user makes them: a pool, an app client,
and a real import job with a ``PasswordHashingAlgorithm``; plus reading a pool's outbox
through ``cognito-import messages``.

The hashes are made here with bcrypt, argon2-cffi and hashlib in the forms
``domain/hashes.py`` documents, not with the product's own ``hash_password``, so that a
bug shared by the maker and the checker cannot hide itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
import bcrypt
import httpx
import jwt

from tests.conftest import REGION
from tests.csvs import build_csv
from tests.engine.helpers import csv_header, run_import, user_row
from tests.live import TEST_KEY, LiveServer

ALGORITHMS = ("BCRYPT", "ARGON2ID", "SCRYPT", "PBKDF2_SHA256")
# Meets the default policy: 8+ characters, upper, lower, digit and symbol.
OLD_PASSWORD = "Old-passw0rd!"
NEW_PASSWORD = "New-passw0rd!"
AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
CLI = str(Path(sys.executable).parent / "cognito-import")


def _b64(data: bytes, *, adapted: bool = False) -> str:
    text = base64.b64encode(data).decode("ascii").rstrip("=")
    return text.replace("+", ".") if adapted else text


def make_hash(algorithm: str, password: str, bcrypt_cost: int = 4) -> str:
    """A hash of ``password`` as another system would have stored it (small work factors)."""
    secret = password.encode("utf-8")
    salt = os.urandom(16)
    if algorithm == "BCRYPT":
        return bcrypt.hashpw(secret, bcrypt.gensalt(rounds=bcrypt_cost)).decode("ascii")
    if algorithm == "ARGON2ID":
        return argon2.PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash(secret)
    if algorithm == "SCRYPT":
        key = hashlib.scrypt(secret, salt=salt, n=1 << 10, r=8, p=1, dklen=32)
        return f"$scrypt$ln=10,r=8,p=1${_b64(salt)}${_b64(key)}"
    assert algorithm == "PBKDF2_SHA256", algorithm
    key = hashlib.pbkdf2_hmac("sha256", secret, salt, 29_000, 32)
    return f"$pbkdf2-sha256$29000${_b64(salt, adapted=True)}${_b64(key, adapted=True)}"


@dataclass(frozen=True)
class SignInPool:
    """A pool with an app client that allows SRP, password and refresh sign-in."""

    pool_id: str
    client_id: str

    def config(self, server: LiveServer) -> dict[str, str]:
        """The configuration the identity-js and Amplify drivers take."""
        return {"endpoint": server.url, "userPoolId": self.pool_id, "clientId": self.client_id}


def sign_in_pool(cognito: Any, name: str = "app", **client: Any) -> SignInPool:
    pool = cognito.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])
    pool_id: str = pool["UserPool"]["Id"]
    assert pool_id.startswith(f"{REGION}_")
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=client.pop("ExplicitAuthFlows", AUTH_FLOWS),
        **client,
    )
    return SignInPool(pool_id, created["UserPoolClient"]["ClientId"])


def import_users(
    cognito: Any, pool_id: str, users: Mapping[str, str], algorithm: str | None = None
) -> Any:
    """Import ``users`` (username to password hash; ignored without ``algorithm``) with
    one real job; every row must import."""
    header = csv_header(cognito, pool_id)
    extra: dict[str, Any] = {}
    rows = [user_row(name) for name in users]
    if algorithm is not None:
        header.append("cognito:password_hash")
        extra["PasswordHashingAlgorithm"] = algorithm
        rows = [{**user_row(name), "cognito:password_hash": h} for name, h in users.items()]
    job = run_import(cognito, pool_id, build_csv(header, rows), name="clients", **extra)
    assert (job["Status"], job["ImportedUsers"]) == ("Succeeded", len(users)), job
    return job


def status(cognito: Any, pool_id: str, username: str) -> str:
    user_status: str = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    return user_status


def outbox_code(server: LiveServer, pool_id: str, username: str) -> str:
    """The code of the newest message to ``username``, read as a user reads it:
    ``cognito-import messages --json``, signed with the test account's key."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": TEST_KEY.key_id,
        "AWS_SECRET_ACCESS_KEY": TEST_KEY.secret,
        "AWS_DEFAULT_REGION": REGION,
    }
    argv = [CLI, "messages", "--user-pool-id", pool_id, "--username", username]
    done = subprocess.run(
        [*argv, "--endpoint-url", server.url, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    messages = json.loads(done.stdout)["Messages"]
    assert messages, f"no message to {username} in the outbox of {pool_id}"
    newest = messages[-1]  # oldest first
    assert newest["Username"] == username
    code: str = newest["Code"]
    assert code.isdigit(), newest
    return code


def verified_claims(server: LiveServer, pool_id: str, token: str, client_id: str) -> Any:
    """The token's claims, verified as an OIDC verifier does: discovery, then the JWKS
    it names, RS256, issuer, expiry, and the audience (ID tokens) or client_id (access)."""
    discovery = httpx.get(f"{server.url}/{pool_id}/.well-known/openid-configuration")
    assert discovery.status_code == 200, discovery.text
    document = discovery.json()
    assert document["issuer"] == f"{server.url}/{pool_id}"
    key = jwt.PyJWKClient(document["jwks_uri"]).get_signing_key_from_jwt(token)
    assert jwt.get_unverified_header(token)["kid"] == key.key_id
    unverified = jwt.decode(token, options={"verify_signature": False})
    if unverified["token_use"] == "id":
        return jwt.decode(
            token, key.key, algorithms=["RS256"], issuer=document["issuer"], audience=client_id
        )
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=document["issuer"],
        options={"verify_aud": False},
    )
    assert claims["client_id"] == client_id
    return claims


def forged(token: str, **claims: Any) -> str:
    """The token with its payload changed and the original signature kept."""
    header, payload, signature = token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    values = {**json.loads(base64.urlsafe_b64decode(padded)), **claims}
    changed = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    return f"{header}.{changed}.{signature}"
