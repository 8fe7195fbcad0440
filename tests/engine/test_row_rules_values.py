"""Row rules, a row on its own: the CSV line's shape, usernames (their form, and a
username seen before in the file or in the pool), value formats and lengths, and MFA."""

from __future__ import annotations

import pytest

from cognito_import.domain.csvfile import too_long_reason
from cognito_import.domain.rows import (
    INVALID_EMAIL,
    MFA_MUST_BE_FALSE,
    MFA_MUST_BE_TRUE,
    USERNAME_EMPTY,
    USERNAME_TOO_LONG,
    USERNAME_WHITESPACE,
    bool_reason,
)
from tests.engine.helpers import csv_line, skipped, succeeded, user_row
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

BAD_PHONE = "[FAILED] Line Number 2 - Invalid phone number format."

MFA_ON = {"MfaConfiguration": "ON"}
MFA_OPTIONAL = {"MfaConfiguration": "OPTIONAL"}

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
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_row_rule(live: LiveServer, case: Case) -> None:
    run_case(live, case)
