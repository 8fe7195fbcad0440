"""Valid import CSVs in Cognito's dialect, built from a pool's GetCSVHeader.

Generic on purpose: any test that needs a CSV for a pool whose auto-verified attribute is
``email`` (``email_pool``'s default) can build one here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.csvs import build_csv as build_csv

# A pool that can import at all needs an auto-verified attribute (cognito-facts 6.1).
EMAIL_POOL: dict[str, Any] = {"AutoVerifiedAttributes": ["email"]}


def user_row(number: int, prefix: str = "user") -> dict[str, str]:
    """A row that imports into an email-auto-verified pool: ``<prefix><number>``."""
    name = f"{prefix}{number}"
    return {
        "cognito:username": name,
        "email": f"{name}@example.com",
        "email_verified": "true",
        "cognito:mfa_enabled": "false",
    }


def failing_row(number: int, prefix: str = "bad") -> dict[str, str]:
    """A row Cognito refuses: it sets no auto-verified attribute to true."""
    return {**user_row(number, prefix), "email_verified": "false"}


def users_csv(header: Sequence[str], count: int, prefix: str = "user", start: int = 0) -> bytes:
    return build_csv(header, (user_row(n, prefix) for n in range(start, start + count)))
