"""Response shaping (``shape_output``) against botocore's real service models: members
and timestamps as the output shape has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cognito_import.protocol.shapes import service_model, shape_output
from tests.unit.shapes_helpers import POOL, ROLE


def output(operation: str, data: dict[str, Any]) -> dict[str, Any]:
    return shape_output(service_model("cognito-idp").operation_model(operation), data)


def test_output_follows_the_shape() -> None:
    job = {
        "JobName": "Customer import",
        "JobId": "import-abc",
        "UserPoolId": POOL,
        "PreSignedUrl": "https://example.com/upload",
        "CreationDate": 1548271795.4709999,
        "StartDate": None,
        "CompletionDate": None,
        "Status": "Created",
        "CloudWatchLogsRoleArn": ROLE,
        "ImportedUsers": 0,
        "SkippedUsers": 0,
        "FailedUsers": 0,
        "AccountId": "111111111111",
    }
    assert output("DescribeUserImportJob", {"UserImportJob": job, "Internal": True}) == {
        "UserImportJob": {
            "JobName": "Customer import",
            "JobId": "import-abc",
            "UserPoolId": POOL,
            "PreSignedUrl": "https://example.com/upload",
            "CreationDate": 1548271795.471,
            "Status": "Created",
            "CloudWatchLogsRoleArn": ROLE,
            "ImportedUsers": 0,
            "SkippedUsers": 0,
            "FailedUsers": 0,
        }
    }


def test_output_timestamps_from_datetimes() -> None:
    aware = datetime(2022, 11, 7, 23, 41, 20, 281499, tzinfo=UTC)
    naive = datetime(2022, 11, 7, 23, 41, 21)
    data = {"UserImportJob": {"CreationDate": aware, "StartDate": naive, "CompletionDate": 5}}
    assert output("DescribeUserImportJob", data) == {
        "UserImportJob": {
            "CreationDate": 1667864480.281,
            "StartDate": 1667864481.0,
            "CompletionDate": 5.0,
        }
    }


def test_output_is_not_validated_and_keeps_empty_lists() -> None:
    message = "Import Job Completed Successfully."
    data = {"UserImportJobs": [{"CompletionMessage": message}, None], "PaginationToken": None}
    assert output("ListUserImportJobs", data) == {
        "UserImportJobs": [{"CompletionMessage": message}]
    }
    assert output("ListUserImportJobs", {"UserImportJobs": []}) == {"UserImportJobs": []}


def test_output_of_an_operation_without_output_shape() -> None:
    assert output("AdminDeleteUser", {"Anything": 1}) == {}
