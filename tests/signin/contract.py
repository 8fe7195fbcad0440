"""The sign-in operations for ``tests/api/test_operation_contract.py``: each called once
with a real answer, so its output is checked against the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Call = Callable[..., Any]


def exercise_sign_in(rec: Call, pool_id: str) -> None:
    """App clients, then (once there) the sign-in operations, for a user ``alice`` of
    ``pool_id`` that the contract test has created."""
    client = rec(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool_id,
            "ClientName": "contract",
            "GenerateSecret": True,
            "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )["UserPoolClient"]
    client_id = client["ClientId"]
    rec("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})
    rec("ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 10})
    rec("UpdateUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})
    rec("DeleteUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})
