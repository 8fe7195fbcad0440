"""ListUsers' ``Filter``: ``AttributeName Filter-Type "AttributeValue"``.

What is accepted, lenient wherever Cognito's own behaviour is unknown and leniency cannot
make a filter mean something else:

- whitespace around the whole filter and around the operator is optional
  (``email="a@b.c"`` and ``email = "a@b.c"`` are the same filter);
- an empty or blank filter is no filter at all (``parse_filter`` returns ``None``);
- the operator is ``=`` (exact) or ``^=`` (starts with);
- the value is double-quoted; inside it ``\\"`` stands for ``"`` and ``\\\\`` for ``\\``,
  and any other backslash is kept as written;
- nothing may follow the closing quote.

Anything else is Cognito's ``Error while parsing filter.``; a well-formed filter on an
attribute Cognito cannot search (custom attributes included) is
``Invalid search attribute: <name>``.

Case: ``cognito:user_status`` is case-insensitive (the value is upper-cased here, as
statuses are stored), ``status`` is case-sensitive (``Enabled``/``Disabled``), attribute
values are compared exactly, and ``username`` follows the pool's
``UsernameConfiguration``: Cognito documents it as case-sensitive, which is only true of
case-sensitive pools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, TypeAlias

from cognito_import.errors import InvalidParameterException

EXACT = "="
PREFIX = "^="

USER_STATUS = "cognito:user_status"
ENABLED = "status"
ENABLED_LABELS: tuple[tuple[bool, str], ...] = ((True, "Enabled"), (False, "Disabled"))

# The logical field a filter targets; the store maps these onto its own columns.
Field: TypeAlias = Literal["username", "sub", "user_status", "enabled"]
Column: TypeAlias = Field | tuple[Literal["attribute"], str]

SEARCHABLE: dict[str, Column] = {
    "username": "username",
    "email": ("attribute", "email"),
    "phone_number": ("attribute", "phone_number"),
    "name": ("attribute", "name"),
    "given_name": ("attribute", "given_name"),
    "family_name": ("attribute", "family_name"),
    "preferred_username": ("attribute", "preferred_username"),
    USER_STATUS: "user_status",
    ENABLED: "enabled",
    "sub": "sub",
}

_FILTER = re.compile(r'\s*([^\s=^"]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*', re.DOTALL)
_ESCAPE = re.compile(r'\\(["\\])')


@dataclass(frozen=True)
class UserFilter:
    """One parsed filter. ``value`` is unescaped and, for user status, upper-cased."""

    attribute: str
    op: str
    value: str

    @property
    def prefix(self) -> bool:
        return self.op == PREFIX

    @property
    def column(self) -> Column:
        return SEARCHABLE[self.attribute]

    def with_value(self, value: str) -> UserFilter:
        """The same filter on another value, e.g. a username folded as the pool compares it."""
        return replace(self, value=value)

    def test(self, actual: str) -> bool:
        """Whether ``actual`` satisfies the operator against the filter's value."""
        return actual.startswith(self.value) if self.prefix else actual == self.value

    def enabled_values(self) -> frozenset[bool]:
        """For ``status``: the ``enabled`` flags whose label (Enabled/Disabled) matches."""
        return frozenset(flag for flag, label in ENABLED_LABELS if self.test(label))


def parse_filter(text: str) -> UserFilter | None:
    """The filter in ``text``, or ``None`` when it is empty (ListUsers returns everyone)."""
    if not text.strip():
        return None
    match = _FILTER.fullmatch(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter.")
    attribute, op, raw = match.groups()
    if attribute not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {attribute}")
    value = _ESCAPE.sub(r"\1", raw)
    if attribute == USER_STATUS:
        value = value.upper()
    return UserFilter(attribute, op, value)
