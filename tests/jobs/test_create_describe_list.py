"""GetCSVHeader, CreateUserImportJob, DescribeUserImportJob and ListUserImportJobs: the
shapes AWS returns, every refusal (with proof that nothing was written), pagination."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError

from cognito_import.domain import jobs as J
from cognito_import.domain.jobs import ImportJob
from tests.conftest import REGION, AwsCli, make_client
from tests.jobs import (
    ROLE_ARN,
    create_job,
    create_pool,
    describe,
    header,
    list_jobs,
    raises_error,
)
from tests.live import OTHER_KEY, TEST_KEY, LiveServer

DEFAULT_HEADER = [
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "cognito:mfa_enabled",
    "cognito:username",
]
JOB_ID = re.compile(r"import-[A-Za-z0-9]{10}")
CREATED_MEMBERS = {
    "JobName",
    "JobId",
    "UserPoolId",
    "PreSignedUrl",
    "CreationDate",
    "Status",
    "CloudWatchLogsRoleArn",
    "ImportedUsers",
    "SkippedUsers",
    "FailedUsers",
}
BAD_TOKEN = "Invalid pagination token."


def unvalidated_client(server: LiveServer) -> Any:
    """A boto3 client that sends what it is given: the server's own checks answer."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name=REGION,
        aws_access_key_id=TEST_KEY.key_id,
        aws_secret_access_key=TEST_KEY.secret,
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def job_rows(server: LiveServer) -> int:
    with server.rt.store.db.read() as tx:
        row = tx.one("SELECT COUNT(*) FROM jobs")
    assert row is not None
    return int(row[0])


# -- GetCSVHeader ----------------------------------------------------------------------


def test_csv_header_of_a_default_pool_has_21_columns_in_aws_order(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    response = cognito.get_csv_header(UserPoolId=pool)
    assert response["UserPoolId"] == pool
    assert response["CSVHeader"] == DEFAULT_HEADER
    assert len(response["CSVHeader"]) == 21


def test_csv_header_puts_custom_attributes_after_updated_at(cognito: Any) -> None:
    schema = [
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
        {"Name": "score", "AttributeDataType": "Number"},
    ]
    pool = cognito.create_user_pool(PoolName="custom", Schema=schema)["UserPool"]["Id"]
    assert header(cognito, pool) == [
        *DEFAULT_HEADER[:19],
        "custom:tier",
        "custom:score",
        "cognito:mfa_enabled",
        "cognito:username",
    ]


def test_csv_header_of_an_unknown_or_foreign_pool_is_not_found(
    server: LiveServer, cognito: Any
) -> None:
    foreign = create_pool(make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret))
    for pool in ("us-east-1_nope12345", foreign):
        raises_error(
            "ResourceNotFoundException",
            f"User pool {pool} does not exist.",
            cognito.get_csv_header,
            UserPoolId=pool,
        )


# -- CreateUserImportJob -----------------------------------------------------------------


def test_create_returns_a_created_job_that_describe_and_list_show(
    server: LiveServer, cognito: Any
) -> None:
    pool = create_pool(cognito)
    before = server.rt.clock.now()
    job = create_job(cognito, pool)
    after = server.rt.clock.now()

    assert set(job) == CREATED_MEMBERS  # no StartDate, CompletionDate, CompletionMessage
    assert JOB_ID.fullmatch(job["JobId"])
    assert job["JobName"] == "MyImportJob"
    assert job["UserPoolId"] == pool
    assert job["Status"] == "Created"
    assert job["CloudWatchLogsRoleArn"] == ROLE_ARN
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    assert before - 0.001 <= job["CreationDate"].timestamp() <= after + 0.001
    assert job["PreSignedUrl"].startswith(f"{server.url}/uploads/111111111111/{pool}/")
    assert describe(cognito, pool, job["JobId"]) == job
    assert list_jobs(cognito, pool) == [job]


