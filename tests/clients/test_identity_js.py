"""amazon-cognito-identity-js 6.3, unmodified from npm, against the server: imported
users sign in with their old passwords (every PasswordHashingAlgorithm), then SRP,
refresh, changePassword and the forgotPassword/confirmPassword reset with the code read
from the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.accounts import (
    ALGORITHMS,
    NEW_PASSWORD,
    OLD_PASSWORD,
    SignInPool,
    import_users,
    make_hash,
    outbox_code,
    sign_in_pool,
    status,
)
from tests.clients.node import Driver
from tests.live import LiveServer

INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def failure(error: dict[str, Any]) -> tuple[str | None, str | None]:
    return error["code"], error["message"]


def check_tokens(server: LiveServer, app: SignInPool, signed_in: Any, username: str) -> None:
    tokens = signed_in["tokens"]
    assert tokens["valid"] is True
    ident, access = tokens["idPayload"], tokens["accessPayload"]
    issuer = f"{server.url}/{app.pool_id}"
    assert (ident["iss"], access["iss"]) == (issuer, issuer)
    assert (ident["token_use"], access["token_use"]) == ("id", "access")
    assert ident["aud"] == access["client_id"] == app.client_id
    assert ident["cognito:username"] == access["username"] == username
    assert ident["sub"] == access["sub"]
    assert ident["email"] == f"{username}@example.com"
    assert access["exp"] > access["iat"]
    assert tokens["refreshToken"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_imported_user_signs_in_with_the_old_password_then_srp(
    server: LiveServer, cognito: Any, app: SignInPool, identity_js: Driver, algorithm: str
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash(algorithm, OLD_PASSWORD)}, algorithm)
    # SRP cannot check an imported hash (README): refused until a password sign-in.
    srp_first = identity_js.error("authenticate", username="jane", password=OLD_PASSWORD)
    assert failure(srp_first) == INCORRECT
    wrong = identity_js.error(
        "authenticate", username="jane", password="Wrong-passw0rd!", flow="USER_PASSWORD_AUTH"
    )
    assert failure(wrong) == INCORRECT
    first = identity_js.call(
        "authenticate", username="jane", password=OLD_PASSWORD, flow="USER_PASSWORD_AUTH"
    )
    check_tokens(server, app, first, "jane")
    # The first password sign-in left the server its own credential: SRP works from now on.
    srp = identity_js.call("authenticate", username="jane", password=OLD_PASSWORD)
    check_tokens(server, app, srp, "jane")
    wrong_srp = identity_js.error("authenticate", username="jane", password="Wrong-passw0rd!")
    assert failure(wrong_srp) == INCORRECT
    assert status(cognito, app.pool_id, "jane") == "CONFIRMED"


def test_refresh_and_change_password(
    server: LiveServer, cognito: Any, app: SignInPool, identity_js: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash("BCRYPT", OLD_PASSWORD)}, "BCRYPT")
    first = identity_js.call(
        "authenticate", username="jane", password=OLD_PASSWORD, flow="USER_PASSWORD_AUTH"
    )
    refreshed = identity_js.call("refresh", username="jane")
    check_tokens(server, app, refreshed, "jane")
    assert refreshed["tokens"]["accessPayload"]["jti"] != first["tokens"]["accessPayload"]["jti"]
    assert refreshed["tokens"]["idPayload"]["sub"] == first["tokens"]["idPayload"]["sub"]
    attributes = identity_js.call("getUserAttributes", username="jane")
    assert attributes["email"] == "jane@example.com"

    wrong_old = identity_js.error(
        "changePassword", username="jane", oldPassword="Wrong-passw0rd!", newPassword=NEW_PASSWORD
    )
    assert failure(wrong_old) == INCORRECT
    assert (
        identity_js.call(
            "changePassword", username="jane", oldPassword=OLD_PASSWORD, newPassword=NEW_PASSWORD
        )
        == "SUCCESS"
    )
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        old = identity_js.error("authenticate", username="jane", password=OLD_PASSWORD, flow=flow)
        assert failure(old) == INCORRECT
        check_tokens(
            server,
            app,
            identity_js.call("authenticate", username="jane", password=NEW_PASSWORD, flow=flow),
            "jane",
        )


def test_a_reset_required_user_resets_with_the_code_from_the_outbox(
    server: LiveServer, cognito: Any, app: SignInPool, identity_js: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": ""})  # no hash: RESET_REQUIRED
    assert status(cognito, app.pool_id, "jane") == "RESET_REQUIRED"
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        refused = identity_js.error("authenticate", username="jane", password="x", flow=flow)
        assert refused["code"] == "PasswordResetRequiredException"
    sent = identity_js.call("forgotPassword", username="jane")
    details = sent["CodeDeliveryDetails"]
    assert (details["DeliveryMedium"], details["AttributeName"]) == ("EMAIL", "email")
    assert "***" in details["Destination"]
    assert details["Destination"] != "jane@example.com"
    code = outbox_code(server, app.pool_id, "jane")
    wrong_code = "000000" if code != "000000" else "111111"
    mismatch = identity_js.error(
        "confirmPassword", username="jane", code=wrong_code, newPassword=NEW_PASSWORD
    )
    assert mismatch["code"] == "CodeMismatchException"
    assert status(cognito, app.pool_id, "jane") == "RESET_REQUIRED"
    identity_js.call("confirmPassword", username="jane", code=code, newPassword=NEW_PASSWORD)
    assert status(cognito, app.pool_id, "jane") == "CONFIRMED"
    # Single use: the same code again is refused.
    again = identity_js.error(
        "confirmPassword", username="jane", code=code, newPassword=OLD_PASSWORD
    )
    assert again["code"] in {"CodeMismatchException", "ExpiredCodeException"}
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        signed_in = identity_js.call(
            "authenticate", username="jane", password=NEW_PASSWORD, flow=flow
        )
        check_tokens(server, app, signed_in, "jane")


def test_disabled_and_unknown_users_are_refused(
    cognito: Any, app: SignInPool, identity_js: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash("BCRYPT", OLD_PASSWORD)}, "BCRYPT")
    cognito.admin_disable_user(UserPoolId=app.pool_id, Username="jane")
    for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        disabled = identity_js.error(
            "authenticate", username="jane", password=OLD_PASSWORD, flow=flow
        )
        assert failure(disabled) == ("NotAuthorizedException", "User is disabled.")
        unknown = identity_js.error(
            "authenticate", username="nobody", password=OLD_PASSWORD, flow=flow
        )
        assert unknown["code"] == "UserNotFoundException"
    cognito.admin_enable_user(UserPoolId=app.pool_id, Username="jane")
    identity_js.call(
        "authenticate", username="jane", password=OLD_PASSWORD, flow="USER_PASSWORD_AUTH"
    )


def test_a_new_user_completes_the_new_password_challenge(
    server: LiveServer, cognito: Any, app: SignInPool, identity_js: Driver
) -> None:
    cognito.admin_create_user(
        UserPoolId=app.pool_id,
        Username="sam",
        TemporaryPassword="Temp-passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "sam@example.com"}],
    )
    challenged = identity_js.call("authenticate", username="sam", password="Temp-passw0rd!")
    assert challenged["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert challenged["userAttributes"]["email"] == "sam@example.com"
    done = identity_js.call("completeNewPassword", username="sam", newPassword=NEW_PASSWORD)
    check_tokens(server, app, done, "sam")
    assert status(cognito, app.pool_id, "sam") == "CONFIRMED"
    old = identity_js.error("authenticate", username="sam", password="Temp-passw0rd!")
    assert failure(old) == INCORRECT


def test_a_client_that_prevents_user_existence_errors_hides_unknown_users(
    server: LiveServer, cognito: Any
) -> None:
    # API-created clients default to LEGACY (UserNotFoundException, above); ENABLED answers
    # an unknown user as a wrong password.
    app = sign_in_pool(cognito, PreventUserExistenceErrors="ENABLED")
    with Driver("identity_js.mjs", app.config(server)) as identity_js:
        for flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
            unknown = identity_js.error(
                "authenticate", username="nobody", password=OLD_PASSWORD, flow=flow
            )
            assert failure(unknown) == INCORRECT
