"""``serve --seed FILE``: pools and users from a JSON or YAML file at every start, with
their ids kept; a bad file stops the start with its line and reason, changing nothing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from cognito_import.domain.hashes import BCRYPT, hash_password
from tests.cli.served import clean_env, cli, serving

pytestmark = pytest.mark.slow

KEY = ("AKIASEEDKEY000000001", "seed-secret-1")
OTHER = ("AKIASEEDKEY000000002", "seed-secret-2")
KEYS = ["--access-key", f"{KEY[0]}:{KEY[1]}", "--access-key", f"{OTHER[0]}:{OTHER[1]}:123456789012"]
SUB = "4b1f9e8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b"
HASH = hash_password(BCRYPT, "Hashed-passw0rd", fast=True)

SEED = f"""\
version: 1
pools:
  - Id: us-east-1_example01
    PoolName: example
    AutoVerifiedAttributes: [email]
    AliasAttributes: [email]
    MfaConfiguration: OPTIONAL
    Schema:
      - Name: tenant
        AttributeDataType: String
        StringAttributeConstraints: {{MaxLength: "20"}}
    Users:
      - Username: jane
        UserAttributes: {{email: jane@example.com, email_verified: "true", custom:tenant: acme}}
        Password: Jane-passw0rd
      - Username: john
        UserAttributes:
          - {{Name: email, Value: john@example.com}}
        Status: RESET_REQUIRED
        Enabled: false
      - Username: hashed
        Sub: {SUB}
        PasswordHash: "{HASH}"
        PasswordHashAlgorithm: BCRYPT
  - Id: eu-west-1_emails001
    Account: "123456789012"
    PoolName: by-email
    UsernameAttributes: [email]
    MfaConfiguration: OFF
    Users:
      - Username: ann@example.com
"""


def _write(tmp_path: Path, text: str, name: str = "seed.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _attributes(user: dict[str, object], key: str) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}  # type: ignore[attr-defined]


def test_seed_creates_pools_and_users_with_their_ids(tmp_path: Path) -> None:
    seed = _write(tmp_path, SEED)
    args = ["--data-dir", str(tmp_path / "data"), "--seed", str(seed), *KEYS]
    with serving(tmp_path, "first", args) as served:
        assert "created 2 pools and 4 users" in served.errors()
        idp = served.client(*KEY)
        pool = idp.describe_user_pool(UserPoolId="us-east-1_example01")["UserPool"]
        assert (pool["Name"], pool["MfaConfiguration"]) == ("example", "OPTIONAL")
        assert (pool["AliasAttributes"], pool["AutoVerifiedAttributes"]) == (["email"], ["email"])
        tenant = [a for a in pool["SchemaAttributes"] if a["Name"] == "custom:tenant"]
        assert tenant[0]["StringAttributeConstraints"] == {"MaxLength": "20"}
        assert pool["EstimatedNumberOfUsers"] == 3
        jane = idp.admin_get_user(UserPoolId=pool["Id"], Username="jane@example.com")
        assert (jane["Username"], jane["UserStatus"], jane["Enabled"]) == (
            "jane",
            "CONFIRMED",
            True,
        )
        assert _attributes(jane, "UserAttributes")["custom:tenant"] == "acme"
        john = idp.admin_get_user(UserPoolId=pool["Id"], Username="john")
        assert (john["UserStatus"], john["Enabled"]) == ("RESET_REQUIRED", False)
        hashed = idp.admin_get_user(UserPoolId=pool["Id"], Username="hashed")
        assert hashed["UserStatus"] == "CONFIRMED"
        assert _attributes(hashed, "UserAttributes")["sub"] == SUB
        # The other account's pool, in its own region, with email as username.
        eu = served.client(*OTHER, region="eu-west-1")
        [ann] = eu.list_users(UserPoolId="eu-west-1_emails001")["Users"]
        attributes = _attributes(ann, "Attributes")
        assert (attributes["email"], ann["Username"]) == ("ann@example.com", attributes["sub"])
        assert (
            eu.describe_user_pool(UserPoolId="eu-west-1_emails001")["UserPool"]["MfaConfiguration"]
            == "OFF"
        )
        assert idp.list_user_pools(MaxResults=10)["UserPools"][0]["Id"] == pool["Id"]
        idp.admin_create_user(UserPoolId=pool["Id"], Username="added")

    # Every start seeds again: what exists is kept, nothing is doubled.
    with serving(tmp_path, "second", args) as served:
        assert "created 0 pools and 0 users; 2 pools and 4 users were already there" in (
            served.errors()
        )
        idp = served.client(*KEY)
        users = idp.list_users(UserPoolId="us-east-1_example01")["Users"]
        assert sorted(u["Username"] for u in users) == ["added", "hashed", "jane", "john"]
        assert (
            len(
                served.client(*OTHER, region="eu-west-1").list_users(
                    UserPoolId="eu-west-1_emails001"
                )["Users"]
            )
            == 1
        )


def test_a_json_seed_from_the_environment(tmp_path: Path) -> None:
    seed = {
        "version": 1,
        "pools": [
            {
                "Id": "us-east-1_jsonpool1",
                "PoolName": "json",
                "UsernameConfiguration": {"CaseSensitive": False},
                "Users": [
                    {"Username": "Mixed", "UserAttributes": [{"Name": "name", "Value": "M"}]}
                ],
            }
        ],
    }
    path = _write(tmp_path, json.dumps(seed, indent=2), "seed.json")
    env = clean_env(COGNITO_IMPORT_SEED=str(path))
    with serving(tmp_path, "serve", ["--data-dir", str(tmp_path / "d"), *KEYS], env) as served:
        idp = served.client(*KEY)
        user = idp.admin_get_user(UserPoolId="us-east-1_jsonpool1", Username="mixed")
        assert (user["Username"], user["UserStatus"]) == ("Mixed", "FORCE_CHANGE_PASSWORD")


POOL_HEAD = """\
version: 1
pools:
  - Id: us-east-1_example01
    PoolName: example
    AliasAttributes: [email]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pools: [\n", "seed.yaml:2: not valid YAML"),
        ("version: 1\npool: []\n", "seed.yaml:2: pool: unknown member 'pool'"),
        ("version: 2\n", "seed.yaml:1: version: only version 1 is understood"),
        (
            POOL_HEAD.replace("us-east-1_example01", "example"),
            "seed.yaml:3: pools[0].Id: InvalidParameterException: 1 validation error detected: "
            "Value 'example' at 'userPoolId' failed to satisfy constraint",
        ),
        (POOL_HEAD + "    MfaConfig: ON\n", "seed.yaml:6: pools[0].MfaConfig: unknown member"),
        (
            POOL_HEAD + "    UsernameAttributes: [email]\n",
            "seed.yaml:3: pools[0]: InvalidParameterException: Only one of the aliasAttributes "
            "or usernameAttributes can be set in a User Pool.",
        ),
        (
            POOL_HEAD + "    Users:\n      - Username: jane doe\n",
            "seed.yaml:7: pools[0].Users[0]: InvalidParameterException: 1 validation error "
            "detected: Value at 'username' failed to satisfy constraint",
        ),
        (
            POOL_HEAD
            + "    Users:\n      - Username: jane\n        UserAttributes: {custom:x: y}\n",
            "seed.yaml:7: pools[0].Users[0]: InvalidParameterException: Attributes did not "
            "conform to the schema: custom:x: Attribute does not exist in the schema.",
        ),
        (
            POOL_HEAD + "    Users:\n      - Username: jane\n        Status: ARCHIVED\n",
            "seed.yaml:8: pools[0].Users[0].Status: must be one of CONFIRMED",
        ),
        (
            POOL_HEAD + "    Users:\n      - Username: j\n        PasswordHash: x\n"
            "        PasswordHashAlgorithm: BCRYPT\n",
            "seed.yaml:8: pools[0].Users[0].PasswordHash: ",
        ),
        (
            POOL_HEAD + "    Clients:\n      - ClientName: web\n",
            "seed.yaml:7: pools[0].Clients: app clients are not stored by this version",
        ),
        (
            POOL_HEAD + "  - Id: us-east-1_example01\n    PoolName: again\n",
            "seed.yaml:6: pools[1].Id: pool us-east-1_example01 is also pools[0]",
        ),
    ],
    ids=[
        "yaml-syntax",
        "unknown-top-level",
        "version",
        "pool-id",
        "typo",
        "pool-rule",
        "username",
        "schema",
        "status",
        "hash",
        "clients",
        "duplicate-pool",
    ],
)
def test_a_bad_seed_stops_the_start_and_creates_nothing(
    tmp_path: Path, text: str, expected: str
) -> None:
    seed = _write(tmp_path, text)
    done = cli(
        "serve",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path / "data"),
        "--seed",
        "seed.yaml",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"Error: bad seed file: {expected}"), line
    assert not (tmp_path / "data").exists()
    assert seed.exists()


