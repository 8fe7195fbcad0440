"""A pool's configuration from a CreateUserPool request (``config_from_request``): the
standard and custom attributes, the pool options, AWS's semantic errors, and the
configuration's JSON round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_import.domain.attributes import STANDARD_ATTRIBUTES, AttributeDef
from cognito_import.domain.pool_rules import (
    config_from_json,
    config_from_request,
    config_to_json,
    describe_pool,
)
from cognito_import.domain.pools import PoolConfig
from cognito_import.errors import InvalidParameterException
from tests.unit.pool_rules_helpers import attr, custom, lengths, make_pool, schema, strings, values

# As DescribeUserPool lists a pool created with only a name.
STANDARD_DESCRIBED = [
    attr("sub", mutable=False, required=True, **strings("1")),
    *(
        attr(n, **strings("0"))
        for n in (
            "name given_name family_name middle_name nickname preferred_username profile "
            "picture website email"
        ).split()
    ),
    attr("email_verified", "Boolean"),
    attr("gender", **strings("0")),
    attr("birthdate", **strings("10", "10")),
    *(attr(n, **strings("0")) for n in ("zoneinfo", "locale", "phone_number")),
    attr("phone_number_verified", "Boolean"),
    attr("address", **strings("0")),
    attr("updated_at", "Number", NumberAttributeConstraints={"MinValue": "0"}),
    attr("identities", **strings("0")),
]


def test_default_pool_has_the_21_standard_attributes_in_order() -> None:
    config, _ = config_from_request({"PoolName": "p"})
    assert config.schema == STANDARD_ATTRIBUTES
    assert len(config.schema) == 21
    described = describe_pool(make_pool({}), 0)["SchemaAttributes"]
    assert described == STANDARD_DESCRIBED


def test_default_pool_config() -> None:
    config, _ = config_from_request({"PoolName": "p"})
    assert config.mfa == "OFF"
    assert config.case_sensitive is True
    assert config.auto_verified == frozenset()
    assert config.unique_attributes == frozenset()


def test_custom_attributes_follow_updated_at_in_request_order() -> None:
    params = schema(custom("a"), custom("email", Required=True), custom("b", "Number"))
    config, _ = config_from_request({"PoolName": "p", **params})
    assert config.csv_header()[-6:] == (
        "address updated_at custom:a custom:b cognito:mfa_enabled cognito:username".split()
    )
    assert [a.name for a in config.schema[21:]] == ["custom:a", "custom:b"]
    assert config.by_name["email"].required is True


def test_custom_attribute_definitions() -> None:
    params = schema(
        custom("tier", Mutable=False, **lengths(MinLength="2", MaxLength="8")),
        custom("age", "Number", **values(MinValue="-5", MaxValue="150")),
        custom("secret", DeveloperOnlyAttribute=True),
        custom("flag", "Boolean"),
        custom("custom:x", "DateTime"),
    )
    config, _ = config_from_request({"PoolName": "p", **params})
    assert config.schema[21:] == (
        AttributeDef("custom:tier", "String", mutable=False, min_length=2, max_length=8),
        AttributeDef("custom:age", "Number", min_value=-5, max_value=150),
        AttributeDef("custom:secret", "String", developer_only=True),
        AttributeDef("custom:flag", "Boolean"),
        AttributeDef("custom:custom:x", "DateTime"),
    )
    described = describe_pool(make_pool(params), 0)["SchemaAttributes"][21:]
    assert described == [
        attr("custom:tier", mutable=False, **strings("2", "8")),
        attr("custom:age", "Number", **values(MinValue="-5", MaxValue="150")),
        attr("dev:custom:secret", dev=True, StringAttributeConstraints={}),
        attr("custom:flag", "Boolean"),
        attr("custom:custom:x", "DateTime"),
    ]
    assert "custom:secret" in config.csv_header()


def test_standard_attribute_overrides() -> None:
    params = schema(
        {"Name": "email", "Required": True, "Mutable": False, **lengths(MaxLength="255")},
        {"Name": "updated_at", **values(MaxValue="99")},
        custom("sub", Mutable=False),
    )
    config, _ = config_from_request({"PoolName": "p", **params})
    by_name = config.by_name
    assert by_name["email"] == AttributeDef(
        "email", "String", mutable=False, required=True, min_length=0, max_length=255
    )
    assert by_name["updated_at"] == AttributeDef("updated_at", "Number", min_value=0, max_value=99)
    assert by_name["sub"] == STANDARD_ATTRIBUTES[0]
    assert [a.name for a in config.schema] == [a.name for a in STANDARD_ATTRIBUTES]


def test_pool_options() -> None:
    config, _ = config_from_request(
        {
            "PoolName": "p",
            "AutoVerifiedAttributes": ["email", "phone_number", "email"],
            "AliasAttributes": ["preferred_username", "email"],
            "MfaConfiguration": "OPTIONAL",
            "UsernameConfiguration": {"CaseSensitive": False},
        }
    )
    assert config.auto_verified == {"email", "phone_number"}
    assert config.alias_attributes == {"preferred_username", "email"}
    assert config.username_attributes == frozenset()
    assert config.mfa == "OPTIONAL"
    assert config.case_sensitive is False


def test_mfa_on_needs_no_sms_configuration() -> None:
    config, _ = config_from_request({"PoolName": "p", "MfaConfiguration": "ON"})
    assert config.mfa == "ON"


STANDARD_TYPE = "You can not change AttributeDataType or set developerOnlyAttribute for standard "
SUB = "You can not change Mutable, Required or the constraints of standard schema attribute sub"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"UsernameAttributes": ["email"], "AliasAttributes": ["preferred_username"]},
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ),
        (
            schema(custom("a", Required=True)),
            "Required custom attributes are not supported currently.",
        ),
        (
            schema({"Name": "a", "Mutable": True}),
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ),
        (
            schema(custom("a"), custom("a", "Number")),
            "Existing attribute already has name custom:a.",
        ),
        (
            schema({"Name": "email"}, {"Name": "email", "Required": True}),
            "Existing attribute already has name email.",
        ),
        (schema({"Mutable": True}), "Schema attribute name cannot be empty."),
        (
            schema(*(custom(f"c{i}") for i in range(51))),
            "A user pool can have at most 50 custom attributes.",
        ),
        (
            schema(custom("email", "Number")),
            STANDARD_TYPE + "schema attribute email",
        ),
        (
            schema({"Name": "name", "DeveloperOnlyAttribute": True}),
            STANDARD_TYPE + "schema attribute name",
        ),
        (schema({"Name": "sub", "Mutable": True}), SUB),
        (schema({"Name": "sub", "Required": False}), SUB),
        (schema({"Name": "sub", **lengths(MaxLength="64")}), SUB),
        (
            schema(custom("n", "Number", **lengths(MaxLength="5"))),
            "user.custom:n: StringAttributeConstraints can only be set "
            "for String attributes, not Number.",
        ),
        (
            schema(custom("s", **values(MaxValue="5"))),
            "user.custom:s: NumberAttributeConstraints can only be set "
            "for Number attributes, not String.",
        ),
        (
            schema({"Name": "email_verified", **lengths(MinLength="1")}),
            "user.email_verified: StringAttributeConstraints can only be set "
            "for String attributes, not Boolean.",
        ),
        (
            schema(custom("s", **lengths(MaxLength="2049"))),
            "user.custom:s: String attributes cannot have a length of more than 2048",
        ),
        (
            schema(custom("s", **lengths(MinLength="9", MaxLength="3"))),
            "user.custom:s: Max length cannot be less than min length.",
        ),
        (
            schema({"Name": "email", **lengths(MinLength="-1")}),
            "user.email: MinLength cannot be negative.",
        ),
        (
            schema({"Name": "email", **lengths(MaxLength="1_0")}),
            "user.email: MaxLength must be an integer, not '1_0'.",
        ),
        (
            schema(custom("n", "Number", **values(MinValue="10", MaxValue="1"))),
            "user.custom:n: Max value cannot be less than min value.",
        ),
        (
            schema({"Name": "updated_at", **values(MinValue="x")}),
            "user.updated_at: MinValue must be an integer, not 'x'.",
        ),
    ],
)
def test_semantic_errors(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        config_from_request({"PoolName": "p", **params})
    assert raised.value.message == message
    assert raised.value.code == "InvalidParameterException"


def test_empty_constraints_of_the_wrong_kind_are_ignored() -> None:
    schema = [{"Name": "n", "AttributeDataType": "Number", "StringAttributeConstraints": {}}]
    config, _ = config_from_request({"PoolName": "p", "Schema": schema})
    assert config.schema[-1] == AttributeDef("custom:n", "Number")


def test_config_json_round_trip() -> None:
    params = schema(
        {"Name": "email", "Required": True},
        custom("age", "Number", **values(MinValue="1")),
        custom("key", DeveloperOnlyAttribute=True, **lengths(MaxLength="9")),
    )
    config, _ = config_from_request(
        {
            "PoolName": "p",
            **params,
            "AutoVerifiedAttributes": ["email"],
            "AliasAttributes": ["email", "preferred_username"],
            "MfaConfiguration": "ON",
            "UsernameConfiguration": {"CaseSensitive": False},
        }
    )
    stored = json.loads(json.dumps(config_to_json(config)))
    assert config_from_json(stored) == config


def test_config_from_json_ignores_unknown_keys() -> None:
    stored = config_to_json(PoolConfig(schema=STANDARD_ATTRIBUTES))
    stored["future"] = 1
    stored["schema"][0]["future"] = 2
    assert config_from_json(stored) == PoolConfig(schema=STANDARD_ATTRIBUTES)
