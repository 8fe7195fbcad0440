"""The import flow driven by the AWS SDK for JavaScript v3, unmodified from npm: its
SigV4 signing, its JSON 1.1 serialisation (dates as epoch seconds) and its error parsing
against the server, then the same state read back through boto3."""

from __future__ import annotations

import time
from typing import Any

import bcrypt

from tests.clients.node import Driver
from tests.conftest import REGION, make_client
from tests.csvs import build_csv
from tests.jobs import ROLE_ARN, SSE, TERMINAL
from tests.jobs.csvs import EMAIL_POOL, user_row
from tests.live import TEST_KEY, LiveServer


def send(sdk: Driver, command: str, **params: Any) -> Any:
    return sdk.call("send", command=command, input=params)


def wait_until_done(sdk: Driver, pool: str, job_id: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        job = send(sdk, "DescribeUserImportJob", UserPoolId=pool, JobId=job_id)["UserImportJob"]
        if job["Status"] in TERMINAL or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def import_rows(sdk: Driver, pool: str, rows: list[dict[str, str]], **job: Any) -> Any:
    """GetCSVHeader, CreateUserImportJob, PUT (fetch), StartUserImportJob, Describe."""
    header = send(sdk, "GetCSVHeader", UserPoolId=pool)["CSVHeader"]
    if "PasswordHashingAlgorithm" in job:
        header = [*header, "cognito:password_hash"]
    created = send(
        sdk,
        "CreateUserImportJob",
        UserPoolId=pool,
        JobName="FromSdkV3",
        CloudWatchLogsRoleArn=ROLE_ARN,
        **job,
    )
    assert created["httpStatusCode"] == 200
    created = created["UserImportJob"]
    assert created["Status"] == "Created"
    body = build_csv(header, rows).decode()
    put = sdk.call("put", url=created["PreSignedUrl"], body=body, headers=SSE)
    assert put["status"] == 200, put
    started = send(sdk, "StartUserImportJob", UserPoolId=pool, JobId=created["JobId"])
    assert started["UserImportJob"]["Status"] == "Pending"
    assert started["UserImportJob"]["StartDate"] >= created["CreationDate"]
    return wait_until_done(sdk, pool, created["JobId"])


def test_the_import_flow_through_sdk_v3(server: LiveServer, sdk: Driver) -> None:
    pool = send(sdk, "CreateUserPool", PoolName="sdk", **EMAIL_POOL)["UserPool"]["Id"]
    assert pool.startswith(f"{REGION}_")
    header = send(sdk, "GetCSVHeader", UserPoolId=pool)
    cognito = make_client(server)
    assert header["CSVHeader"] == cognito.get_csv_header(UserPoolId=pool)["CSVHeader"]

    done = import_rows(sdk, pool, [user_row(n) for n in range(3)])
    assert done["Status"] == "Succeeded"
    assert done["CompletionMessage"] == "Import Job Completed Successfully."
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (3, 0, 0)
    assert done["CompletionDate"] >= done["StartDate"] >= done["CreationDate"]
    # The SDK read the wire's epoch seconds as Dates; boto3 reads the same instants.
    seen = cognito.describe_user_import_job(UserPoolId=pool, JobId=done["JobId"])
    assert abs(seen["UserImportJob"]["CompletionDate"].timestamp() - done["CompletionDate"]) < 1e-3

    listed = send(sdk, "ListUserImportJobs", UserPoolId=pool, MaxResults=10)
    assert [job["JobId"] for job in listed["UserImportJobs"]] == [done["JobId"]]
    users = send(sdk, "ListUsers", UserPoolId=pool)["Users"]
    assert sorted(u["Username"] for u in users) == ["user0", "user1", "user2"]
    assert {u["UserStatus"] for u in users} == {"RESET_REQUIRED"}
    assert all(u["Enabled"] for u in users)
    emails = {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}
    assert emails == {"user0@example.com", "user1@example.com", "user2@example.com"}
    found = send(sdk, "ListUsers", UserPoolId=pool, Filter='username = "user1"')["Users"]
    assert [u["Username"] for u in found] == ["user1"]


def test_an_import_with_password_hashes_through_sdk_v3(sdk: Driver) -> None:
    pool = send(sdk, "CreateUserPool", PoolName="hashed", **EMAIL_POOL)["UserPool"]["Id"]
    hashed = bcrypt.hashpw(b"old-Passw0rd!", bcrypt.gensalt(rounds=4)).decode()
    rows = [{**user_row(0), "cognito:password_hash": hashed}, user_row(1)]
    done = import_rows(sdk, pool, rows, PasswordHashingAlgorithm="BCRYPT")
    assert done["PasswordHashingAlgorithm"] == "BCRYPT"
    # A row without a hash fails in a hashing job; half failed is not over the threshold.
    assert (done["Status"], done["ImportedUsers"], done["FailedUsers"]) == ("Succeeded", 1, 1)
    user = send(sdk, "AdminGetUser", UserPoolId=pool, Username="user0")
    assert user["UserStatus"] == "CONFIRMED"


def test_sdk_v3_reads_the_servers_errors(server: LiveServer, sdk: Driver) -> None:
    pool = send(sdk, "CreateUserPool", PoolName="errors", **EMAIL_POOL)["UserPool"]["Id"]
    missing = sdk.error(
        "send",
        command="DescribeUserImportJob",
        input={"UserPoolId": pool, "JobId": "import-AAAAAAAAAA"},
    )
    assert missing["name"] == "ResourceNotFoundException"
    assert missing["status"] == 400
    no_pool = sdk.error("send", command="GetCSVHeader", input={"UserPoolId": f"{REGION}_nope"})
    assert (no_pool["name"], no_pool["status"]) == ("ResourceNotFoundException", 400)
    invalid = sdk.error(
        "send",
        command="CreateUserImportJob",
        input={"UserPoolId": pool, "JobName": "x", "CloudWatchLogsRoleArn": "not-an-arn"},
    )
    assert (invalid["name"], invalid["status"]) == ("InvalidParameterException", 400)
    assert send(sdk, "ListUserImportJobs", UserPoolId=pool, MaxResults=10)["UserImportJobs"] == []

    wrong = {
        "endpoint": server.url,
        "region": REGION,
        "accessKeyId": TEST_KEY.key_id,
        "secretAccessKey": "not-the-secret",
    }
    with Driver("sdk.mjs", wrong) as forged:
        refused = forged.error("send", command="ListUserPools", input={"MaxResults": 5})
    assert refused["name"] == "InvalidSignatureException"
    assert refused["message"].startswith("The request signature we calculated does not match")
    assert refused["status"] == 400
