"""CreateUserPool's rules, and the pool shapes DescribeUserPool and ListUserPools return.

Requests arrive already checked against botocore's model (types, lengths, patterns, enums).
What is left here is what the model cannot say: how the ``Schema`` list combines with
Cognito's standard attributes, which combinations Cognito refuses, and the defaults AWS
fills in for members the request left out.

Decisions where AWS is silent or its behaviour is unverified:

- No ``UsernameConfiguration``: usernames are case sensitive. That is what CreateUserPool
  did before the member existed and what an API call without it still gets; the console
  sends ``CaseSensitive: false`` explicitly. DescribeUserPool always shows the effective
  setting, so a client never has to guess which rule the pool follows.
- ``MfaConfiguration`` ON or OPTIONAL without ``SmsConfiguration``: accepted. Cognito wants
  a way to deliver codes, but this service delivers none, and for imports the setting only
  decides which ``cognito:mfa_enabled`` values a row may carry.
- A ``Schema`` name that is not a standard attribute always gets the ``custom:`` prefix,
  even when it already has one: Cognito itself turns ``custom:x`` into ``custom:custom:x``.
- Custom attributes keep the order of the request; GetCSVHeader lists them in that order.
- Developer-only custom attributes are described as ``dev:custom:<name>``, the name the
  console shows, but stay ``custom:<name>`` in the schema so the CSV header keeps them
  with the other custom columns.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, fields, replace
from typing import Any

from cognito_import.domain.attributes import (
    CUSTOM_PREFIX,
    NUMBER,
    STANDARD_ATTRIBUTES,
    STANDARD_BY_NAME,
    STRING,
    AttributeDef,
)
from cognito_import.domain.pools import MFA_OFF, Pool, PoolConfig
from cognito_import.errors import InvalidParameterException

MAX_CUSTOM_ATTRIBUTES = 50
MAX_STRING_LENGTH = 2048
POOL_ID_RANDOM_LENGTH = 9
DEV_PREFIX = "dev:"

DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}

# What DescribeUserPool shows for a pool created with nothing but a name. A request member
# that is a structure is merged one level deep over its default, as AWS does for e.g.
# Policies without SignInPolicy.
_SETTING_DEFAULTS: dict[str, Any] = {
    "Policies": {
        "PasswordPolicy": DEFAULT_PASSWORD_POLICY,
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    },
    "DeletionProtection": "INACTIVE",
    "LambdaConfig": {},
    "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
    "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
    "UserPoolTier": "ESSENTIALS",
}

# CreateUserPool members that UserPoolType echoes as given. The members it also shares
# with UserPoolType but that PoolConfig holds (attribute lists, MFA, username case) are
# derived from the config instead, so the two can never disagree.
KEPT_SETTINGS: frozenset[str] = frozenset(
    (
        "Policies DeletionProtection LambdaConfig SmsVerificationMessage EmailVerificationMessage "
        "EmailVerificationSubject VerificationMessageTemplate SmsAuthenticationMessage "
        "UserAttributeUpdateSettings DeviceConfiguration EmailConfiguration SmsConfiguration "
        "UserPoolTags AdminCreateUserConfig UserPoolAddOns DcrConfiguration "
        "AccountRecoverySetting UserPoolTier KeyConfiguration IssuerConfiguration "
        "AcrConfiguration"
    ).split()
)

# UserPoolType's member order in the service model, so output reads like AWS's.
USER_POOL_ORDER = tuple(
    (
        "Id Name Policies DeletionProtection LambdaConfig LastModifiedDate CreationDate "
        "SchemaAttributes AutoVerifiedAttributes AliasAttributes UsernameAttributes "
        "SmsVerificationMessage EmailVerificationMessage EmailVerificationSubject "
        "VerificationMessageTemplate SmsAuthenticationMessage UserAttributeUpdateSettings "
        "MfaConfiguration DeviceConfiguration EstimatedNumberOfUsers EmailConfiguration "
        "SmsConfiguration UserPoolTags AdminCreateUserConfig UserPoolAddOns DcrConfiguration "
        "UsernameConfiguration Arn AccountRecoverySetting UserPoolTier KeyConfiguration "
        "IssuerConfiguration AcrConfiguration"
    ).split()
)

# Python's int() also takes "1_000" and " 5"; Cognito's bounds are plain decimal integers.
_INTEGER = re.compile(r"-?[0-9]+")


def config_from_request(params: Mapping[str, Any]) -> tuple[PoolConfig, dict[str, Any]]:
    """The PoolConfig and the DescribeUserPool settings for a CreateUserPool request."""
    username_attributes = params.get("UsernameAttributes") or []
    alias_attributes = params.get("AliasAttributes") or []
    if username_attributes and alias_attributes:
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    username_configuration = params.get("UsernameConfiguration") or {}
    config = PoolConfig(
        schema=build_schema(params.get("Schema") or []),
        auto_verified=frozenset(params.get("AutoVerifiedAttributes") or []),
        username_attributes=frozenset(username_attributes),
        alias_attributes=frozenset(alias_attributes),
        mfa=params.get("MfaConfiguration") or MFA_OFF,
        case_sensitive=bool(username_configuration.get("CaseSensitive", True)),
    )
    return config, _settings(params)


def _settings(params: Mapping[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = copy.deepcopy(_SETTING_DEFAULTS)
    for name in sorted(KEPT_SETTINGS):
        if name not in params:
            continue
        given = copy.deepcopy(params[name])
        default = settings.get(name)
        if isinstance(default, dict) and isinstance(given, dict):
            settings[name] = {**default, **given}
        else:
            settings[name] = given
    return settings


def build_schema(entries: Sequence[Mapping[str, Any]]) -> tuple[AttributeDef, ...]:
    """The pool's full schema: every standard attribute (with overrides), then custom ones."""
    standard = dict(STANDARD_BY_NAME)
    custom: list[AttributeDef] = []
    seen: set[str] = set()
    for entry in entries:
        raw = entry.get("Name")
        if not raw:
            raise InvalidParameterException("Schema attribute name cannot be empty.")
        name = raw if raw in STANDARD_BY_NAME else CUSTOM_PREFIX + raw
        if name in seen:
            raise InvalidParameterException(f"Existing attribute already has name {name}.")
        seen.add(name)
        if name in STANDARD_BY_NAME:
            standard[name] = _standard(STANDARD_BY_NAME[name], entry)
        else:
            custom.append(_custom(name, entry))
    if len(custom) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )
    return (*(standard[a.name] for a in STANDARD_ATTRIBUTES), *custom)


