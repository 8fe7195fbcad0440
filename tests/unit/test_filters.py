from __future__ import annotations

import pytest

from cognito_import.domain.filters import SEARCHABLE, UserFilter, parse_filter
from cognito_import.errors import InvalidParameterException


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('email = "a@b.c"', UserFilter("email", "=", "a@b.c")),
        ('email="a@b.c"', UserFilter("email", "=", "a@b.c")),
        ('  family_name   ^=   "Ro"  ', UserFilter("family_name", "^=", "Ro")),
        ('given_name^="Jo"', UserFilter("given_name", "^=", "Jo")),
        ('status = "Enabled"', UserFilter("status", "=", "Enabled")),
        ('cognito:user_status = "confirmed"', UserFilter("cognito:user_status", "=", "CONFIRMED")),
        ('sub = "1f2e"', UserFilter("sub", "=", "1f2e")),
        ('username = ""', UserFilter("username", "=", "")),
        ('name = "a b = c ^= d"', UserFilter("name", "=", "a b = c ^= d")),
        ('name = "say \\"hi\\""', UserFilter("name", "=", 'say "hi"')),
        ('name = "back\\\\slash"', UserFilter("name", "=", "back\\slash")),
        ('name = "keep\\nthis"', UserFilter("name", "=", "keep\\nthis")),
        ('name = "ünï cödé"', UserFilter("name", "=", "ünï cödé")),
    ],
)
def test_parse(text: str, expected: UserFilter) -> None:
    assert parse_filter(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_filter_is_no_filter(text: str) -> None:
    assert parse_filter(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "email",
        "email =",
        'email "a"',
        "email = a@b.c",
        "email = 'a@b.c'",
        'email == "a"',
        'email != "a"',
        'email ~= "a"',
        '= "a"',
        'email = "a',
        'email = "a\\"',
        'email = "a" and',
        'email = "a" "b"',
        'email = "a"x',
        'e mail = "a"',
        'email = "a"; name = "b"',
    ],
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        parse_filter(text)
    assert raised.value.message == "Error while parsing filter."


@pytest.mark.parametrize("name", ["custom:tier", "middle_name", "Email", "email_verified", "dev"])
def test_unsearchable_attribute(name: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        parse_filter(f'{name} = "x"')
    assert raised.value.message == f"Invalid search attribute: {name}"


@pytest.mark.parametrize(
    ("text", "column", "prefix"),
    [
        ('username = "a"', "username", False),
        ('sub ^= "a"', "sub", True),
        ('cognito:user_status = "a"', "user_status", False),
        ('status = "Enabled"', "enabled", False),
        ('email ^= "a"', ("attribute", "email"), True),
        ('phone_number = "+1"', ("attribute", "phone_number"), False),
        ('preferred_username = "a"', ("attribute", "preferred_username"), False),
    ],
)
def test_column_and_prefix(text: str, column: object, prefix: bool) -> None:
    parsed = parse_filter(text)
    assert parsed is not None
    assert parsed.column == column
    assert parsed.prefix is prefix


def test_searchable_attributes_are_cognitos_list() -> None:
    assert sorted(SEARCHABLE) == sorted(
        [
            "username",
            "email",
            "phone_number",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "cognito:user_status",
            "status",
            "sub",
        ]
    )


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ('status = "Enabled"', {True}),
        ('status = "Disabled"', {False}),
        ('status ^= ""', {True, False}),
        ('status = "enabled"', set()),
        ('status = "Yes"', set()),
    ],
)
def test_enabled_values(text: str, flags: set[bool]) -> None:
    parsed = parse_filter(text)
    assert parsed is not None
    assert parsed.enabled_values() == flags


def test_with_value() -> None:
    parsed = parse_filter('username ^= "AL"')
    assert parsed is not None
    folded = parsed.with_value("al")
    assert folded == UserFilter("username", "^=", "al")
