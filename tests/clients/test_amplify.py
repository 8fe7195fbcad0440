"""aws-amplify v6 under Node, unmodified from npm, configured as the issue's user does
(``Amplify.configure({Auth: {Cognito: {userPoolId, userPoolClientId, userPoolEndpoint}}})``):
imported users of every PasswordHashingAlgorithm sign in with their old passwords, a
FORCE_CHANGE_PASSWORD user confirms a new one, sessions refresh and sign out, and a
RESET_REQUIRED user goes through Amplify's reset flow with the code from the outbox."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.clients.accounts import (
    ALGORITHMS,
    NEW_PASSWORD,
    OLD_PASSWORD,
    SignInPool,
    forged,
    import_users,
    make_hash,
    outbox_code,
    status,
    verified_claims,
)
from tests.clients.node import Driver
from tests.live import LiveServer

PASSWORD_AUTH = "USER_PASSWORD_AUTH"


def signed_in(amplify: Driver, username: str, password: str, flow: str | None = None) -> None:
    result = amplify.call("signIn", username=username, password=password, authFlowType=flow)
    assert result == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}


def session(amplify: Driver, force: bool = False) -> Any:
    tokens = amplify.call("fetchAuthSession", forceRefresh=force)
    assert tokens["accessToken"] is not None and tokens["idToken"] is not None, tokens
    return tokens


def error_name(amplify: Driver, op: str, **arguments: Any) -> tuple[str, str]:
    error = amplify.error(op, **arguments)
    return error["name"], error["message"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_imported_user_signs_in_with_the_old_password_then_srp(
    server: LiveServer, cognito: Any, app: SignInPool, amplify: Driver, algorithm: str
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash(algorithm, OLD_PASSWORD)}, algorithm)
    # Amplify's default, SRP, cannot check an imported hash: the README's answer is AWS's
    # wrong-password error until a first USER_PASSWORD_AUTH sign-in.
    srp_first = error_name(amplify, "signIn", username="jane", password=OLD_PASSWORD)
    assert srp_first == ("NotAuthorizedException", "Incorrect username or password.")
    wrong = error_name(
        amplify, "signIn", username="jane", password="Wrong-passw0rd!", authFlowType=PASSWORD_AUTH
    )
    assert wrong == ("NotAuthorizedException", "Incorrect username or password.")
    signed_in(amplify, "jane", OLD_PASSWORD, PASSWORD_AUTH)
    tokens = session(amplify)
    assert tokens["idToken"]["payload"]["cognito:username"] == "jane"
    assert tokens["accessToken"]["payload"]["iss"] == f"{server.url}/{app.pool_id}"
    assert amplify.call("getCurrentUser")["username"] == "jane"
    amplify.call("signOut")
    # SRP is Amplify's default flow; it works once the password sign-in stored a verifier.
    signed_in(amplify, "jane", OLD_PASSWORD)
    assert session(amplify)["userSub"] == tokens["userSub"]


def test_a_new_user_confirms_a_new_password(cognito: Any, app: SignInPool, amplify: Driver) -> None:
    cognito.admin_create_user(
        UserPoolId=app.pool_id,
        Username="sam",
        TemporaryPassword="Temp-passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "sam@example.com"}],
    )
    assert status(cognito, app.pool_id, "sam") == "FORCE_CHANGE_PASSWORD"
    step = amplify.call("signIn", username="sam", password="Temp-passw0rd!")
    assert step["isSignedIn"] is False
    assert step["nextStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    too_weak = error_name(amplify, "confirmSignIn", challengeResponse="short")
    assert too_weak[0] == "InvalidPasswordException"
    assert status(cognito, app.pool_id, "sam") == "FORCE_CHANGE_PASSWORD"
    step = amplify.call("signIn", username="sam", password="Temp-passw0rd!")
    done = amplify.call("confirmSignIn", challengeResponse=NEW_PASSWORD)
    assert done == {"isSignedIn": True, "nextStep": {"signInStep": "DONE"}}
    assert status(cognito, app.pool_id, "sam") == "CONFIRMED"
    amplify.call("signOut")
    signed_in(amplify, "sam", NEW_PASSWORD, PASSWORD_AUTH)


def test_refresh_and_sign_out(cognito: Any, app: SignInPool, amplify: Driver) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash("BCRYPT", OLD_PASSWORD)}, "BCRYPT")
    signed_in(amplify, "jane", OLD_PASSWORD, PASSWORD_AUTH)
    first = session(amplify)
    refreshed = session(amplify, force=True)
    assert refreshed["accessToken"]["payload"]["jti"] != first["accessToken"]["payload"]["jti"]
    assert refreshed["userSub"] == first["userSub"]
    refresh_token = amplify.call("storedRefreshToken")
    assert refresh_token

    # Local sign-out revokes the refresh token (RevokeToken; the client allows revocation).
    amplify.call("signOut")
    assert amplify.call("fetchAuthSession", forceRefresh=False)["accessToken"] is None
    with pytest.raises(ClientError) as revoked:
        cognito.initiate_auth(
            ClientId=app.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    assert revoked.value.response["Error"]["Code"] == "NotAuthorizedException"

    # Global sign-out ends the access token too (GlobalSignOut).
    signed_in(amplify, "jane", OLD_PASSWORD)
    access = session(amplify)["accessToken"]["jwt"]
    assert cognito.get_user(AccessToken=access)["Username"] == "jane"
    amplify.call("signOut", **{"global": True})
    with pytest.raises(ClientError) as ended:
        cognito.get_user(AccessToken=access)
    assert ended.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_reset_required_import_resets_with_the_code_from_the_outbox(
    server: LiveServer, cognito: Any, app: SignInPool, amplify: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": "", "joe": ""})  # no hashes: RESET_REQUIRED
    for flow in (None, PASSWORD_AUTH):
        step = amplify.call("signIn", username="jane", password="anything", authFlowType=flow)
        assert step == {"isSignedIn": False, "nextStep": {"signInStep": "RESET_PASSWORD"}}
    started = amplify.call("resetPassword", username="jane")
    assert started["isPasswordReset"] is False
    next_step = started["nextStep"]
    assert next_step["resetPasswordStep"] == "CONFIRM_RESET_PASSWORD_WITH_CODE"
    delivery = next_step["codeDeliveryDetails"]
    assert (delivery["deliveryMedium"], delivery["attributeName"]) == ("EMAIL", "email")
    assert "***" in delivery["destination"]
    code = outbox_code(server, app.pool_id, "jane")

    wrong_code = "000000" if code != "000000" else "111111"
    mismatch = error_name(
        amplify,
        "confirmResetPassword",
        username="jane",
        confirmationCode=wrong_code,
        newPassword=NEW_PASSWORD,
    )
    assert mismatch[0] == "CodeMismatchException"
    weak = error_name(
        amplify, "confirmResetPassword", username="jane", confirmationCode=code, newPassword="weak"
    )
    assert weak[0] == "InvalidPasswordException"
    assert status(cognito, app.pool_id, "jane") == "RESET_REQUIRED"
    amplify.call(
        "confirmResetPassword", username="jane", confirmationCode=code, newPassword=NEW_PASSWORD
    )
    assert status(cognito, app.pool_id, "jane") == "CONFIRMED"
    assert status(cognito, app.pool_id, "joe") == "RESET_REQUIRED"
    signed_in(amplify, "jane", NEW_PASSWORD)
    amplify.call("signOut")
    signed_in(amplify, "jane", NEW_PASSWORD, PASSWORD_AUTH)


def test_amplifys_tokens_verify_through_discovery_and_forgeries_do_not(
    server: LiveServer, cognito: Any, app: SignInPool, amplify: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash("ARGON2ID", OLD_PASSWORD)}, "ARGON2ID")
    signed_in(amplify, "jane", OLD_PASSWORD, PASSWORD_AUTH)
    tokens = session(amplify)
    ident = verified_claims(server, app.pool_id, tokens["idToken"]["jwt"], app.client_id)
    access = verified_claims(server, app.pool_id, tokens["accessToken"]["jwt"], app.client_id)
    assert ident["sub"] == access["sub"] == tokens["userSub"]
    assert (ident["token_use"], access["token_use"]) == ("id", "access")
    assert ident["cognito:username"] == access["username"] == "jane"
    assert ident["email"] == "jane@example.com"
    assert access["scope"] == "aws.cognito.signin.user.admin"
    for claim in ("auth_time", "exp", "iat", "jti", "origin_jti", "event_id"):
        assert claim in access, claim
    assert access["origin_jti"] == ident["origin_jti"]

    fake = forged(tokens["accessToken"]["jwt"], username="root", sub="0" * 36)
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(server, app.pool_id, fake, app.client_id)
    with pytest.raises(ClientError) as refused:
        cognito.get_user(AccessToken=fake)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=tokens["accessToken"]["jwt"])["Username"] == "jane"


def test_update_password_then_both_flows_take_only_the_new_one(
    cognito: Any, app: SignInPool, amplify: Driver
) -> None:
    import_users(cognito, app.pool_id, {"jane": make_hash("SCRYPT", OLD_PASSWORD)}, "SCRYPT")
    signed_in(amplify, "jane", OLD_PASSWORD, PASSWORD_AUTH)
    wrong = error_name(
        amplify, "updatePassword", oldPassword="Wrong-passw0rd!", newPassword=NEW_PASSWORD
    )
    assert wrong == ("NotAuthorizedException", "Incorrect username or password.")
    amplify.call("updatePassword", oldPassword=OLD_PASSWORD, newPassword=NEW_PASSWORD)
    amplify.call("signOut")
    for flow in (None, PASSWORD_AUTH):
        old = error_name(
            amplify, "signIn", username="jane", password=OLD_PASSWORD, authFlowType=flow
        )
        assert old == ("NotAuthorizedException", "Incorrect username or password.")
        signed_in(amplify, "jane", NEW_PASSWORD, flow)
        amplify.call("signOut")
