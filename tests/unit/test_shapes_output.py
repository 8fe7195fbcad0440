"""Response shaping (``shape_output``) against botocore's real service models: members
and timestamps as the output shape has them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cognito_import.protocol.awsjson import dumps
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


def test_output_of_flat_structures_drops_what_the_shape_lacks() -> None:
    # AttributeType's members all go out as they are: a clean dict is passed through,
    # any other is copied without the unknown member, the None and the None item.
    attributes = [
        {"Name": "email", "Value": "a@example.com"},
        {"Name": "locale", "Value": None},
        {"Name": "zoneinfo", "Value": "UTC", "Internal": "x"},
        None,
    ]
    user = {"Username": "ana", "Attributes": attributes, "Enabled": True, "Extra": 1}
    assert output("ListUsers", {"Users": [user]}) == {
        "Users": [
            {
                "Username": "ana",
                "Attributes": [
                    {"Name": "email", "Value": "a@example.com"},
                    {"Name": "locale"},
                    {"Name": "zoneinfo", "Value": "UTC"},
                ],
                "Enabled": True,
            }
        ]
    }


def test_output_refuses_a_structure_that_is_not_a_mapping() -> None:
    for attributes in (["email"], [("Name", "email")]):
        with pytest.raises(TypeError, match="AttributeType needs a mapping"):
            output("ListUsers", {"Users": [{"Username": "ana", "Attributes": attributes}]})


def test_bodies_are_compact_utf8_json_and_big_integers_still_go_out() -> None:
    assert dumps({"Name": "Zoë", "Count": 3, "When": 1.5}) == (
        '{"Name":"Zoë","Count":3,"When":1.5}'.encode()
    )
    # Past 64 bits orjson refuses; the json module writes it.
    assert json.loads(dumps({"Count": 2**70})) == {"Count": 2**70}
