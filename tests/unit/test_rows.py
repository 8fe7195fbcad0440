from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from cognito_import.domain.attributes import (
    BOOLEAN,
    DATETIME,
    NUMBER,
    STANDARD_ATTRIBUTES,
    STRING,
    AttributeDef,
)
from cognito_import.domain.csvfile import CsvFileError
from cognito_import.domain.hashes import BCRYPT, hash_password
from cognito_import.domain.pools import MFA_ON, MFA_OPTIONAL, PoolConfig
from cognito_import.domain.rows import (
    INVALID_EMAIL,
    INVALID_PHONE,
    MFA_MUST_BE_FALSE,
    MFA_MUST_BE_TRUE,
    NO_AUTO_VERIFIED,
    POOL_WITHOUT_AUTO_VERIFIED,
    SKIPPED_EXISTS,
    USERNAME_EMPTY,
    USERNAME_IS_EMAIL,
    USERNAME_IS_PHONE,
    USERNAME_NOT_EMAIL,
    USERNAME_NOT_EMAIL_OR_PHONE,
    USERNAME_NOT_PHONE,
    USERNAME_TOO_LONG,
    USERNAME_WHITESPACE,
    RowUser,
    alias_taken_reason,
    attribute_problems,
    check_row,
    plan_header,
)

CUSTOM = (
    AttributeDef("custom:code", STRING, min_length=3, max_length=5),
    AttributeDef("custom:age", NUMBER, min_value=18, max_value=120),
    AttributeDef("custom:vip", BOOLEAN),
    AttributeDef("custom:joined", DATETIME),
)
DEFAULT = PoolConfig(schema=STANDARD_ATTRIBUTES, auto_verified=frozenset({"email"}))
BASE = {
    "cognito:username": "jane",
    "email": "jane@example.com",
    "email_verified": "true",
    "cognito:mfa_enabled": "false",
}


def pool(**changes: Any) -> PoolConfig:
    return dataclasses.replace(DEFAULT, **changes)


def outcome(config: PoolConfig, header: list[str] | None = None, /, **cells: str) -> RowUser | str:
    """Check one row given as column -> value (``__`` in a keyword stands for ``:``)."""
    columns = header if header is not None else config.csv_header()
    given = {**BASE, **{k.replace("__", ":"): v for k, v in cells.items()}}
    plan = plan_header(columns, config, None)
    return check_row(plan, [given.get(c, "") for c in columns])


def user(config: PoolConfig = DEFAULT, /, **cells: str) -> RowUser:
    result = outcome(config, None, **cells)
    assert isinstance(result, RowUser), result
    return result


def reason(config: PoolConfig = DEFAULT, /, **cells: str) -> str:
    result = outcome(config, None, **cells)
    assert isinstance(result, str), result
    return result


def test_a_minimal_row() -> None:
    assert user() == RowUser(
        username="jane",
        username_key="jane",
        attributes={"email": "jane@example.com", "email_verified": "true"},
        unique_values={},
        password_hash=None,
        mfa_enabled=False,
    )


def test_a_full_row_is_normalised() -> None:
    result = user(
        name="Jane Roe",
        email_verified="TRUE",
        phone_number="+12345550100",
        phone_number_verified="False",
        birthdate="02/01/1985",
        updated_at="1471453471",
        address="123 Any Street, Springfield",
        cognito__mfa_enabled="FALSE",
    )
    assert result.attributes == {
        "name": "Jane Roe",
        "email": "jane@example.com",
        "email_verified": "true",
        "birthdate": "1985-02-01",
        "phone_number": "+12345550100",
        "phone_number_verified": "false",
        "address": "123 Any Street, Springfield",
        "updated_at": "1471453471",
    }


