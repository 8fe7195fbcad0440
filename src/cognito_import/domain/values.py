"""Cognito's checks of single attribute values: shared by the CSV row rules and by
AdminCreateUser, so a user is judged the same however it is created.

**The text rule.** Every string the service takes in (any request member the model
knows: attribute values, usernames, filters, job names, tokens; and every value of an
imported CSV row) may hold only the characters of XML 1.0's ``Char`` production, which
AWS also applies to SQS message bodies: ``#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
#x10000-#x10FFFF``. So NUL and the other C0 controls but tab, line feed and carriage
return, unpaired surrogates (which a JSON ``\ud800`` escape can carry but no UTF-8 text
can), U+FFFE and U+FFFF are refused where they arrive: a request is an
``InvalidParameterException`` worded like AWS's validation errors, a CSV row is
``[FAILED]``. AWS is silent here; the reason for one strict rule is that PostgreSQL cannot
store NUL in text or JSON, neither database can store a surrogate, and a value accepted
by one database and refused by the other (or accepted and then unreadable) is worse than
a clear refusal.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Mapping

from cognito_import.domain.attributes import (
    BOOLEAN,
    DATETIME,
    NOT_IN_CSV,
    NUMBER,
    VERIFIABLE,
    AttributeDef,
)
from cognito_import.domain.pools import PoolConfig

INVALID_PHONE = "Invalid phone number format."
INVALID_EMAIL = "Invalid email address format."

DEFAULT_MAX_LENGTH = 2048

BOOLS = {
    **{t: "true" for t in ("true", "TRUE", "True")},
    **{f: "false" for f in ("false", "FALSE", "False")},
}
INF = float("inf")
FORMATTED = ("email", "phone_number")  # strings with a format check in check_string

_NOT_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
TEXT_RULE = (
    "Member must contain only characters allowed in XML 1.0: "
    "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
)


def is_text(value: str) -> bool:
    """Whether ``value`` obeys the text rule (see the module docstring)."""
    return _NOT_TEXT.search(value) is None


def not_text_reason(name: str) -> str:
    return (
        f"The value of {name} contains a character that is not allowed "
        "(a control character other than tab, line feed or carriage return, "
        "or U+FFFE or U+FFFF)."
    )


def text_problem(values: Mapping[str, str], joined: str) -> str:
    """The reason the first value breaking the text rule fails its row, or "".
    ``joined``: the values joined, which the caller has anyway."""
    # One scan of all the values first: nearly every row passes.
    if is_text(joined):
        return ""
    name = next(name for name, value in values.items() if not is_text(value))
    return not_text_reason(name)


# A converter returns the stored form of a non-empty value or raises Invalid;
# its arguments are (attribute name, low, high, value), bounds as _converter gives them.
Converter = Callable[[str, float, float, str], str]


def bool_reason(name: str) -> str:
    return f"Invalid value for {name}: must be true or false."


def required_reason(name: str) -> str:
    return f"The required attribute {name} is empty."


class Invalid(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def is_email(value: str) -> bool:
    at = value.find("@")
    return (
        0 < at < len(value) - 1
        and value.find("@", at + 1) < 0
        and " " not in value
        and value.isprintable()
    )


def is_phone(value: str) -> bool:
    return 5 <= len(value) <= 16 and value[0] == "+" and value[1:].isascii() and value[1:].isdigit()


def length_reason(name: str, low: float, high: float, length: int) -> str:
    if length > high:
        return f"The value of {name} is longer than {int(high):,} characters."
    return f"The value of {name} is shorter than {int(low):,} characters."


def check_string(name: str, low: float, high: float, value: str) -> str:
    if not low <= len(value) <= high:
        raise Invalid(length_reason(name, low, high, len(value)))
    if name == "email" and not is_email(value):
        raise Invalid(INVALID_EMAIL)
    if name == "phone_number" and not is_phone(value):
        raise Invalid(INVALID_PHONE)
    return value


def check_boolean(name: str, low: float, high: float, value: str) -> str:
    normal = BOOLS.get(value) or BOOLS.get(value.lower())
    if normal is None:
        raise Invalid(bool_reason(name))
    return normal


def _number(name: str, low: float, high: float, value: str) -> str:
    digits = value[1:] if value[0] == "-" else value
    try:
        number = int(value) if digits.isascii() and digits.isdigit() else None
    except ValueError:  # more digits than int() converts
        number = None
    if number is None:
        raise Invalid(f"Invalid value for {name}: must be an integer.")
    if number < low:
        raise Invalid(f"The value of {name} must be at least {int(low)}.")
    if number > high:
        raise Invalid(f"The value of {name} must be at most {int(high)}.")
    return value


def _datetime(name: str, low: float, high: float, value: str) -> str:
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"Invalid value for {name}: must be an ISO 8601 date-time.") from None
    return value


@functools.lru_cache(maxsize=1 << 16)  # birthdates repeat; date() + isoformat() do not pay
def _iso_date(value: str, csv: bool) -> str | None:
    if csv:  # mm/dd/yyyy (DG)
        ok = len(value) == 10 and value[2] == "/" and value[5] == "/"
        month, day, year = value[0:2], value[3:5], value[6:10]
    else:  # YYYY-MM-DD (OIDC)
        ok = len(value) == 10 and value[4] == "-" and value[7] == "-"
        year, month, day = value[0:4], value[5:7], value[8:10]
    digits = year + month + day
    if ok and digits.isascii() and digits.isdigit():
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    return None


def _birthdate_csv(name: str, low: float, high: float, value: str) -> str:
    iso = _iso_date(value, True)
    if iso is None:
        raise Invalid(f"Invalid value for {name}: must be a real date in the format mm/dd/yyyy.")
    return iso


def _birthdate_iso(name: str, low: float, high: float, value: str) -> str:
    if _iso_date(value, False) is None:
        raise Invalid(f"Invalid value for {name}: must be a real date in the format YYYY-MM-DD.")
    return value


def converter(attr: AttributeDef, *, csv: bool) -> tuple[Converter, float, float]:
    high: float = attr.max_length or DEFAULT_MAX_LENGTH
    if attr.name == "birthdate":
        return (_birthdate_csv if csv else _birthdate_iso), 0, INF
    if attr.data_type == BOOLEAN:
        return check_boolean, 0, INF
    if attr.data_type == NUMBER:
        low = -INF if attr.min_value is None else attr.min_value
        return _number, low, INF if attr.max_value is None else attr.max_value
    if attr.data_type == DATETIME:
        return _datetime, 0, INF
    return check_string, attr.min_length or 0, high


def definition(config: PoolConfig, name: str) -> AttributeDef:
    # The verified flags are Cognito built-ins that a pool's schema may not list.
    return config.by_name.get(name) or AttributeDef(name, BOOLEAN)


def attribute_problems(
    config: PoolConfig, attributes: dict[str, str], *, check_required: bool = True
) -> list[str]:
    """Schema and format problems of API-given attributes (AdminCreateUser).

    Same rules as the CSV, except that ``birthdate`` is YYYY-MM-DD (the stored form).
    Empty values count as absent; ``check_required`` also reports absent required ones.
    """
    known = {*config.by_name, *VERIFIABLE.values()}
    problems: list[str] = []
    for name, value in attributes.items():
        if name not in known:
            problems.append(f"The attribute {name} is not in the schema of this user pool.")
        elif name in NOT_IN_CSV:
            problems.append(f"The attribute {name} cannot be set.")
        elif value:
            convert, low, high = converter(definition(config, name), csv=False)
            try:
                convert(name, low, high, value)
            except Invalid as invalid:
                problems.append(invalid.reason)
    if check_required:
        for attr in config.schema:
            if attr.required and attr.name not in NOT_IN_CSV and not attributes.get(attr.name):
                problems.append(required_reason(attr.name))
    return problems
