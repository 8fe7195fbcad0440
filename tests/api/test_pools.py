"""CreateUserPool, DescribeUserPool, ListUserPools and DeleteUserPool over boto3 and the
aws CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from functools import partial
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.api import account_state, all_pools, error_of, refused
from tests.conftest import AwsCli, make_client
from tests.live import TEST_KEY, LiveServer

POOL_ID = re.compile(r"us-east-1_[0-9A-Za-z]{9}")

CUSTOM_SCHEMA: list[dict[str, Any]] = [
    {
        "Name": "tier",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"},
    },
    {
        "Name": "age",
        "AttributeDataType": "Number",
        "Mutable": False,
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
    },
    {"Name": "joined", "AttributeDataType": "DateTime"},
    {"Name": "vip", "AttributeDataType": "Boolean"},
    {"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
    # A standard attribute in Schema changes it rather than adding a custom one.
    {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
]


def _schema(pool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


def test_create_user_pool_keeps_every_member_describe_shows(cognito: Any) -> None:
    before = time.time()
    created = cognito.create_user_pool(
        PoolName="customers",
        Schema=CUSTOM_SCHEMA,
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["preferred_username", "email"],
        MfaConfiguration="OPTIONAL",
        UsernameConfiguration={"CaseSensitive": False},
    )["UserPool"]
    pool = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]

    assert pool == created
    assert POOL_ID.fullmatch(pool["Id"])
    assert pool["Name"] == "customers"
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:{TEST_KEY.account}:userpool/{pool['Id']}"
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert sorted(pool["AliasAttributes"]) == ["email", "preferred_username"]
    assert "UsernameAttributes" not in pool
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["CreationDate"] == pool["LastModifiedDate"]
    assert before - 1 <= pool["CreationDate"].timestamp() <= time.time() + 1
    schema = _schema(pool)
    assert schema["custom:tier"] == {
        "Name": "custom:tier",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"},
    }
    assert schema["custom:age"] == {
        "Name": "custom:age",
        "AttributeDataType": "Number",
        "DeveloperOnlyAttribute": False,
        "Mutable": False,
        "Required": False,
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
    }
    assert schema["custom:joined"]["AttributeDataType"] == "DateTime"
    assert schema["custom:vip"]["AttributeDataType"] == "Boolean"
    assert schema["dev:custom:internal"]["DeveloperOnlyAttribute"] is True
    assert schema["email"]["Required"] is True
    assert schema["sub"]["Required"] is True and schema["sub"]["Mutable"] is False
    # Standard attributes first, in Cognito's order, then the custom ones as given.
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert names[:2] == ["sub", "name"]
    assert names[-5:] == [
        "custom:tier",
        "custom:age",
        "custom:joined",
        "custom:vip",
        "dev:custom:internal",
    ]


def test_username_attributes_pool_and_defaults(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="by-email", UsernameAttributes=["email"])["UserPool"]
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UsernameAttributes"] == ["email"]
    assert "AliasAttributes" not in described
    assert "AutoVerifiedAttributes" not in described
    # Without UsernameConfiguration a pool compares usernames case-sensitively.
    assert described["UsernameConfiguration"] == {"CaseSensitive": True}
    assert described["MfaConfiguration"] == "OFF"
    assert [
        a["Name"] for a in described["SchemaAttributes"] if a["Name"].startswith("custom:")
    ] == []


def test_pool_id_region_comes_from_the_signing_scope(server: LiveServer, cognito: Any) -> None:
    eu = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        endpoint_url=server.url,
        aws_access_key_id=TEST_KEY.key_id,
        aws_secret_access_key=TEST_KEY.secret,
    )
    pool = eu.create_user_pool(PoolName="europe")["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Arn"].startswith("arn:aws:cognito-idp:eu-west-1:111111111111:userpool/")
    assert [p["Id"] for p in all_pools(eu)] == [pool["Id"]]
    # Each region is its own service: us-east-1 neither lists nor finds the pool.
    assert all_pools(cognito) == []
    with pytest.raises(ClientError) as info:
        cognito.describe_user_pool(UserPoolId=pool["Id"])
    assert error_of(info.value) == (
        "ResourceNotFoundException",
        400,
        f"User pool {pool['Id']} does not exist.",
    )
    created = eu.admin_create_user(UserPoolId=pool["Id"], Username="ana")["User"]
    sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
    # With a filter the index answers, the pool is read with the page, in one statement.
    for flt in (
        'username = "ana"',
        f'sub ^= "{sub[:2]}"',
        'cognito:user_status = "FORCE_CHANGE_PASSWORD"',
    ):
        found = eu.list_users(UserPoolId=pool["Id"], Filter=flt)["Users"]
        assert [u["Username"] for u in found] == ["ana"]
        with pytest.raises(ClientError) as info:
            cognito.list_users(UserPoolId=pool["Id"], Filter=flt)
        assert error_of(info.value)[0] == "ResourceNotFoundException"


def test_list_user_pools_pages_through_every_pool(cognito: Any) -> None:
    created = {cognito.create_user_pool(PoolName=f"p{i}")["UserPool"]["Id"] for i in range(5)}
    pages: list[list[str]] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = cognito.list_user_pools(**kwargs)
        pages.append([p["Id"] for p in page["UserPools"]])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert [len(p) for p in pages] == [2, 2, 1]
    seen = [pool_id for page in pages for pool_id in page]
    assert sorted(seen) == sorted(created)
    item = cognito.list_user_pools(MaxResults=1)["UserPools"][0]
    assert set(item) == {"Id", "Name", "LambdaConfig", "LastModifiedDate", "CreationDate"}
    # boto3's own paginator (PageSize is MaxResults) agrees.
    paginator = cognito.get_paginator("list_user_pools")
    paged = [
        p["Id"]
        for page in paginator.paginate(MaxResults=2, PaginationConfig={"PageSize": 2})
        for p in page["UserPools"]
    ]
    assert paged == seen


def test_forged_or_foreign_next_token_is_refused(server: LiveServer, cognito: Any) -> None:
    for i in range(3):
        cognito.create_user_pool(PoolName=f"p{i}")
    token = cognito.list_user_pools(MaxResults=1)["NextToken"]
    other = make_client(server, key_id="AKIATESTKEY000000002", secret="test-secret-2")
    other.create_user_pool(PoolName="o1")
    other.create_user_pool(PoolName="o2")
    foreign = other.list_user_pools(MaxResults=1)["NextToken"]
    before = account_state(cognito)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in ("forged-token", tampered, foreign):
        with pytest.raises(ClientError) as info:
            cognito.list_user_pools(MaxResults=1, NextToken=bad)
        assert error_of(info.value) == ("InvalidParameterException", 400, "Invalid NextToken.")
    assert account_state(cognito) == before


def test_list_user_pools_max_results_over_60(cognito: Any) -> None:
    with pytest.raises(ClientError) as info:
        cognito.list_user_pools(MaxResults=61)
    assert error_of(info.value) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 60",
    )


def test_delete_user_pool_removes_pool_and_users(cognito: Any) -> None:
    keep = cognito.create_user_pool(PoolName="keep")["UserPool"]["Id"]
    gone = cognito.create_user_pool(PoolName="gone")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=gone, Username="alice")
    cognito.admin_create_user(UserPoolId=keep, Username="bob")

    assert cognito.delete_user_pool(UserPoolId=gone)["ResponseMetadata"]["HTTPStatusCode"] == 200

    missing = ("ResourceNotFoundException", 400, f"User pool {gone} does not exist.")
    for call in (
        lambda: cognito.describe_user_pool(UserPoolId=gone),
        lambda: cognito.delete_user_pool(UserPoolId=gone),
        lambda: cognito.admin_get_user(UserPoolId=gone, Username="alice"),
        lambda: cognito.list_users(UserPoolId=gone),
    ):
        assert refused(call) == missing
    assert [p["Id"] for p in all_pools(cognito)] == [keep]
    assert cognito.admin_get_user(UserPoolId=keep, Username="bob")["Username"] == "bob"


def test_unknown_pool_id_is_not_found_everywhere(cognito: Any) -> None:
    cognito.create_user_pool(PoolName="real")
    before = account_state(cognito)
    missing = ("ResourceNotFoundException", 400, "User pool us-east-1_AAAAAAAAA does not exist.")
    for call in (
        lambda: cognito.describe_user_pool(UserPoolId="us-east-1_AAAAAAAAA"),
        lambda: cognito.delete_user_pool(UserPoolId="us-east-1_AAAAAAAAA"),
        lambda: cognito.admin_create_user(UserPoolId="us-east-1_AAAAAAAAA", Username="x"),
    ):
        assert refused(call) == missing
    assert account_state(cognito) == before


def test_deletion_protection_refuses_delete(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="guarded", DeletionProtection="ACTIVE")["UserPool"]
    before = account_state(cognito)
    with pytest.raises(ClientError) as info:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    assert error_of(info.value) == (
        "InvalidParameterException",
        400,
        "The user pool cannot be deleted because deletion protection is activated. "
        "Deletion protection must be inactivated first.",
    )
    assert account_state(cognito) == before


SEMANTIC_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "alias-and-username-attributes": (
        {"AliasAttributes": ["email"], "UsernameAttributes": ["email"]},
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
    ),
    "required-custom": (
        {"Schema": [{"Name": "plan", "AttributeDataType": "String", "Required": True}]},
        "Required custom attributes are not supported currently.",
    ),
    "string-constraints-on-number": (
        {
            "Schema": [
                {
                    "Name": "age",
                    "AttributeDataType": "Number",
                    "StringAttributeConstraints": {"MaxLength": "3"},
                }
            ]
        },
        "user.custom:age: StringAttributeConstraints can only be set for String "
        "attributes, not Number.",
    ),
    "min-over-max": (
        {
            "Schema": [
                {
                    "Name": "tier",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "6", "MaxLength": "5"},
                }
            ]
        },
        "user.custom:tier: Max length cannot be less than min length.",
    ),
    "max-length-over-2048": (
        {
            "Schema": [
                {
                    "Name": "tier",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MaxLength": "2049"},
                }
            ]
        },
        "user.custom:tier: String attributes cannot have a length of more than 2048",
    ),
    "non-integer-bound": (
        {
            "Schema": [
                {
                    "Name": "age",
                    "AttributeDataType": "Number",
                    "NumberAttributeConstraints": {"MinValue": "ten"},
                }
            ]
        },
        "user.custom:age: MinValue must be an integer, not 'ten'.",
    ),
    "duplicate-name": (
        {
            "Schema": [
                {"Name": "tier", "AttributeDataType": "String"},
                {"Name": "tier", "AttributeDataType": "Number"},
            ]
        },
        "Existing attribute already has name custom:tier.",
    ),
    "standard-type-change": (
        {"Schema": [{"Name": "email", "AttributeDataType": "Number"}]},
        "You can not change AttributeDataType or set developerOnlyAttribute for standard "
        "schema attribute email",
    ),
}


def test_semantic_errors_change_nothing(cognito: Any) -> None:
    cognito.create_user_pool(PoolName="existing")
    before = account_state(cognito)
    got = {
        name: refused(partial(cognito.create_user_pool, PoolName="refused", **extra))
        for name, (extra, _) in SEMANTIC_ERRORS.items()
    }
    assert got == {
        name: ("InvalidParameterException", 400, message)
        for name, (_, message) in SEMANTIC_ERRORS.items()
    }
    assert account_state(cognito) == before


def test_model_violations_on_create_are_reported_together(cognito: Any) -> None:
    before = account_state(cognito)
    with pytest.raises(ClientError) as info:
        cognito.create_user_pool(
            PoolName="bad/name",
            MfaConfiguration="SOMETIMES",
            Schema=[{"Name": "a" * 21, "AttributeDataType": "String"}],
        )
    assert error_of(info.value) == (
        "InvalidParameterException",
        400,
        "3 validation errors detected: "
        "Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [\\w\\s+=,.@-]+; "
        "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must "
        "satisfy enum value set: [OFF, ON, OPTIONAL]; "
        f"Value '{'a' * 21}' at 'schema.1.member.name' failed to satisfy constraint: Member "
        "must have length less than or equal to 20",
    )
    assert account_state(cognito) == before


def test_pools_through_the_aws_cli(aws: AwsCli, cognito: Any) -> None:
    created = aws.json(
        "cognito-idp",
        "create-user-pool",
        "--pool-name",
        "cli pool",
        "--schema",
        json.dumps(CUSTOM_SCHEMA[:2]),
        "--auto-verified-attributes",
        "email",
        "--alias-attributes",
        "email",
        "--mfa-configuration",
        "OFF",
        "--username-configuration",
        "CaseSensitive=false",
    )["UserPool"]
    pool_id = created["Id"]
    assert POOL_ID.fullmatch(pool_id)
    described = aws.json("cognito-idp", "describe-user-pool", "--user-pool-id", pool_id)
    pool = described["UserPool"]
    assert pool["Name"] == "cli pool"
    assert pool["AliasAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert _schema(pool)["custom:tier"]["StringAttributeConstraints"] == {
        "MinLength": "1",
        "MaxLength": "5",
    }
    second = cognito.create_user_pool(PoolName="two")["UserPool"]["Id"]
    # An explicit --max-results turns the CLI's own paging off: the token round-trips.
    first = aws.json("cognito-idp", "list-user-pools", "--max-results", "1")
    rest = aws.json(
        "cognito-idp", "list-user-pools", "--max-results", "1", "--next-token", first["NextToken"]
    )
    assert "NextToken" not in rest
    listed_ids = [p["Id"] for p in first["UserPools"] + rest["UserPools"]]
    assert sorted(listed_ids) == sorted([pool_id, second])
    assert aws.run("cognito-idp", "delete-user-pool", "--user-pool-id", pool_id).returncode == 0
    done = aws.run("cognito-idp", "describe-user-pool", "--user-pool-id", pool_id)
    assert done.returncode == 255  # aws CLI v1: any service error
    assert done.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the DescribeUserPool "
        f"operation: User pool {pool_id} does not exist."
    )
    assert [p["Id"] for p in all_pools(cognito)] == [second]