def test_each_job_gets_its_own_id(cognito: Any) -> None:
    pool = create_pool(cognito)
    ids = {create_job(cognito, pool)["JobId"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("algorithm", ["BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256"])
def test_password_hashing_algorithm_is_echoed(cognito: Any, algorithm: str) -> None:
    pool = create_pool(cognito)
    job = create_job(cognito, pool, PasswordHashingAlgorithm=algorithm)
    assert job["PasswordHashingAlgorithm"] == algorithm
    assert set(job) == CREATED_MEMBERS | {"PasswordHashingAlgorithm"}
    assert describe(cognito, pool, job["JobId"]) == job
    assert list_jobs(cognito, pool) == [job]


def test_create_refusals_write_nothing(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    existing = create_job(cognito, pool)
    foreign = create_pool(make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret))
    raw = unvalidated_client(server)
    good = {"UserPoolId": pool, "JobName": "j", "CloudWatchLogsRoleArn": ROLE_ARN}
    cases: list[tuple[dict[str, str], str, str]] = [
        (
            {"UserPoolId": "us-east-1_nope12345"},
            "ResourceNotFoundException",
            "User pool us-east-1_nope12345 does not exist.",
        ),
        (
            {"UserPoolId": foreign},
            "ResourceNotFoundException",
            f"User pool {foreign} does not exist.",
        ),
        (
            {"JobName": "bad/name"},
            "InvalidParameterException",
            "1 validation error detected: Value 'bad/name' at 'jobName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        ),
        (
            {"PasswordHashingAlgorithm": "MD5"},
            "InvalidParameterException",
            "1 validation error detected: Value 'MD5' at 'passwordHashingAlgorithm' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256]",
        ),
        (
            {"CloudWatchLogsRoleArn": "arn:aws:iam::1:r"},
            "InvalidParameterException",
            "1 validation error detected: Value 'arn:aws:iam::1:r' at 'cloudWatchLogsRoleArn' "
            "failed to satisfy constraint: Member must have length greater than or equal to 20",
        ),
    ]
    for change, code, message in cases:
        raises_error(code, message, raw.create_user_import_job, **{**good, **change})
    assert list_jobs(cognito, pool) == [existing]
    assert job_rows(server) == 1


def test_a_pool_holds_at_most_1000_jobs(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    now = server.rt.clock.now()
    # The first 999 go straight into the store (the API would make this test slow);
    # the 1000th and 1001st go through the API.
    for n in range(999):
        filler = ImportJob(
            job_id=f"import-{n:010d}",
            account=TEST_KEY.account,
            region=REGION,
            pool_id=pool,
            name=f"filler{n}",
            role_arn=ROLE_ARN,
            status=J.CREATED,
            created=now - 1000 + n,
            presign_key=TEST_KEY.key_id,
        )
        assert server.rt.store.jobs.insert_job(filler, J.MAX_JOBS_PER_POOL)
    last = create_job(cognito, pool, "number1000")
    first_page = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60)
    assert first_page["UserImportJobs"][0] == last

    raises_error(
        "LimitExceededException",
        f"The user pool {pool} has reached its limit of 1000 user import jobs.",
        cognito.create_user_import_job,
        UserPoolId=pool,
        JobName="number1001",
        CloudWatchLogsRoleArn=ROLE_ARN,
    )
    assert job_rows(server) == 1000
    assert cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60) | {
        "ResponseMetadata": None
    } == first_page | {"ResponseMetadata": None}
    # The limit is per pool: another pool of the same account still takes jobs.
    other = create_pool(cognito, "other")
    assert create_job(cognito, other)["Status"] == "Created"


# -- DescribeUserImportJob --------------------------------------------------------------


def test_describe_of_an_unknown_or_foreign_job_is_not_found(
    server: LiveServer, cognito: Any
) -> None:
    pool = create_pool(cognito)
    other_pool = create_pool(cognito, "other")
    mine = create_job(cognito, other_pool)
    other = make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    foreign_pool = create_pool(other)
    foreign = create_job(other, foreign_pool)
    for pool_id, job_id in [
        (pool, "import-AAAAAAAAAA"),
        (pool, mine["JobId"]),  # a job of another pool
        (pool, foreign["JobId"]),  # a job of another account
    ]:
        raises_error(
            "ResourceNotFoundException",
            f"Import job {job_id} does not exist.",
            cognito.describe_user_import_job,
            UserPoolId=pool_id,
            JobId=job_id,
        )
    raises_error(
        "ResourceNotFoundException",
        f"User pool {foreign_pool} does not exist.",
        cognito.describe_user_import_job,
        UserPoolId=foreign_pool,
        JobId=foreign["JobId"],
    )
    assert describe(other, foreign_pool, foreign["JobId"]) == foreign


# -- ListUserImportJobs ---------------------------------------------------------------


def test_list_of_a_pool_without_jobs_is_empty(cognito: Any) -> None:
    pool = create_pool(cognito)
    response = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=10)
    assert response["UserImportJobs"] == []
    assert "PaginationToken" not in response


def test_list_pages_newest_first_through_boto3(cognito: Any) -> None:
    pool = create_pool(cognito)
    other = create_pool(cognito, "other")
    create_job(cognito, other)  # must not appear in the first pool's listing
    created = [create_job(cognito, pool, f"job{n}") for n in range(26)]
    newest_first = created[::-1]

    pages: list[list[Any]] = []
    params: dict[str, Any] = {"UserPoolId": pool, "MaxResults": 10}
    while True:
        response = cognito.list_user_import_jobs(**params)
        pages.append(response["UserImportJobs"])
        if "PaginationToken" not in response:
            break
        params["PaginationToken"] = response["PaginationToken"]
    assert [len(page) for page in pages] == [10, 10, 6]
    assert [job for page in pages for job in page] == newest_first

    everything = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60)
    assert everything["UserImportJobs"] == newest_first
    assert "PaginationToken" not in everything
    one = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=1)
    assert one["UserImportJobs"] == newest_first[:1]
    assert one["PaginationToken"]


