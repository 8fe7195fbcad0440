"""User states at sign-in: disabled, FORCE_CHANGE_PASSWORD (NEW_PASSWORD_REQUIRED, also
after SRP), a password set by an admin or a reset, and the challenge sessions."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.exceptions import ForceChangePasswordException

from tests.api import refused
from tests.engine.helpers import create_pool
from tests.live import LiveServer
from tests.signin.helpers import PASSWORD, App, import_hashed, make_app, sign_in_state, unsigned
from tests.signin.test_sign_in import WRONG, password_auth, pycognito

TEMPORARY = "Temp-passw0rd!"
NEW = "Brand-new-passw0rd!"


@pytest.fixture
def app(cognito: Any) -> App:
    pool_id = create_pool(cognito, "states")
    import_hashed(cognito, pool_id, {"jane": PASSWORD, "reset": None})
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="newbie",
        TemporaryPassword=TEMPORARY,
        UserAttributes=[{"Name": "email", "Value": "newbie@example.com"}],
        MessageAction="SUPPRESS",
    )
    return make_app(cognito, pool_id)


def test_a_disabled_user_is_refused(server: LiveServer, cognito: Any, app: App) -> None:
    idp = unsigned(server)
    signed_in = password_auth(idp, app, "jane", PASSWORD)["AuthenticationResult"]
    cognito.admin_disable_user(UserPoolId=app.pool_id, Username="jane")
    before = sign_in_state(server)
    disabled = ("NotAuthorizedException", 400, "User is disabled.")
    assert refused(lambda: password_auth(idp, app, "jane", PASSWORD)) == disabled
    with pytest.raises(Exception) as caught:
        pycognito(server, app, "jane").authenticate(password=PASSWORD)
    assert "User is disabled." in str(caught.value)
    assert refused(lambda: idp.get_user(AccessToken=signed_in["AccessToken"])) == disabled
    assert (
        refused(
            lambda: idp.initiate_auth(
                ClientId=app.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": signed_in["RefreshToken"]},
            )
        )
        == disabled
    )
    assert sign_in_state(server) == before
    cognito.admin_enable_user(UserPoolId=app.pool_id, Username="jane")
    assert "AuthenticationResult" in password_auth(idp, app, "jane", PASSWORD)


def test_force_change_password_through_the_password_flow(server: LiveServer, app: App) -> None:
    idp = unsigned(server)
    assert refused(lambda: password_auth(idp, app, "newbie", "Wr0ng-password!")) == WRONG
    challenge = password_auth(idp, app, "newbie", TEMPORARY)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "newbie"
    before = sign_in_state(server)

    def respond(password: str, session: str = challenge["Session"]) -> Any:
        return idp.respond_to_auth_challenge(
            ClientId=app.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": password},
        )

    assert refused(lambda: respond("weak")) == (
        "InvalidPasswordException",
        400,
        "Password does not conform to policy: Password not long enough",
    )
    assert refused(lambda: respond(NEW, "x" * 40)) == (
        "NotAuthorizedException",
        400,
        "Invalid session for the user.",
    )
    assert sign_in_state(server) == before
    server.clock.advance(181)
    assert refused(lambda: respond(NEW)) == (
        "NotAuthorizedException",
        400,
        "Invalid session for the user, session is expired.",
    )
    server.clock.advance(-181)
    tokens = respond(NEW)["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "newbie"
    # A used session cannot set the password again: the user is CONFIRMED now.
    assert refused(lambda: respond("Another-passw0rd!"))[2] == "Invalid session for the user."
    pycognito(server, app, "newbie").authenticate(password=NEW)


def test_force_change_password_through_srp(server: LiveServer, cognito: Any, app: App) -> None:
    user = pycognito(server, app, "newbie")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(password=TEMPORARY)
    user.new_password_challenge(password=TEMPORARY, new_password=NEW)
    user.verify_tokens()
    described = cognito.admin_get_user(UserPoolId=app.pool_id, Username="newbie")
    assert described["UserStatus"] == "CONFIRMED"


@pytest.mark.parametrize("flow", ["password", "srp"])
def test_a_password_set_by_an_admin_works_in_both_flows(
    server: LiveServer, cognito: Any, app: App, flow: str
) -> None:
    # Set over an imported hash and over no credential at all (RESET_REQUIRED).
    for username in ("jane", "reset"):
        cognito.admin_set_user_password(
            UserPoolId=app.pool_id, Username=username, Password=NEW, Permanent=True
        )
        if flow == "srp":
            pycognito(server, app, username).authenticate(password=NEW)
        else:
            assert "AuthenticationResult" in password_auth(unsigned(server), app, username, NEW)


def test_the_reset_path_then_sign_in(server: LiveServer, cognito: Any, app: App) -> None:
    idp = unsigned(server)
    assert refused(lambda: password_auth(idp, app, "reset", NEW))[0] == (
        "PasswordResetRequiredException"
    )
    idp.forgot_password(ClientId=app.client_id, Username="reset")
    sent = server.rt.store.outbox.messages("111111111111", app.pool_id, "reset")
    code = sent[-1].message.code
    assert code
    idp.confirm_forgot_password(
        ClientId=app.client_id, Username="reset", ConfirmationCode=code, Password=NEW
    )
    pycognito(server, app, "reset").authenticate(password=NEW)
    assert "AuthenticationResult" in password_auth(idp, app, "reset", NEW)
