"""Checking one CSV row against what the pool is configured to want: MFA, auto-verified
attributes, aliases, case-insensitive and email or phone usernames, custom and required
attributes; and ``attribute_problems``, the same checks for the API."""

from __future__ import annotations

import dataclasses

import pytest

from cognito_import.domain.attributes import STANDARD_ATTRIBUTES
from cognito_import.domain.pools import MFA_ON, MFA_OPTIONAL
from cognito_import.domain.rows import (
    INVALID_EMAIL,
    MFA_MUST_BE_TRUE,
    NO_AUTO_VERIFIED,
    USERNAME_IS_EMAIL,
    USERNAME_IS_PHONE,
    USERNAME_NOT_EMAIL,
    USERNAME_NOT_EMAIL_OR_PHONE,
    USERNAME_NOT_PHONE,
    RowUser,
    attribute_problems,
    check_row,
    plan_header,
)
from tests.unit.row_helpers import CUSTOM, outcome, pool, reason, user


@pytest.mark.parametrize(
    ("mfa", "value", "expected"),
    [
        (MFA_ON, "true", True),
        (MFA_ON, "TRUE", True),
        (MFA_ON, "false", MFA_MUST_BE_TRUE),
        (MFA_OPTIONAL, "true", True),
        (MFA_OPTIONAL, "false", False),
        (MFA_OPTIONAL, "", "Invalid value for cognito:mfa_enabled: must be true or false."),
    ],
)
def test_mfa_against_the_pool(mfa: str, value: str, expected: bool | str) -> None:
    result = outcome(pool(mfa=mfa), cognito__mfa_enabled=value)
    if isinstance(expected, bool):
        assert isinstance(result, RowUser)
        assert result.mfa_enabled is expected
    else:
        assert result == expected


def test_phone_auto_verified_pool() -> None:
    config = pool(auto_verified=frozenset({"phone_number"}))
    assert reason(config) == NO_AUTO_VERIFIED
    assert isinstance(
        outcome(config, phone_number="+12345550100", phone_number_verified="true"), RowUser
    )


def test_either_auto_verified_attribute_will_do() -> None:
    config = pool(auto_verified=frozenset({"email", "phone_number"}))
    assert isinstance(outcome(config), RowUser)
    phone_only = outcome(
        config,
        email_verified="false",
        phone_number="+12345550100",
        phone_number_verified="true",
    )
    assert isinstance(phone_only, RowUser)
    assert reason(config, email_verified="false") == NO_AUTO_VERIFIED


def test_alias_pools_refuse_lookalike_usernames() -> None:
    email_alias = pool(alias_attributes=frozenset({"email"}))
    assert reason(email_alias, cognito__username="jane@example.com") == USERNAME_IS_EMAIL
    assert isinstance(outcome(email_alias, cognito__username="+12345550100"), RowUser)
    phone_alias = pool(alias_attributes=frozenset({"phone_number"}))
    assert reason(phone_alias, cognito__username="+12345550100") == USERNAME_IS_PHONE
    assert isinstance(outcome(phone_alias, cognito__username="jane@example.com"), RowUser)


def test_unique_values_of_alias_pools() -> None:
    config = pool(alias_attributes=frozenset({"email", "preferred_username"}))
    result = user(config, email="Jane@Example.COM", preferred_username="JaneR")
    assert result.unique_values == {"email": "jane@example.com", "preferred_username": "janer"}
    assert result.attributes["email"] == "Jane@Example.COM"


def test_case_insensitive_usernames() -> None:
    result = user(pool(case_sensitive=False), cognito__username="JaneRoe")
    assert (result.username, result.username_key) == ("JaneRoe", "janeroe")
    result = user(cognito__username="JaneRoe")
    assert (result.username, result.username_key) == ("JaneRoe", "JaneRoe")


def test_email_as_username() -> None:
    config = pool(username_attributes=frozenset({"email"}))
    result = user(config, cognito__username="Jane@Example.com", email="")
    assert result.attributes["email"] == "Jane@Example.com"
    assert result.unique_values == {"email": "jane@example.com"}
    same = user(config, cognito__username="Jane@Example.com", email="jane@example.com")
    assert same.attributes["email"] == "jane@example.com"
    assert reason(config, cognito__username="jane") == USERNAME_NOT_EMAIL
    assert reason(config, cognito__username="jane@example.com", email="other@example.com") == (
        "The email value must equal cognito:username: it is this pool's username attribute."
    )


