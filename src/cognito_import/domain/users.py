"""Users as stored in a pool."""

from __future__ import annotations

from dataclasses import dataclass, field

RESET_REQUIRED = "RESET_REQUIRED"
CONFIRMED = "CONFIRMED"
FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"


@dataclass(frozen=True)
class User:
    pool_id: str
    username: str
    username_key: str
    sub: str
    status: str
    enabled: bool
    created: float
    modified: float
    attributes: dict[str, str] = field(default_factory=dict)
    mfa_enabled: bool = False
    password_hash: str | None = None
    hash_algorithm: str | None = None
    # Values of the pool's unique (alias/username) attributes, as compared.
    unique_values: dict[str, str] = field(default_factory=dict)

    def wire_attributes(self) -> list[dict[str, str]]:
        """Attributes as AWS lists them: ``sub`` first, then the stored ones."""
        items = [{"Name": "sub", "Value": self.sub}]
        items.extend({"Name": k, "Value": v} for k, v in self.attributes.items())
        return items


# Cognito compares these case-insensitively when they are aliases or usernames.
_CASE_INSENSITIVE = frozenset({"email", "preferred_username"})


def unique_values(unique_attributes: frozenset[str], attributes: dict[str, str]) -> dict[str, str]:
    """The values of the pool's unique attributes in the form they are compared in."""
    found: dict[str, str] = {}
    for name in unique_attributes:
        value = attributes.get(name)
        if value:
            found[name] = value.lower() if name in _CASE_INSENSITIVE else value
    return found
