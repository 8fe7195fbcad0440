"""AdminCreateUser, AdminGetUser, AdminDeleteUser, ListUsers."""

from __future__ import annotations

from typing import Any

from cognito_import.api.pools import require_pool
from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain.filters import parse_filter
from cognito_import.domain.pools import Pool
from cognito_import.domain.rows import attribute_problems
from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, User, unique_values
from cognito_import.errors import (
    AliasExistsException,
    InvalidParameterException,
    UsernameExistsException,
    UserNotFoundException,
)
from cognito_import.protocol.awsjson import Context, Handler
from cognito_import.runtime import Runtime
from cognito_import.store.pools import Conflict

_ALIAS_LABEL = {"email": "email", "phone_number": "phone number"}


def user_wire(user: User, attributes_key: str) -> dict[str, Any]:
    return {
        "Username": user.username,
        attributes_key: user.wire_attributes(),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def find_user(rt: Runtime, pool: Pool, username: str) -> User:
    """A user by username, or by an alias/username attribute value, as Cognito resolves it."""
    user = rt.store.pools.get_user(pool.id, pool.config.username_key(username))
    if user is None:
        for attribute, value in unique_values(
            pool.config.unique_attributes, {a: username for a in pool.config.unique_attributes}
        ).items():
            user = rt.store.pools.find_user_by_alias(pool.id, attribute, value)
            if user is not None:
                break
    if user is None:
        raise UserNotFoundException()
    return user


def handlers(rt: Runtime) -> dict[str, Handler]:
    def admin_create_user(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        pool = require_pool(rt, ctx, p["UserPoolId"])
        config = pool.config
        attributes = {a["Name"]: a.get("Value", "") for a in p.get("UserAttributes", [])}
        if "sub" in attributes:
            raise InvalidParameterException("Cannot modify the non-mutable attribute sub")
        username = p["Username"]
        if config.username_attributes:
            # Email/phone as username: the value given is the sign-in attribute, and the
            # user's own username becomes its sub, as in Cognito.
            kind = "email" if "@" in username else "phone_number"
            if kind not in config.username_attributes:
                raise InvalidParameterException(
                    "Username should be either an email or a phone number."
                )
            attributes.setdefault(kind, username)
        problems = attribute_problems(config, attributes)
        if problems:
            raise InvalidParameterException("; ".join(problems))
        sub = rt.ids.uuid()
        if config.username_attributes:
            username = sub
        user = User(
            pool_id=pool.id,
            username=username,
            username_key=config.username_key(username),
            sub=sub,
            status=FORCE_CHANGE_PASSWORD,
            enabled=True,
            created=ctx.now,
            modified=ctx.now,
            attributes={k: v for k, v in attributes.items() if v != ""},
            unique_values=unique_values(config.unique_attributes, attributes),
        )
        try:
            rt.store.pools.insert_user(user)
        except Conflict as exc:
            if exc.attribute == "username":
                raise UsernameExistsException() from exc
            label = _ALIAS_LABEL.get(exc.attribute, exc.attribute)
            raise AliasExistsException(
                f"An account with the given {label} already exists."
            ) from exc
        return {"User": user_wire(user, "Attributes")}

    def admin_get_user(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        pool = require_pool(rt, ctx, p["UserPoolId"])
        user = find_user(rt, pool, p["Username"])
        wire = user_wire(user, "UserAttributes")
        wire["MFAOptions"] = None
        return wire

    def admin_delete_user(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        pool = require_pool(rt, ctx, p["UserPoolId"])
        user = find_user(rt, pool, p["Username"])
        rt.store.pools.delete_user(pool.id, user.username_key)
        return {}

    def list_users(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        pool = require_pool(rt, ctx, p["UserPoolId"])
        flt = parse_filter(p.get("Filter", ""))
        if flt is not None and flt.column == "username":
            flt = flt.with_value(pool.config.username_key(flt.value))
        scope = f"users/{pool.id}/{p.get('Filter', '')}"
        after = None
        if "PaginationToken" in p:
            after = decode_token(
                rt.token_secret, scope, p["PaginationToken"], "Invalid pagination token."
            )[0]
        limit = p.get("Limit", 60)
        users = rt.store.pools.list_users(pool.id, flt, after, limit + 1)
        wanted = p.get("AttributesToGet")
        items = []
        for user in users[:limit]:
            wire = user_wire(user, "Attributes")
            if wanted is not None:
                wire["Attributes"] = [a for a in wire["Attributes"] if a["Name"] in wanted]
            items.append(wire)
        result: dict[str, Any] = {"Users": items}
        if len(users) > limit:
            result["PaginationToken"] = encode_token(
                rt.token_secret, scope, [users[limit - 1].username_key]
            )
        return result

    return {
        "AdminCreateUser": admin_create_user,
        "AdminGetUser": admin_get_user,
        "AdminDeleteUser": admin_delete_user,
        "ListUsers": list_users,
    }
