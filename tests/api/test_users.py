"""AdminCreateUser, AdminGetUser and AdminDeleteUser over boto3, on SQLite and PostgreSQL:
usernames, aliases and username attributes, and the pool's schema."""

from __future__ import annotations

import re
import time
from functools import partial
from typing import Any

from tests.api import account_state, all_users, refused
from tests.api.user_helpers import _as_dict, _attrs, _pool

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
NOT_FOUND = ("UserNotFoundException", 400, "User does not exist.")


def test_admin_create_user_then_get(cognito: Any) -> None:
    pool_id = _pool(
        cognito,
        Schema=[
            {
                "Name": "tier",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MaxLength": "5"},
            }
        ],
    )
    before = time.time()
    # No message is ever sent: every delivery option is accepted and has no effect.
    created = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=_attrs(email="alice@example.com", given_name="Alice", custom__tier="gold"),
        DesiredDeliveryMediums=["EMAIL"],
        MessageAction="SUPPRESS",
    )["User"]
    assert set(created) == {
        "Username",
        "Attributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert created["Username"] == "alice"
    assert created["Enabled"] is True
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["UserCreateDate"] == created["UserLastModifiedDate"]
    assert before - 1 <= created["UserCreateDate"].timestamp() <= time.time() + 1
    attributes = created["Attributes"]
    assert attributes[0]["Name"] == "sub" and UUID.fullmatch(attributes[0]["Value"])
    assert _as_dict(attributes[1:]) == {
        "email": "alice@example.com",
        "given_name": "Alice",
        "custom:tier": "gold",
    }

    got = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    del got["ResponseMetadata"]
    assert got == {
        "Username": "alice",
        "UserAttributes": attributes,
        "UserCreateDate": created["UserCreateDate"],
        "UserLastModifiedDate": created["UserLastModifiedDate"],
        "Enabled": True,
        "UserStatus": "FORCE_CHANGE_PASSWORD",
    }
    other = cognito.admin_create_user(UserPoolId=pool_id, Username="bob")["User"]
    assert other["Attributes"][0]["Name"] == "sub"
    assert other["Attributes"][0]["Value"] != attributes[0]["Value"]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["EstimatedNumberOfUsers"] == 2


def test_resend_returns_the_existing_user_and_refuses_unknown(cognito: Any) -> None:
    pool_id = _pool(cognito)
    created = cognito.admin_create_user(UserPoolId=pool_id, Username="alice")["User"]
    again = cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="RESEND")
    # RESEND sets a new temporary password (tests/creds): the user was modified.
    assert again["User"]["UserLastModifiedDate"] >= created["UserLastModifiedDate"]
    assert {**again["User"], "UserLastModifiedDate": None} == {
        **created,
        "UserLastModifiedDate": None,
    }
    before = account_state(cognito)
    assert (
        refused(
            lambda: cognito.admin_create_user(
                UserPoolId=pool_id, Username="nobody", MessageAction="RESEND"
            )
        )
        == NOT_FOUND
    )
    assert account_state(cognito) == before


def test_case_insensitive_pool_folds_usernames(cognito: Any) -> None:
    pool_id = _pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    cognito.admin_create_user(UserPoolId=pool_id, Username="Alice")
    for spelling in ("Alice", "alice", "ALICE"):
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=spelling)["Username"] == "Alice"
    before = account_state(cognito)
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="aLiCe")) == (
        "UsernameExistsException",
        400,
        "User account already exists",
    )
    assert account_state(cognito) == before
    filtered = cognito.list_users(UserPoolId=pool_id, Filter='username = "ALICE"')["Users"]
    assert [u["Username"] for u in filtered] == ["Alice"]


def test_case_sensitive_pool_keeps_usernames_apart(cognito: Any) -> None:
    pool_id = _pool(cognito, UsernameConfiguration={"CaseSensitive": True})
    cognito.admin_create_user(UserPoolId=pool_id, Username="Alice")
    before = account_state(cognito)
    assert refused(lambda: cognito.admin_get_user(UserPoolId=pool_id, Username="alice")) == (
        NOT_FOUND
    )
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="Alice")) == (
        "UsernameExistsException",
        400,
        "User account already exists",
    )
    assert account_state(cognito) == before
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice")
    assert sorted(u["Username"] for u in all_users(cognito, pool_id)) == ["Alice", "alice"]


