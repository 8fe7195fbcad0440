"""``cognito-import reset`` and ``export``: one account's state deleted (and its seed put
back), a store written as a seed file that ``serve --seed`` replays exactly."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.cli.served import Served, clean_env, cli, serving
from tests.cli.state import build_state, import_rows, snapshot, upload
from tests.jobs.csvs import user_row

pytestmark = pytest.mark.slow

KEY = ("AKIARESETKEY00000001", "reset-secret-1")
OTHER = ("AKIARESETKEY00000002", "reset-secret-2")
KEYS = ["--access-key", f"{KEY[0]}:{KEY[1]}", "--access-key", f"{OTHER[0]}:{OTHER[1]}:222222222222"]
SEED = """\
version: 1
pools:
  - Id: us-east-1_seeded001
    PoolName: seeded
    Users:
      - Username: kept
"""


def _account_state(served: Served, key: tuple[str, str]) -> tuple[list[str], int, list[str]]:
    idp = served.client(*key)
    pools = [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    users = sum(len(idp.list_users(UserPoolId=p)["Users"]) for p in pools)
    groups = served.client(*key, service="logs").describe_log_groups()["logGroups"]
    return pools, users, [g["logGroupName"] for g in groups]


def _fill(served: Served, key: tuple[str, str], name: str) -> str:
    idp = served.client(*key)
    pool: str = idp.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"][
        "Id"
    ]
    idp.admin_create_user(UserPoolId=pool, Username=f"{name}-admin")
    import_rows(idp, pool, [user_row(1, name)])
    # A job left Created, with its CSV uploaded and waiting.
    job = idp.create_user_import_job(
        UserPoolId=pool, JobName="waiting", CloudWatchLogsRoleArn="arn:aws:iam::1:role/x"
    )["UserImportJob"]
    upload(job, b"cognito:username\n")
    return pool


def test_reset_deletes_one_accounts_state_and_puts_its_seed_back(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED, "utf-8")
    data = tmp_path / "data"
    with serving(
        tmp_path, "serve", ["--data-dir", str(data), "--seed", str(seed), *KEYS]
    ) as served:
        mine = _fill(served, KEY, "mine")
        theirs = _fill(served, OTHER, "theirs")
        before_other = _account_state(served, OTHER)
        assert len(list((data / "uploads").glob("*.csv"))) == 2

        done = served.cli(*KEY, "reset")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == (
            "reset account 000000000000: deleted 2 pools, 3 users, 2 jobs; seeded 1 pools, 1 users"
        )
        assert _account_state(served, KEY) == (["us-east-1_seeded001"], 1, [])
        with pytest.raises(served.client(*KEY).exceptions.ResourceNotFoundException):
            served.client(*KEY).describe_user_pool(UserPoolId=mine)
        # The other account keeps everything, its waiting upload included.
        assert _account_state(served, OTHER) == before_other
        assert theirs in before_other[0]
        assert len(list((data / "uploads").glob("*.csv"))) == 1

        done = served.cli(*KEY, "reset", "--empty")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith(
            "deleted 1 pools, 1 users, 0 jobs; seeded 0 pools, 0 users"
        )
        assert _account_state(served, KEY) == ([], 0, [])


def _signed(url: str, key: tuple[str, str], body: bytes) -> httpx.Response:
    request = AWSRequest("POST", url + "/_cognito-import/reset", data=body)
    SigV4Auth(Credentials(*key), "cognito-idp", "us-east-1").add_auth(request)
    return httpx.post(request.url, content=body, headers=dict(request.headers))


def test_a_refused_reset_changes_nothing(tmp_path: Path) -> None:
    with serving(tmp_path, "serve", ["--data-dir", str(tmp_path / "data"), *KEYS]) as served:
        _fill(served, KEY, "mine")
        before = _account_state(served, KEY)
        wrong = served.cli(KEY[0], "not-the-secret", "reset")
        assert (wrong.returncode, wrong.stdout) == (1, "")
        assert wrong.stderr.startswith(
            "Error: reset refused: InvalidSignatureException: The request signature we "
            "calculated does not match"
        )
        unknown = served.cli("AKIANOBODY0000000000", "x", "reset")
        assert unknown.stderr.strip() == (
            "Error: reset refused: UnrecognizedClientException: "
            "The security token included in the request is invalid."
        )
        env = clean_env(HOME=str(served.home), AWS_CONFIG_FILE=str(served.home / "none"))
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(served.home / "none")
        nobody = cli("reset", "--endpoint-url", served.url, env=env)
        assert nobody.returncode == 1
        assert (
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in nobody.stderr
        )
        unsigned = httpx.post(served.url + "/_cognito-import/reset")
        assert (unsigned.status_code, unsigned.json()["__type"]) == (
            400,
            "MissingAuthenticationTokenException",
        )
        for body in (b"[]", b"{", b'{"reseed": "no"}', b'{"everything": true}'):
            answer = _signed(served.url, KEY, body)
            assert answer.json()["__type"] == "InvalidParameterException", body
        # Resetting the other account never touches this one.
        assert served.cli(*OTHER, "reset").returncode == 0
        assert _account_state(served, KEY) == before
    down = cli(
        "reset",
        "--endpoint-url",
        served.url,
        env=clean_env(AWS_ACCESS_KEY_ID="a", AWS_SECRET_ACCESS_KEY="b"),
    )
    assert down.returncode == 1 and f"cannot reach {served.url}" in down.stderr


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_export_then_seed_replays_the_state(tmp_path: Path, database: str, suffix: str) -> None:
    first = ["--data-dir", str(tmp_path / "first"), "--database", database, *KEYS]
    with serving(tmp_path, "built", first) as served:
        pools = build_state(served.client(*KEY))
        expected = snapshot(served.client(*KEY), pools)
    output = tmp_path / f"state{suffix}"
    if database.startswith("sqlite"):
        done = cli(
            "export",
            "--output",
            str(output),
            "--data-dir",
            str(tmp_path / "first"),
            "--database",
            database,
        )
    else:
        done = cli("export", "--output", str(output), "--database", database)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"# exported 2 pools and 5 users to {output}"
    text = output.read_text("utf-8")
    data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    assert [p["Id"] for p in data["pools"]] == sorted(pools)
    replay = ["--data-dir", str(tmp_path / "replay"), "--seed", str(output), *KEYS]
    with serving(tmp_path, "replayed", replay) as served:
        assert snapshot(served.client(*KEY), pools) == expected


def test_export_without_a_store_is_an_error(tmp_path: Path) -> None:
    done = cli("export", "--output", str(tmp_path / "x.yaml"), "--data-dir", str(tmp_path / "none"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: no cognito-import store in {tmp_path / 'none'}"
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "none").exists()