def test_wrong_value_count() -> None:
    plan = plan_header(DEFAULT.csv_header(), DEFAULT, None)
    assert check_row(plan, [""] * 20) == "The row has 20 values but the header has 21 columns."
    assert check_row(plan, [""] * 22) == "The row has 22 values but the header has 21 columns."
    assert check_row(plan, [""]) == "The row has 1 value but the header has 21 columns."


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("", USERNAME_EMPTY),
        ("jane roe", USERNAME_WHITESPACE),
        ("jane\troe", USERNAME_WHITESPACE),
        ("jane\u00a0roe", USERNAME_WHITESPACE),
        ("jane\u200broe", USERNAME_WHITESPACE),
        ("jane\x07", USERNAME_WHITESPACE),
        ("j" * 129, USERNAME_TOO_LONG),
        ("j" * 128, None),
        ("jöhn_日本-😀.+@x", None),
        ("jane@example.com", None),
        ("+12345550100", None),
    ],
)
def test_username(username: str, expected: str | None) -> None:
    result = outcome(DEFAULT, cognito__username=username)
    if expected is None:
        assert isinstance(result, RowUser)
        assert result.username == username
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"email_verified": "yes"}, "Invalid value for email_verified: must be true or false."),
        ({"email_verified": "1"}, "Invalid value for email_verified: must be true or false."),
        (
            {"phone_number_verified": "no"},
            "Invalid value for phone_number_verified: must be true or false.",
        ),
        ({"email_verified": "false"}, NO_AUTO_VERIFIED),
        ({"email_verified": ""}, NO_AUTO_VERIFIED),
        ({"email": "", "email_verified": "true"}, "email_verified is true but email is empty."),
        (
            {"phone_number_verified": "true"},
            "phone_number_verified is true but phone_number is empty.",
        ),
        ({"phone_number": "12345550100"}, INVALID_PHONE),
        ({"phone_number": "+1 2345550100"}, INVALID_PHONE),
        ({"phone_number": "+123"}, INVALID_PHONE),
        ({"phone_number": "+1234567890123456"}, INVALID_PHONE),
        ({"phone_number": "+١٢٣٤٥"}, INVALID_PHONE),
        ({"email": "jane"}, INVALID_EMAIL),
        ({"email": "jane@"}, INVALID_EMAIL),
        ({"email": "@example.com"}, INVALID_EMAIL),
        ({"email": "a@b@example.com"}, INVALID_EMAIL),
        ({"email": "jane roe@example.com"}, INVALID_EMAIL),
        (
            {"birthdate": "1985-02-01"},
            "Invalid value for birthdate: must be a real date in the format mm/dd/yyyy.",
        ),
        (
            {"birthdate": "02/30/1985"},
            "Invalid value for birthdate: must be a real date in the format mm/dd/yyyy.",
        ),
        (
            {"birthdate": "2/1/1985"},
            "Invalid value for birthdate: must be a real date in the format mm/dd/yyyy.",
        ),
        ({"updated_at": "-1"}, "The value of updated_at must be at least 0."),
        ({"updated_at": "12.5"}, "Invalid value for updated_at: must be an integer."),
        ({"updated_at": "1_000"}, "Invalid value for updated_at: must be an integer."),
        ({"updated_at": "9" * 5000}, "Invalid value for updated_at: must be an integer."),
        ({"given_name": "x" * 2049}, "The value of given_name is longer than 2,048 characters."),
        (
            {"cognito__mfa_enabled": ""},
            "Invalid value for cognito:mfa_enabled: must be true or false.",
        ),
        (
            {"cognito__mfa_enabled": "no"},
            "Invalid value for cognito:mfa_enabled: must be true or false.",
        ),
        ({"cognito__mfa_enabled": "true"}, MFA_MUST_BE_FALSE),
    ],
)
def test_row_failures_in_the_default_pool(cells: dict[str, str], expected: str) -> None:
    assert reason(DEFAULT, **cells) == expected


@pytest.mark.parametrize(
    "cells",
    [
        {"phone_number": "+1234"},
        {"phone_number": "+123456789012345"},
        {"email": "Jane.Roe+tag@sub.example.co.uk"},
        {"birthdate": "02/29/2000"},
        {"updated_at": "0"},
        {"given_name": "x" * 2048},
        {"email_verified": "tRuE"},
        {"phone_number_verified": "true", "phone_number": "+12345550100"},
    ],
)
def test_row_edges_that_pass(cells: dict[str, str]) -> None:
    assert isinstance(outcome(DEFAULT, None, **cells), RowUser)


def test_checks_run_in_order() -> None:
    # username before schema, schema before verification, verification before MFA.
    assert reason(cognito__username="a b", email="bad") == USERNAME_WHITESPACE
    assert reason(email="bad", email_verified="false") == INVALID_EMAIL
    assert reason(email_verified="false", cognito__mfa_enabled="x") == NO_AUTO_VERIFIED


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


def test_column_order_does_not_matter() -> None:
    header = DEFAULT.csv_header()
    shuffled = header[:]
    random.Random(7).shuffle(shuffled)
    cells = {"phone_number": "+12345550100", "given_name": "Jane"}
    assert outcome(DEFAULT, shuffled, **cells) == outcome(DEFAULT, header, **cells)


