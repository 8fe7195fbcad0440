"""CreateUserPoolClient, Describe, List, Update and Delete over boto3, with AWS's
defaults, constraints and errors; refused requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import refused
from tests.conftest import make_client
from tests.live import OTHER_KEY, LiveServer


def clients_of(cognito: Any, pool_id: str) -> list[dict[str, Any]]:
    """Every client of the pool, described: what a refused request must leave alone."""
    found = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 60}
    while True:
        page = cognito.list_user_pool_clients(**kwargs)
        for summary in page["UserPoolClients"]:
            found.append(
                cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=summary["ClientId"])[
                    "UserPoolClient"
                ]
            )
        if "NextToken" not in page:
            return found
        kwargs["NextToken"] = page["NextToken"]


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return str(cognito.create_user_pool(PoolName="apps")["UserPool"]["Id"])


def test_create_with_defaults(cognito: Any, pool_id: str) -> None:
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]
    assert len(client["ClientId"]) == 26 and client["ClientId"].isalnum()
    assert client["ClientId"] == client["ClientId"].lower()
    assert "ClientSecret" not in client
    for member, value in {
        "UserPoolId": pool_id,
        "ClientName": "web",
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {},
        "AllowedOAuthFlowsUserPoolClient": False,
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
    }.items():
        assert client[member] == value, member
    assert client["CreationDate"] == client["LastModifiedDate"]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"] == client


def test_create_with_everything_sign_in_needs(cognito: Any, pool_id: str) -> None:
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="server",
        GenerateSecret=True,
        ExplicitAuthFlows=flows,
        AccessTokenValidity=30,
        IdTokenValidity=2,
        RefreshTokenValidity=12,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "hours"},
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
    )["UserPoolClient"]
    assert len(client["ClientSecret"]) == 51
    assert client["ExplicitAuthFlows"] == flows
    assert client["AccessTokenValidity"] == 30
    assert client["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is False
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ClientSecret"] == client["ClientSecret"]


def test_list_pages_through_every_client(cognito: Any, pool_id: str) -> None:
    made = {
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{i}")["UserPoolClient"][
            "ClientId"
        ]
        for i in range(5)
    }
    seen: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = cognito.list_user_pool_clients(**kwargs)
        assert len(page["UserPoolClients"]) <= 2
        assert all(
            set(c) == {"ClientId", "UserPoolId", "ClientName"} for c in page["UserPoolClients"]
        )
        seen.extend(c["ClientId"] for c in page["UserPoolClients"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(seen) == sorted(made)
    assert refused(
        lambda: cognito.list_user_pool_clients(UserPoolId=pool_id, NextToken="forged")
    ) == ("InvalidParameterException", 400, "Invalid NextToken.")


def test_update_resets_what_it_does_not_name(cognito: Any, pool_id: str) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"], AccessTokenValidity=2
    )["UserPoolClient"]
    assert updated["ClientName"] == "web"
    assert updated["ClientSecret"] == client["ClientSecret"]
    assert updated["AccessTokenValidity"] == 2
    assert "ExplicitAuthFlows" not in updated
    assert "PreventUserExistenceErrors" not in updated
    assert updated["CreationDate"] == client["CreationDate"]
    assert (
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])[
            "UserPoolClient"
        ]
        == updated
    )


def test_delete(cognito: Any, pool_id: str) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    gone = ("ResourceNotFoundException", 400, f"User pool client {client_id} does not exist.")
    assert (
        refused(lambda: cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id))
        == gone
    )
    assert (
        refused(lambda: cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id))
        == gone
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"AccessTokenValidity": 25}, "Invalid range for token validity."),
        (
            {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
            "Invalid range for token validity.",
        ),
        ({"IdTokenValidity": 86401, "TokenValidityUnits": {"IdToken": "seconds"}}, None),
        ({"RefreshTokenValidity": 3651}, "Invalid range for token validity."),
        (
            {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
            "Invalid range for token validity.",
        ),
        (
            {"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]},
            "ExplicitAuthFlows cannot mix legacy values with ALLOW_ values.",
        ),
        ({"ExplicitAuthFlows": ["NOT_A_FLOW"]}, None),
        ({"ClientName": "bad/name"}, None),
        ({"AuthSessionValidity": 16}, None),
    ],
)
def test_invalid_settings_are_refused_and_change_nothing(
    cognito: Any, pool_id: str, kwargs: dict[str, Any], message: str | None
) -> None:
    existing = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="keep")[
        "UserPoolClient"
    ]
    before = clients_of(cognito, pool_id)
    create = {"UserPoolId": pool_id, "ClientName": "new", **kwargs}
    update = {"UserPoolId": pool_id, "ClientId": existing["ClientId"], **kwargs}
    for attempt in (
        lambda: cognito.create_user_pool_client(**create),
        lambda: cognito.update_user_pool_client(**update),
    ):
        code, status, text = refused(attempt)
        assert (code, status) == ("InvalidParameterException", 400)
        if message is None:
            assert text.startswith("1 validation error detected: "), text
        else:
            assert text == message
    assert clients_of(cognito, pool_id) == before


def test_another_accounts_pool_and_clients_are_not_found(
    server: LiveServer, cognito: Any, pool_id: str
) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    other = make_client(server, key_id=OTHER_KEY.key_id, secret=OTHER_KEY.secret)
    assert refused(
        lambda: other.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    ) == ("ResourceNotFoundException", 400, f"User pool {pool_id} does not exist.")
    second = cognito.create_user_pool(PoolName="second")["UserPool"]["Id"]
    assert refused(
        lambda: cognito.describe_user_pool_client(UserPoolId=second, ClientId=client_id)
    ) == ("ResourceNotFoundException", 400, f"User pool client {client_id} does not exist.")
    before = clients_of(cognito, pool_id)
    assert (
        refused(lambda: other.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id))[0]
        == "ResourceNotFoundException"
    )
    assert clients_of(cognito, pool_id) == before


def test_deleting_the_pool_deletes_its_clients(
    server: LiveServer, cognito: Any, pool_id: str
) -> None:
    cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")
    cognito.delete_user_pool(UserPoolId=pool_id)
    with server.rt.store.db.read() as tx:
        assert tx.all("SELECT * FROM pool_clients") == []
