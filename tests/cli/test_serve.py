"""``cognito-import serve`` as a user runs it: a subprocess on a free port, its keys, its
health check, SIGTERM, and the help texts of every command."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import click
import httpx
import pytest

from cognito_import import cli
from tests.cli.served import BIN, DEFAULT_ACCOUNT, EXPORT, clean_env, free_port, serving
from tests.conftest import PG_URL
from tests.live import pg_schema

pytestmark = pytest.mark.slow


def _pool_account(pool: dict[str, Any]) -> str:
    return str(pool["Arn"].split(":")[4])


def test_first_start_generates_a_key_and_later_starts_reuse_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with serving(tmp_path, "first", ["--data-dir", str(data_dir)]) as first:
        match = EXPORT.search(first.output())
        assert match is not None, first.output()
        key_id, secret = match.groups()
        assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key_id)
        # In the database, where every server and worker on it finds the same key,
        # not in a file of the data dir.
        sqlite = data_dir / "cognito-import.sqlite3"
        assert f"using the one stored in the database ({sqlite}):" in first.output()
        with sqlite3.connect(sqlite) as db:
            value = db.execute("SELECT value FROM server_state WHERE name = 'access_key'")
            stored = json.loads(value.fetchone()[0])
        assert (stored["key_id"], stored["secret"]) == (key_id, secret)
        assert not (data_dir / "access-key.json").exists()
        pool = first.aws_json(key_id, secret, "create-user-pool", "--pool-name", "demo")["UserPool"]
        assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool["Id"])
        assert _pool_account(pool) == DEFAULT_ACCOUNT
        wrong = first.aws(key_id, "wrong-secret", "list-user-pools", "--max-results", "1")
        assert wrong.returncode == 255
        assert "(InvalidSignatureException)" in wrong.stderr

    with serving(tmp_path, "second", ["--data-dir", str(data_dir)]) as second:
        again = EXPORT.search(second.output())
        assert again is not None and again.groups() == (key_id, secret)
        listed = second.aws_json(key_id, secret, "list-user-pools", "--max-results", "10")
        # Same key, same SQLite file: the pool survived the restart.
        assert [p["Id"] for p in listed["UserPools"]] == [pool["Id"]]


def test_access_key_options_replace_the_generated_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    args = [
        "--data-dir",
        str(data_dir),
        "--access-key",
        "AKIAOPTIONKEY0000001:secret-one:123456789012",
        "--access-key",
        "AKIAOPTIONKEY0000002:secret-two",
    ]
    with serving(tmp_path, "serve", args) as served:
        assert "export AWS_" not in served.output()
        one = served.aws_json(
            "AKIAOPTIONKEY0000001", "secret-one", "create-user-pool", "--pool-name", "one"
        )
        two = served.aws_json(
            "AKIAOPTIONKEY0000002", "secret-two", "create-user-pool", "--pool-name", "two"
        )
        assert _pool_account(one["UserPool"]) == "123456789012"
        assert _pool_account(two["UserPool"]) == DEFAULT_ACCOUNT
        # Two keys, two accounts: each lists only its own pool.
        listed = served.aws_json(
            "AKIAOPTIONKEY0000001", "secret-one", "list-user-pools", "--max-results", "10"
        )
        assert [p["Name"] for p in listed["UserPools"]] == ["one"]
        stranger = served.aws("AKIAUNKNOWN000000000", "x", "list-user-pools", "--max-results", "1")
        assert stranger.returncode == 255
        assert stranger.stderr.strip() == (
            "An error occurred (UnrecognizedClientException) when calling the ListUserPools "
            "operation: The security token included in the request is invalid."
        )
    assert not (data_dir / "access-key.json").exists()


def test_access_keys_from_the_environment(tmp_path: Path) -> None:
    env = clean_env(
        COGNITO_IMPORT_ACCESS_KEYS="AKIAENVKEY0000000001:env-one:210987654321,"
        "AKIAENVKEY0000000002:env-two"
    )
    data_dir = tmp_path / "data"
    with serving(tmp_path, "serve", ["--data-dir", str(data_dir)], env) as served:
        assert "export AWS_" not in served.output()
        one = served.aws_json(
            "AKIAENVKEY0000000001", "env-one", "create-user-pool", "--pool-name", "env"
        )
        assert _pool_account(one["UserPool"]) == "210987654321"
        two = served.aws_json(
            "AKIAENVKEY0000000002", "env-two", "list-user-pools", "--max-results", "10"
        )
        assert two["UserPools"] == []
    assert not (data_dir / "access-key.json").exists()


@pytest.mark.skipif(not PG_URL, reason="COGNITO_IMPORT_TEST_PG is not set")
def test_serve_on_postgresql(tmp_path: Path) -> None:
    assert PG_URL is not None
    key = ["--access-key", "AKIAPGKEY00000000001:pg-secret"]
    with pg_schema(PG_URL) as database:
        # One read thread: every read of this test queues for it, and still answers.
        args = ["--data-dir", str(tmp_path / "data"), "--database", database, *key]
        args += ["--read-threads", "1"]
        with serving(tmp_path, "first", args) as served:
            assert httpx.get(served.url + "/health").json()["database"] == "postgresql"
            created = served.aws_json(
                "AKIAPGKEY00000000001", "pg-secret", "create-user-pool", "--pool-name", "pg"
            )
        with serving(tmp_path, "second", args) as served:
            listed = served.aws_json(
                "AKIAPGKEY00000000001", "pg-secret", "list-user-pools", "--max-results", "10"
            )
    assert [p["Id"] for p in listed["UserPools"]] == [created["UserPool"]["Id"]]
    # The PostgreSQL server holds the data: no SQLite file was made in the data dir.
    assert list((tmp_path / "data").glob("*.sqlite3")) == []


@pytest.mark.parametrize(
    "spec",
    ["just-an-id", "AKIAX:secret:not-an-account", "AKIAX::123456789012"],
)
def test_malformed_access_key_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    key = ["--access-key", spec]
    done = subprocess.run(
        [BIN, "serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"), *key],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "Invalid value for --access-key" in done.stderr
    # The secret of a malformed entry is never echoed back.
    assert "secret" not in done.stderr
    assert not (tmp_path / "data" / "access-key.json").exists()


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        # Upload URLs are signed over their path: behind a prefix-stripping proxy every
        # upload would fail its signature, so a prefix is refused at start.
        ("--public-url", "http://proxy.test:8080/base", "--public-url: must not have a path"),
        ("--public-url", "proxy.test:8080", "--public-url: must be http(s)://HOST[:PORT]"),
        ("--read-threads", "0", "'--read-threads'"),
    ],
)
def test_bad_serve_options_are_refused_at_start(
    tmp_path: Path, option: str, value: str, why: str
) -> None:
    data = str(tmp_path / "data")
    done = subprocess.run(
        [BIN, "serve", "--port", str(free_port()), "--data-dir", data, option, value],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert f"Invalid value for {why}" in done.stderr
    assert not (tmp_path / "data").exists()


def _options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        ([], cli.main),
        (["serve"], cli.serve),
        (["worker"], cli.worker),
        (["reset"], cli.reset),
        (["export"], cli.export),
    ],
    ids=["main", "serve", "worker", "reset", "export"],
)
def test_help_explains_every_option(args: list[str], command: click.Command) -> None:
    done = subprocess.run(
        [BIN, *args, "--help"], env=clean_env(), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert command.help and " ".join(command.help.split()[:4]) in text
    for option in _options(command):
        assert option.help, f"{option.opts[0]} has no help text"
        assert option.opts[0] in text
        assert " ".join(option.help.split()[:4]) in text, option.opts[0]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            assert name in text and sub.help


def test_serve_help_names_the_documented_command_line() -> None:
    options = {o.opts[0] for o in _options(cli.serve)}
    assert {
        "--host",
        "--port",
        "--data-dir",
        "--database",
        "--public-url",
        "--access-key",
    } <= options
    defaults = {o.opts[0]: o.default for o in _options(cli.serve)}
    assert (defaults["--host"], defaults["--port"]) == ("127.0.0.1", 9245)
    assert str(defaults["--data-dir"]) == ".cognito-import"