def test_password_hash_column() -> None:
    header = [*DEFAULT.csv_header(), "cognito:password_hash"]
    plan = plan_header(header, DEFAULT, BCRYPT)
    row = {**BASE, "cognito:password_hash": hash_password(BCRYPT, "pw", fast=True)}
    result = check_row(plan, [row.get(c, "") for c in header])
    assert isinstance(result, RowUser)
    assert result.password_hash == row["cognito:password_hash"]
    row["cognito:password_hash"] = ""
    assert check_row(plan, [row.get(c, "") for c in header]) == (
        "The cognito:password_hash value is empty."
    )
    row["cognito:password_hash"] = "$2b$04$short"
    assert check_row(plan, [row.get(c, "") for c in header]) == (
        "The cognito:password_hash value is not a valid BCRYPT hash."
    )


def header_error(
    columns: list[str], config: PoolConfig = DEFAULT, algorithm: str | None = None
) -> str:
    with pytest.raises(CsvFileError) as caught:
        plan_header(columns, config, algorithm)
    return caught.value.message


MINIMAL = ["cognito:username", "email", "email_verified", "cognito:mfa_enabled"]


def test_header_errors() -> None:
    assert header_error(["email", "email_verified", "cognito:mfa_enabled"]) == (
        "The CSV header is missing the required column cognito:username."
    )
    assert header_error(["email", "email_verified"]) == (
        "The CSV header is missing the required columns cognito:username, cognito:mfa_enabled."
    )
    assert header_error([*MINIMAL, "foo"]) == (
        "The CSV header has a column that is not an attribute of this user pool: foo."
    )
    assert header_error([*MINIMAL, "sub", "Email", "custom:x"]) == (
        "The CSV header has columns that are not attributes of this user pool: "
        "sub, Email, custom:x."
    )
    many = [f"x{i}" for i in range(7)]
    assert header_error([*MINIMAL, *many, "y" * 50]) == (
        "The CSV header has columns that are not attributes of this user pool: "
        "x0, x1, x2, x3, x4 and 3 more."
    )
    assert header_error([*MINIMAL, "z" * 50]) == (
        "The CSV header has a column that is not an attribute of this user pool: "
        + "z" * 39
        + "\u2026."
    )
    assert header_error([*MINIMAL, "email"]) == (
        "The CSV header has the column email more than once."
    )
    assert header_error([*MINIMAL, "", "name"]) == (
        "The CSV header has an empty column name (column 5)."
    )


def test_header_errors_about_the_pool() -> None:
    assert header_error(MINIMAL, pool(auto_verified=frozenset())) == POOL_WITHOUT_AUTO_VERIFIED
    assert header_error(["cognito:username", "email", "cognito:mfa_enabled"]) == (
        "The CSV header must have the columns email and email_verified: "
        "every row must set an auto-verified attribute to true."
    )
    both = pool(auto_verified=frozenset({"email", "phone_number"}))
    assert header_error(["cognito:username", "cognito:mfa_enabled", "name"], both) == (
        "The CSV header must have the columns email and email_verified or phone_number and "
        "phone_number_verified: every row must set an auto-verified attribute to true."
    )
    required = tuple(
        dataclasses.replace(a, required=True) if a.name in ("name", "locale") else a
        for a in STANDARD_ATTRIBUTES
    )
    assert header_error(MINIMAL, pool(schema=required)) == (
        "The CSV header is missing the columns for the required attributes name, locale."
    )


def test_header_errors_about_password_hashes() -> None:
    assert header_error(MINIMAL, algorithm=BCRYPT) == (
        "The CSV header is missing the column cognito:password_hash, "
        "needed for the job's PasswordHashingAlgorithm BCRYPT."
    )
    assert header_error([*MINIMAL, "cognito:password_hash"]) == (
        "The CSV header has the column cognito:password_hash, "
        "but the import job has no PasswordHashingAlgorithm."
    )
    with pytest.raises(ValueError, match="MD5"):
        plan_header(MINIMAL, DEFAULT, "MD5")


def test_a_header_with_only_some_attributes() -> None:
    plan = plan_header(MINIMAL, DEFAULT, None)
    assert isinstance(check_row(plan, ["jane", "jane@example.com", "true", "false"]), RowUser)


def test_reason_constants() -> None:
    assert SKIPPED_EXISTS == "The user already exists."
    assert alias_taken_reason("email") == "An account with the given email already exists."
    assert alias_taken_reason("phone_number") == (
        "An account with the given phone_number already exists."
    )


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
