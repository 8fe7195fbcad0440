"""The settings a pool keeps from its CreateUserPool request, and how a pool is shown:
DescribeUserPool following the model, ListUserPools' summary, the ARN, and new pool ids."""

from __future__ import annotations

import json

import pytest
from botocore.parsers import JSONParser

from cognito_import.domain.pool_rules import (
    DEFAULT_PASSWORD_POLICY,
    KEPT_SETTINGS,
    USER_POOL_ORDER,
    config_from_request,
    describe_pool,
    new_pool_id,
    pool_summary,
)
from tests.unit.pool_rules_helpers import MODEL, make_pool, members


def test_settings_get_aws_defaults() -> None:
    _, settings = config_from_request({"PoolName": "p"})
    assert settings == {
        "Policies": {
            "PasswordPolicy": DEFAULT_PASSWORD_POLICY,
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
        },
        "UserPoolTier": "ESSENTIALS",
    }


def test_settings_keep_what_was_given() -> None:
    policy = {"MinimumLength": 12, "RequireSymbols": False}
    params = {
        "PoolName": "p",
        "Policies": {"PasswordPolicy": policy},
        "DeletionProtection": "ACTIVE",
        "UserPoolTags": {"team": "id"},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "Schema": [],
        "UnknownMember": 1,
    }
    _, settings = config_from_request(params)
    assert settings["Policies"] == {
        "PasswordPolicy": policy,
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    }
    assert settings["DeletionProtection"] == "ACTIVE"
    assert settings["UserPoolTags"] == {"team": "id"}
    assert settings["AccountRecoverySetting"] == params["AccountRecoverySetting"]
    assert settings["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": True,
        "UnusedAccountValidityDays": 7,
    }
    assert set(settings) <= KEPT_SETTINGS
    # The request is not aliased: changing it later cannot change the stored settings.
    policy["MinimumLength"] = 6
    assert settings["Policies"]["PasswordPolicy"]["MinimumLength"] == 12


def test_kept_settings_are_the_echoed_create_members() -> None:
    derived = {
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "UsernameAttributes",
        "MfaConfiguration",
        "UsernameConfiguration",
    }
    shared = set(members("CreateUserPoolRequest")) & set(members("UserPoolType"))
    assert shared - derived == KEPT_SETTINGS


def test_describe_pool_follows_the_model() -> None:
    described = describe_pool(make_pool({}), 3)
    order = members("UserPoolType")
    assert list(USER_POOL_ORDER) == sorted(USER_POOL_ORDER, key=order.index)
    assert list(described) == sorted(described, key=order.index)
    for item in described["SchemaAttributes"]:
        assert set(item) <= set(members("SchemaAttributeType"))
    body = json.dumps({"UserPool": described}).encode()
    shape = MODEL.operation_model("DescribeUserPool").output_shape
    parsed = JSONParser().parse({"body": body, "headers": {}, "status_code": 200}, shape)
    assert parsed["UserPool"]["EstimatedNumberOfUsers"] == 3
    assert parsed["UserPool"]["CreationDate"].timestamp() == 1700000000.123


def test_describe_pool_values() -> None:
    pool = make_pool(
        {"UsernameAttributes": ["phone_number", "email"], "AutoVerifiedAttributes": ["email"]}
    )
    described = describe_pool(pool, 7)
    assert {k: v for k, v in described.items() if k != "SchemaAttributes"} == {
        "Id": "eu-west-1_abcDEF123",
        "Name": "p",
        **pool.settings,
        "LastModifiedDate": 1700000001.988,
        "CreationDate": 1700000000.123,
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email", "phone_number"],
        "MfaConfiguration": "OFF",
        "EstimatedNumberOfUsers": 7,
        "UsernameConfiguration": {"CaseSensitive": True},
        "Arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abcDEF123",
    }
    assert "AliasAttributes" not in described


def test_describe_pool_drops_settings_outside_the_model() -> None:
    pool = make_pool({})
    pool.settings["Schema"] = []
    pool.settings["Status"] = "Enabled"
    described = describe_pool(pool, 0)
    assert "Schema" not in described
    assert "Status" not in described


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_arn_partition(region: str, partition: str) -> None:
    arn = describe_pool(make_pool({}, region), 0)["Arn"]
    assert arn == f"arn:{partition}:cognito-idp:{region}:123456789012:userpool/{region}_abcDEF123"


def test_pool_summary() -> None:
    lambdas = {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:f"}
    summary = pool_summary(make_pool({"LambdaConfig": lambdas}))
    assert summary == {
        "Id": "eu-west-1_abcDEF123",
        "Name": "p",
        "LambdaConfig": lambdas,
        "LastModifiedDate": 1700000001.988,
        "CreationDate": 1700000000.123,
    }
    assert set(summary) <= set(members("UserPoolDescriptionType"))


def test_new_pool_id() -> None:
    asked: list[int] = []

    def rand(n: int) -> str:
        asked.append(n)
        return "aB3dE6gH9"

    assert new_pool_id("ap-south-1", rand) == "ap-south-1_aB3dE6gH9"
    assert asked == [9]
    with pytest.raises(ValueError):
        new_pool_id("ap-south-1", lambda n: "short")
    with pytest.raises(ValueError):
        new_pool_id("ap-south-1", lambda n: "abc-defgh")
