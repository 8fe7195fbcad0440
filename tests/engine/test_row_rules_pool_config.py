"""Row rules the pool and the job configure: auto-verified attributes, aliases, username
attributes, custom and required attributes, and password hashes."""

from __future__ import annotations

import argon2
import bcrypt
import pytest

from cognito_import.domain.hashes import HASH_EMPTY, invalid_hash_reason
from cognito_import.domain.rows import (
    USERNAME_IS_EMAIL,
    USERNAME_IS_PHONE,
    USERNAME_NOT_EMAIL,
    alias_taken_reason,
    bool_reason,
    required_reason,
)
from tests.engine.helpers import failed, skipped, succeeded, user_row
from tests.engine.row_rules import (
    CASE_INSENSITIVE,
    CASE_SENSITIVE,
    PHONE,
    Case,
    mail,
    one_failure,
    run_case,
)
from tests.live import LiveServer

NO_AUTO_VERIFIED = (
    "[FAILED] Line Number 2 - The User Record does not set any of the auto verified "
    "attributes to true. (Example: email_verified to true)."
)
BCRYPT_HASH = bcrypt.hashpw(b"Passw0rd!", bcrypt.gensalt(rounds=4)).decode()
ARGON2_HASH = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Passw0rd!")

PHONE_VERIFIED = {"AutoVerifiedAttributes": ["phone_number"]}
BOTH_VERIFIED = {"AutoVerifiedAttributes": ["email", "phone_number"]}
EMAIL_ALIAS = {"AliasAttributes": ["email"]}
PHONE_ALIAS = {"AliasAttributes": ["phone_number"]}
EMAIL_USERNAME = {"UsernameAttributes": ["email"]}
CUSTOM = {
    "Schema": [
        {
            "Name": "age",
            "AttributeDataType": "Number",
            "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
        },
        {
            "Name": "code",
            "AttributeDataType": "String",
            "StringAttributeConstraints": {"MinLength": "3", "MaxLength": "5"},
        },
        {"Name": "flag", "AttributeDataType": "Boolean"},
    ]
}
REQUIRED_GIVEN_NAME = {
    "Schema": [{"Name": "given_name", "AttributeDataType": "String", "Required": True}]
}
BCRYPT = {"PasswordHashingAlgorithm": "BCRYPT"}
ARGON2ID = {"PasswordHashingAlgorithm": "ARGON2ID"}

