"""Reading the CSV header (``plan_header``): missing, unknown, repeated and empty
columns, the columns the pool's settings and the job's password hashes need."""

from __future__ import annotations

import dataclasses

import pytest

from cognito_import.domain.attributes import STANDARD_ATTRIBUTES
from cognito_import.domain.csvfile import CsvFileError
from cognito_import.domain.hashes import BCRYPT
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import POOL_WITHOUT_AUTO_VERIFIED, RowUser, check_row, plan_header
from tests.unit.row_helpers import DEFAULT, pool


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