def test_alias_pool_finds_users_by_email_and_keeps_aliases_unique(cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["email", "phone_number"])
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=_attrs(
            email="Alice@Example.com", email_verified="true", phone_number="+15550100"
        ),
    )
    # Email aliases compare case-insensitively.
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")
    assert got["Username"] == "alice"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="+15550100")["Username"] == "alice"
    before = account_state(cognito)
    refusals: list[tuple[dict[str, Any], tuple[str, int, str]]] = [
        (
            {"Username": "bob", "UserAttributes": _attrs(email="ALICE@example.com")},
            ("AliasExistsException", 400, "An account with the given email already exists."),
        ),
        (
            {"Username": "bob", "UserAttributes": _attrs(phone_number="+15550100")},
            (
                "AliasExistsException",
                400,
                "An account with the given phone_number already exists.",
            ),
        ),
        (
            {"Username": "bob@example.com"},
            (
                "InvalidParameterException",
                400,
                "Username cannot be of email format, since user pool is configured for email "
                "alias.",
            ),
        ),
        (
            {"Username": "+15550199"},
            (
                "InvalidParameterException",
                400,
                "Username cannot be of phone number format, since user pool is configured for "
                "phone number alias.",
            ),
        ),
    ]
    for kwargs, expected in refusals:
        assert refused(partial(cognito.admin_create_user, UserPoolId=pool_id, **kwargs)) == expected
    assert account_state(cognito) == before


def test_force_alias_creation_moves_a_verified_alias(cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["email"])
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=_attrs(email="shared@example.com", email_verified="true"),
    )
    # Unverified, the new user's email cannot take the alias: ForceAliasCreation is ignored.
    assert refused(
        lambda: cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="bob",
            UserAttributes=_attrs(email="shared@example.com"),
            ForceAliasCreation=True,
        )
    ) == ("AliasExistsException", 400, "An account with the given email already exists.")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=_attrs(email="shared@example.com", email_verified="true"),
        ForceAliasCreation=True,
    )
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")
    assert got["Username"] == "bob"
    alice = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert _as_dict(alice["UserAttributes"])["email_verified"] == "false"
    assert _as_dict(alice["UserAttributes"])["email"] == "shared@example.com"


def test_username_attributes_pool_uses_the_email_as_username(cognito: Any) -> None:
    pool_id = _pool(cognito, UsernameAttributes=["email"])
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="carol@example.com")["User"]
    sub = _as_dict(user["Attributes"])["sub"]
    # The username of an email-as-username user is its sub; the email is an attribute.
    assert user["Username"] == sub
    assert _as_dict(user["Attributes"])["email"] == "carol@example.com"
    for name in ("carol@example.com", "CAROL@example.com", sub):
        assert cognito.admin_get_user(UserPoolId=pool_id, Username=name)["Username"] == sub
    before = account_state(cognito)
    assert refused(
        lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="Carol@Example.com")
    ) == ("UsernameExistsException", 400, "An account with the given email already exists.")
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="carol")) == (
        "InvalidParameterException",
        400,
        "Username should be an email.",
    )
    assert account_state(cognito) == before


def test_email_or_phone_username_pool_names_both(cognito: Any) -> None:
    pool_id = _pool(cognito, UsernameAttributes=["email", "phone_number"])
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="+15550123")["User"]
    assert _as_dict(user["Attributes"])["phone_number"] == "+15550123"
    before = account_state(cognito)
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="dave")) == (
        "InvalidParameterException",
        400,
        "Username should be either an email or a phone number.",
    )
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="+15550123")) == (
        "UsernameExistsException",
        400,
        "An account with the given phone_number already exists.",
    )
    assert account_state(cognito) == before


