"""The pool's password policy (``Policies.PasswordPolicy`` as DescribeUserPool shows it),
checked on every password set, and the temporary passwords AdminCreateUser generates.

AWS's ``InvalidPasswordException`` texts are one prefix and the first rule broken.
Two prefixes are observed in the wild: AdminCreateUser's temporary password gets
``Password did not conform with password policy: ``; the end-user paths
(ConfirmForgotPassword, RespondToAuthChallenge's NEW_PASSWORD_REQUIRED,
ChangePassword) get ``Password does not conform to policy: ``. AdminSetUserPassword's
is unverified; it gets the latter here.

Decisions where AWS is silent:

- Rules are checked in the order length, uppercase, lowercase, numbers, symbols, and
  only the first broken one is named (AWS names one at a time).
- Letters and digits are the Basic Latin ones (A-Z, a-z, 0-9); symbols are the set the
  Cognito developer guide lists, plus a space that is neither first nor last.
- A length is counted in code points.
- Generated temporary passwords are ``max(MinimumLength, 12)`` long, with one character
  of each required class, so they always pass the pool's own policy.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from typing import Any

from cognito_import.domain.pool_rules import DEFAULT_PASSWORD_POLICY

CREATE_USER_PREFIX = "Password did not conform with password policy: "
SET_PASSWORD_PREFIX = "Password does not conform to policy: "

NOT_LONG_ENOUGH = "Password not long enough"
NEEDS_UPPERCASE = "Password must have uppercase characters"
NEEDS_LOWERCASE = "Password must have lowercase characters"
NEEDS_NUMBERS = "Password must have numeric characters"
NEEDS_SYMBOLS = "Password must have symbol characters"

SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"
_UPPER = frozenset(string.ascii_uppercase)
_LOWER = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
_SYMBOL_SET = frozenset(SYMBOLS)
GENERATED_MIN_LENGTH = 12


def _has_symbol(password: str) -> bool:
    if any(c in _SYMBOL_SET for c in password):
        return True
    return " " in password[1:-1]


def _setting(policy: Mapping[str, Any], name: str) -> Any:
    return policy.get(name, DEFAULT_PASSWORD_POLICY.get(name))


def policy_problem(
    policy: Mapping[str, Any], password: str, prefix: str = SET_PASSWORD_PREFIX
) -> str | None:
    """The ``InvalidPasswordException`` message for ``password``, or None if it passes."""
    rules = (
        (len(password) >= int(_setting(policy, "MinimumLength")), NOT_LONG_ENOUGH),
        (
            not _setting(policy, "RequireUppercase") or any(c in _UPPER for c in password),
            NEEDS_UPPERCASE,
        ),
        (
            not _setting(policy, "RequireLowercase") or any(c in _LOWER for c in password),
            NEEDS_LOWERCASE,
        ),
        (
            not _setting(policy, "RequireNumbers") or any(c in _DIGITS for c in password),
            NEEDS_NUMBERS,
        ),
        (not _setting(policy, "RequireSymbols") or _has_symbol(password), NEEDS_SYMBOLS),
    )
    for passed, text in rules:
        if not passed:
            return prefix + text
    return None


def temporary_password(policy: Mapping[str, Any], rng: random.Random) -> str:
    """A password that satisfies ``policy``, drawn from ``rng`` (SystemRandom in service)."""
    length = max(int(_setting(policy, "MinimumLength")), GENERATED_MIN_LENGTH)
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS]
    chosen = [rng.choice(c) for c in classes]
    everything = "".join(classes)
    chosen += [rng.choice(everything) for _ in range(length - len(chosen))]
    rng.shuffle(chosen)
    return "".join(chosen)


def temporary_validity_days(policy: Mapping[str, Any]) -> int:
    return int(_setting(policy, "TemporaryPasswordValidityDays"))
