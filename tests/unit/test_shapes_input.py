"""Request validation (``validate_input``) against botocore's real service models: the
model's constraints in AWS's wording, unknown members, and JSON of the wrong type."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import ServiceModel

from cognito_import.errors import InvalidParameterException, SerializationException
from cognito_import.protocol.shapes import lower_camel, service_model, validate_input
from tests.unit.shapes_helpers import POOL, ROLE


def validate(operation: str, body: object, service: str = "cognito-idp") -> dict[str, Any]:
    return validate_input(service_model(service).operation_model(operation), body)


def invalid(operation: str, body: object, service: str = "cognito-idp") -> str:
    with pytest.raises(InvalidParameterException) as caught:
        validate(operation, body, service)
    return caught.value.message


def unreadable(operation: str, body: object) -> str:
    with pytest.raises(SerializationException) as caught:
        validate(operation, body)
    return caught.value.message


def test_service_model_is_loaded_once() -> None:
    assert service_model("cognito-idp") is service_model("cognito-idp")
    assert service_model("logs").service_name == "logs"


def test_lower_camel() -> None:
    assert lower_camel("UserPoolId") == "userPoolId"
    assert lower_camel("logGroupName") == "logGroupName"
    assert lower_camel("") == ""


def test_valid_request_is_returned_clean() -> None:
    body = {"UserPoolId": POOL, "MaxResults": 60, "PaginationToken": "t"}
    assert validate("ListUserImportJobs", body) == body


def test_max_results_over_the_maximum() -> None:
    assert invalid("ListUserImportJobs", {"UserPoolId": POOL, "MaxResults": 61}) == (
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60"
    )


def test_max_results_under_the_minimum() -> None:
    assert invalid("ListUserImportJobs", {"UserPoolId": POOL, "MaxResults": 0}) == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_bad_pattern_and_missing_member() -> None:
    assert invalid("DescribeUserImportJob", {"UserPoolId": "a"}) == (
        "2 validation errors detected: Value 'a' at 'userPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; "
        "Value null at 'jobId' failed to satisfy constraint: Member must not be null"
    )


def test_json_null_counts_as_missing() -> None:
    assert invalid("DescribeUserImportJob", {"UserPoolId": POOL, "JobId": None}) == (
        "1 validation error detected: Value null at 'jobId' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert validate(
        "ListUserImportJobs", {"UserPoolId": POOL, "MaxResults": 1, "PaginationToken": None}
    ) == {
        "UserPoolId": POOL,
        "MaxResults": 1,
    }


def test_every_broken_constraint_is_its_own_error_in_member_order() -> None:
    assert invalid("DescribeUserImportJob", {"UserPoolId": "", "JobId": "import-" + "a" * 49}) == (
        "3 validation errors detected: "
        "Value '' at 'userPoolId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'userPoolId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; "
        f"Value 'import-{'a' * 49}' at 'jobId' failed to satisfy constraint: "
        "Member must have length less than or equal to 55"
    )


def test_pattern_is_matched_against_the_whole_value() -> None:
    assert invalid("DescribeUserImportJob", {"UserPoolId": POOL, "JobId": "ximport-1"}) == (
        "1 validation error detected: Value 'ximport-1' at 'jobId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: import-[0-9a-zA-Z-]+"
    )


def test_enum() -> None:
    body = {
        "JobName": "Customer import",
        "UserPoolId": POOL,
        "CloudWatchLogsRoleArn": ROLE,
        "PasswordHashingAlgorithm": "MD5",
    }
    assert invalid("CreateUserImportJob", body) == (
        "1 validation error detected: Value 'MD5' at 'passwordHashingAlgorithm' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256]"
    )
    assert validate("CreateUserImportJob", {**body, "PasswordHashingAlgorithm": "BCRYPT"}) == {
        **body,
        "PasswordHashingAlgorithm": "BCRYPT",
    }


def test_unicode_property_classes() -> None:
    body = {"UserPoolId": POOL, "Username": "jöhn"}
    assert validate("AdminCreateUser", body) == body
    # Username is sensitive, so AWS leaves its value out of the message.
    assert invalid("AdminCreateUser", {**body, "Username": "jöhn doe"}) == (
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"
    )


def test_shorthand_classes_are_ascii_as_in_java() -> None:
    body = {"JobName": "Jöb", "UserPoolId": POOL, "CloudWatchLogsRoleArn": ROLE}
    assert invalid("CreateUserImportJob", body) == (
        "1 validation error detected: Value 'Jöb' at 'jobName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w\s+=,.@-]+"
    )
    # Java's \S is "not ASCII whitespace", so a no-break space is accepted.
    listing = {"UserPoolId": POOL, "MaxResults": 1, "PaginationToken": "a\u00a0b"}
    assert validate("ListUserImportJobs", listing) == listing


def test_sensitive_value_is_hidden() -> None:
    body = {"UserPoolId": POOL, "Username": "john", "TemporaryPassword": "pass word"}
    assert invalid("AdminCreateUser", body) == (
        "1 validation error detected: Value at 'temporaryPassword' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\S]+"
    )


def test_list_of_structures_has_indexed_paths() -> None:
    body = {"PoolName": "pool", "Schema": [{"Name": "ok"}, {"Name": "n" * 21}]}
    assert invalid("CreateUserPool", body) == (
        f"1 validation error detected: Value '{'n' * 21}' at 'schema.2.member.name' failed to "
        "satisfy constraint: Member must have length less than or equal to 20"
    )


def test_nested_required_member_and_list_size() -> None:
    body = {"PoolName": "pool", "Schema": [], "UsernameConfiguration": {}}
    assert invalid("CreateUserPool", body) == (
        "2 validation errors detected: "
        "Value '[]' at 'schema' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value null at 'usernameConfiguration.caseSensitive' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_null_element_in_a_list_of_structures() -> None:
    body = {
        "UserPoolId": POOL,
        "Username": "john",
        "UserAttributes": [{"Name": "email", "Value": "j@example.com"}, None],
    }
    assert invalid("AdminCreateUser", body) == (
        "1 validation error detected: Value null at 'userAttributes.2.member' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_list_of_scalars_is_reported_once() -> None:
    body = {"UserPoolId": POOL, "Username": "john", "DesiredDeliveryMediums": ["SMS", "FAX", None]}
    assert invalid("AdminCreateUser", body) == (
        "1 validation error detected: Value '[SMS, FAX, null]' at 'desiredDeliveryMediums' "
        "failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [SMS, EMAIL], Member must not be null]"
    )


def test_map_keys_and_values() -> None:
    body = {"PoolName": "pool", "UserPoolTags": {"": "v", "k": "x" * 257}}
    shown = f"{{=v, k={'x' * 257}}}"
    assert invalid("CreateUserPool", body) == (
        f"2 validation errors detected: Value '{shown}' at 'userPoolTags' failed to satisfy "
        "constraint: Map keys must satisfy constraint: "
        "[Member must have length greater than or equal to 1]; "
        f"Value '{shown}' at 'userPoolTags' failed to satisfy constraint: "
        "Map value must satisfy constraint: [Member must have length less than or equal to 256]"
    )


def test_map_of_structures() -> None:
    body = {"PoolName": "pool", "AcrConfiguration": {"Level9": {}}}
    assert invalid("CreateUserPool", body) == (
        "2 validation errors detected: Value '{Level9={}}' at 'acrConfiguration' failed to "
        "satisfy constraint: Map keys must satisfy constraint: "
        "[Member must satisfy regular expression pattern: Level[1-4]]; "
        "Value null at 'acrConfiguration.Level9.member.acrValue' failed to satisfy "
        "constraint: Member must not be null"
    )


# No request in the real models has a sized collection holding sensitive members, so a
# small model of our own shows how such values are rendered.
TOY_MODEL = ServiceModel(
    {
        "metadata": {"protocol": "json", "apiVersion": "2024-01-01", "jsonVersion": "1.1"},
        "operations": {
            "Put": {"name": "Put", "input": {"shape": "PutRequest"}},
        },
        "shapes": {
            "PutRequest": {
                "type": "structure",
                "members": {
                    "Pairs": {"shape": "Pairs"},
                    "Secrets": {"shape": "Secrets"},
                    "Odd": {"shape": "Odd"},
                },
            },
            "Pairs": {"type": "list", "member": {"shape": "Pair"}, "max": 1},
            "Pair": {
                "type": "structure",
                "members": {"Name": {"shape": "Text"}, "Secret": {"shape": "Secret"}},
            },
            "Secrets": {"type": "list", "member": {"shape": "Secret"}},
            "Secret": {"type": "string", "sensitive": True, "min": 2},
            "Text": {"type": "string"},
            # Not a valid regular expression: the check is skipped.
            "Odd": {"type": "string", "pattern": "[a-"},
        },
    },
    service_name="toy",
)


def test_sensitive_members_are_redacted_inside_a_shown_value() -> None:
    pairs = [{"Name": "a", "Secret": "s3cret"}, {"Name": "b"}]
    body = {"Pairs": pairs, "Secrets": ["x"], "Odd": "anything"}
    with pytest.raises(InvalidParameterException) as caught:
        validate_input(TOY_MODEL.operation_model("Put"), body)
    assert caught.value.message == (
        "2 validation errors detected: "
        "Value '[{Name=a, Secret=*** Sensitive Data Redacted ***}, {Name=b}]' at 'pairs' "
        "failed to satisfy constraint: Member must have length less than or equal to 1; "
        "Value at 'secrets' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must have length greater than or equal to 2]"
    )


def test_logs_model() -> None:
    assert invalid("DescribeLogGroups", {"limit": 51}, service="logs") == (
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )
    body = {"logGroupName": "/cognito/import", "logStreamName": "s", "startTime": 1_700_000_000_000}
    assert validate("GetLogEvents", body, service="logs") == body


def test_unknown_members_are_dropped() -> None:
    body = {"UserPoolId": POOL, "MaxResults": 5, "Future": {"x": [1]}, "userPoolId": 1}
    assert validate("ListUserImportJobs", body) == {"UserPoolId": POOL, "MaxResults": 5}
    nested = {"PoolName": "pool", "Schema": [{"Name": "tier", "Colour": "red"}]}
    assert validate("CreateUserPool", nested) == {"PoolName": "pool", "Schema": [{"Name": "tier"}]}


def test_integral_float_is_an_integer() -> None:
    params = validate("ListUserImportJobs", {"UserPoolId": POOL, "MaxResults": 10.0})
    assert params["MaxResults"] == 10
    assert type(params["MaxResults"]) is int


def test_blob_is_decoded() -> None:
    body = {"UserPoolId": POOL, "ImageFile": "aGVsbG8="}
    assert validate("SetUICustomization", body) == {"UserPoolId": POOL, "ImageFile": b"hello"}
    assert unreadable("SetUICustomization", {**body, "ImageFile": "!!"}) == (
        "STRING_VALUE can not be converted to a Blob"
    )


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("MaxResults", "10", "STRING_VALUE can not be converted to an Integer"),
        ("MaxResults", True, "BOOLEAN_VALUE can not be converted to an Integer"),
        ("MaxResults", 1.5, "NUMBER_VALUE can not be converted to an Integer"),
        ("MaxResults", 2**31, "NUMBER_VALUE can not be converted to an Integer"),
        ("MaxResults", [1], "Start of list found where not expected."),
        ("UserPoolId", 5, "NUMBER_VALUE can not be converted to a String"),
        ("UserPoolId", False, "BOOLEAN_VALUE can not be converted to a String"),
        ("UserPoolId", {"a": 1}, "Start of structure or map found where not expected."),
    ],
)
def test_wrong_json_type(member: str, value: object, message: str) -> None:
    body = {"UserPoolId": POOL, "MaxResults": 10, member: value}
    assert unreadable("ListUserImportJobs", body) == message


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("ForceAliasCreation", "true", "STRING_VALUE can not be converted to a Boolean"),
        ("ForceAliasCreation", 1, "NUMBER_VALUE can not be converted to a Boolean"),
        ("UserAttributes", {}, "Start of structure or map found where not expected."),
        ("UserAttributes", "email", "STRING_VALUE can not be converted to a List"),
        ("UserAttributes", ["email"], "STRING_VALUE can not be converted to a Structure"),
        ("ClientMetadata", [], "Start of list found where not expected."),
        ("ClientMetadata", {"k": 1}, "NUMBER_VALUE can not be converted to a String"),
    ],
)
def test_wrong_json_type_in_containers(member: str, value: object, message: str) -> None:
    body = {"UserPoolId": POOL, "Username": "john", member: value}
    assert unreadable("AdminCreateUser", body) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "Start of list found where not expected."),
        ("{}", "STRING_VALUE can not be converted to a Structure"),
        (7, "NUMBER_VALUE can not be converted to a Structure"),
        (None, "NULL_VALUE can not be converted to a Structure"),
    ],
)
def test_body_must_be_an_object(body: object, message: str) -> None:
    assert unreadable("ListUserImportJobs", body) == message


def test_type_errors_win_over_constraint_errors() -> None:
    assert unreadable("ListUserImportJobs", {"UserPoolId": "bad id", "MaxResults": "x"}) == (
        "STRING_VALUE can not be converted to an Integer"
    )
