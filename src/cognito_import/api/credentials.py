"""What sets a password or a user's state: AdminSetUserPassword, AdminResetUserPassword,
ForgotPassword, ConfirmForgotPassword, AdminDisableUser and AdminEnableUser (the pieces
they share with AdminCreateUser and sign-in are in ``api/passwords.py``).

Every refusal is raised before anything is written, except a wrong reset code, which
counts an attempt (``domain/codes.py``). Messages are written to the outbox in the
change's own transaction, then handed to SMTP (``mail.py``) when the server has it.

Decisions where AWS is silent or its behaviour is unverified:

- ConfirmForgotPassword with no outstanding code (never asked for, already used, or
  replaced by AdminSetUserPassword) answers ``ExpiredCodeException``, whose text asks
  for a new code.
- A client with ``PreventUserExistenceErrors`` gets, for an unknown user, ForgotPassword's
  answer as if a code went by email to the name given (``CodeDeliveryDetails`` masked
  as usual), and ConfirmForgotPassword's ``CodeMismatchException``; nothing is written.
- AdminResetUserPassword deactivates the password (Cognito's word): the credential is
  removed, so the old password no longer works by any flow, and the user is
  ``RESET_REQUIRED`` until a code or an administrator sets a new one.
"""

from __future__ import annotations

from typing import Any

from cognito_import.api.clients import resolve_client
from cognito_import.api.passwords import (
    check_password,
    deliver,
    new_credential,
    outbox_entry,
    set_password,
)
from cognito_import.api.pools import require_pool
from cognito_import.api.signin import DISABLED
from cognito_import.api.users import find_user
from cognito_import.domain import codes, messages
from cognito_import.domain.clients import AppClient
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, User
from cognito_import.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
    UserNotFoundException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime
from cognito_import.store import credentials as stored
from cognito_import.store.credentials import Credential

NO_RECOVERY_DESTINATION = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
CANNOT_RESET_NOW = "User password cannot be reset in the current state."
ADMIN_ONLY = "Contact administrator to reset password."
ATTEMPTS_SPENT = "Attempt limit exceeded, please try after some time."


def _issue_reset_code(
    rt: Runtime, pool: Pool, user: User, kind: str, now: float, reset: Credential | None
) -> messages.Delivery:
    delivery = messages.reset_delivery(pool.settings, user.attributes)
    if delivery is None:
        raise InvalidParameterException(NO_RECOVERY_DESTINATION)
    code = codes.new_code(rt.rng)
    digest = codes.code_digest(rt.token_secret, pool.id, user.username_key, codes.RESET, code)
    message = messages.code_message(pool.settings, kind, delivery, code, user.username)
    sent = [outbox_entry(rt, pool, user, message, now)]
    expires = now + codes.CODE_LIFETIME
    if not rt.store.credentials.issue_code(
        pool.id, user.username_key, codes.RESET, digest, expires, sent, reset, now
    ):
        raise UserNotFoundException()
    deliver(rt, sent)
    return delivery


# -- the signed (admin) operations ----------------------------------------------------


def admin_set_user_password(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    status = CONFIRMED if p.get("Permanent") else FORCE_CHANGE_PASSWORD
    set_password(rt, pool, user, p["Password"], status, ctx.now)
    return {}


def admin_reset_user_password(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    reset = Credential(None, None, RESET_REQUIRED)
    _issue_reset_code(rt, pool, user, messages.ADMIN_RESET, ctx.now, reset)
    return {}


def _set_enabled(rt: Runtime, ctx: Context, p: dict[str, Any], enabled: bool) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    user = find_user(rt, pool, p["Username"])
    if not rt.store.credentials.set_enabled(pool.id, user.username_key, enabled, ctx.now):
        raise UserNotFoundException()
    return {}


def admin_disable_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _set_enabled(rt, ctx, p, False)


def admin_enable_user(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _set_enabled(rt, ctx, p, True)


# -- the unsigned operations: a client id and, for a client with a secret, SECRET_HASH --


def _client_user(rt: Runtime, p: dict[str, Any]) -> tuple[Pool, AppClient, User | None]:
    pool, client = resolve_client(rt, p["ClientId"], p["Username"], p.get("SecretHash"))
    try:
        return pool, client, find_user(rt, pool, p["Username"])
    except UserNotFoundException:
        if client.prevents_user_existence_errors:
            return pool, client, None
        raise


def _simulated_delivery(username: str) -> messages.Delivery:
    destination = username if "@" in username else f"{username}@{username}"
    return messages.Delivery(messages.EMAIL, "email", destination)


def forgot_password(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, _, user = _client_user(rt, p)
    if user is None:
        return {"CodeDeliveryDetails": _simulated_delivery(p["Username"]).details()}
    if not user.enabled:
        raise NotAuthorizedException(DISABLED)
    if user.status == FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(CANNOT_RESET_NOW)
    if messages.admin_only(pool.settings):
        raise NotAuthorizedException(ADMIN_ONLY)
    delivery = _issue_reset_code(rt, pool, user, messages.FORGOT_PASSWORD, ctx.now, None)
    return {"CodeDeliveryDetails": delivery.details()}


_REDEEM_ERRORS = {
    stored.NO_CODE: ExpiredCodeException,
    stored.EXPIRED: ExpiredCodeException,
    stored.MISMATCH: CodeMismatchException,
    stored.NO_USER: UserNotFoundException,
}


def confirm_forgot_password(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, _, user = _client_user(rt, p)
    if user is None:
        raise CodeMismatchException()
    if not user.enabled:
        raise NotAuthorizedException(DISABLED)
    check_password(pool, p["Password"])
    credential = new_credential(rt, pool, user, p["Password"], CONFIRMED, ctx.now)
    digest = codes.code_digest(
        rt.token_secret, pool.id, user.username_key, codes.RESET, p["ConfirmationCode"]
    )
    outcome = rt.store.credentials.redeem_code(
        pool.id, user.username_key, codes.RESET, digest, ctx.now, credential
    )
    if outcome == stored.SPENT:
        raise LimitExceededException(ATTEMPTS_SPENT)
    if outcome in _REDEEM_ERRORS:
        raise _REDEEM_ERRORS[outcome]()
    return {}