def _standard(base: AttributeDef, entry: Mapping[str, Any]) -> AttributeDef:
    data_type = entry.get("AttributeDataType")
    if (data_type is not None and data_type != base.data_type) or entry.get(
        "DeveloperOnlyAttribute", False
    ):
        raise InvalidParameterException(
            "You can not change AttributeDataType or set developerOnlyAttribute "
            f"for standard schema attribute {base.name}"
        )
    changed = replace(
        base,
        mutable=bool(entry.get("Mutable", base.mutable)),
        required=bool(entry.get("Required", base.required)),
    )
    changed = _with_constraints(changed, entry)
    # Every user's identity hangs off sub; Cognito generates it and never lets it change.
    if base.name == "sub" and changed != base:
        raise InvalidParameterException(
            "You can not change Mutable, Required or the constraints "
            "of standard schema attribute sub"
        )
    return changed


def _custom(name: str, entry: Mapping[str, Any]) -> AttributeDef:
    data_type = entry.get("AttributeDataType")
    if data_type is None:
        raise InvalidParameterException(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
        )
    if entry.get("Required", False):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    attribute = AttributeDef(
        name,
        data_type,
        mutable=bool(entry.get("Mutable", True)),
        developer_only=bool(entry.get("DeveloperOnlyAttribute", False)),
    )
    return _with_constraints(attribute, entry)


