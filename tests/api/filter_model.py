"""A plain model of a ListUsers filter, for tests that compare the store's SQL (and its
index) with a scan of every user: the product has only the SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_import.domain.filters import UserFilter


def matches(flt: UserFilter, user: Mapping[str, Any], username_case_sensitive: bool = True) -> bool:
    """Whether ``user`` (username, sub, status, enabled, attributes) passes ``flt``."""
    column = flt.column
    if column == "enabled":
        return bool(user["enabled"]) in flt.enabled_values()
    if column == "username":
        if username_case_sensitive:
            return flt.test(user["username"])
        username, value = str(user["username"]).lower(), flt.value.lower()
        return username.startswith(value) if flt.prefix else username == value
    actual: Any
    if column == "sub":
        actual = user.get("sub", user.get("attributes", {}).get("sub"))
    elif column == "user_status":
        actual = str(user["status"]).upper()
    else:
        actual = user.get("attributes", {}).get(column[1])
    return isinstance(actual, str) and flt.test(actual)
