"""Fixtures: a real server on a free port (uvicorn in a thread), on a fresh SQLite file or
a fresh PostgreSQL schema, driven by boto3 and the aws CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from hypothesis import settings

from tests.live import TEST_KEY, LiveServer, pg_schema

# pytester runs the pytest plugin's sample project (tests/plugin).
pytest_plugins = ["pytester"]

PG_URL = os.environ.get("COGNITO_IMPORT_TEST_PG")

# `pytest --hypothesis-profile long tests/fuzz tests/engine/test_csv_fuzz.py`: the
# manual run of the fuzz tests (100,000 requests per database); tests that fix their
# own example counts keep them.
settings.register_profile("long", max_examples=100_000, deadline=None)
# The aws CLI installed beside this interpreter (the test virtualenv's), not whatever
# else is on PATH.
AWS_BIN = str(Path(sys.executable).parent / "aws")
REGION = "us-east-1"

_botocore = botocore.session.get_session()
_boto = boto3.Session(botocore_session=_botocore, region_name=REGION)
_NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test: a new SQLite file or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("COGNITO_IMPORT_TEST_PG is not set")
    with pg_schema(PG_URL) as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, for tests of what only PostgreSQL has."""
    if not PG_URL:
        pytest.skip("COGNITO_IMPORT_TEST_PG is not set")
    with pg_schema(PG_URL) as url:
        yield url


@pytest.fixture
def server(database: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(database, tmp_path / "data") as live:
        yield live


def make_client(server: LiveServer, service: str = "cognito-idp", **creds: str) -> Any:
    return _boto.client(
        service,
        endpoint_url=server.url,
        aws_access_key_id=creds.get("key_id", TEST_KEY.key_id),
        aws_secret_access_key=creds.get("secret", TEST_KEY.secret),
        config=_NO_RETRY,
    )


@pytest.fixture
def cognito(server: LiveServer) -> Any:
    return make_client(server)


@pytest.fixture
def logs(server: LiveServer) -> Any:
    return make_client(server, "logs")


class AwsCli:
    """The real ``aws`` CLI (v1, from PyPI) in a subprocess, pointed at the server."""

    def __init__(self, server: LiveServer, home: Path) -> None:
        self.server = server
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": TEST_KEY.key_id,
            "AWS_SECRET_ACCESS_KEY": TEST_KEY.secret,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "HOME": str(home),
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [AWS_BIN, *args, "--endpoint-url", self.server.url, "--output", "json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture
def aws(server: LiveServer, tmp_path: Path) -> AwsCli:
    home = tmp_path / "home"
    home.mkdir()
    return AwsCli(server, home)