def test_list_pages_through_the_cli(cognito: Any, aws: AwsCli) -> None:
    pool = create_pool(cognito)
    ids = [create_job(cognito, pool, f"job{n}")["JobId"] for n in range(25)]
    seen: list[str] = []
    pages = 0
    token: str | None = None
    while True:
        args = ["cognito-idp", "list-user-import-jobs", "--user-pool-id", pool]
        args += ["--max-results", "10"]
        if token is not None:
            args += ["--pagination-token", token]
        page = aws.json(*args)
        pages += 1
        seen += [job["JobId"] for job in page["UserImportJobs"]]
        token = page.get("PaginationToken")
        if token is None:
            break
    assert pages == 3
    assert seen == ids[::-1]


def test_list_max_results_bounds(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    jobs = [create_job(cognito, pool, f"job{n}") for n in range(2)]
    assert (
        cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60)["UserImportJobs"]
        == (jobs[::-1])
    )
    raises_error(
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
        cognito.list_user_import_jobs,
        UserPoolId=pool,
        MaxResults=61,
    )
    # boto3 checks the model's minimum itself; the server checks it too.
    with pytest.raises(ParamValidationError):
        cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=0)
    raises_error(
        "InvalidParameterException",
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        unvalidated_client(server).list_user_import_jobs,
        UserPoolId=pool,
        MaxResults=0,
    )


def test_list_refuses_forged_and_foreign_tokens(server: LiveServer, cognito: Any) -> None:
    pool = create_pool(cognito)
    other = create_pool(cognito, "other")
    for target in (pool, other):
        for n in range(3):
            create_job(cognito, target, f"job{n}")
    token = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=1)["PaginationToken"]
    foreign_token = cognito.list_user_import_jobs(UserPoolId=other, MaxResults=1)["PaginationToken"]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    # A token for the pools listing of the same account is not a jobs token either.
    for n in range(2):
        cognito.create_user_pool(PoolName=f"filler{n}")
    pools_token = cognito.list_user_pools(MaxResults=1)["NextToken"]
    before = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60)["UserImportJobs"]
    # Well-formed, but signed with a key the server does not have.
    unsigned = base64.urlsafe_b64encode(
        json.dumps([f"jobs/{pool}", 0, "import-AAAAAAAAAA"]).encode() + bytes(12)
    ).decode()
    for bad in (foreign_token, forged, pools_token, "not-a-token", unsigned):
        raises_error(
            "InvalidParameterException",
            BAD_TOKEN,
            cognito.list_user_import_jobs,
            UserPoolId=pool,
            MaxResults=1,
            PaginationToken=bad,
        )
    second = cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=1, PaginationToken=token)
    assert second["UserImportJobs"] == before[1:2]
    assert cognito.list_user_import_jobs(UserPoolId=pool, MaxResults=60)["UserImportJobs"] == (
        before
    )
