"""AdminCreateUser, AdminGetUser, AdminDeleteUser, ListUsers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cognito_import.api.passwords import (
    check_password,
    deliver,
    new_credential,
    outbox_entry,
    password_policy,
)
from cognito_import.api.pools import require_pool, visible
from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain import messages
from cognito_import.domain.attributes import NOT_IN_CSV, VERIFIABLE
from cognito_import.domain.filters import parse_filter
from cognito_import.domain.passwords import CREATE_USER_PREFIX, temporary_password
from cognito_import.domain.pools import Pool, PoolConfig
from cognito_import.domain.rows import (
    USERNAME_IS_EMAIL,
    USERNAME_IS_PHONE,
    USERNAME_NOT_EMAIL,
    USERNAME_NOT_EMAIL_OR_PHONE,
    USERNAME_NOT_PHONE,
)
from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, User, unique_values
from cognito_import.domain.values import attribute_problems, is_email, is_phone
from cognito_import.errors import (
    AliasExistsException,
    InvalidParameterException,
    ServiceError,
    UnsupportedUserStateException,
    UsernameExistsException,
    UserNotFoundException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime
from cognito_import.store.credentials import new_user_extras
from cognito_import.store.outbox import Sent
from cognito_import.store.users import Conflict


def taken_message(attribute: str) -> str:
    # Cognito names the attribute as spelled in the schema (email, phone_number), the
    # same text the import writes to its log for an alias clash.
    return f"An account with the given {attribute} already exists."


def username_problem(config: PoolConfig, username: str) -> str | None:
    """Why ``username`` cannot be a username in this pool, as AdminCreateUser says it."""
    allowed = config.username_attributes
    if allowed:
        if "email" in allowed and is_email(username):
            return None
        if "phone_number" in allowed and is_phone(username):
            return None
        if len(allowed) > 1:
            return USERNAME_NOT_EMAIL_OR_PHONE
        return USERNAME_NOT_EMAIL if "email" in allowed else USERNAME_NOT_PHONE
    # An alias pool resolves sign-in names to aliases first, so a username that looks
    # like an alias value would be ambiguous (documented on the attributes page).
    aliases = config.alias_attributes
    if "email" in aliases and is_email(username):
        return USERNAME_IS_EMAIL
    if "phone_number" in aliases and is_phone(username):
        return USERNAME_IS_PHONE
    return None


def schema_problem(config: PoolConfig, attributes: dict[str, str]) -> str | None:
    """Unknown and missing required attributes, in Cognito's words: one line each, e.g.
    ``Attributes did not conform to the schema: custom:x: Attribute does not exist in the
    schema.``; value checks (length, type, format) are left to ``attribute_problems``."""
    known = {*config.by_name, *VERIFIABLE.values()}
    lines = [
        f"{name}: Attribute does not exist in the schema."
        for name in attributes
        if name not in known
    ]
    lines.extend(
        f"{a.name}: The attribute is required."
        for a in config.schema
        if a.required and a.name not in NOT_IN_CSV and not attributes.get(a.name)
    )
    if not lines:
        return None
    return "Attributes did not conform to the schema: " + "".join(line + "\n" for line in lines)


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


def new_user(
    config: PoolConfig,
    pool_id: str,
    username: str,
    attributes: dict[str, str],
    sub: str,
    now: float,
) -> User:
    """The user AdminCreateUser would create (``FORCE_CHANGE_PASSWORD``), after its
    checks of the username and attributes; ``InvalidParameterException`` says which
    failed. ``serve --seed`` builds its users here too, so the rules exist once."""
    if "sub" in attributes:
        raise InvalidParameterException("Cannot modify the non-mutable attribute sub")
    problem = username_problem(config, username)
    if problem is not None:
        raise InvalidParameterException(problem)
    attributes = dict(attributes)
    if config.username_attributes:
        # Email/phone as username: the value given is the sign-in attribute, and the
        # user's own username becomes its sub, as in Cognito.
        attributes.setdefault("email" if is_email(username) else "phone_number", username)
    problem = schema_problem(config, attributes)
    if problem is not None:
        raise InvalidParameterException(problem)
    problems = attribute_problems(config, attributes, check_required=False)
    if problems:
        raise InvalidParameterException("; ".join(problems))
    if config.username_attributes:
        username = sub
    return User(
        pool_id=pool_id,
        username=username,
        username_key=config.username_key(username),
        sub=sub,
        status=FORCE_CHANGE_PASSWORD,
        enabled=True,
        created=now,
        modified=now,
        attributes={k: v for k, v in attributes.items() if v != ""},
        unique_values=unique_values(config.unique_attributes, attributes),
    )


def insert_new_user(
    rt: Runtime,
    config: PoolConfig,
    user: User,
    movable: frozenset[str] = frozenset(),
    temporary_expires: float | None = None,
    sent: Sequence[Sent] = (),
) -> None:
    """Store a new user (with its temporary password's expiry and its invitations, in
    the same transaction), or raise AdminCreateUser's error for what is taken."""
    try:
        rt.store.pools.insert_user(
            user,
            take_over=movable,
            then=lambda tx: new_user_extras(
                tx, user.pool_id, user.username_key, temporary_expires, sent
            ),
        )
    except Conflict as exc:
        raise conflict_error(config, exc.attribute) from exc


