"""Operations botocore models as unsigned are routed without SigV4; every other one
keeps it. Browser clients get CORS: a preflight is answered, every response carries the
headers, and ``--cors-origin`` narrows the origins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.api import COGNITO_TARGET, JSON_CONTENT_TYPE
from tests.live import LiveServer

# What Amplify v6 and identity-js send: no Authorization, no X-Amz-Date.
BROWSER_HEADERS = {"Content-Type": JSON_CONTENT_TYPE, "Origin": "http://localhost:5173"}


def post(server: LiveServer, operation: str, body: dict[str, Any], **headers: str) -> Any:
    return httpx.post(
        server.url + "/",
        content=json.dumps(body).encode(),
        headers={**BROWSER_HEADERS, "X-Amz-Target": COGNITO_TARGET + operation, **headers},
    )


def test_an_unsigned_operation_is_routed_without_sigv4(server: LiveServer) -> None:
    # SignUp is modelled unsigned and not served: past the SigV4 check, it is an unknown
    # operation, not a missing token.
    response = post(server, "SignUp", {"ClientId": "x", "Username": "u", "Password": "p"})
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"


def test_a_signed_operation_still_needs_sigv4(server: LiveServer) -> None:
    response = post(server, "CreateUserPool", {"PoolName": "sneaky"})
    assert (response.status_code, response.json()) == (
        400,
        {
            "__type": "MissingAuthenticationTokenException",
            "message": "Missing Authentication Token",
        },
    )
    # The error reaches the page: CORS headers on errors too.
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-amzn-ErrorType" in response.headers["access-control-expose-headers"]


def test_a_preflight_is_answered(server: LiveServer) -> None:
    response = httpx.options(
        server.url + "/",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("content-type", "x-amz-target", "x-amz-user-agent"):
        assert header in allowed


def test_cors_origin_narrows_the_origins(tmp_path: Path) -> None:
    app_origin = "http://localhost:5173"
    with LiveServer(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data", cors_origins=(app_origin,)
    ) as server:
        allowed = post(server, "SignUp", {"ClientId": "x", "Username": "u", "Password": "p"})
        assert allowed.headers["access-control-allow-origin"] == app_origin
        other = post(
            server,
            "SignUp",
            {"ClientId": "x", "Username": "u", "Password": "p"},
            Origin="http://evil.example",
        )
        assert "access-control-allow-origin" not in other.headers
        preflight = httpx.options(
            server.url + "/",
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 400
