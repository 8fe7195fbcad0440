"""Cognito's rules for one CSV row: the header plan, then a check per row.

``plan_header`` makes every per-file decision once (column indexes, a converter per
column, which flags satisfy the auto-verified rule), so ``check_row`` only loops over
the few columns that need more than a copy. Reason texts never hold user data: they
go to the log.

Decisions where AWS is silent (cognito-facts 6.4, 13):
- Username-attribute pools (email/phone as username): ``cognito:username`` must be an
  email / phone number (AWS's AdminCreateUser wording). The matching attribute is
  filled from the username when its column is empty, and must equal it when given.
- Alias pools refuse usernames in email / phone format, as the attributes page says.
- Unique values come from ``users.unique_values``, which AdminCreateUser uses too, so
  imported and API-created users collide alike.
- ``birthdate`` is mm/dd/yyyy in the CSV (DG) and stored as OIDC's YYYY-MM-DD, the
  form AdminCreateUser takes, so a user reads the same however it was created.
- Header column names match exactly (case-sensitive).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter

from cognito_import.domain.attributes import (
    MFA_COLUMN,
    NOT_IN_CSV,
    PASSWORD_HASH_COLUMN,
    USERNAME_COLUMN,
    VERIFIABLE,
)
from cognito_import.domain.csvfile import MAX_ROW_CHARS, CsvFileError
from cognito_import.domain.hashes import ALGORITHMS, hash_problem
from cognito_import.domain.pools import MFA_OFF, MFA_ON, PoolConfig
from cognito_import.domain.users import unique_values
from cognito_import.domain.values import (
    BOOLS,
    FORMATTED,
    Converter,
    Invalid,
    check_boolean,
    check_string,
    converter,
    definition,
    length_reason,
    text_problem,
)

# Re-exported: callers of the row rules use these texts and checks too.
from cognito_import.domain.values import INVALID_EMAIL as INVALID_EMAIL
from cognito_import.domain.values import INVALID_PHONE as INVALID_PHONE
from cognito_import.domain.values import attribute_problems as attribute_problems
from cognito_import.domain.values import bool_reason as bool_reason
from cognito_import.domain.values import is_email as is_email
from cognito_import.domain.values import is_phone as is_phone
from cognito_import.domain.values import required_reason as required_reason

SKIPPED_EXISTS = "The user already exists."
NO_AUTO_VERIFIED = (
    "The User Record does not set any of the auto verified attributes to true. "
    "(Example: email_verified to true)."
)
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
POOL_WITHOUT_AUTO_VERIFIED = (
    "The user pool has no auto-verified attributes; "
    "an import needs email or phone_number to be auto-verified."
)
MAX_USERNAME = 128


def alias_taken_reason(attribute: str) -> str:
    return f"An account with the given {attribute} already exists."


# Not frozen: a frozen dataclass costs 0.5 us more per row to build. Treat as read-only.
@dataclass(slots=True)
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
    width: int
    username_index: int
    mfa_index: int
    hash_index: int  # -1 when the job has no PasswordHashingAlgorithm
    names: tuple[str, ...]  # attribute columns, in the pool's order
    pick: Callable[[list[str]], tuple[str, ...]]  # their values, in that order
    flags: tuple[str, ...]  # Boolean columns
    converted: tuple[tuple[str, Converter, float, float], ...]  # others not stored as is
    # Plain strings need a length check only when a value is longer than the shortest max.
    plain: tuple[tuple[str, float], ...]
    plain_limit: float
    required: tuple[str, ...]
    auto_flags: tuple[str, ...]


def _names(names: list[str], one: str = "column", many: str = "columns") -> str:
    """``one`` or ``many``, then up to five names, each cut to 40 characters."""
    shown = [n if len(n) <= 40 else n[:39] + "\u2026" for n in names[:5]]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{one if len(names) == 1 else many} {', '.join(shown)}{more}"


def can_import(config: PoolConfig) -> bool:
    """Every imported row must set an auto-verified attribute to true, so a pool with
    none can import nobody (the guide: such a job "will not start")."""
    return any(a in config.auto_verified for a in VERIFIABLE)


def _check_header(columns: list[str], config: PoolConfig, hash_algorithm: str | None) -> None:
    if not can_import(config):
        raise CsvFileError(POOL_WITHOUT_AUTO_VERIFIED)
    for position, column in enumerate(columns, start=1):
        if not column:
            raise CsvFileError(f"The CSV header has an empty column name (column {position}).")
    counts = Counter(columns)
    repeated = [c for c in counts if counts[c] > 1]
    if repeated:
        raise CsvFileError(f"The CSV header has the {_names(repeated)} more than once.")
    allowed = {*config.csv_header(), *VERIFIABLE.values(), PASSWORD_HASH_COLUMN}
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        one = "a column that is not an attribute of this user pool:"
        many = "columns that are not attributes of this user pool:"
        raise CsvFileError(f"The CSV header has {_names(unknown, one, many)}.")
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
    # A sole username attribute is filled from cognito:username, so its column is optional.
    if len(config.username_attributes) == 1:
        present |= config.username_attributes
    absent = [
        a.name
        for a in config.schema
        if a.required and a.name not in NOT_IN_CSV and a.name not in present
    ]
    if absent:
        one, many = "column for the required attribute", "columns for the required attributes"
        raise CsvFileError(f"The CSV header is missing the {_names(absent, one, many)}.")
    auto = [a for a in VERIFIABLE if a in config.auto_verified]
    if not any(a in present and VERIFIABLE[a] in present for a in auto):
        needs = " or ".join(f"{a} and {VERIFIABLE[a]}" for a in auto)
        raise CsvFileError(
            f"The CSV header must have the columns {needs}: every row must set "
            "an auto-verified attribute to true."
        )


def plan_header(columns: list[str], config: PoolConfig, hash_algorithm: str | None) -> HeaderPlan:
    """Check the header against the pool once; CsvFileError says what is wrong."""
    if hash_algorithm is not None and hash_algorithm not in ALGORITHMS:
        raise ValueError(f"Unknown password hashing algorithm: {hash_algorithm}")
    _check_header(columns, config, hash_algorithm)
    index = {c: i for i, c in enumerate(columns)}
    names: list[str] = []
    converted: list[tuple[str, Converter, float, float]] = []
    flags: list[str] = []
    plain: list[tuple[str, float]] = []
    # Pool order, not header order: the first problem reported must not depend on it.
    for name in dict.fromkeys([*config.csv_header(), *VERIFIABLE.values()]):
        if name in index and name not in (USERNAME_COLUMN, MFA_COLUMN):
            names.append(name)
            convert, low, high = converter(definition(config, name), csv=True)
            if convert is check_string and low == 0 and name not in FORMATTED:
                plain.append((name, high))
            elif convert is check_boolean:
                flags.append(name)
            else:
                converted.append((name, convert, low, high))
    return HeaderPlan(
        config=config,
        hash_algorithm=hash_algorithm,
        columns=tuple(columns),
        width=len(columns),
        username_index=index[USERNAME_COLUMN],
        mfa_index=index[MFA_COLUMN],
        hash_index=index.get(PASSWORD_HASH_COLUMN, -1),
        names=tuple(names),
        pick=_picker([index[n] for n in names]),
        flags=tuple(flags),
        converted=tuple(converted),
        plain=tuple(plain),
        plain_limit=min((high for _, high in plain), default=MAX_ROW_CHARS),
        required=tuple(a.name for a in config.schema if a.required and a.name not in NOT_IN_CSV),
        auto_flags=tuple(VERIFIABLE[a] for a in VERIFIABLE if a in config.auto_verified),
    )


def _picker(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    if len(positions) > 1:
        return itemgetter(*positions)
    # itemgetter of one index returns the item, not a tuple, and needs at least one index.
    return lambda values: tuple(values[i] for i in positions)


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


def _schema_problem(plan: HeaderPlan, attributes: dict[str, str], total: int) -> str:
    """Convert ``attributes`` in place; the first schema problem, or "". ``total``: the
    length of all the values together, before conversion, which bounds each plain
    string's (conversions change no plain string)."""
    for name in plan.flags:
        value = attributes.get(name)
        if value is not None:
            normal = BOOLS.get(value) or BOOLS.get(value.lower())
            if normal is None:
                return bool_reason(name)
            attributes[name] = normal
    try:
        for name, convert, low, high in plan.converted:
            value = attributes.get(name)
            if value is not None:
                attributes[name] = convert(name, low, high, value)
    except Invalid as invalid:
        return invalid.reason
    if plan.plain and total > plan.plain_limit:
        for name, high in plan.plain:
            if len(attributes.get(name, "")) > high:
                return length_reason(name, 0, high, len(attributes[name]))
    return ""


