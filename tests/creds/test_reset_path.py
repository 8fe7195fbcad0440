"""ForgotPassword, ConfirmForgotPassword and AdminResetUserPassword over boto3 (the first
two unsigned, as apps call them): masked delivery details, codes that expire, are used
once and count wrong attempts, and refusals that change nothing."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from cognito_import.domain.codes import CODE_LIFETIME, MAX_ATTEMPTS
from tests.api import refused
from tests.creds.helpers import (
    GOOD,
    OTHER_GOOD,
    last_code,
    make_pool,
    make_user,
    outbox,
    password_works,
    snapshot,
    unsigned_client,
)
from tests.live import LiveServer

MISMATCH = ("CodeMismatchException", 400, "Invalid verification code provided, please try again.")
EXPIRED = ("ExpiredCodeException", 400, "Invalid code provided, please request a code again.")
NO_DESTINATION = (
    "InvalidParameterException",
    400,
    "Cannot reset password for the user as there is no registered/verified email or phone_number",
)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _confirmed_user(
    cognito: Any, pool_id: str, username: str = "jane", verified: bool = True, **extra: str
) -> None:
    make_user(cognito, pool_id, username, verified, **extra)
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=GOOD, Permanent=True
    )


def test_forgot_then_confirm(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    answer = app.forgot_password(ClientId=s.client_id, Username="jane")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "j***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = outbox(server, s.pool_id)
    code = message["Code"]
    assert len(code) == 6 and code.isdigit()
    assert message["Body"] == f"Your verification code is {code}."
    assert (message["Kind"], message["Destination"]) == ("FORGOT_PASSWORD", "jane@example.com")
    app.confirm_forgot_password(
        ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password=OTHER_GOOD
    )
    assert password_works(server, s.pool_id, OTHER_GOOD)
    assert not password_works(server, s.pool_id, GOOD)
    user = cognito.admin_get_user(UserPoolId=s.pool_id, Username="jane")
    assert user["UserStatus"] == "CONFIRMED"
    # Single use.
    before = snapshot(server, s.pool_id)
    assert (
        refused(
            lambda: app.confirm_forgot_password(
                ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password=GOOD
            )
        )
        == EXPIRED
    )
    assert snapshot(server, s.pool_id) == before


def test_an_imported_reset_required_user_resets(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id)
    cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="jane")
    user = cognito.admin_get_user(UserPoolId=s.pool_id, Username="jane")
    assert user["UserStatus"] == "RESET_REQUIRED"
    [message] = outbox(server, s.pool_id)
    assert message["Kind"] == "ADMIN_RESET_PASSWORD"
    # The app's path for a RESET_REQUIRED user: ForgotPassword's code replaces the first.
    app = unsigned_client(server)
    app.forgot_password(ClientId=s.client_id, Username="jane")
    first, second = (m["Code"] for m in outbox(server, s.pool_id))
    if first != second:
        assert (
            refused(
                lambda: app.confirm_forgot_password(
                    ClientId=s.client_id, Username="jane", ConfirmationCode=first, Password=GOOD
                )
            )
            == MISMATCH
        )
    app.confirm_forgot_password(
        ClientId=s.client_id, Username="jane", ConfirmationCode=second, Password=GOOD
    )
    assert password_works(server, s.pool_id, GOOD)
    assert cognito.admin_get_user(UserPoolId=s.pool_id, Username="jane")["UserStatus"] == (
        "CONFIRMED"
    )


def test_admin_reset_deactivates_the_password(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="jane")
    assert not password_works(server, s.pool_id, GOOD)
    code = last_code(server, s.pool_id)
    unsigned_client(server).confirm_forgot_password(
        ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password=OTHER_GOOD
    )
    assert password_works(server, s.pool_id, OTHER_GOOD)


def test_a_wrong_code_counts_and_the_limit_spends_it(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    app.forgot_password(ClientId=s.client_id, Username="jane")
    code = last_code(server, s.pool_id)

    def confirm(given: str) -> Any:
        return app.confirm_forgot_password(
            ClientId=s.client_id, Username="jane", ConfirmationCode=given, Password=OTHER_GOOD
        )

    users_before = snapshot(server, s.pool_id)[0]
    for _ in range(MAX_ATTEMPTS):
        assert refused(lambda: confirm(_wrong(code))) == MISMATCH
    # Spent: even the right code is refused now, and the password did not change.
    limit = ("LimitExceededException", 400, "Attempt limit exceeded, please try after some time.")
    assert refused(lambda: confirm(code)) == limit
    assert snapshot(server, s.pool_id)[0] == users_before
    assert password_works(server, s.pool_id, GOOD)
    # A new code starts again.
    app.forgot_password(ClientId=s.client_id, Username="jane")
    confirm(last_code(server, s.pool_id))
    assert password_works(server, s.pool_id, OTHER_GOOD)


def test_a_code_expires(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    app.forgot_password(ClientId=s.client_id, Username="jane")
    code = last_code(server, s.pool_id)
    server.clock.advance(CODE_LIFETIME + 1)
    before = snapshot(server, s.pool_id)
    assert (
        refused(
            lambda: app.confirm_forgot_password(
                ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password=OTHER_GOOD
            )
        )
        == EXPIRED
    )
    assert snapshot(server, s.pool_id) == before


def test_the_new_password_meets_the_policy_and_the_code_survives(
    server: LiveServer, cognito: Any
) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    app.forgot_password(ClientId=s.client_id, Username="jane")
    code = last_code(server, s.pool_id)
    before = snapshot(server, s.pool_id)
    assert refused(
        lambda: app.confirm_forgot_password(
            ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password="weakpassword"
        )
    ) == (
        "InvalidPasswordException",
        400,
        "Password does not conform to policy: Password must have uppercase characters",
    )
    assert snapshot(server, s.pool_id) == before
    app.confirm_forgot_password(
        ClientId=s.client_id, Username="jane", ConfirmationCode=code, Password=OTHER_GOOD
    )


def test_refusals_of_forgot_password_change_nothing(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    _confirmed_user(cognito, s.pool_id)
    _confirmed_user(cognito, s.pool_id, "unverified", verified=False)
    make_user(cognito, s.pool_id, "invited")  # FORCE_CHANGE_PASSWORD
    _confirmed_user(cognito, s.pool_id, "disabled")
    cognito.admin_disable_user(UserPoolId=s.pool_id, Username="disabled")
    app = unsigned_client(server)
    before = snapshot(server, s.pool_id)
    cases = [
        ("nobody", ("UserNotFoundException", 400, "User does not exist.")),
        ("unverified", NO_DESTINATION),
        (
            "invited",
            ("NotAuthorizedException", 400, "User password cannot be reset in the current state."),
        ),
        ("disabled", ("NotAuthorizedException", 400, "User is disabled.")),
    ]
    for username, error in cases:
        call = partial(app.forgot_password, ClientId=s.client_id, Username=username)
        assert refused(call) == error
    unknown = refused(lambda: app.forgot_password(ClientId="a" * 26, Username="jane"))
    assert unknown == (
        "ResourceNotFoundException",
        400,
        f"User pool client {'a' * 26} does not exist.",
    )
    assert snapshot(server, s.pool_id) == before


def test_admin_reset_needs_a_verified_destination(server: LiveServer, cognito: Any) -> None:
    s = make_pool(cognito)
    make_user(cognito, s.pool_id, verified=False)
    before = snapshot(server, s.pool_id)
    assert (
        refused(lambda: cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="jane"))
        == NO_DESTINATION
    )
    assert refused(
        lambda: cognito.admin_reset_user_password(UserPoolId=s.pool_id, Username="nobody")
    ) == ("UserNotFoundException", 400, "User does not exist.")
    assert snapshot(server, s.pool_id) == before


def test_a_client_with_a_secret_needs_the_secret_hash(server: LiveServer, cognito: Any) -> None:
    from cognito_import.api.clients import secret_hash

    s = make_pool(cognito, GenerateSecret=True)
    secret = cognito.describe_user_pool_client(UserPoolId=s.pool_id, ClientId=s.client_id)[
        "UserPoolClient"
    ]["ClientSecret"]
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    before = snapshot(server, s.pool_id)
    assert refused(lambda: app.forgot_password(ClientId=s.client_id, Username="jane")) == (
        "NotAuthorizedException",
        400,
        f"Client {s.client_id} is configured for secret but secret was not received",
    )
    assert refused(
        lambda: app.forgot_password(ClientId=s.client_id, Username="jane", SecretHash="AAAA")
    ) == ("NotAuthorizedException", 400, f"Unable to verify secret hash for client {s.client_id}")
    assert snapshot(server, s.pool_id) == before
    good = secret_hash(secret, "jane", s.client_id)
    app.forgot_password(ClientId=s.client_id, Username="jane", SecretHash=good)
    app.confirm_forgot_password(
        ClientId=s.client_id,
        Username="jane",
        SecretHash=good,
        ConfirmationCode=last_code(server, s.pool_id),
        Password=OTHER_GOOD,
    )
    assert password_works(server, s.pool_id, OTHER_GOOD)


@pytest.mark.parametrize(
    ("username", "shown"), [("nobody", "n***@n***"), ("nobody@example.org", "n***@e***")]
)
def test_prevent_user_existence_errors_hides_unknown_users(
    server: LiveServer, cognito: Any, username: str, shown: str
) -> None:
    s = make_pool(cognito, PreventUserExistenceErrors="ENABLED")
    _confirmed_user(cognito, s.pool_id)
    app = unsigned_client(server)
    before = snapshot(server, s.pool_id)
    answer = app.forgot_password(ClientId=s.client_id, Username=username)
    assert answer["CodeDeliveryDetails"] == {
        "Destination": shown,
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert (
        refused(
            lambda: app.confirm_forgot_password(
                ClientId=s.client_id, Username=username, ConfirmationCode="123456", Password=GOOD
            )
        )
        == MISMATCH
    )
    assert snapshot(server, s.pool_id) == before


def test_recovery_setting_and_phone_delivery(server: LiveServer, cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="phones",
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Name": "verified_phone_number", "Priority": 1},
                {"Name": "verified_email", "Priority": 2},
            ]
        },
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    _confirmed_user(cognito, pool_id, phone_number="+14325551212", phone_number_verified="true")
    answer = unsigned_client(server).forgot_password(ClientId=client_id, Username="jane")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "+*******1212",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    [message] = outbox(server, pool_id)
    assert (message["DeliveryMedium"], message["Destination"]) == ("SMS", "+14325551212")


def test_admin_only_recovery_refuses_forgot_password(server: LiveServer, cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="admins",
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]},
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    _confirmed_user(cognito, pool_id)
    before = snapshot(server, pool_id)
    assert refused(
        lambda: unsigned_client(server).forgot_password(ClientId=client_id, Username="jane")
    ) == ("NotAuthorizedException", 400, "Contact administrator to reset password.")
    assert snapshot(server, pool_id) == before
