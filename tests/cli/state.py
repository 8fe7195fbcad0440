"""State built by hand through the API, as a user would before a reset or an export:
pools of several shapes, users made by AdminCreateUser and by import jobs."""

from __future__ import annotations

import time
from typing import Any

import httpx

from cognito_import.domain.hashes import BCRYPT, hash_password
from tests.jobs.csvs import build_csv, user_row

ROLE = "arn:aws:iam::000000000000:role/CognitoImport"


def upload(job: dict[str, Any], body: bytes) -> None:
    answer = httpx.put(
        job["PreSignedUrl"], content=body, headers={"x-amz-server-side-encryption": "aws:kms"}
    )
    assert answer.status_code == 200, answer.text


def import_rows(
    idp: Any, pool: str, rows: list[dict[str, str]], algorithm: str | None = None
) -> dict[str, Any]:
    """Create, upload, start and wait for an import job; the finished job."""
    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    extra = {"PasswordHashingAlgorithm": algorithm} if algorithm else {}
    if algorithm:
        header = [*header, "cognito:password_hash"]
    job = idp.create_user_import_job(
        UserPoolId=pool, JobName="by-hand", CloudWatchLogsRoleArn=ROLE, **extra
    )["UserImportJob"]
    upload(job, build_csv(header, rows))
    idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    deadline = time.monotonic() + 30
    while True:
        found = idp.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        if found["UserImportJob"]["Status"] in ("Succeeded", "Failed"):
            return dict(found["UserImportJob"])
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def build_state(idp: Any) -> list[str]:
    """Two pools with custom schema, aliases, username attributes, MFA and policies;
    users of every status we make; the pool ids."""
    shaped = idp.create_user_pool(
        PoolName="shaped",
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email", "preferred_username"],
        MfaConfiguration="OPTIONAL",
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": False}},
        UsernameConfiguration={"CaseSensitive": False},
        UserPoolTags={"team": "identity"},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {
                "Name": "score",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "100"},
            },
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
            {"Name": "tier", "AttributeDataType": "String", "Mutable": False},
        ],
    )["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=shaped,
        Username="Admin.Made",
        UserAttributes=[
            {"Name": "email", "Value": "admin@example.com"},
            {"Name": "custom:score", "Value": "42"},
        ],
    )
    hashed = [
        {
            **user_row(n, "hashed"),
            "cognito:password_hash": hash_password(BCRYPT, "P4ss!", fast=True),
        }
        for n in range(2)
    ]
    assert import_rows(idp, shaped, hashed, BCRYPT)["ImportedUsers"] == 2
    plain = [{**user_row(0, "plain"), "cognito:mfa_enabled": "true"}]
    assert import_rows(idp, shaped, plain)["ImportedUsers"] == 1
    by_email = idp.create_user_pool(PoolName="by-email", UsernameAttributes=["email"])
    by_email_id = by_email["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=by_email_id,
        Username="ann@example.com",
        UserAttributes=[{"Name": "name", "Value": "Ann"}],
    )
    return [shaped, by_email_id]


def snapshot(idp: Any, pool_ids: list[str]) -> dict[str, Any]:
    """Everything DescribeUserPool and ListUsers say of the pools."""
    state = {}
    for pool in pool_ids:
        users = idp.list_users(UserPoolId=pool)["Users"]
        state[pool] = {
            "pool": idp.describe_user_pool(UserPoolId=pool)["UserPool"],
            "users": sorted(users, key=lambda u: u["Username"]),
        }
    return state