def _with_constraints(attribute: AttributeDef, entry: Mapping[str, Any]) -> AttributeDef:
    name = attribute.name
    strings = entry.get("StringAttributeConstraints") or {}
    numbers = entry.get("NumberAttributeConstraints") or {}
    # An empty structure of the wrong kind is harmless (Terraform sends one), so only a
    # populated one is refused.
    if strings and attribute.data_type != STRING:
        raise InvalidParameterException(
            f"user.{name}: StringAttributeConstraints can only be set "
            f"for String attributes, not {attribute.data_type}."
        )
    if numbers and attribute.data_type != NUMBER:
        raise InvalidParameterException(
            f"user.{name}: NumberAttributeConstraints can only be set "
            f"for Number attributes, not {attribute.data_type}."
        )
    if strings:
        min_length = _bound(name, strings, "MinLength", attribute.min_length, 0)
        max_length = _bound(name, strings, "MaxLength", attribute.max_length, 0)
        if any(n is not None and n > MAX_STRING_LENGTH for n in (min_length, max_length)):
            raise InvalidParameterException(
                f"user.{name}: String attributes cannot have a length of more than "
                f"{MAX_STRING_LENGTH}"
            )
        if min_length is not None and max_length is not None and min_length > max_length:
            raise InvalidParameterException(
                f"user.{name}: Max length cannot be less than min length."
            )
        return replace(attribute, min_length=min_length, max_length=max_length)
    if numbers:
        min_value = _bound(name, numbers, "MinValue", attribute.min_value, None)
        max_value = _bound(name, numbers, "MaxValue", attribute.max_value, None)
        if min_value is not None and max_value is not None and min_value > max_value:
            raise InvalidParameterException(
                f"user.{name}: Max value cannot be less than min value."
            )
        return replace(attribute, min_value=min_value, max_value=max_value)
    return attribute


def _bound(
    name: str, given: Mapping[str, Any], key: str, default: int | None, floor: int | None
) -> int | None:
    if key not in given:
        return default
    text = given[key]
    if not isinstance(text, str) or not _INTEGER.fullmatch(text):
        raise InvalidParameterException(f"user.{name}: {key} must be an integer, not '{text}'.")
    value = int(text)
    if floor is not None and value < floor:
        raise InvalidParameterException(f"user.{name}: {key} cannot be negative.")
    return value


def schema_attribute(attribute: AttributeDef) -> dict[str, Any]:
    """One SchemaAttributeType, as DescribeUserPool lists it (constraints as strings)."""
    name = DEV_PREFIX + attribute.name if attribute.developer_only else attribute.name
    out: dict[str, Any] = {
        "Name": name,
        "AttributeDataType": attribute.data_type,
        "DeveloperOnlyAttribute": attribute.developer_only,
        "Mutable": attribute.mutable,
        "Required": attribute.required,
    }
    if attribute.data_type == NUMBER:
        out["NumberAttributeConstraints"] = _as_strings(
            MinValue=attribute.min_value, MaxValue=attribute.max_value
        )
    elif attribute.data_type == STRING:
        out["StringAttributeConstraints"] = _as_strings(
            MinLength=attribute.min_length, MaxLength=attribute.max_length
        )
    return out


def _as_strings(**bounds: int | None) -> dict[str, str]:
    return {key: str(value) for key, value in bounds.items() if value is not None}


def pool_arn(pool: Pool) -> str:
    partition = _partition(pool.region)
    return f"arn:{partition}:cognito-idp:{pool.region}:{pool.account}:userpool/{pool.id}"


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _epoch(seconds: float) -> float:
    return round(seconds, 3)