def test_bad_json_names_its_line(tmp_path: Path) -> None:
    _write(tmp_path, '{\n  "version": 1,\n  "pools": [\n}\n', "seed.json")
    done = cli("serve", "--port", "0", "--ephemeral", "--seed", "seed.json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Error: bad seed file: seed.json:4: not valid JSON")


def test_a_seed_that_clashes_with_the_store_changes_nothing(tmp_path: Path) -> None:
    first = textwrap.dedent(
        """\
        version: 1
        pools:
          - Id: us-east-1_example01
            PoolName: example
            AliasAttributes: [email]
            Users:
              - Username: jane
                UserAttributes: {email: jane@example.com}
        """
    )
    data = ["--data-dir", str(tmp_path / "data"), *KEYS]
    with serving(tmp_path, "first", [*data, "--seed", str(_write(tmp_path, first))]):
        pass
    clashing = first + textwrap.indent(
        "- Username: janet\n  UserAttributes: {email: JANE@example.com}\n", "      "
    )
    clashing += "  - Id: us-east-1_example02\n    PoolName: second\n"
    done = cli("serve", "--port", "0", *data, "--seed", str(_write(tmp_path, clashing, "s.yaml")))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"Error: bad seed file: {tmp_path / 's.yaml'}:9: pools[0].Users[1]: "
        "AliasExistsException: An account with the given email already exists."
    )
    moved = first.replace('Account: "000000000000"', "").replace(
        "    PoolName: example", '    Account: "123456789012"\n    PoolName: example'
    )
    done = cli("serve", "--port", "0", *data, "--seed", str(_write(tmp_path, moved, "m.yaml")))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].endswith(
        "m.yaml:3: pools[0].Id: pool us-east-1_example01 exists already, in account 000000000000"
    )
    with serving(tmp_path, "after", data) as served:
        idp = served.client(*KEY)
        assert [p["Id"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]] == [
            "us-east-1_example01"
        ]
        users = idp.list_users(UserPoolId="us-east-1_example01")["Users"]
        assert [u["Username"] for u in users] == ["jane"]
