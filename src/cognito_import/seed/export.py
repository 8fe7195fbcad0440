"""A store's pools and users written as a seed file, which ``serve --seed`` replays.

Each pool becomes the CreateUserPool request that makes it again (its schema as
``Schema`` entries, custom names without ``custom:``, standard attributes only where
they differ from Cognito's), with its id, account and dates; each user keeps its sub,
status, flags, password hash and dates.
"""

from __future__ import annotations

from typing import Any

from cognito_import.domain.attributes import (
    CUSTOM_PREFIX,
    NUMBER,
    STANDARD_BY_NAME,
    STRING,
    AttributeDef,
)
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import User
from cognito_import.seed.model import VERSION
from cognito_import.store import Store


def export_seed(store: Store) -> dict[str, Any]:
    pools = []
    for pool in store.accounts.all_pools():
        entry = {
            "Id": pool.id,
            "Account": pool.account,
            **pool_request(pool),
            "CreationDate": pool.created,
            "LastModifiedDate": pool.modified,
            "Users": [user_entry(pool, user) for user in store.accounts.users(pool.id)],
        }
        pools.append(entry)
    return {"version": VERSION, "pools": pools}


def pool_request(pool: Pool) -> dict[str, Any]:
    """The CreateUserPool members that create this pool again."""
    config = pool.config
    request: dict[str, Any] = {"PoolName": pool.name}
    schema = [_schema_entry(a) for a in config.schema if a != STANDARD_BY_NAME.get(a.name)]
    if schema:
        request["Schema"] = schema
    for member, values in (
        ("AutoVerifiedAttributes", config.auto_verified),
        ("AliasAttributes", config.alias_attributes),
        ("UsernameAttributes", config.username_attributes),
    ):
        if values:
            request[member] = sorted(values)
    request["MfaConfiguration"] = config.mfa
    request["UsernameConfiguration"] = {"CaseSensitive": config.case_sensitive}
    request.update(pool.settings)
    return request


def _schema_entry(attribute: AttributeDef) -> dict[str, Any]:
    custom = attribute.name.startswith(CUSTOM_PREFIX)
    entry: dict[str, Any] = {
        "Name": attribute.name.removeprefix(CUSTOM_PREFIX) if custom else attribute.name,
        "AttributeDataType": attribute.data_type,
        "Mutable": attribute.mutable,
    }
    if custom:
        entry["DeveloperOnlyAttribute"] = attribute.developer_only
    else:
        entry["Required"] = attribute.required
    bounds: dict[str, int | None] = {}
    if attribute.data_type == STRING:
        bounds = {"MinLength": attribute.min_length, "MaxLength": attribute.max_length}
        member = "StringAttributeConstraints"
    elif attribute.data_type == NUMBER:
        bounds = {"MinValue": attribute.min_value, "MaxValue": attribute.max_value}
        member = "NumberAttributeConstraints"
    given = {k: str(v) for k, v in bounds.items() if v is not None}
    if given:
        entry[member] = given
    return entry


def user_entry(pool: Pool, user: User) -> dict[str, Any]:
    entry: dict[str, Any] = {"Username": _sign_in_name(pool, user), "Sub": user.sub}
    if user.attributes:
        entry["UserAttributes"] = dict(user.attributes)
    entry["Status"] = user.status
    entry["Enabled"] = user.enabled
    if user.mfa_enabled:
        entry["MfaEnabled"] = True
    if user.password_hash is not None:
        entry["PasswordHash"] = user.password_hash
        entry["PasswordHashAlgorithm"] = user.hash_algorithm
    entry["UserCreateDate"] = user.created
    entry["UserLastModifiedDate"] = user.modified
    return entry


def _sign_in_name(pool: Pool, user: User) -> str:
    """The Username to give AdminCreateUser: in a pool whose usernames are emails or
    phone numbers, the stored username is the sub, and the request names the user by
    the email (or phone number) instead."""
    if user.username == user.sub:
        for attribute in sorted(pool.config.username_attributes):
            value = user.attributes.get(attribute)
            if value:
                return value
    return user.username
