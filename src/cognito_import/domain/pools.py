"""User pools as the domain sees them: the settings that decide how users are checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cognito_import.domain.attributes import AttributeDef, csv_header

MFA_OFF = "OFF"
MFA_ON = "ON"
MFA_OPTIONAL = "OPTIONAL"


@dataclass(frozen=True)
class PoolConfig:
    """What import and user rules need to know of a pool."""

    schema: tuple[AttributeDef, ...]
    auto_verified: frozenset[str] = frozenset()
    username_attributes: frozenset[str] = frozenset()
    alias_attributes: frozenset[str] = frozenset()
    mfa: str = MFA_OFF
    case_sensitive: bool = True

    @property
    def by_name(self) -> dict[str, AttributeDef]:
        return {a.name: a for a in self.schema}

    @property
    def unique_attributes(self) -> frozenset[str]:
        """Attribute names whose values must be unique across the pool's users."""
        return self.username_attributes | self.alias_attributes

    def username_key(self, username: str) -> str:
        """The form under which usernames are compared (case per UsernameConfiguration)."""
        return username if self.case_sensitive else username.lower()

    def csv_header(self) -> list[str]:
        return csv_header(self.schema)


@dataclass(frozen=True)
class Pool:
    id: str
    name: str
    account: str
    region: str
    created: float
    modified: float
    config: PoolConfig
    # The CreateUserPool request members we keep, echoed by DescribeUserPool.
    settings: dict[str, Any] = field(default_factory=dict)