def describe_pool(pool: Pool, user_count: int) -> dict[str, Any]:
    """The ``UserPool`` member (UserPoolType) of DescribeUserPool's response."""
    config = pool.config
    derived: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "LastModifiedDate": _epoch(pool.modified),
        "CreationDate": _epoch(pool.created),
        "SchemaAttributes": [schema_attribute(a) for a in config.schema],
        "AutoVerifiedAttributes": sorted(config.auto_verified),
        "AliasAttributes": sorted(config.alias_attributes),
        "UsernameAttributes": sorted(config.username_attributes),
        "MfaConfiguration": config.mfa,
        "EstimatedNumberOfUsers": user_count,
        "UsernameConfiguration": {"CaseSensitive": config.case_sensitive},
        "Arn": pool_arn(pool),
    }
    kept = {k: copy.deepcopy(v) for k, v in pool.settings.items() if k in KEPT_SETTINGS}
    values = {**kept, **derived}
    # AWS omits the attribute lists a pool does not use rather than sending [].
    return {k: values[k] for k in USER_POOL_ORDER if k in values and values[k] != []}


def pool_summary(pool: Pool) -> dict[str, Any]:
    """One ListUserPools item (UserPoolDescriptionType)."""
    return {
        "Id": pool.id,
        "Name": pool.name,
        "LambdaConfig": copy.deepcopy(pool.settings.get("LambdaConfig", {})),
        "LastModifiedDate": _epoch(pool.modified),
        "CreationDate": _epoch(pool.created),
    }


def new_pool_id(region: str, rand: Callable[[int], str]) -> str:
    """``<region>_<9 alphanumerics>``; ``rand(n)`` supplies n random ASCII alphanumerics."""
    suffix = rand(POOL_ID_RANDOM_LENGTH)
    if len(suffix) != POOL_ID_RANDOM_LENGTH or not (suffix.isascii() and suffix.isalnum()):
        raise ValueError(f"rand({POOL_ID_RANDOM_LENGTH}) returned {suffix!r}")
    return f"{region}_{suffix}"


def config_to_json(config: PoolConfig) -> dict[str, Any]:
    """A plain JSON-able form of the config, read back by ``config_from_json``."""
    return {
        "schema": [asdict(a) for a in config.schema],
        "auto_verified": sorted(config.auto_verified),
        "username_attributes": sorted(config.username_attributes),
        "alias_attributes": sorted(config.alias_attributes),
        "mfa": config.mfa,
        "case_sensitive": config.case_sensitive,
    }


_ATTRIBUTE_FIELDS = tuple(f.name for f in fields(AttributeDef))


def config_from_json(data: Mapping[str, Any]) -> PoolConfig:
    # Unknown keys are dropped so a row written by a newer version still loads.
    schema = tuple(
        AttributeDef(**{k: v for k, v in item.items() if k in _ATTRIBUTE_FIELDS})
        for item in data["schema"]
    )
    return PoolConfig(
        schema=schema,
        auto_verified=frozenset(data.get("auto_verified", ())),
        username_attributes=frozenset(data.get("username_attributes", ())),
        alias_attributes=frozenset(data.get("alias_attributes", ())),
        mfa=data.get("mfa", MFA_OFF),
        case_sensitive=bool(data.get("case_sensitive", True)),
    )


def config_from_description(user_pool: Mapping[str, Any]) -> PoolConfig:
    """The PoolConfig of a DescribeUserPool ``UserPool`` (ours or AWS's), read back
    through CreateUserPool's own rules, so a described pool checks rows exactly as the
    pool it describes. InvalidParameterException when it describes no valid pool."""
    entries = []
    for attribute in user_pool.get("SchemaAttributes") or []:
        entry = dict(attribute)
        name = str(entry.get("Name", ""))
        # Described names carry the prefixes CreateUserPool adds; Schema entries do not.
        name = name.removeprefix(DEV_PREFIX)
        if name not in STANDARD_BY_NAME:
            name = name.removeprefix(CUSTOM_PREFIX)
        entry["Name"] = name
        entries.append(entry)
    members = ("AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes")
    request = {k: user_pool[k] for k in members if user_pool.get(k)}
    request["Schema"] = entries
    if "MfaConfiguration" in user_pool:
        request["MfaConfiguration"] = user_pool["MfaConfiguration"]
    if "UsernameConfiguration" in user_pool:
        request["UsernameConfiguration"] = user_pool["UsernameConfiguration"]
    return config_from_request(request)[0]
