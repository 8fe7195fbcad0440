"""Imported users sign in: USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH with the
imported hash (then the server's own credential), SRP through pycognito, refresh, and
every refusal with AWS's error, changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from tests.api import error_of, refused
from tests.engine.helpers import create_pool
from tests.live import TEST_KEY, LiveServer
from tests.signin.helpers import PASSWORD, App, import_hashed, make_app, sign_in_state, unsigned

WRONG = ("NotAuthorizedException", 400, "Incorrect username or password.")


def pycognito(server: LiveServer, app: App, username: str) -> Cognito:
    return Cognito(
        app.pool_id,
        app.client_id,
        user_pool_region="us-east-1",
        username=username,
        client_secret=app.secret,
        access_key=TEST_KEY.key_id,
        secret_key=TEST_KEY.secret,
        boto3_client_kwargs={"endpoint_url": server.url},
    )


def password_auth(idp: Any, app: App, username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


@pytest.fixture
def app(cognito: Any) -> App:
    pool_id = create_pool(cognito, "signin")
    import_hashed(cognito, pool_id, {"jane": PASSWORD, "reset": None})
    return make_app(cognito, pool_id)


@pytest.mark.parametrize("algorithm", ["BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256"])
def test_an_imported_hash_signs_in_and_then_srp_works(
    server: LiveServer, cognito: Any, algorithm: str
) -> None:
    pool_id = create_pool(cognito, f"hash-{algorithm.lower()}")
    import_hashed(cognito, pool_id, {"jane": PASSWORD}, algorithm)
    app = make_app(cognito, pool_id)
    idp = unsigned(server)
    result = password_auth(idp, app, "jane", PASSWORD)["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(result)
    with server.rt.store.db.read() as tx:
        assert tx.one("SELECT hash_algorithm FROM users WHERE username = 'jane'") == ("SRP",)
    user = pycognito(server, app, "jane")
    user.authenticate(password=PASSWORD)
    user.verify_tokens()
    assert idp.get_user(AccessToken=user.access_token)["Username"] == "jane"
    # And the password still works without SRP, from the server's own credential.
    assert "AuthenticationResult" in password_auth(idp, app, "jane", PASSWORD)


def test_srp_before_the_first_password_sign_in_is_refused(server: LiveServer, app: App) -> None:
    before = sign_in_state(server)
    user = pycognito(server, app, "jane")
    with pytest.raises(ClientError) as caught:
        user.authenticate(password=PASSWORD)
    assert error_of(caught.value) == WRONG
    assert sign_in_state(server) == before


def test_srp_with_a_wrong_password_is_refused(server: LiveServer, app: App) -> None:
    password_auth(unsigned(server), app, "jane", PASSWORD)
    before = sign_in_state(server)
    user = pycognito(server, app, "jane")
    with pytest.raises(ClientError) as caught:
        user.authenticate(password="Not-her-passw0rd!")
    assert error_of(caught.value) == WRONG
    assert sign_in_state(server) == before


def test_a_replayed_srp_answer_gets_no_second_session(server: LiveServer, app: App) -> None:
    idp = unsigned(server)
    password_auth(idp, app, "jane", PASSWORD)
    srp = AWSSRP("jane", PASSWORD, app.pool_id, app.client_id, client=idp, client_secret=app.secret)
    params = srp.get_auth_params()
    started = idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    answer = srp.process_challenge(started["ChallengeParameters"], params)

    def respond() -> Any:
        return idp.respond_to_auth_challenge(
            ClientId=app.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
        )

    assert "AccessToken" in respond()["AuthenticationResult"]
    before = sign_in_state(server)
    assert refused(respond) == ("NotAuthorizedException", 400, "Invalid session for the user.")
    assert sign_in_state(server) == before


def test_refusals_change_nothing(server: LiveServer, cognito: Any, app: App) -> None:
    idp = unsigned(server)
    before = sign_in_state(server)
    assert refused(lambda: password_auth(idp, app, "jane", "Wr0ng-password!")) == WRONG
    assert refused(lambda: password_auth(idp, app, "nobody", PASSWORD)) == (
        "UserNotFoundException",
        400,
        "User does not exist.",
    )
    assert refused(lambda: password_auth(idp, app, "reset", PASSWORD)) == (
        "PasswordResetRequiredException",
        400,
        "Password reset required for the user",
    )
    assert refused(
        lambda: idp.initiate_auth(
            ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={}
        )
    ) == ("InvalidParameterException", 400, "Missing required parameter USERNAME")
    assert refused(
        lambda: idp.initiate_auth(
            ClientId="nosuchclient", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={}
        )
    ) == ("ResourceNotFoundException", 400, "User pool client nosuchclient does not exist.")
    assert refused(
        lambda: idp.initiate_auth(
            ClientId=app.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": "forged"},
        )
    ) == ("NotAuthorizedException", 400, "Invalid Refresh Token.")
    assert sign_in_state(server) == before


def test_prevent_user_existence_errors(server: LiveServer, cognito: Any, app: App) -> None:
    hiding = make_app(cognito, app.pool_id, PreventUserExistenceErrors="ENABLED")
    idp = unsigned(server)
    before = sign_in_state(server)
    for username in ("nobody", "reset"):
        assert refused(lambda u=username: password_auth(idp, hiding, u, PASSWORD)) == WRONG  # type: ignore[misc]
    assert sign_in_state(server) == before


def test_flows_the_client_does_not_allow(server: LiveServer, cognito: Any, app: App) -> None:
    srp_only = make_app(cognito, app.pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    idp = unsigned(server)
    before = sign_in_state(server)
    assert refused(lambda: password_auth(idp, srp_only, "jane", PASSWORD)) == (
        "InvalidParameterException",
        400,
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
    assert refused(
        lambda: cognito.admin_initiate_auth(
            UserPoolId=app.pool_id,
            ClientId=srp_only.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD},
        )
    ) == ("InvalidParameterException", 400, "Auth flow not enabled for this client")
    # ADMIN_USER_PASSWORD_AUTH is not a flow of the unsigned InitiateAuth.
    assert refused(
        lambda: idp.initiate_auth(
            ClientId=app.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD},
        )
    ) == (
        "InvalidParameterException",
        400,
        "Initiate Auth method not supported: ADMIN_USER_PASSWORD_AUTH",
    )
    assert sign_in_state(server) == before


def test_a_client_with_a_secret_needs_its_secret_hash(
    server: LiveServer, cognito: Any, app: App
) -> None:
    secret = make_app(cognito, app.pool_id, GenerateSecret=True)
    idp = unsigned(server)
    before = sign_in_state(server)
    assert refused(lambda: password_auth(idp, secret, "jane", PASSWORD)) == (
        "NotAuthorizedException",
        400,
        f"Client {secret.client_id} is configured for secret but secret was not received",
    )
    assert refused(
        lambda: idp.initiate_auth(
            ClientId=secret.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD, "SECRET_HASH": "AAAA"},
        )
    ) == (
        "NotAuthorizedException",
        400,
        f"Unable to verify secret hash for client {secret.client_id}",
    )
    assert sign_in_state(server) == before
    # pycognito computes SECRET_HASH itself: admin sign-in, SRP, refresh.
    user = pycognito(server, secret, "jane")
    user.admin_authenticate(password=PASSWORD)
    user.authenticate(password=PASSWORD)
    first = user.access_token
    user.renew_access_token()
    assert user.access_token != first
    user.verify_tokens()


def test_admin_sign_in_and_refresh(server: LiveServer, cognito: Any, app: App) -> None:
    result = cognito.admin_initiate_auth(
        UserPoolId=app.pool_id,
        ClientId=app.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "jane", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    idp = unsigned(server)
    refreshed = idp.initiate_auth(
        ClientId=app.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "jane"
    again = idp.get_tokens_from_refresh_token(
        ClientId=app.client_id, RefreshToken=result["RefreshToken"]
    )["AuthenticationResult"]
    assert idp.get_user(AccessToken=again["AccessToken"])["Username"] == "jane"


def test_email_usernames_sign_in_with_the_sub_as_user_id_for_srp(
    server: LiveServer, cognito: Any
) -> None:
    pool_id = create_pool(cognito, "emails", UsernameAttributes=["email"])
    created = cognito.admin_create_user(
        UserPoolId=pool_id, Username="mia@example.com", MessageAction="SUPPRESS"
    )["User"]
    sub = created["Username"]
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="mia@example.com", Password=PASSWORD, Permanent=True
    )
    app = make_app(cognito, pool_id)
    challenge = unsigned(server).initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "mia@example.com", "SRP_A": format(2**1000 + 7, "x")},
    )["ChallengeParameters"]
    assert challenge["USER_ID_FOR_SRP"] == challenge["USERNAME"] == sub
    # pycognito answers with USER_ID_FOR_SRP as the username, as identity-js does.
    user = pycognito(server, app, "mia@example.com")
    user.authenticate(password=PASSWORD)
    user.verify_tokens()
    assert user.check_token(renew=False) is False
    assert unsigned(server).get_user(AccessToken=user.access_token)["Username"] == sub
    other = make_app(cognito, pool_id)
    assert refused(
        lambda: unsigned(server).initiate_auth(
            ClientId=other.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": user.refresh_token},
        )
    ) == ("NotAuthorizedException", 400, "Refresh Token has different Client.")
