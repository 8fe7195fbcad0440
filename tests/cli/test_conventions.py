"""The emulator conventions: ``--any-credentials`` (LocalStack's test/test), ``--ephemeral``,
``--port 0``, and every ``serve`` option from an environment variable shown in --help."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import click
import pytest

from cognito_import import cli
from cognito_import.cli.serve import ANY_CREDENTIALS_WARNING
from tests.cli.served import BIN, clean_env, serving
from tests.cli.state import import_rows
from tests.jobs.csvs import user_row

pytestmark = pytest.mark.slow

KEY = ("AKIACONVENTION000001", "convention-secret")
KEYS = ["--access-key", f"{KEY[0]}:{KEY[1]}:333333333333"]


def test_test_test_keys_are_refused_unless_any_credentials(tmp_path: Path) -> None:
    with serving(tmp_path, "strict", ["--data-dir", str(tmp_path / "d1"), *KEYS]) as served:
        refused = served.aws("test", "test", "list-user-pools", "--max-results", "1")
        assert "(UnrecognizedClientException)" in refused.stderr
        assert ANY_CREDENTIALS_WARNING not in served.errors()


def test_any_credentials_lets_any_key_in_as_the_default_account(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path / "data"), "--any-credentials", *KEYS]
    with serving(tmp_path, "open", args) as served:
        assert ANY_CREDENTIALS_WARNING in served.errors().splitlines()
        created = served.aws_json("test", "test", "create-user-pool", "--pool-name", "p")
        assert created["UserPool"]["Arn"].split(":")[4] == "000000000000"
        # Another made-up key is the same account; a whole import works through the
        # pre-signed upload URL, which the server signs with a secret of its own.
        idp = served.client("anything", "whatever")
        pool = idp.create_user_pool(PoolName="imports", AutoVerifiedAttributes=["email"])
        job = import_rows(idp, pool["UserPool"]["Id"], [user_row(1)])
        assert (job["Status"], job["ImportedUsers"]) == ("Succeeded", 1)
        names = [p["Name"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]]
        assert sorted(names) == ["imports", "p"]
        # A configured key is still checked, and keeps its own account.
        wrong = served.aws(KEY[0], "wrong", "list-user-pools", "--max-results", "1")
        assert "(InvalidSignatureException)" in wrong.stderr
        assert served.client(*KEY).list_user_pools(MaxResults=10)["UserPools"] == []
        done = served.cli("test", "test", "reset")
        assert done.stdout.startswith("reset account 000000000000: deleted 2 pools, 1 users")


def test_ephemeral_data_dir_is_removed_at_exit(tmp_path: Path) -> None:
    with serving(tmp_path, "run", ["--ephemeral"]) as served:
        stored_in = r"using the one stored in the database \((\S+)/cognito-import.sqlite3\)"
        found = re.search(stored_in, served.output())
        assert found, served.output()
        data_dir = Path(found.group(1))
        assert data_dir.name.startswith("cognito-import-") and data_dir.is_dir()
        assert (data_dir / "cognito-import.sqlite3").is_file()
    assert not data_dir.exists()
    assert not (tmp_path / "run" / ".cognito-import").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--data-dir", "d"], {}, "--ephemeral keeps its own data dir; drop --data-dir"),
        ([], {"COGNITO_IMPORT_DATABASE": "sqlite:///x.db"}, "drop --database"),
    ],
)
def test_ephemeral_refuses_a_data_dir_or_database(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    done = subprocess.run(
        [BIN, "serve", "--port", "0", "--ephemeral", *args],
        env=clean_env(**env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_serve_option_from_the_environment(tmp_path: Path) -> None:
    env = clean_env(
        COGNITO_IMPORT_HOST="127.0.0.1",
        COGNITO_IMPORT_DATA_DIR=str(tmp_path / "env-data"),
        COGNITO_IMPORT_ACCESS_KEYS=f"{KEY[0]}:{KEY[1]}:333333333333, AKIASECOND:s2",
        COGNITO_IMPORT_PUBLIC_URL="http://localhost:1",
        COGNITO_IMPORT_JOB_EXPIRY="120",
        COGNITO_IMPORT_LOG_LEVEL="warning",
    )
    with serving(tmp_path, "env", [], env, port_from_env=True) as served:
        idp = served.client(*KEY)
        pool = idp.create_user_pool(PoolName="env")["UserPool"]
        assert pool["Arn"].split(":")[4] == "333333333333"
        assert served.client("AKIASECOND", "s2").list_user_pools(MaxResults=1)["UserPools"] == []
        job = idp.create_user_import_job(
            UserPoolId=pool["Id"], JobName="j", CloudWatchLogsRoleArn="arn:aws:iam::1:role/x"
        )["UserImportJob"]
        assert job["PreSignedUrl"].startswith("http://localhost:1/uploads/")
        assert served.url in served.errors()
    assert (tmp_path / "env-data" / "cognito-import.sqlite3").is_file()


@pytest.mark.parametrize(
    "command", [cli.serve, cli.worker, cli.export], ids=["serve", "worker", "export"]
)
def test_help_names_each_options_environment_variable(command: click.Command) -> None:
    done = subprocess.run(
        [BIN, str(command.name), "--help"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    text = " ".join(done.stdout.split())
    for option in command.params:
        if not isinstance(option, click.Option) or option.name == "output":
            continue
        assert isinstance(option.envvar, str) and option.envvar.startswith("COGNITO_IMPORT_")
        assert option.show_envvar, option.opts[0]
        assert f"env var: {option.envvar}" in text.replace("env var: ", "env var: "), option.opts[0]


def test_port_zero_picks_a_free_port_and_names_it(tmp_path: Path) -> None:
    stderr = tmp_path / "stderr"
    with stderr.open("wb") as err:
        proc = subprocess.Popen(
            [BIN, "serve", "--port", "0", "--ephemeral", *KEYS],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=clean_env(),
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + 30
        while not (
            found := re.search(r"listening on (http://127.0.0.1:(\d+))", stderr.read_text())
        ):
            assert proc.poll() is None and time.monotonic() < deadline, stderr.read_text()
            time.sleep(0.05)
        import boto3

        idp = boto3.client(
            "cognito-idp",
            endpoint_url=found.group(1),
            region_name="us-east-1",
            aws_access_key_id=KEY[0],
            aws_secret_access_key=KEY[1],
        )
        assert idp.list_user_pools(MaxResults=1)["UserPools"] == []
        assert int(found.group(2)) != 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_a_key_given_twice_in_the_environment_is_a_usage_error(tmp_path: Path) -> None:
    keys = f"{KEY[0]}:{KEY[1]}, {KEY[0]}:other-secret"
    done = subprocess.run(
        [BIN, "serve", "--port", "0", "--data-dir", str(tmp_path / "data")],
        env=clean_env(COGNITO_IMPORT_ACCESS_KEYS=keys),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert f"access key '{KEY[0]}' is given more than once" in done.stderr
    assert "other-secret" not in done.stderr and not (tmp_path / "data").exists()
