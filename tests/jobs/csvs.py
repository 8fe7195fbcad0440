"""Valid import CSVs in Cognito's dialect, built from a pool's GetCSVHeader.

Generic on purpose: any test that needs a CSV for a pool whose auto-verified attribute is
``email`` (``email_pool``'s default) can build one here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# A pool that can import at all needs an auto-verified attribute (cognito-facts 6.1).
EMAIL_POOL: dict[str, Any] = {"AutoVerifiedAttributes": ["email"]}


def escape(value: str) -> str:
    """Cognito's CSV has no quoting: a comma inside a value is written ``\\,``."""
    return value.replace(",", "\\,")


def build_csv(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> bytes:
    """The header line, then one line per row; columns a row leaves out are empty."""
    known = set(header)
    lines = [",".join(header)]
    for row in rows:
        unknown = sorted(set(row) - known)
        if unknown:
            raise ValueError(f"not in the header: {unknown}")
        lines.append(",".join(escape(row.get(column, "")) for column in header))
    return ("\n".join(lines) + "\n").encode()


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