def test_email_username_pool_needs_no_email_column() -> None:
    config = pool(username_attributes=frozenset({"email"}))
    header = ["cognito:username", "email_verified", "cognito:mfa_enabled"]
    plan = plan_header(header, config, None)
    result = check_row(plan, ["jane@example.com", "true", "false"])
    assert isinstance(result, RowUser)
    assert result.attributes == {"email": "jane@example.com", "email_verified": "true"}


def test_phone_and_both_as_username() -> None:
    phone = pool(
        username_attributes=frozenset({"phone_number"}),
        auto_verified=frozenset({"phone_number"}),
    )
    assert reason(phone, cognito__username="jane") == USERNAME_NOT_PHONE
    result = user(phone, cognito__username="+12345550100", phone_number_verified="true")
    assert result.unique_values == {"phone_number": "+12345550100"}
    both = pool(username_attributes=frozenset({"email", "phone_number"}))
    assert reason(both, cognito__username="jane") == USERNAME_NOT_EMAIL_OR_PHONE
    assert user(both, cognito__username="+12345550100").attributes["phone_number"] == (
        "+12345550100"
    )


CUSTOM_POOL = pool(schema=STANDARD_ATTRIBUTES + CUSTOM)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"custom__code": "ab"}, "The value of custom:code is shorter than 3 characters."),
        ({"custom__code": "abcdef"}, "The value of custom:code is longer than 5 characters."),
        ({"custom__age": "17"}, "The value of custom:age must be at least 18."),
        ({"custom__age": "121"}, "The value of custom:age must be at most 120."),
        ({"custom__age": "x"}, "Invalid value for custom:age: must be an integer."),
        ({"custom__vip": "1"}, "Invalid value for custom:vip: must be true or false."),
        (
            {"custom__joined": "yesterday"},
            "Invalid value for custom:joined: must be an ISO 8601 date-time.",
        ),
    ],
)
def test_custom_attribute_failures(cells: dict[str, str], expected: str) -> None:
    assert reason(CUSTOM_POOL, **cells) == expected


def test_custom_attributes_that_pass() -> None:
    result = user(
        CUSTOM_POOL,
        custom__code="abc",
        custom__age="18",
        custom__vip="TRUE",
        custom__joined="2020-01-02T03:04:05+00:00",
    )
    assert {k: v for k, v in result.attributes.items() if k.startswith("custom:")} == {
        "custom:code": "abc",
        "custom:age": "18",
        "custom:vip": "true",
        "custom:joined": "2020-01-02T03:04:05+00:00",
    }


def test_required_attributes() -> None:
    schema = tuple(
        dataclasses.replace(a, required=True) if a.name == "given_name" else a
        for a in STANDARD_ATTRIBUTES
    )
    config = pool(schema=schema)
    assert reason(config) == "The required attribute given_name is empty."
    assert isinstance(outcome(config, given_name="Jane"), RowUser)


def test_attribute_problems_for_the_api() -> None:
    schema = tuple(
        dataclasses.replace(a, required=True) if a.name == "email" else a
        for a in STANDARD_ATTRIBUTES + CUSTOM
    )
    config = pool(schema=schema)
    assert attribute_problems(config, {"email": "a@b.io", "birthdate": "1985-02-01"}) == []
    assert attribute_problems(
        config,
        {
            "email": "bad",
            "birthdate": "02/01/1985",
            "custom:age": "5",
            "sub": "x",
            "nope": "x",
            "email_verified": "maybe",
            "name": "",
        },
    ) == [
        INVALID_EMAIL,
        "Invalid value for birthdate: must be a real date in the format YYYY-MM-DD.",
        "The value of custom:age must be at least 18.",
        "The attribute sub cannot be set.",
        "The attribute nope is not in the schema of this user pool.",
        "Invalid value for email_verified: must be true or false.",
    ]
    assert attribute_problems(config, {"name": "x"}) == ["The required attribute email is empty."]
    assert attribute_problems(config, {"name": "x"}, check_required=False) == []
