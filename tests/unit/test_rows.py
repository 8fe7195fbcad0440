"""Checking one CSV row (``check_row``) in the default pool: usernames, value formats,
verification, the order of the checks, the column order and the password hash column."""

from __future__ import annotations

import random

import pytest

from cognito_import.domain.hashes import BCRYPT, hash_password
from cognito_import.domain.rows import (
    INVALID_EMAIL,
    INVALID_PHONE,
    MFA_MUST_BE_FALSE,
    NO_AUTO_VERIFIED,
    SKIPPED_EXISTS,
    USERNAME_EMPTY,
    USERNAME_TOO_LONG,
    USERNAME_WHITESPACE,
    RowUser,
    alias_taken_reason,
    check_row,
    plan_header,
)
from tests.unit.row_helpers import BASE, DEFAULT, outcome, reason, user


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


def test_reason_constants() -> None:
    assert SKIPPED_EXISTS == "The user already exists."
    assert alias_taken_reason("email") == "An account with the given email already exists."
    assert alias_taken_reason("phone_number") == (
        "An account with the given phone_number already exists."
    )
