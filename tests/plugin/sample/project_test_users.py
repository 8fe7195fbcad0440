"""A sample project's tests: only the plugin's fixtures and a seed file."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

import pytest

from cognito_import.testing import Cognito

POOL = "us-east-1_example01"
ROLE = "arn:aws:iam::000000000000:role/CognitoImport"


def _import(idp: Any, pool: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    job = idp.create_user_import_job(UserPoolId=pool, JobName="sample", CloudWatchLogsRoleArn=ROLE)
    lines = [",".join(header), *(",".join(row.get(c, "") for c in header) for row in rows)]
    request = urllib.request.Request(
        job["UserImportJob"]["PreSignedUrl"],
        data="\n".join(lines).encode(),
        method="PUT",
        headers={"x-amz-server-side-encryption": "aws:kms"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    job_id = job["UserImportJob"]["JobId"]
    idp.start_user_import_job(UserPoolId=pool, JobId=job_id)
    deadline = time.monotonic() + 30
    while True:
        described = idp.describe_user_import_job(UserPoolId=pool, JobId=job_id)["UserImportJob"]
        if described["Status"] in ("Succeeded", "Failed") or time.monotonic() > deadline:
            return dict(described)
        time.sleep(0.05)


def _row(name: str, **extra: str) -> dict[str, str]:
    return {
        "cognito:username": name,
        "email": f"{name}@example.com",
        "email_verified": "true",
        "cognito:mfa_enabled": "false",
        **extra,
    }


def test_create_a_pool_and_import_a_csv(cognito: Cognito) -> None:
    idp = cognito.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="fresh", AutoVerifiedAttributes=["email"])
    pool_id = pool["UserPool"]["Id"]
    job = _import(idp, pool_id, [_row("alice"), _row("bob"), _row("carol", phone_number="555")])
    assert (job["Status"], job["ImportedUsers"], job["FailedUsers"]) == ("Succeeded", 2, 1)
    users = idp.list_users(UserPoolId=pool_id)["Users"]
    assert sorted(u["Username"] for u in users) == ["alice", "bob"]
    assert {u["UserStatus"] for u in users} == {"RESET_REQUIRED"}


def test_import_into_the_seeded_pool(cognito: Cognito) -> None:
    idp = cognito.client("cognito-idp")
    job = _import(idp, POOL, [_row("dave"), _row("seeded")])
    # The seed's user is there: the second row is skipped as an existing user.
    assert (job["ImportedUsers"], job["SkippedUsers"]) == (1, 1)
    users = idp.list_users(UserPoolId=POOL)["Users"]
    assert sorted(u["Username"] for u in users) == ["dave", "seeded"]


def test_each_test_starts_from_the_seed(cognito: Cognito) -> None:
    idp = cognito.client()
    pools = idp.list_user_pools(MaxResults=10)["UserPools"]
    # Whatever the tests before made (another pool, imported users) is gone.
    assert [p["Id"] for p in pools] == [POOL]
    users = idp.list_users(UserPoolId=POOL)["Users"]
    assert [u["Username"] for u in users] == ["seeded"]
    assert users[0]["UserStatus"] == "CONFIRMED"
    idp.create_user_pool(PoolName="scratch")


def test_a_second_account_sees_nothing_of_the_first(
    cognito: Cognito, cognito_other_account: Cognito
) -> None:
    other = cognito_other_account.client("cognito-idp")
    assert cognito_other_account.account != cognito.account
    assert other.list_user_pools(MaxResults=10)["UserPools"] == []
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_user_pool(UserPoolId=POOL)
    other.create_user_pool(PoolName="theirs")
    mine = cognito.client().list_user_pools(MaxResults=10)["UserPools"]
    assert [p["Name"] for p in mine] == ["example"]


def test_the_fixture_describes_its_server(cognito: Cognito) -> None:
    assert cognito.url.startswith("http://127.0.0.1:")
    assert cognito.credentials.account == cognito.account == "000000000000"
    assert cognito.credentials.env()["AWS_ACCESS_KEY_ID"] == cognito.credentials.access_key_id
    logs = cognito.client("logs")
    assert logs.describe_log_groups()["logGroups"] == []


def test_messages_reads_the_pools_outbox(cognito: Cognito) -> None:
    idp = cognito.client()
    idp.admin_create_user(
        UserPoolId=POOL,
        Username="invited",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        TemporaryPassword="Temp-passw0rd",
        DesiredDeliveryMediums=["EMAIL"],
    )
    [message] = cognito.messages(POOL, "invited")
    assert (message["Kind"], message["Code"]) == ("INVITATION", "Temp-passw0rd")