CASES = [
    one_failure(
        "email-verified-without-email",
        user_row("alice", email=""),
        "email_verified is true but email is empty.",
    ),
    one_failure(
        "phone-verified-without-phone",
        user_row("alice", phone_number_verified="true"),
        "phone_number_verified is true but phone_number is empty.",
        pool=BOTH_VERIFIED,
    ),
    Case(
        "auto-verified-false", (user_row("alice", email_verified="false"),), (NO_AUTO_VERIFIED,), {}
    ),
    Case("auto-verified-empty", (user_row("alice", email_verified=""),), (NO_AUTO_VERIFIED,), {}),
    Case(
        "phone-auto-verified-needs-phone-verified",
        (user_row("alice", phone_number=PHONE, phone_number_verified="false"),),
        (NO_AUTO_VERIFIED,),
        {},
        pool=PHONE_VERIFIED,
    ),
    Case(
        "phone-auto-verified",
        (
            user_row(
                "alice", email_verified="false", phone_number=PHONE, phone_number_verified="true"
            ),
        ),
        (succeeded(2),),
        {
            "alice": {
                "email": "alice@example.com",
                "email_verified": "false",
                "phone_number": PHONE,
                "phone_number_verified": "true",
            }
        },
        pool=PHONE_VERIFIED,
    ),
    Case(
        "either-auto-verified-attribute",
        (
            user_row(
                "alice", email_verified="false", phone_number=PHONE, phone_number_verified="true"
            ),
        ),
        (succeeded(2),),
        {"alice": None},
        pool=BOTH_VERIFIED,
    ),
    one_failure(
        "alias-email-taken-in-pool",
        user_row("second", email="Taken@Example.COM"),
        alias_taken_reason("email"),
        pool=EMAIL_ALIAS,
        existing={"first": {"email": "taken@example.com"}},
    ),
    Case(
        "alias-email-taken-earlier-in-file",
        (user_row("first", email="same@example.com"), user_row("second", email="SAME@example.com")),
        (succeeded(2), failed(3, alias_taken_reason("email"))),
        {"first": {"email": "same@example.com", "email_verified": "true"}},
        pool=EMAIL_ALIAS,
    ),
    one_failure(
        "alias-email-username-is-an-email",
        user_row("alice@example.com"),
        USERNAME_IS_EMAIL,
        pool=EMAIL_ALIAS,
    ),
    one_failure(
        "alias-phone-username-is-a-phone-number",
        user_row(PHONE),
        USERNAME_IS_PHONE,
        pool=PHONE_ALIAS,
    ),
    Case(
        "alias-phone-taken-earlier-in-file",
        (user_row("first", phone_number=PHONE), user_row("second", phone_number=PHONE)),
        (succeeded(2), failed(3, alias_taken_reason("phone_number"))),
        {"first": {**mail("first"), "phone_number": PHONE}},
        pool=PHONE_ALIAS,
    ),
    Case(
        "alias-not-unique-without-alias",
        (user_row("first", email="same@example.com"), user_row("second", email="same@example.com")),
        (succeeded(2), succeeded(3)),
        {"first": None, "second": None},
    ),
    Case(
        "username-attribute-email-fills-email",
        (user_row("carol@example.com", email=""),),
        (succeeded(2),),
        {"carol@example.com": {"email": "carol@example.com", "email_verified": "true"}},
        pool=EMAIL_USERNAME,
    ),
    one_failure(
        "username-attribute-email-username-not-email",
        user_row("carol"),
        USERNAME_NOT_EMAIL,
        pool=EMAIL_USERNAME,
    ),
    one_failure(
        "username-attribute-email-differs",
        user_row("carol@example.com", email="other@example.com"),
        "The email value must equal cognito:username: it is this pool's username attribute.",
        pool=EMAIL_USERNAME,
    ),
    Case(
        "username-attribute-email-taken-earlier-in-file",
        (user_row("dave@example.com", email=""), user_row("DAVE@example.com", email="")),
        (succeeded(2), failed(3, alias_taken_reason("email"))),
        {"dave@example.com": None},
        pool={**EMAIL_USERNAME, **CASE_SENSITIVE},
    ),
    Case(
        "username-attribute-email-repeated-case-insensitive",
        (user_row("dave@example.com", email=""), user_row("DAVE@example.com", email="")),
        (succeeded(2), skipped(3)),
        {"dave@example.com": None},
        pool={**EMAIL_USERNAME, **CASE_INSENSITIVE},
    ),
    Case(
        "custom-attributes",
        (user_row("alice", custom__age="42", custom__code="abc", custom__flag="TRUE"),),
        (succeeded(2),),
        {
            "alice": {
                **mail("alice"),
                "custom:age": "42",
                "custom:code": "abc",
                "custom:flag": "true",
            }
        },
        pool=CUSTOM,
    ),
    one_failure(
        "custom-number-above-max",
        user_row("alice", custom__age="151"),
        "The value of custom:age must be at most 150.",
        pool=CUSTOM,
    ),
    one_failure(
        "custom-number-below-min",
        user_row("alice", custom__age="-1"),
        "The value of custom:age must be at least 0.",
        pool=CUSTOM,
    ),
    one_failure(
        "custom-number-not-a-number",
        user_row("alice", custom__age="4x"),
        "Invalid value for custom:age: must be an integer.",
        pool=CUSTOM,
    ),
    one_failure(
        "custom-string-too-short",
        user_row("alice", custom__code="ab"),
        "The value of custom:code is shorter than 3 characters.",
        pool=CUSTOM,
    ),
    one_failure(
        "custom-string-too-long",
        user_row("alice", custom__code="abcdef"),
        "The value of custom:code is longer than 5 characters.",
        pool=CUSTOM,
    ),
    one_failure(
        "custom-boolean",
        user_row("alice", custom__flag="y"),
        bool_reason("custom:flag"),
        pool=CUSTOM,
    ),
    one_failure(
        "required-attribute-empty",
        user_row("alice"),
        required_reason("given_name"),
        pool=REQUIRED_GIVEN_NAME,
    ),
    Case(
        "required-attribute-given",
        (user_row("alice", given_name="Alice"),),
        (succeeded(2),),
        {"alice": {"given_name": "Alice", **mail("alice")}},
        pool=REQUIRED_GIVEN_NAME,
    ),
    Case(
        "bcrypt-hash",
        (user_row("alice", cognito__password_hash=BCRYPT_HASH),),
        (succeeded(2),),
        {"alice": mail("alice")},
        job=BCRYPT,
        status="CONFIRMED",
    ),
    one_failure(
        "bcrypt-hash-malformed",
        user_row("alice", cognito__password_hash=BCRYPT_HASH[:-1]),
        invalid_hash_reason("BCRYPT"),
        job=BCRYPT,
    ),
    one_failure("hash-empty", user_row("alice", cognito__password_hash=""), HASH_EMPTY, job=BCRYPT),
    Case(
        "argon2id-hash",
        (user_row("alice", cognito__password_hash=ARGON2_HASH),),
        (succeeded(2),),
        {"alice": mail("alice")},
        job=ARGON2ID,
        status="CONFIRMED",
    ),
    one_failure(
        "hash-of-another-algorithm",
        user_row("alice", cognito__password_hash=BCRYPT_HASH),
        invalid_hash_reason("ARGON2ID"),
        job=ARGON2ID,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_row_rule(live: LiveServer, case: Case) -> None:
    run_case(live, case)
