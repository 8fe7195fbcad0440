"""Setting a password and sending what the pool sends: the pieces AdminCreateUser,
the reset operations (``api/credentials.py``) and sign-in's NEW_PASSWORD_REQUIRED and
ChangePassword share, so the policy check and the credential are made in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cognito_import.domain import credentials, messages, passwords, srp
from cognito_import.domain.pools import Pool
from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, User
from cognito_import.errors import InvalidPasswordException, UserNotFoundException
from cognito_import.runtime import Runtime
from cognito_import.store.credentials import Credential
from cognito_import.store.outbox import NOT_SENT, PENDING, Sent

DAY = 86_400.0


def password_policy(pool: Pool) -> Mapping[str, Any]:
    policy: Mapping[str, Any] = (pool.settings.get("Policies") or {}).get("PasswordPolicy") or {}
    return policy


def check_password(pool: Pool, password: str, prefix: str = passwords.SET_PASSWORD_PREFIX) -> None:
    """``InvalidPasswordException`` with AWS's text if the pool's policy refuses it."""
    problem = passwords.policy_problem(password_policy(pool), password, prefix)
    if problem is not None:
        raise InvalidPasswordException(problem)


def srp_user_id(user: User) -> str:
    """USER_ID_FOR_SRP: the user's internal username, which is the ``sub`` in pools whose
    usernames are emails or phone numbers (``new_user`` stores it so)."""
    return user.username


def new_credential(
    rt: Runtime, pool: Pool, user: User, password: str, status: str, now: float
) -> Credential:
    """The server's own credential for ``password`` (policy already checked), with the
    expiry of a temporary password when ``status`` is FORCE_CHANGE_PASSWORD."""
    salt = srp.new_salt(rt.rng.randbytes)
    algorithm, encoded = credentials.own_credential(pool.id, srp_user_id(user), password, salt)
    expires = None
    if status == FORCE_CHANGE_PASSWORD:
        expires = now + passwords.temporary_validity_days(password_policy(pool)) * DAY
    return Credential(algorithm, encoded, status, expires)


def set_password(
    rt: Runtime, pool: Pool, user: User, password: str, status: str, now: float
) -> None:
    """Check ``password`` against the policy and make it the user's, with ``status``:
    AdminSetUserPassword, and for sign-in's NEW_PASSWORD_REQUIRED and ChangePassword."""
    check_password(pool, password)
    credential = new_credential(rt, pool, user, password, status, now)
    if not rt.store.credentials.set_credential(pool.id, user.username_key, credential, now):
        raise UserNotFoundException()


def outbox_entry(
    rt: Runtime, pool: Pool, user: User, message: messages.Message, now: float
) -> Sent:
    smtp = PENDING if rt.mailer is not None and message.medium == messages.EMAIL else NOT_SENT
    return Sent(rt.ids.uuid(), pool.account, pool.id, user.username, now, message, smtp)


def deliver(rt: Runtime, sent: Sequence[Sent]) -> None:
    """After the commit: SMTP, if the server sends mail."""
    if rt.mailer is not None:
        rt.mailer.submit(sent)