def conflict_error(config: PoolConfig, attribute: str) -> ServiceError:
    """AdminCreateUser's error when ``attribute`` (or ``"username"``) is taken."""
    if attribute == "username":
        return UsernameExistsException()
    if attribute in config.username_attributes:
        return UsernameExistsException(taken_message(attribute))
    return AliasExistsException(taken_message(attribute))


def _temporary_password(rt: Runtime, pool: Pool, p: dict[str, Any]) -> str:
    given = p.get("TemporaryPassword")
    if given is None:
        return temporary_password(password_policy(pool), rt.rng)
    check_password(pool, given, CREATE_USER_PREFIX)
    return str(given)


def _invitations(
    rt: Runtime, pool: Pool, user: User, p: dict[str, Any], password: str, now: float
) -> list[Sent]:
    if p.get("MessageAction") == "SUPPRESS":
        return []
    media = p.get("DesiredDeliveryMediums") or [messages.SMS]
    return [
        outbox_entry(
            rt, pool, user, messages.invitation(pool.settings, d, password, user.username), now
        )
        for d in messages.invitation_deliveries(media, user.attributes)
    ]


def _resend(rt: Runtime, ctx: Context, pool: Pool, p: dict[str, Any]) -> dict[str, Any]:
    """RESEND: a new temporary password (given or generated), its validity started
    again, and the invitation sent again; only while the first is unused."""
    user = find_user(rt, pool, p["Username"])
    if user.status != FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD"
        )
    password = _temporary_password(rt, pool, p)
    credential = new_credential(rt, pool, user, password, FORCE_CHANGE_PASSWORD, ctx.now)
    sent = _invitations(rt, pool, user, p, password, ctx.now)
    if not rt.store.credentials.set_credential(
        pool.id, user.username_key, credential, ctx.now, sent
    ):
        raise UserNotFoundException()
    deliver(rt, sent)
    return {"User": user_wire(replace(user, modified=ctx.now), "Attributes")}


def admin_create_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    config = pool.config
    if p.get("MessageAction") == "RESEND":
        return _resend(rt, ctx, pool, p)
    attributes = {a["Name"]: a.get("Value", "") for a in p.get("UserAttributes", [])}
    user = new_user(config, pool.id, p["Username"], attributes, rt.ids.uuid(), ctx.now)
    password = _temporary_password(rt, pool, p)
    credential = new_credential(rt, pool, user, password, FORCE_CHANGE_PASSWORD, ctx.now)
    user = replace(user, password_hash=credential.encoded, hash_algorithm=credential.algorithm)
    sent = _invitations(rt, pool, user, p, password, ctx.now)
    # ForceAliasCreation only moves aliases the new user has verified (AWS ignores it
    # otherwise); username attributes are never moved.
    movable = frozenset(
        name
        for name in config.alias_attributes
        if p.get("ForceAliasCreation") and attributes.get(VERIFIABLE.get(name, "")) == "true"
    )
    insert_new_user(rt, config, user, movable, credential.temporary_expires, sent)
    deliver(rt, sent)
    return {"User": user_wire(user, "Attributes")}


def admin_get_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    wire = user_wire(user, "UserAttributes")
    wire["MFAOptions"] = None
    return wire


def admin_delete_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    rt.store.pools.delete_user(pool.id, user.username_key)
    return {}


def list_users(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool_id = p["UserPoolId"]
    scope = f"users/{pool_id}/{p.get('Filter', '')}"
    try:
        flt = parse_filter(p.get("Filter", ""))
        after = None
        if "PaginationToken" in p:
            after = decode_token(
                rt.token_secret, scope, p["PaginationToken"], "Invalid pagination token."
            )[0]
    except ServiceError:
        require_pool(rt, ctx, pool_id)  # an unknown pool is told first
        raise
    limit = p.get("Limit", 60)
    # The pool is read with the page, in one statement where the index answers.
    found = rt.store.pools.pool_users(ctx.account, pool_id, flt, after, limit + 1)
    pool, users = found or (None, [])
    visible(pool, ctx, pool_id)
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
