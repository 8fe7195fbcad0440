"""The states this part sets, as sign-in sees them: a password set by ConfirmForgotPassword
or AdminSetUserPassword signs in by SRP (pycognito) and USER_PASSWORD_AUTH; disabled,
RESET_REQUIRED and FORCE_CHANGE_PASSWORD users get AWS's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pycognito import Cognito

from cognito_import.seed import apply_seed, load_seed
from tests.api import refused
from tests.creds.helpers import GOOD, OTHER_GOOD, last_code, make_user, unsigned_client
from tests.live import TEST_KEY, LiveServer
from tests.signin.helpers import App, make_app

DAY = 86_400


def _app(cognito: Any) -> App:
    pool_id = cognito.create_user_pool(PoolName="states")["UserPool"]["Id"]
    return make_app(cognito, pool_id)


def _srp(server: LiveServer, app: App, password: str) -> Cognito:
    user = Cognito(
        app.pool_id,
        app.client_id,
        user_pool_region="us-east-1",
        username="jane",
        access_key=TEST_KEY.key_id,
        secret_key=TEST_KEY.secret,
        boto3_client_kwargs={"endpoint_url": server.url},
    )
    user.authenticate(password=password)
    return user


def _password_auth(server: LiveServer, app: App, password: str) -> Any:
    return unsigned_client(server).initiate_auth(
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "jane", "PASSWORD": password},
    )


def test_a_reset_password_signs_in_by_srp_and_password(server: LiveServer, cognito: Any) -> None:
    app = _app(cognito)
    make_user(cognito, app.pool_id)
    cognito.admin_reset_user_password(UserPoolId=app.pool_id, Username="jane")
    reset = ("PasswordResetRequiredException", 400, "Password reset required for the user")
    assert refused(lambda: _password_auth(server, app, GOOD)) == reset
    unsigned_client(server).confirm_forgot_password(
        ClientId=app.client_id,
        Username="jane",
        ConfirmationCode=last_code(server, app.pool_id),
        Password=OTHER_GOOD,
    )
    assert _srp(server, app, OTHER_GOOD).id_token
    assert "AccessToken" in _password_auth(server, app, OTHER_GOOD)["AuthenticationResult"]
    wrong = ("NotAuthorizedException", 400, "Incorrect username or password.")
    assert refused(lambda: _password_auth(server, app, GOOD)) == wrong


def test_disabled_users_are_refused_until_enabled(server: LiveServer, cognito: Any) -> None:
    app = _app(cognito)
    make_user(cognito, app.pool_id)
    cognito.admin_set_user_password(
        UserPoolId=app.pool_id, Username="jane", Password=GOOD, Permanent=True
    )
    cognito.admin_disable_user(UserPoolId=app.pool_id, Username="jane")
    disabled = ("NotAuthorizedException", 400, "User is disabled.")
    assert refused(lambda: _password_auth(server, app, GOOD)) == disabled
    cognito.admin_enable_user(UserPoolId=app.pool_id, Username="jane")
    assert _srp(server, app, GOOD).access_token


def test_a_temporary_password_asks_for_a_new_one_until_it_expires(
    server: LiveServer, cognito: Any
) -> None:
    app = _app(cognito)
    cognito.admin_create_user(
        UserPoolId=app.pool_id, Username="jane", TemporaryPassword=GOOD, MessageAction="SUPPRESS"
    )
    answer = _password_auth(server, app, GOOD)
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    server.clock.advance(7 * DAY + 60)
    expired = (
        "NotAuthorizedException",
        400,
        "Temporary password has expired and must be reset by an administrator.",
    )
    assert refused(lambda: _password_auth(server, app, GOOD)) == expired


def test_a_seeded_plain_password_signs_in_by_srp(
    server: LiveServer, cognito: Any, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        f"version: 1\npools:\n  - Id: us-east-1_seeded001\n    Account: '{TEST_KEY.account}'\n"
        "    PoolName: seeded\n"
        "    Users:\n      - Username: jane\n        Password: Jane-passw0rd\n",
        "utf-8",
    )
    apply_seed(server.rt, load_seed(seed), [TEST_KEY.account])
    app = make_app(cognito, "us-east-1_seeded001")
    assert cognito.admin_get_user(UserPoolId=app.pool_id, Username="jane")["UserStatus"] == (
        "CONFIRMED"
    )
    assert _srp(server, app, "Jane-passw0rd").id_token
