"""AdminCreateUser, AdminGetUser, AdminDeleteUser and ListUsers (pagination and Filter)
over boto3 and the aws CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
import uuid
from functools import partial
from typing import Any

from cognito_import.domain.users import User
from tests.api import account_state, all_users, refused
from tests.conftest import AwsCli
from tests.live import LiveServer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
NOT_FOUND = ("UserNotFoundException", 400, "User does not exist.")


def _attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k.replace("__", ":"), "Value": v} for k, v in values.items()]


def _as_dict(attributes: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in attributes}


def _pool(cognito: Any, **kwargs: Any) -> str:
    pool_id: str = cognito.create_user_pool(PoolName="users", **kwargs)["UserPool"]["Id"]
    return pool_id


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
    assert again["User"] == created
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


def test_list_users_pages_with_limit(cognito: Any) -> None:
    pool_id = _pool(cognito)
    names = [f"user{i}" for i in range(7)]
    for name in reversed(names):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
    pages: list[list[str]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 3}
    while True:
        page = cognito.list_users(**kwargs)
        pages.append([u["Username"] for u in page["Users"]])
        if "PaginationToken" not in page:
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    assert pages == [names[0:3], names[3:6], names[6:]]
    paginator = cognito.get_paginator("list_users")
    paged = [
        u["Username"]
        for page in paginator.paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 2})
        for u in page["Users"]
    ]
    assert paged == names
    assert cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"] == all_users(cognito, pool_id)


def test_list_users_refuses_bad_tokens_and_limits(cognito: Any) -> None:
    pool_id = _pool(cognito)
    other_pool = _pool(cognito)
    for name in ("a", "b", "c"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
        cognito.admin_create_user(UserPoolId=other_pool, Username=name)
    token = cognito.list_users(UserPoolId=pool_id, Limit=1)["PaginationToken"]
    foreign = cognito.list_users(UserPoolId=other_pool, Limit=1)["PaginationToken"]
    before = account_state(cognito)
    invalid = ("InvalidParameterException", 400, "Invalid pagination token.")
    for bad, flt in (("forged", None), (foreign, None), (token, 'username ^= "a"')):
        kwargs: dict[str, Any] = {"UserPoolId": pool_id, "PaginationToken": bad}
        if flt is not None:
            kwargs["Filter"] = flt
        assert refused(partial(cognito.list_users, **kwargs)) == invalid
    assert refused(lambda: cognito.list_users(UserPoolId=pool_id, Limit=61)) == (
        "InvalidParameterException",
        400,
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    )
    assert account_state(cognito) == before


def _seed_filter_pool(server: LiveServer, cognito: Any) -> tuple[str, dict[str, str]]:
    """A pool with four users; one imported-style (RESET_REQUIRED) and disabled, which
    no API of issue 2 can produce, is written through the server's own store."""
    pool_id = _pool(cognito)
    people = {
        "alice": _attrs(email="alice@example.com", family_name="Smith", given_name='Al "A" X'),
        "alfred": _attrs(email="alfred@example.com", family_name="Smythe"),
        "bob": _attrs(email="bob@example.com", family_name="Jones"),
    }
    subs: dict[str, str] = {}
    for name, attributes in people.items():
        user = cognito.admin_create_user(
            UserPoolId=pool_id, Username=name, UserAttributes=attributes
        )
        subs[name] = _as_dict(user["User"]["Attributes"])["sub"]
    subs["zed"] = str(uuid.uuid4())
    now = time.time()
    server.rt.store.pools.insert_user(
        User(
            pool_id=pool_id,
            username="zed",
            username_key="zed",
            sub=subs["zed"],
            status="RESET_REQUIRED",
            enabled=False,
            created=now,
            modified=now,
            attributes={"email": "zed@example.com", "family_name": "Smith"},
        )
    )
    return pool_id, subs


