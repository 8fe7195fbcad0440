"""Cognito's row rules end to end: a line of CSV in, its outcome and exact log line out.

Each case runs a real import job on its own pool of one shared server per database
and reads the result back the way a user would: Describe for the counts, GetLogEvents
for the log, ListUsers/AdminGetUser for the pool. Reasons that are AWS's documented
texts are spelled out literally; our own texts come from ``domain/rows.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import argon2
import bcrypt
import pytest

from cognito_import.domain.csvfile import too_long_reason
from cognito_import.domain.hashes import HASH_EMPTY, invalid_hash_reason
from cognito_import.domain.rows import (
    INVALID_EMAIL,
    MFA_MUST_BE_FALSE,
    MFA_MUST_BE_TRUE,
    USERNAME_EMPTY,
    USERNAME_IS_EMAIL,
    USERNAME_IS_PHONE,
    USERNAME_NOT_EMAIL,
    USERNAME_TOO_LONG,
    USERNAME_WHITESPACE,
    alias_taken_reason,
    bool_reason,
    required_reason,
)
from tests.conftest import make_client
from tests.engine.helpers import (
    DATABASES,
    attributes,
    create_pool,
    csv_header,
    csv_line,
    failed,
    job_log,
    run_import,
    shared_server,
    skipped,
    succeeded,
    user_row,
    usernames,
)
from tests.live import LiveServer

NO_AUTO_VERIFIED = (
    "[FAILED] Line Number 2 - The User Record does not set any of the auto verified "
    "attributes to true. (Example: email_verified to true)."
)
BAD_PHONE = "[FAILED] Line Number 2 - Invalid phone number format."
PHONE = "+14325551212"
BCRYPT_HASH = bcrypt.hashpw(b"Passw0rd!", bcrypt.gensalt(rounds=4)).decode()
ARGON2_HASH = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Passw0rd!")

MFA_ON = {"MfaConfiguration": "ON"}
MFA_OPTIONAL = {"MfaConfiguration": "OPTIONAL"}
CASE_INSENSITIVE = {"UsernameConfiguration": {"CaseSensitive": False}}
CASE_SENSITIVE = {"UsernameConfiguration": {"CaseSensitive": True}}
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

# Column values, or a function of the header that writes the line itself.
Row = Mapping[str, str] | Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class Case:
    id: str
    rows: tuple[Row, ...]
    log: tuple[str, ...]
    # Every user in the pool afterwards: username -> attributes (without sub), or None
    # where only presence matters.
    users: Mapping[str, Mapping[str, str] | None]
    pool: Mapping[str, Any] = field(default_factory=dict)
    job: Mapping[str, Any] = field(default_factory=dict)
    # Created with AdminCreateUser before the import: username -> attributes.
    existing: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    status: str = "RESET_REQUIRED"


def one_failure(id: str, row: Row, reason: str, **kw: Any) -> Case:
    """A single row that fails: nothing reaches the pool but what was there."""
    existing = kw.get("existing", {})
    return Case(id, (row,), (failed(2, reason),), dict.fromkeys(existing), **kw)


def mail(username: str) -> dict[str, str]:
    return {"email": f"{username.lower()}@example.com", "email_verified": "true"}


CASES = [
    Case("succeeds", (user_row("alice"),), (succeeded(2),), {"alice": mail("alice")}),
    Case(
        "booleans-read-back-lower-case",
        (
            user_row(
                "bob", email_verified="TRUE", phone_number=PHONE, phone_number_verified="False"
            ),
        ),
        (succeeded(2),),
        {"bob": {**mail("bob"), "phone_number": PHONE, "phone_number_verified": "false"}},
    ),
    Case(
        "values-trimmed-escaped-comma-birthdate",
        (user_row("carl", address="  1 Main St, Apt 2  ", birthdate="02/01/1985"),),
        (succeeded(2),),
        {"carl": {**mail("carl"), "birthdate": "1985-02-01", "address": "1 Main St, Apt 2"}},
    ),
    Case(
        "username-repeated-in-file",
        (user_row("alice"), user_row("alice", name="second")),
        (succeeded(2), skipped(3)),
        {"alice": mail("alice")},
    ),
    Case(
        "username-other-case-case-sensitive-pool",
        (user_row("Alice"), user_row("alice")),
        (succeeded(2), succeeded(3)),
        {"Alice": mail("alice"), "alice": mail("alice")},
        pool=CASE_SENSITIVE,
    ),
    Case(
        "username-other-case-case-insensitive-pool",
        (user_row("Alice"), user_row("alice")),
        (succeeded(2), skipped(3)),
        {"Alice": mail("alice")},
        pool=CASE_INSENSITIVE,
    ),
    Case(
        "username-already-in-pool",
        (user_row("alice", name="imported"),),
        (skipped(2),),
        {"alice": {"name": "from-api"}},
        existing={"alice": {"name": "from-api"}},
    ),
    Case(
        "username-in-pool-other-case-case-insensitive",
        (user_row("alice"),),
        (skipped(2),),
        {"Alice": None},
        pool=CASE_INSENSITIVE,
        existing={"Alice": {}},
    ),
    one_failure(
        "one-value-too-many",
        lambda header: csv_line(header, user_row("alice")) + ",extra",
        "The row has 22 values but the header has 21 columns.",
    ),
    one_failure(
        "values-missing",
        lambda header: "alice,alice@example.com,true",
        "The row has 3 values but the header has 21 columns.",
    ),
    Case(
        "escaped-comma-is-not-a-separator",
        (lambda header: csv_line(header, user_row("alice")) + "\\,tail",),
        (succeeded(2),),
        {"alice,tail": mail("alice")},
    ),
    one_failure("row-too-long", user_row("alice", address="x" * 16_000), too_long_reason(16_000)),
    one_failure(
        "value-too-long",
        user_row("alice", name="x" * 2049),
        "The value of name is longer than 2,048 characters.",
    ),
    Case("bad-phone", (user_row("alice", phone_number="555-0100"),), (BAD_PHONE,), {}),
    Case("phone-without-plus", (user_row("alice", phone_number="14325551212"),), (BAD_PHONE,), {}),
    one_failure("bad-email", user_row("alice", email="alice.example.com"), INVALID_EMAIL),
    one_failure(
        "bad-boolean", user_row("alice", email_verified="yes"), bool_reason("email_verified")
    ),
    one_failure(
        "bad-mfa-boolean",
        user_row("alice", cognito__mfa_enabled="1"),
        bool_reason("cognito:mfa_enabled"),
    ),
    one_failure(
        "mfa-empty-pool-optional",
        user_row("alice", cognito__mfa_enabled=""),
        bool_reason("cognito:mfa_enabled"),
        pool=MFA_OPTIONAL,
    ),
    one_failure(
        "mfa-true-pool-off", user_row("alice", cognito__mfa_enabled="true"), MFA_MUST_BE_FALSE
    ),
    one_failure(
        "mfa-false-pool-on",
        user_row("alice", cognito__mfa_enabled="false"),
        MFA_MUST_BE_TRUE,
        pool=MFA_ON,
    ),
    Case(
        "mfa-true-pool-on",
        (user_row("alice", cognito__mfa_enabled="TRUE"),),
        (succeeded(2),),
        {"alice": mail("alice")},
        pool=MFA_ON,
    ),
    Case(
        "mfa-either-pool-optional",
        (user_row("alice", cognito__mfa_enabled="true"), user_row("bob")),
        (succeeded(2), succeeded(3)),
        {"alice": mail("alice"), "bob": mail("bob")},
        pool=MFA_OPTIONAL,
    ),
    one_failure("username-with-space", user_row("al ice"), USERNAME_WHITESPACE),
    one_failure("username-with-tab", user_row("al\tice"), USERNAME_WHITESPACE),
    one_failure("username-empty", user_row(""), USERNAME_EMPTY),
    one_failure("username-too-long", user_row("u" * 129), USERNAME_TOO_LONG),
    Case("username-of-128", (user_row("u" * 128),), (succeeded(2),), {"u" * 128: None}),
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
    one_failure(
        "updated-at-not-a-number",
        user_row("alice", updated_at="yesterday"),
        "Invalid value for updated_at: must be an integer.",
    ),
    one_failure(
        "birthdate-iso-form",
        user_row("alice", birthdate="1985-02-01"),
        "Invalid value for birthdate: must be a real date in the format mm/dd/yyyy.",
    ),
    one_failure(
        "birthdate-not-a-date",
        user_row("alice", birthdate="02/30/1985"),
        "Invalid value for birthdate: must be a real date in the format mm/dd/yyyy.",
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


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with shared_server(request.param, tmp_path_factory.mktemp("rules")) as server:
        yield server


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_row_rule(live: LiveServer, case: Case) -> None:
    cognito = make_client(live)
    logs = make_client(live, "logs")
    pool_id = create_pool(cognito, f"rules-{case.id}"[:128], **case.pool)
    for username, attrs in case.existing.items():
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
            MessageAction="SUPPRESS",
        )
    header = csv_header(cognito, pool_id)
    if case.job:
        header.append("cognito:password_hash")
    lines = [line(header) if callable(line) else csv_line(header, line) for line in case.rows]
    data = "\n".join([",".join(header), *lines, ""]).encode()

    job = run_import(cognito, pool_id, data, name=f"job-{case.id}"[:128], **case.job)

    assert job_log(cognito, logs, pool_id, job) == list(case.log)
    outcomes = [message.split("]")[0][1:] for message in case.log]
    imported, skipped_, failed_ = (outcomes.count(o) for o in ("SUCCEEDED", "SKIPPED", "FAILED"))
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (
        imported,
        skipped_,
        failed_,
    )
    # A single skip or failure is more than half of these small files.
    expected_status = "Succeeded" if imported * 2 >= len(outcomes) else "Failed"
    assert job["Status"] == expected_status
    assert usernames(cognito, pool_id) == sorted(case.users)
    for username, expected in case.users.items():
        if expected is None:
            continue
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        got = attributes(user)
        sub = got.pop("sub")
        assert len(sub) == 36
        assert got == expected
        if username not in case.existing:
            assert (user["UserStatus"], user["Enabled"]) == (case.status, True)
