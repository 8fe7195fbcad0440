"""The sign-in and password operations for ``tests/api/test_operation_contract.py``:
each called once with a real answer, so its output is checked against the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycognito.aws_srp import AWSSRP

from cognito_import.store import Store

Call = Callable[..., Any]
PASSWORD = "Contract-passw0rd!"


def _code(store: Store, account: str, pool_id: str, username: str) -> str:
    """The last code the outbox holds for the user."""
    code = store.outbox.messages(account, pool_id, username)[-1].message.code
    assert code
    return code


class _Recorded:
    """What pycognito's AWSSRP needs of a boto3 client, answered through ``rec``."""

    def __init__(self, rec: Call) -> None:
        self.rec = rec

    def initiate_auth(self, **kwargs: Any) -> Any:
        return self.rec("InitiateAuth", kwargs)

    def respond_to_auth_challenge(self, **kwargs: Any) -> Any:
        return self.rec("RespondToAuthChallenge", kwargs)


def exercise_sign_in(rec: Call, pool_id: str, store: Store, account: str) -> None:
    """App clients, passwords and sign-in for a user ``alice`` of ``pool_id``, which
    the contract test has created (with an email)."""
    client = rec(
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "secret", "GenerateSecret": True},
    )["UserPoolClient"]
    rec("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]})
    rec("ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 10})
    rec("UpdateUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]})
    rec("DeleteUserPoolClient", {"UserPoolId": pool_id, "ClientId": client["ClientId"]})
    flows = [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    client_id = rec(
        "CreateUserPoolClient",
        {"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": flows},
    )["UserPoolClient"]["ClientId"]
    user = {"UserPoolId": pool_id, "Username": "alice"}
    rec("AdminSetUserPassword", {**user, "Password": "Temporary-passw0rd!", "Permanent": False})
    challenge = rec(
        "AdminInitiateAuth",
        {
            **user,
            "ClientId": client_id,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Temporary-passw0rd!"},
        },
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    rec(
        "AdminRespondToAuthChallenge",
        {
            "UserPoolId": pool_id,
            "ClientId": client_id,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": challenge["Session"],
            "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": PASSWORD},
        },
    )
    srp = AWSSRP("alice", PASSWORD, pool_id, client_id, client=_Recorded(rec))
    tokens = srp.authenticate_user()["AuthenticationResult"]
    access = tokens["AccessToken"]
    rec("GetUser", {"AccessToken": access})
    rec(
        "GetTokensFromRefreshToken",
        {"ClientId": client_id, "RefreshToken": tokens["RefreshToken"]},
    )
    rec(
        "ChangePassword",
        {"AccessToken": access, "PreviousPassword": PASSWORD, "ProposedPassword": PASSWORD + "2"},
    )
    rec("RevokeToken", {"ClientId": client_id, "Token": tokens["RefreshToken"]})
    again = rec(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD + "2"},
        },
    )["AuthenticationResult"]
    rec("GlobalSignOut", {"AccessToken": again["AccessToken"]})
    rec("AdminUserGlobalSignOut", user)
    rec("AdminDisableUser", user)
    rec("AdminEnableUser", user)
    rec("ForgotPassword", {"ClientId": client_id, "Username": "alice"})
    rec(
        "ConfirmForgotPassword",
        {
            "ClientId": client_id,
            "Username": "alice",
            "ConfirmationCode": _code(store, account, pool_id, "alice"),
            "Password": PASSWORD,
        },
    )
    rec("AdminResetUserPassword", user)
