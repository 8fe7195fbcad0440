"""What the user test modules (``test_users.py``, ``test_list_users.py`` and
``test_users_cli.py``) share: UserAttributes from keywords and back, and a new pool."""

from __future__ import annotations

from typing import Any


def _attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k.replace("__", ":"), "Value": v} for k, v in values.items()]


def _as_dict(attributes: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in attributes}


def _pool(cognito: Any, **kwargs: Any) -> str:
    pool_id: str = cognito.create_user_pool(PoolName="users", **kwargs)["UserPool"]["Id"]
    return pool_id
