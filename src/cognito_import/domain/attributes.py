"""User pool attributes: Cognito's standard schema, custom attributes, the CSV header.

The standard list and its order are Cognito's: DescribeUserPool returns them in this
order and GetCSVHeader derives its columns from it (``sub`` and ``identities`` removed,
custom attributes after ``updated_at``, then ``cognito:mfa_enabled,cognito:username``).
"""

from __future__ import annotations

from dataclasses import dataclass

STRING = "String"
NUMBER = "Number"
BOOLEAN = "Boolean"
DATETIME = "DateTime"

CUSTOM_PREFIX = "custom:"
MFA_COLUMN = "cognito:mfa_enabled"
USERNAME_COLUMN = "cognito:username"
PASSWORD_HASH_COLUMN = "cognito:password_hash"

VERIFIABLE = {"email": "email_verified", "phone_number": "phone_number_verified"}


@dataclass(frozen=True)
class AttributeDef:
    name: str
    data_type: str = STRING
    mutable: bool = True
    required: bool = False
    developer_only: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None

    @property
    def is_custom(self) -> bool:
        return self.name.startswith(CUSTOM_PREFIX)


def _string(name: str, *, mutable: bool = True, required: bool = False) -> AttributeDef:
    min_length = 1 if name == "sub" else 0
    return AttributeDef(name, STRING, mutable, required, False, min_length, 2048)


STANDARD_ATTRIBUTES: tuple[AttributeDef, ...] = (
    _string("sub", mutable=False, required=True),
    _string("name"),
    _string("given_name"),
    _string("family_name"),
    _string("middle_name"),
    _string("nickname"),
    _string("preferred_username"),
    _string("profile"),
    _string("picture"),
    _string("website"),
    _string("email"),
    AttributeDef("email_verified", BOOLEAN),
    _string("gender"),
    AttributeDef("birthdate", STRING, True, False, False, 10, 10),
    _string("zoneinfo"),
    _string("locale"),
    _string("phone_number"),
    AttributeDef("phone_number_verified", BOOLEAN),
    _string("address"),
    AttributeDef("updated_at", NUMBER, True, False, False, None, None, 0, None),
    _string("identities"),
)
STANDARD_BY_NAME = {a.name: a for a in STANDARD_ATTRIBUTES}

# Not importable from a CSV: Cognito sets them itself.
NOT_IN_CSV = frozenset({"sub", "identities"})


def csv_header(schema: tuple[AttributeDef, ...]) -> list[str]:
    """The GetCSVHeader columns for a pool whose full schema (standard + custom) is given."""
    standard = [a.name for a in schema if not a.is_custom and a.name not in NOT_IN_CSV]
    custom = [a.name for a in schema if a.is_custom]
    return [*standard, *custom, MFA_COLUMN, USERNAME_COLUMN]