def test_admin_delete_user(cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["email"])
    for name in ("alice", "bob"):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=_attrs(email=f"{name}@example.com", email_verified="true"),
        )
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    # By alias, too.
    cognito.admin_delete_user(UserPoolId=pool_id, Username="bob@example.com")
    assert all_users(cognito, pool_id) == []
    for call in (
        lambda: cognito.admin_get_user(UserPoolId=pool_id, Username="alice"),
        lambda: cognito.admin_delete_user(UserPoolId=pool_id, Username="alice"),
        lambda: cognito.admin_get_user(UserPoolId=pool_id, Username="bob@example.com"),
    ):
        assert refused(call) == NOT_FOUND
    # A deleted user's alias is free again.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="carol",
        UserAttributes=_attrs(email="alice@example.com", email_verified="true"),
    )
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")
    assert got["Username"] == "carol"
    # The pool's count follows creations, deletions and refused deletions alike.
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["EstimatedNumberOfUsers"] == 1


SCHEMA_POOL: list[dict[str, Any]] = [
    {
        "Name": "tier",
        "AttributeDataType": "String",
        "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"},
    },
    {
        "Name": "age",
        "AttributeDataType": "Number",
        "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
    },
    {"Name": "vip", "AttributeDataType": "Boolean"},
    {"Name": "given_name", "AttributeDataType": "String", "Required": True},
]
SCHEMA_VIOLATIONS: dict[str, tuple[list[dict[str, str]], str]] = {
    "too-long": (
        _attrs(custom__tier="platinum"),
        "The value of custom:tier is longer than 5 characters.",
    ),
    "too-short": (
        _attrs(custom__tier="a"),
        "The value of custom:tier is shorter than 2 characters.",
    ),
    "above-max": (_attrs(custom__age="151"), "The value of custom:age must be at most 150."),
    "below-min": (_attrs(custom__age="-1"), "The value of custom:age must be at least 0."),
    "not-a-number": (
        _attrs(custom__age="old"),
        "Invalid value for custom:age: must be an integer.",
    ),
    "not-a-boolean": (
        _attrs(custom__vip="yes"),
        "Invalid value for custom:vip: must be true or false.",
    ),
    "bad-verified-flag": (
        _attrs(email_verified="yes"),
        "Invalid value for email_verified: must be true or false.",
    ),
    "bad-phone": (_attrs(phone_number="555-1234"), "Invalid phone number format."),
    "bad-email": (_attrs(email="not-an-email"), "Invalid email address format."),
    "unknown-attributes": (
        _attrs(custom__nope="x", custom__other="y"),
        "Attributes did not conform to the schema: "
        "custom:nope: Attribute does not exist in the schema.\n"
        "custom:other: Attribute does not exist in the schema.\n",
    ),
    "sub": (_attrs(sub="x"), "Cannot modify the non-mutable attribute sub"),
}


def test_schema_violations_write_nothing(cognito: Any) -> None:
    pool_id = _pool(cognito, Schema=SCHEMA_POOL)
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="first", UserAttributes=_attrs(given_name="F")
    )
    before = account_state(cognito)
    got = {
        name: refused(
            partial(
                cognito.admin_create_user,
                UserPoolId=pool_id,
                Username="second",
                UserAttributes=_attrs(given_name="Al") + extra,
            )
        )
        for name, (extra, _) in SCHEMA_VIOLATIONS.items()
    }
    assert got == {
        name: ("InvalidParameterException", 400, message)
        for name, (_, message) in SCHEMA_VIOLATIONS.items()
    }
    assert account_state(cognito) == before


def test_missing_required_attribute_and_bad_username(cognito: Any) -> None:
    pool_id = _pool(cognito, Schema=SCHEMA_POOL)
    before = account_state(cognito)
    assert refused(lambda: cognito.admin_create_user(UserPoolId=pool_id, Username="u")) == (
        "InvalidParameterException",
        400,
        "Attributes did not conform to the schema: given_name: The attribute is required.\n",
    )
    # Username is a sensitive member: the model's error leaves its value out.
    assert refused(
        lambda: cognito.admin_create_user(
            UserPoolId=pool_id, Username="a b", UserAttributes=_attrs(given_name="Al")
        )
    ) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )
    assert account_state(cognito) == before
