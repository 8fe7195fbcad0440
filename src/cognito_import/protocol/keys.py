"""Access keys: who may sign requests, parsed from ``ID:SECRET[:ACCOUNT],...``, and the
caller a verified signature identifies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_ACCOUNT = "000000000000"

_KEY_ID = re.compile(r"[A-Za-z0-9_.+=-]+")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class AccessKey:
    key_id: str
    secret: str = field(repr=False)  # keeps secrets out of logs and tracebacks
    account: str


@dataclass(frozen=True)
class Caller:
    key: AccessKey
    region: str
    service: str


def parse_access_keys(spec: str) -> list[AccessKey]:
    """Parse ``ID:SECRET[:ACCOUNT],...``; errors name entries by position, never echo secrets."""
    keys: dict[str, AccessKey] = {}
    for position, entry in enumerate(spec.split(",") if spec.strip() else [], start=1):
        fields = entry.strip().split(":")
        if len(fields) not in (2, 3):
            raise ValueError(
                f"access key entry {position} must look like ID:SECRET[:ACCOUNT] "
                f"(got {len(fields)} ':'-separated fields)"
            )
        key_id, secret, account = fields[0], fields[1], (fields[2:] or [DEFAULT_ACCOUNT])[0]
        if not _KEY_ID.fullmatch(key_id) or not secret:
            raise ValueError(
                f"access key entry {position}: SECRET must not be empty and ID must be "
                "non-empty letters, digits and _.+=-"
            )
        if not _ACCOUNT.fullmatch(account):
            raise ValueError(
                f"access key {key_id!r}: ACCOUNT must be exactly 12 digits, got {account!r}"
            )
        if key_id in keys:
            raise ValueError(f"access key {key_id!r} is given more than once")
        keys[key_id] = AccessKey(key_id=key_id, secret=secret, account=account)
    return list(keys.values())
