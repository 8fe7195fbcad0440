"""Access keys: who may sign requests, parsed from ``ID:SECRET[:ACCOUNT],...``, and the
caller a verified signature identifies."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

DEFAULT_ACCOUNT = "000000000000"

_KEY_ID = re.compile(r"[A-Za-z0-9_.+=-]+")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class AccessKey:
    key_id: str
    secret: str = field(repr=False)  # keeps secrets out of logs and tracebacks
    account: str
    # Accepted without checking the signature (--any-credentials): the client's secret
    # is unknown. ``secret`` is then the server's own, which signs its upload URLs.
    unchecked: bool = field(default=False, repr=False)


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


class AnyKeys(Mapping[str, AccessKey]):
    """The configured keys, plus every other key id as an unchecked key of the default
    account: what ``--any-credentials`` accepts (LocalStack's ``test``/``test``).

    A configured key is still verified as usual, so a wrong secret for it is refused.
    """

    def __init__(self, configured: Mapping[str, AccessKey], server_secret: str) -> None:
        self._configured = dict(configured)
        self._secret = server_secret

    def __getitem__(self, key_id: str) -> AccessKey:
        known = self._configured.get(key_id)
        if known is not None:
            return known
        if not key_id or "/" in key_id:
            raise KeyError(key_id)
        return AccessKey(key_id, self._secret, DEFAULT_ACCOUNT, unchecked=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._configured)

    def __len__(self) -> int:
        return len(self._configured)