def test_list_users_filters(server: LiveServer, cognito: Any) -> None:
    pool_id, subs = _seed_filter_pool(server, cognito)
    cases = {
        'email = "bob@example.com"': ["bob"],
        'email="bob@example.com"': ["bob"],
        'email = "BOB@example.com"': [],
        'email ^= "al"': ["alfred", "alice"],
        'family_name = "Smith"': ["alice", "zed"],
        'family_name ^= "Sm"': ["alfred", "alice", "zed"],
        'given_name = "Al \\"A\\" X"': ["alice"],
        'status = "Enabled"': ["alfred", "alice", "bob"],
        'status = "Disabled"': ["zed"],
        'cognito:user_status = "FORCE_CHANGE_PASSWORD"': ["alfred", "alice", "bob"],
        'cognito:user_status = "reset_required"': ["zed"],
        'username ^= "al"': ["alfred", "alice"],
        'username = "bob"': ["bob"],
        f'sub = "{subs["alfred"]}"': ["alfred"],
        'name = "nobody"': [],
        "": ["alfred", "alice", "bob", "zed"],
    }
    for flt, expected in cases.items():
        users = cognito.list_users(UserPoolId=pool_id, Filter=flt)["Users"]
        assert [u["Username"] for u in users] == expected, flt
    # A filter pages like the full listing.
    first = cognito.list_users(UserPoolId=pool_id, Filter='family_name ^= "Sm"', Limit=2)
    rest = cognito.list_users(
        UserPoolId=pool_id,
        Filter='family_name ^= "Sm"',
        Limit=2,
        PaginationToken=first["PaginationToken"],
    )
    assert [u["Username"] for u in first["Users"] + rest["Users"]] == ["alfred", "alice", "zed"]
    assert "PaginationToken" not in rest
    only = cognito.list_users(
        UserPoolId=pool_id, Filter='username = "zed"', AttributesToGet=["email"]
    )
    assert only["Users"][0]["Attributes"] == [{"Name": "email", "Value": "zed@example.com"}]
    assert only["Users"][0]["UserStatus"] == "RESET_REQUIRED"
    assert only["Users"][0]["Enabled"] is False


BAD_FILTERS = {
    "email = bob": "Error while parsing filter.",
    'email ~= "bob"': "Error while parsing filter.",
    'email = "bob" or 1': "Error while parsing filter.",
    '"email" = "bob"': "Error while parsing filter.",
    'custom:tier = "gold"': "Invalid search attribute: custom:tier",
    'nickname = "bob"': "Invalid search attribute: nickname",
}


def test_bad_filters_are_refused(cognito: Any) -> None:
    pool_id = _pool(cognito)
    cognito.admin_create_user(UserPoolId=pool_id, Username="bob")
    before = account_state(cognito)
    got = {
        flt: refused(partial(cognito.list_users, UserPoolId=pool_id, Filter=flt))
        for flt in BAD_FILTERS
    }
    assert got == {
        flt: ("InvalidParameterException", 400, message) for flt, message in BAD_FILTERS.items()
    }
    assert account_state(cognito) == before


def test_users_through_the_aws_cli(aws: AwsCli, cognito: Any) -> None:
    pool_id = _pool(cognito, AliasAttributes=["email"])
    created = aws.json(
        "cognito-idp",
        "admin-create-user",
        "--user-pool-id",
        pool_id,
        "--username",
        "alice",
        "--user-attributes",
        "Name=email,Value=alice@example.com",
        "Name=email_verified,Value=true",
        "--message-action",
        "SUPPRESS",
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    for name in ("bob", "carol", "dave"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=name)
    got = aws.json(
        "cognito-idp",
        "admin-get-user",
        "--user-pool-id",
        pool_id,
        "--username",
        "alice@example.com",
    )
    assert got["Username"] == "alice"
    assert got["UserAttributes"] == created["Attributes"]
    # The CLI follows PaginationToken itself: two users per request still lists all four.
    listed = aws.json("cognito-idp", "list-users", "--user-pool-id", pool_id, "--page-size", "2")
    assert [u["Username"] for u in listed["Users"]] == ["alice", "bob", "carol", "dave"]
    filtered = aws.json(
        "cognito-idp", "list-users", "--user-pool-id", pool_id, "--filter", 'username ^= "c"'
    )
    assert [u["Username"] for u in filtered["Users"]] == ["carol"]
    done = aws.run(
        "cognito-idp", "admin-delete-user", "--user-pool-id", pool_id, "--username", "bob"
    )
    assert done.returncode == 0, done.stderr
    missing = aws.run(
        "cognito-idp", "admin-get-user", "--user-pool-id", pool_id, "--username", "bob"
    )
    assert missing.returncode == 255
    assert missing.stderr.strip() == (
        "An error occurred (UserNotFoundException) when calling the AdminGetUser operation: "
        "User does not exist."
    )
    remaining = [u["Username"] for u in all_users(cognito, pool_id)]
    assert remaining == ["alice", "carol", "dave"]
