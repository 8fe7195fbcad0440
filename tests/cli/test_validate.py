"""``validate``: the pool read live or from a saved describe-user-pool, the existing
users read with ListUsers, warnings where AWS's guide is stricter, exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import AwsCli
from tests.engine.helpers import create_pool, csv_header, csv_line, user_row
from tests.live import LiveServer
from tests.preflight import validate, validate_live

POOL = {
    "AutoVerifiedAttributes": ["email"],
    "AliasAttributes": ["email", "preferred_username"],
    "UsernameConfiguration": {"CaseSensitive": False},
    "MfaConfiguration": "OPTIONAL",
    "Schema": [
        {
            "Name": "tenant",
            "AttributeDataType": "String",
            "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "8"},
        },
        {
            "Name": "level",
            "AttributeDataType": "Number",
            "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "9"},
        },
        {"Name": "given_name", "AttributeDataType": "String", "Required": True},
    ],
}


def mixed_file(header: list[str]) -> bytes:
    """Rows with every kind of outcome in a pool of ``POOL``'s shape."""
    rows = [
        user_row("alice", given_name="Alice", custom__tenant="acme", custom__level="3"),
        user_row("ALICE", given_name="A"),  # the same username, other case: skipped
        user_row("bob", given_name="Bob", email="ALICE@example.com"),  # alias taken
        user_row("carl", given_name="Carl", custom__tenant="x"),  # too short
        user_row("dora", given_name="Dora", custom__level="10"),  # above MaxValue
        user_row("erin"),  # required given_name missing
        user_row("fred", given_name="Fred", cognito__mfa_enabled="true"),
        user_row("gwen", given_name="Gwen", preferred_username="Fred"),
        user_row("hugo", given_name="Hugo", preferred_username="fred"),  # taken, any case
        user_row("jane", given_name="Jane"),  # in the pool already: skipped
        user_row("kim", given_name="Kim", email="old@example.com"),  # the pool's email
    ]
    return "\n".join([",".join(header), *(csv_line(header, r) for r in rows), ""]).encode()


def test_offline_from_the_aws_clis_description_equals_live(
    server: LiveServer, cognito: Any, aws: AwsCli, tmp_path: Path
) -> None:
    pool_id = create_pool(cognito, "validate-offline", **POOL)
    data = mixed_file(csv_header(cognito, pool_id))
    described = aws.run("cognito-idp", "describe-user-pool", "--user-pool-id", pool_id)
    assert described.returncode == 0, described.stderr
    saved = tmp_path / "pool.json"
    saved.write_text(described.stdout, "utf-8")

    live = validate_live(server, pool_id, data)
    offline = validate(data, "--pool-description", str(saved))
    assert offline.rows == live.rows and offline.counts == live.counts
    assert live.counts == {"import": 5, "skip": 1, "fail": 5}
    assert (live.ran.code, offline.ran.code) == (1, 1)
    # 6 of 11 rows would not import: more than half.
    assert "the job would end Failed: Too many users have failed" in live.ran.stdout

    # Users in the pool change the live answer only, unless it is told not to look.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="jane",
        UserAttributes=[
            {"Name": "email", "Value": "old@example.com"},
            {"Name": "given_name", "Value": "Old"},
        ],
        MessageAction="SUPPRESS",
    )
    looked = validate_live(server, pool_id, data)
    assert looked.counts == {"import": 3, "skip": 2, "fail": 6}
    assert {r["line"]: r["outcome"] for r in looked.rows}[11] == "SKIPPED"
    assert [r["reason"] for r in looked.rows if r["line"] == 12] == [
        "An account with the given email already exists."
    ]
    assert "1 users in the pool" in looked.ran.stdout
    assert validate_live(server, pool_id, data, "--no-check-existing").rows == offline.rows


def test_a_clean_file_exits_0_and_writes_nothing(server: LiveServer, cognito: Any) -> None:
    pool_id = create_pool(cognito, "validate-clean")
    header = csv_header(cognito, pool_id)
    data = "\n".join([",".join(header), csv_line(header, user_row("zoe")), ""]).encode()
    checked = validate_live(server, pool_id, data)
    assert checked.ran.code == 0, checked.ran
    assert checked.counts == {"import": 1, "skip": 0, "fail": 0}
    assert "the job would end Succeeded: Import Job Completed Successfully." in checked.ran.stdout
    assert checked.rows == [] and "warning" not in checked.ran.stderr
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []
    jobs = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)
    assert jobs["UserImportJobs"] == []


def test_warnings_where_the_guide_is_stricter(server: LiveServer, cognito: Any) -> None:
    pool_id = create_pool(cognito, "validate-warnings")
    header = ["cognito:username", "email", "email_verified", "cognito:mfa_enabled", "name"]
    rows = [
        user_row("ann", name='Ann "the boss"'),
        user_row("ben"),
        user_row("cat", name='"Cat"'),
    ]
    text = "\n".join([",".join(header), *(csv_line(header, r) for r in rows)])
    checked = validate_live(server, pool_id, b"\xef\xbb\xbf" + text.encode())
    # Warnings, not failures: every row imports.
    assert checked.ran.code == 0, checked.ran
    assert checked.counts == {"import": 3, "skip": 0, "fail": 0}
    warnings = [w for w in checked.ran.stderr.splitlines() if w.startswith("warning")]
    assert len(warnings) == 3, warnings
    assert warnings[0].startswith("warning: the file starts with a UTF-8 byte order mark")
    assert warnings[1].startswith(
        "warning: the header lacks 16 of GetCSVHeader's columns (given_name, family_name,"
    )
    assert warnings[2].startswith('warning: 2 rows have values with a " (first lines: 2, 4)')


def test_a_file_the_import_refuses_whole(server: LiveServer, cognito: Any) -> None:
    pool_id = create_pool(cognito, "validate-refused")
    checked = validate_live(server, pool_id, b"email,cognito:username\nx@example.com,x\n")
    assert checked.ran.code == 1
    assert checked.ran.stdout.endswith(
        "the job would end Failed: The CSV header is missing the required column "
        "cognito:mfa_enabled.\n"
    )
    assert checked.rows == []
