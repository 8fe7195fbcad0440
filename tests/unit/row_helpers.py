"""What the row-check test modules (``test_rows*.py``) share: a default pool, a row
that passes in it, custom attributes, and checking one row given as column -> value."""

from __future__ import annotations

import dataclasses
from typing import Any

from cognito_import.domain.attributes import (
    BOOLEAN,
    DATETIME,
    NUMBER,
    STANDARD_ATTRIBUTES,
    STRING,
    AttributeDef,
)
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import RowUser, check_row, plan_header

CUSTOM = (
    AttributeDef("custom:code", STRING, min_length=3, max_length=5),
    AttributeDef("custom:age", NUMBER, min_value=18, max_value=120),
    AttributeDef("custom:vip", BOOLEAN),
    AttributeDef("custom:joined", DATETIME),
)
DEFAULT = PoolConfig(schema=STANDARD_ATTRIBUTES, auto_verified=frozenset({"email"}))
BASE = {
    "cognito:username": "jane",
    "email": "jane@example.com",
    "email_verified": "true",
    "cognito:mfa_enabled": "false",
}


def pool(**changes: Any) -> PoolConfig:
    return dataclasses.replace(DEFAULT, **changes)


def outcome(config: PoolConfig, header: list[str] | None = None, /, **cells: str) -> RowUser | str:
    """Check one row given as column -> value (``__`` in a keyword stands for ``:``)."""
    columns = header if header is not None else config.csv_header()
    given = {**BASE, **{k.replace("__", ":"): v for k, v in cells.items()}}
    plan = plan_header(columns, config, None)
    return check_row(plan, [given.get(c, "") for c in columns])


def user(config: PoolConfig = DEFAULT, /, **cells: str) -> RowUser:
    result = outcome(config, None, **cells)
    assert isinstance(result, RowUser), result
    return result


def reason(config: PoolConfig = DEFAULT, /, **cells: str) -> str:
    result = outcome(config, None, **cells)
    assert isinstance(result, str), result
    return result