def check_row(plan: HeaderPlan, values: list[str]) -> RowUser | str:
    """The user a row describes, or the reason it fails (after "Line Number N - ")."""
    width = plan.width
    if len(values) != width:
        noun = "value" if len(values) == 1 else "values"
        return f"The row has {len(values):,} {noun} but the header has {width:,} columns."
    username = values[plan.username_index]
    config = plan.config
    problem = _username_problem(config, username)
    if problem is not None:
        return problem
    picked = plan.pick(values)
    # Empty values are absent: compress keeps the (name, value) pairs whose value is not.
    attributes = dict(compress(zip(plan.names, picked, strict=False), picked))
    joined = "".join(picked)
    problem = text_problem(attributes, joined) or _schema_problem(plan, attributes, len(joined))
    if not problem and config.username_attributes:
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

    mfa_value = values[plan.mfa_index]
    mfa = BOOLS.get(mfa_value) or BOOLS.get(mfa_value.lower())
    if mfa is None:
        return bool_reason(MFA_COLUMN)
    if mfa == "false" and config.mfa == MFA_ON:
        return MFA_MUST_BE_TRUE
    if mfa == "true" and config.mfa == MFA_OFF:
        return MFA_MUST_BE_FALSE

    password_hash: str | None = None
    if plan.hash_index >= 0:
        assert plan.hash_algorithm is not None
        password_hash = values[plan.hash_index]
        problem = hash_problem(plan.hash_algorithm, password_hash)
        if problem:
            return problem

    unique = config.unique_attributes
    return RowUser(
        username=username,
        username_key=config.username_key(username),
        attributes=attributes,
        unique_values=unique_values(unique, attributes) if unique else {},
        password_hash=password_hash,
        mfa_enabled=mfa == "true",
    )
