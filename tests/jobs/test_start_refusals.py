"""Starts AWS's guide refuses or fails: a pool without auto-verified attributes does not
start; a CloudWatch Logs role that is no IAM role of the pool's partition fails the job
at start with the documented cause, importing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_import.domain.jobs import MSG_ROLE_UNUSABLE
from cognito_import.domain.rows import POOL_WITHOUT_AUTO_VERIFIED
from tests.engine.helpers import (
    build_csv,
    create_job,
    create_pool,
    csv_header,
    describe,
    upload,
    user_row,
    wait_job,
)


def test_a_pool_without_auto_verified_attributes_does_not_start(cognito: Any) -> None:
    pool_id = create_pool(cognito, "no-auto", AutoVerifiedAttributes=[])
    job = create_job(cognito, pool_id)
    upload(job["PreSignedUrl"], build_csv(csv_header(cognito, pool_id), [user_row("a")]))
    with pytest.raises(cognito.exceptions.InvalidParameterException) as caught:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert caught.value.response["Error"]["Message"] == POOL_WITHOUT_AUTO_VERIFIED
    assert describe(cognito, pool_id, job["JobId"])["Status"] == "Created"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111111111111:user/CognitoImport",
        "arn:aws:sts::111111111111:assumed-role/CognitoImport/session",
        "arn:aws-cn:iam::111111111111:role/CognitoImport",
        "arn:aws:iam::1111:role/CognitoImport",
        "arn:aws:iam::111111111111:group/CognitoImport",
    ],
)
def test_a_role_that_cannot_be_assumed_fails_the_job_at_start(cognito: Any, arn: str) -> None:
    pool_id = create_pool(cognito, "bad-role")
    job = cognito.create_user_import_job(
        JobName="bad-role", UserPoolId=pool_id, CloudWatchLogsRoleArn=arn
    )["UserImportJob"]
    assert job["Status"] == "Created"  # AWS's model accepts any ARN at Create
    upload(job["PreSignedUrl"], build_csv(csv_header(cognito, pool_id), [user_row("a")]))
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_job(cognito, pool_id, job["JobId"])
    assert (done["Status"], done["CompletionMessage"]) == ("Failed", MSG_ROLE_UNUSABLE)
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (0, 0, 0)
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111111111111:role/CognitoImport",
        "arn:aws:iam::111111111111:role/service-role/path/Cognito+Import=1,x.y@z-w",
    ],
)
def test_iam_roles_of_the_partition_are_used(cognito: Any, arn: str) -> None:
    pool_id = create_pool(cognito, "good-role")
    job = cognito.create_user_import_job(
        JobName="good-role", UserPoolId=pool_id, CloudWatchLogsRoleArn=arn
    )["UserImportJob"]
    upload(job["PreSignedUrl"], build_csv(csv_header(cognito, pool_id), [user_row("a")]))
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_job(cognito, pool_id, job["JobId"])["Status"] == "Succeeded"
