"""Cognito's rules for one CSV row: the header plan, then a check per row.

``plan_header`` does every per-file decision once (column indexes, a checker kind per
column, which flags satisfy the auto-verified rule), so ``check_row`` is a short loop
over precomputed tuples. Reason texts never contain user data: they go to the log.

Decisions where AWS is silent (cognito-facts 6.4, 13):
- Username-attribute pools (email/phone as username): ``cognito:username`` must be an
  email / phone number (AWS's AdminCreateUser wording). The matching attribute is
  filled from the username when its column is empty, and must equal it when given.
- Alias pools refuse usernames in email / phone format, as the attributes page says.
- Unique values are computed by ``users.unique_values``, the same function
  AdminCreateUser uses, so imported and API-created users collide alike.
- ``birthdate`` is mm/dd/yyyy in the CSV (DG) and stored as OIDC's YYYY-MM-DD, the
  form AdminCreateUser takes, so a user reads the same whichever way it was created.
- Header column names match exactly (case-sensitive).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cognito_import.domain.attributes import (
    BOOLEAN,
    DATETIME,
    MFA_COLUMN,
    NOT_IN_CSV,
    NUMBER,
    PASSWORD_HASH_COLUMN,
    USERNAME_COLUMN,
    VERIFIABLE,
    AttributeDef,
)
from cognito_import.domain.csvfile import CsvFileError
from cognito_import.domain.hashes import ALGORITHMS, is_valid_hash
from cognito_import.domain.pools import MFA_OFF, MFA_ON, PoolConfig
from cognito_import.domain.users import unique_values

SKIPPED_EXISTS = "The user already exists."
NO_AUTO_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. "
    "(Example: email_verified to true)."
)
INVALID_PHONE = "Invalid phone number format."
INVALID_EMAIL = "Invalid email address format."
USERNAME_EMPTY = "The username (cognito:username) is empty."
USERNAME_WHITESPACE = "The username cannot contain spaces, tabs or control characters."
USERNAME_TOO_LONG = "The username is longer than 128 characters."
USERNAME_IS_EMAIL = (
    "Username cannot be of email format, since user pool is configured for email alias."
)
USERNAME_IS_PHONE = (
    "Username cannot be of phone number format, "
    "since user pool is configured for phone number alias."
)
USERNAME_NOT_EMAIL = "Username should be an email."
USERNAME_NOT_PHONE = "Username should be a phone number."
USERNAME_NOT_EMAIL_OR_PHONE = "Username should be either an email or a phone number."
MFA_MUST_BE_TRUE = "cognito:mfa_enabled must be true: MFA is required in this user pool."
MFA_MUST_BE_FALSE = "cognito:mfa_enabled must be false: MFA is off in this user pool."
HASH_EMPTY = "The cognito:password_hash value is empty."
POOL_WITHOUT_AUTO_VERIFIED = (
    "The user pool has no auto-verified attributes; "
    "an import needs email or phone_number to be auto-verified."
)
MAX_USERNAME = 128
DEFAULT_MAX_LENGTH = 2048

# Checker kinds; plain strings are checked inline in check_row, the rest in _convert.
_STR, _EMAIL, _PHONE, _BOOL, _NUMBER, _DATETIME, _BIRTHDATE_CSV, _BIRTHDATE_ISO = range(8)
_BOOLS = {"true": "true", "false": "false"}
_INF = float("inf")

# (column index, attribute name, kind, low, high): lengths for strings, values for numbers.
_Check = tuple[int, str, int, float, float]


def alias_taken_reason(attribute: str) -> str:
    return f"An account with the given {attribute} already exists."


def bool_reason(name: str) -> str:
    return f"Invalid value for {name}: must be true or false."


def invalid_hash_reason(algorithm: str) -> str:
    return f"The cognito:password_hash value is not a valid {algorithm} hash."


def required_reason(name: str) -> str:
    return f"The required attribute {name} is empty."


class _Invalid(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RowUser:
    username: str
    username_key: str
    attributes: dict[str, str]
    unique_values: dict[str, str]
    password_hash: str | None
    mfa_enabled: bool


@dataclass(frozen=True, slots=True)
class HeaderPlan:
    config: PoolConfig
    hash_algorithm: str | None
    columns: tuple[str, ...]
    username_index: int
    mfa_index: int
    hash_index: int  # -1 when the job has no PasswordHashingAlgorithm
    checks: tuple[_Check, ...]
    required: tuple[str, ...]
    auto_flags: tuple[str, ...]


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


def _names(names: list[str], one: str = "column", many: str = "columns") -> str:
    """``one`` or ``many``, then up to five names, each cut to 40 characters."""
    shown = [n if len(n) <= 40 else n[:39] + "\u2026" for n in names[:5]]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{one if len(names) == 1 else many} {', '.join(shown)}{more}"


def _kind(attr: AttributeDef, *, csv: bool) -> tuple[int, float, float]:
    if attr.name == "email":
        return _EMAIL, 0, attr.max_length or DEFAULT_MAX_LENGTH
    if attr.name == "phone_number":
        return _PHONE, 0, attr.max_length or DEFAULT_MAX_LENGTH
    if attr.name == "birthdate":
        return (_BIRTHDATE_CSV if csv else _BIRTHDATE_ISO), 0, _INF
    if attr.data_type == BOOLEAN:
        return _BOOL, 0, _INF
    if attr.data_type == NUMBER:
        low = -_INF if attr.min_value is None else attr.min_value
        return _NUMBER, low, _INF if attr.max_value is None else attr.max_value
    if attr.data_type == DATETIME:
        return _DATETIME, 0, _INF
    return _STR, attr.min_length or 0, attr.max_length or DEFAULT_MAX_LENGTH


def _definition(config: PoolConfig, name: str) -> AttributeDef:
    # The verified flags are Cognito built-ins that a pool's schema may not list.
    return config.by_name.get(name) or AttributeDef(name, BOOLEAN)


def _length_reason(name: str, low: float, high: float, length: int) -> str:
    if length > high:
        return f"The value of {name} is longer than {int(high):,} characters."
    return f"The value of {name} is shorter than {int(low):,} characters."


def _convert(name: str, kind: int, low: float, high: float, value: str) -> str:
    """The stored form of a non-empty value, or _Invalid with the reason."""
    if kind == _STR:
        if not low <= len(value) <= high:
            raise _Invalid(_length_reason(name, low, high, len(value)))
        return value
    if kind == _BOOL:
        normal = _BOOLS.get(value.lower())
        if normal is None:
            raise _Invalid(bool_reason(name))
        return normal
    if kind == _EMAIL or kind == _PHONE:
        if len(value) > high:
            raise _Invalid(_length_reason(name, low, high, len(value)))
        if not (is_email(value) if kind == _EMAIL else is_phone(value)):
            raise _Invalid(INVALID_EMAIL if kind == _EMAIL else INVALID_PHONE)
        return value
    if kind == _NUMBER:
        return _number(name, low, high, value)
    if kind == _DATETIME:
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            raise _Invalid(
                f"Invalid value for {name}: must be an ISO 8601 date or date-time."
            ) from None
        return value
    return _birthdate(value, csv=kind == _BIRTHDATE_CSV)


def _number(name: str, low: float, high: float, value: str) -> str:
    digits = value[1:] if value[0] == "-" else value
    try:
        number = int(value) if digits.isascii() and digits.isdigit() else None
    except ValueError:  # more digits than int() converts
        number = None
    if number is None:
        raise _Invalid(f"Invalid value for {name}: must be an integer.")
    if number < low:
        raise _Invalid(f"The value of {name} must be at least {int(low)}.")
    if number > high:
        raise _Invalid(f"The value of {name} must be at most {int(high)}.")
    return value


def _birthdate(value: str, *, csv: bool) -> str:
    # CSV: mm/dd/yyyy (DG); API and storage: YYYY-MM-DD (OIDC).
    if csv:
        ok = len(value) == 10 and value[2] == "/" and value[5] == "/"
        month, day, year = value[0:2], value[3:5], value[6:10]
    else:
        ok = len(value) == 10 and value[4] == "-" and value[7] == "-"
        year, month, day = value[0:4], value[5:7], value[8:10]
    digits = year + month + day
    if ok and digits.isascii() and digits.isdigit():
        try:
            return datetime.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    form = "mm/dd/yyyy" if csv else "YYYY-MM-DD"
    raise _Invalid(f"Invalid value for birthdate: must be a real date in the format {form}.")


def plan_header(columns: list[str], config: PoolConfig, hash_algorithm: str | None) -> HeaderPlan:
    """Check the header against the pool once; CsvFileError says what is wrong."""
    if hash_algorithm is not None and hash_algorithm not in ALGORITHMS:
        raise ValueError(f"Unknown password hashing algorithm: {hash_algorithm}")
    auto = [a for a in ("email", "phone_number") if a in config.auto_verified]
    if not auto:
        raise CsvFileError(POOL_WITHOUT_AUTO_VERIFIED)
    for position, column in enumerate(columns, start=1):
        if not column:
            raise CsvFileError(f"The CSV header has an empty column name (column {position}).")
    repeated = sorted({c for c in columns if columns.count(c) > 1}, key=columns.index)
    if repeated:
        raise CsvFileError(f"The CSV header has the {_names(repeated)} more than once.")
    allowed = set(config.csv_header()) | set(VERIFIABLE.values()) | {PASSWORD_HASH_COLUMN}
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        which = _names(unknown, "a column that is not an", "columns that are not")
        raise CsvFileError(f"The CSV header has {which}.")
    present = set(columns)
    missing = [c for c in (USERNAME_COLUMN, MFA_COLUMN) if c not in present]
    if missing:
        raise CsvFileError(f"The CSV header is missing the required {_names(missing)}.")
    if hash_algorithm is not None and PASSWORD_HASH_COLUMN not in present:
        raise CsvFileError(
            f"The CSV header is missing the column {PASSWORD_HASH_COLUMN}, "
            f"needed for the job's PasswordHashingAlgorithm {hash_algorithm}."
        )
    if hash_algorithm is None and PASSWORD_HASH_COLUMN in present:
        raise CsvFileError(
            f"The CSV header has the column {PASSWORD_HASH_COLUMN}, "
            "but the import job has no PasswordHashingAlgorithm."
        )
    required = [a.name for a in config.schema if a.required and a.name not in NOT_IN_CSV]
    # A sole username attribute is filled from cognito:username, so its column is optional.
    present |= config.username_attributes if len(config.username_attributes) == 1 else set()
    absent = [n for n in required if n not in present]
    if absent:
        which = _names(absent, "column for the required", "columns for the required")
        raise CsvFileError(f"The CSV header is missing the {which}.")
    if not any(a in present and VERIFIABLE[a] in present for a in auto):
        needs = " or ".join(f"{a} and {VERIFIABLE[a]}" for a in auto)
        raise CsvFileError(
            f"The CSV header must have the columns {needs}: every row must set "
            "an auto-verified attribute to true."
        )

    index = {c: i for i, c in enumerate(columns)}
    checks: list[_Check] = []
    # Pool order, not header order: the first problem reported must not depend on it.
    for name in dict.fromkeys([*config.csv_header(), *VERIFIABLE.values()]):
        if name in index and name not in (USERNAME_COLUMN, MFA_COLUMN):
            kind, low, high = _kind(_definition(config, name), csv=True)
            checks.append((index[name], name, kind, low, high))
    return HeaderPlan(
        config=config,
        hash_algorithm=hash_algorithm,
        columns=tuple(columns),
        username_index=index[USERNAME_COLUMN],
        mfa_index=index[MFA_COLUMN],
        hash_index=index.get(PASSWORD_HASH_COLUMN, -1),
        checks=tuple(checks),
        required=tuple(required),
        auto_flags=tuple(VERIFIABLE[a] for a in auto),
    )


def _username_problem(config: PoolConfig, username: str) -> str | None:
    if not username:
        return USERNAME_EMPTY
    # isprintable() is false for every separator and control character except the
    # plain space, which matches AWS's Username pattern [\p{L}\p{M}\p{S}\p{N}\p{P}]+.
    if " " in username or not username.isprintable():
        return USERNAME_WHITESPACE
    if len(username) > MAX_USERNAME:
        return USERNAME_TOO_LONG
    aliases, allowed = config.alias_attributes, config.username_attributes
    if aliases and "email" in aliases and "@" in username and is_email(username):
        return USERNAME_IS_EMAIL
    if aliases and "phone_number" in aliases and is_phone(username):
        return USERNAME_IS_PHONE
    if allowed and not _username_attribute(allowed, username):
        if len(allowed) > 1:
            return USERNAME_NOT_EMAIL_OR_PHONE
        return USERNAME_NOT_EMAIL if "email" in allowed else USERNAME_NOT_PHONE
    return None


def _username_attribute(allowed: frozenset[str], username: str) -> str:
    """The username attribute whose value ``username`` is, or ""."""
    if "email" in allowed and is_email(username):
        return "email"
    if "phone_number" in allowed and is_phone(username):
        return "phone_number"
    return ""


def _fill_from_username(allowed: frozenset[str], username: str, attributes: dict[str, str]) -> str:
    name = _username_attribute(allowed, username)
    given = attributes.setdefault(name, username)
    if given == username or (name == "email" and given.lower() == username.lower()):
        return ""
    return f"The {name} value must equal cognito:username: it is this pool's username attribute."


def check_row(plan: HeaderPlan, values: list[str]) -> RowUser | str:
    """The user a row describes, or the reason it fails (after "Line Number N - ")."""
    width = len(plan.columns)
    if len(values) != width:
        noun = "value" if len(values) == 1 else "values"
        return f"The row has {len(values):,} {noun} but the header has {width:,} columns."
    username = values[plan.username_index]
    config = plan.config
    problem = _username_problem(config, username)
    if problem is not None:
        return problem
    attributes: dict[str, str] = {}
    try:
        for index, name, kind, low, high in plan.checks:
            value = values[index]
            if not value:
                continue
            if kind == _STR:
                if not low <= len(value) <= high:
                    return _length_reason(name, low, high, len(value))
                attributes[name] = value
            else:
                attributes[name] = _convert(name, kind, low, high, value)
    except _Invalid as invalid:
        return invalid.reason
    if config.username_attributes:
        problem = _fill_from_username(config.username_attributes, username, attributes)
        if problem:
            return problem
    for name in plan.required:
        if name not in attributes:
            return required_reason(name)

    if attributes.get("email_verified") == "true" and "email" not in attributes:
        return "email_verified is true but email is empty."
    if attributes.get("phone_number_verified") == "true" and "phone_number" not in attributes:
        return "phone_number_verified is true but phone_number is empty."
    for flag in plan.auto_flags:
        if attributes.get(flag) == "true":
            break
    else:
        return NO_AUTO_VERIFIED

    mfa = _BOOLS.get(values[plan.mfa_index].lower())
    if mfa is None:
        return bool_reason(MFA_COLUMN)
    if mfa == "false" and config.mfa == MFA_ON:
        return MFA_MUST_BE_TRUE
    if mfa == "true" and config.mfa == MFA_OFF:
        return MFA_MUST_BE_FALSE

    password_hash: str | None = None
    if plan.hash_index >= 0:
        password_hash = values[plan.hash_index]
        if not password_hash:
            return HASH_EMPTY
        assert plan.hash_algorithm is not None
        if not is_valid_hash(plan.hash_algorithm, password_hash):
            return invalid_hash_reason(plan.hash_algorithm)

    return RowUser(
        username=username,
        username_key=config.username_key(username),
        attributes=attributes,
        unique_values=unique_values(config.unique_attributes, attributes),
        password_hash=password_hash,
        mfa_enabled=mfa == "true",
    )


def attribute_problems(
    config: PoolConfig, attributes: dict[str, str], *, check_required: bool = True
) -> list[str]:
    """Schema and format problems of API-given attributes (AdminCreateUser).

    Same rules as the CSV, except that ``birthdate`` is YYYY-MM-DD (the stored form).
    Empty values count as absent; ``check_required`` also reports absent required ones.
    """
    by_name = config.by_name
    problems: list[str] = []
    for name, value in attributes.items():
        if name not in by_name and name not in VERIFIABLE.values():
            problems.append(f"The attribute {name} is not in the schema of this user pool.")
            continue
        if name in NOT_IN_CSV:
            problems.append(f"The attribute {name} cannot be set.")
            continue
        if not value:
            continue
        kind, low, high = _kind(_definition(config, name), csv=False)
        try:
            _convert(name, kind, low, high, value)
        except _Invalid as invalid:
            problems.append(invalid.reason)
    if check_required:
        for attr in config.schema:
            if attr.required and attr.name not in NOT_IN_CSV and not attributes.get(attr.name):
                problems.append(required_reason(attr.name))
    return problems
