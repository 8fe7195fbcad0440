"""``serve --cors-origin`` and ``--token-issuer``, from the command line and the
environment, on a real ``cognito-import serve``."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli.served import clean_env, serving

KEY = ["--access-key", "AKIASIGNIN0000000001:signin-secret"]


def test_cors_origin_and_token_issuer_options(tmp_path: Path) -> None:
    args = [
        "--data-dir",
        str(tmp_path / "data"),
        *KEY,
        "--cors-origin",
        "http://app.example",
        "--cors-origin",
        "http://localhost:5173",
        "--token-issuer",
        "aws",
    ]
    with serving(tmp_path, "options", args) as served:
        for origin in ("http://app.example", "http://localhost:5173"):
            answer = httpx.get(served.url + "/health", headers={"Origin": origin})
            assert answer.headers["access-control-allow-origin"] == origin
        other = httpx.get(served.url + "/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        pool = served.aws_json(
            "AKIASIGNIN0000000001", "signin-secret", "create-user-pool", "--pool-name", "p"
        )["UserPool"]["Id"]
        config = httpx.get(f"{served.url}/{pool}/.well-known/openid-configuration").json()
        assert config["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
        assert config["jwks_uri"] == f"{served.url}/{pool}/.well-known/jwks.json"


def test_the_options_from_the_environment(tmp_path: Path) -> None:
    env = clean_env(
        COGNITO_IMPORT_CORS_ORIGIN="http://app.example", COGNITO_IMPORT_TOKEN_ISSUER="url"
    )
    args = ["--data-dir", str(tmp_path / "data"), *KEY]
    with serving(tmp_path, "env", args, env=env) as served:
        answer = httpx.get(served.url + "/health", headers={"Origin": "http://app.example"})
        assert answer.headers["access-control-allow-origin"] == "http://app.example"
        pool = served.aws_json(
            "AKIASIGNIN0000000001", "signin-secret", "create-user-pool", "--pool-name", "p"
        )["UserPool"]["Id"]
        config = httpx.get(f"{served.url}/{pool}/.well-known/openid-configuration").json()
        assert config["issuer"] == f"{served.url}/{pool}"
