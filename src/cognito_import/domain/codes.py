"""Reset codes: what ForgotPassword and AdminResetUserPassword send and
ConfirmForgotPassword redeems.

A code is 6 digits, as Cognito's are. It is kept as an HMAC-SHA256 digest keyed with the
server's secret, so a copy of the database does not give out working codes (a plain
hash of six digits would be reversed by trying a million). One code is outstanding per
user and purpose: a new one replaces the old, as with Cognito, where only the latest
code works.

Decisions where AWS is silent (documented in the README):

- A code lives ``CODE_LIFETIME`` seconds (Cognito documents one hour for reset codes).
- A wrong code counts an attempt; after ``MAX_ATTEMPTS`` wrong ones the code is spent
  and ConfirmForgotPassword answers ``LimitExceededException`` until a new one is asked
  for. A code that worked is spent too (single use).
"""

from __future__ import annotations

import hashlib
import hmac
import random

CODE_LIFETIME = 3600.0
MAX_ATTEMPTS = 5
CODE_DIGITS = 6

RESET = "RESET"


def new_code(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789") for _ in range(CODE_DIGITS))


def code_digest(secret: bytes, pool_id: str, username_key: str, purpose: str, code: str) -> str:
    # Bound to the user and purpose, so a row copied to another user is worthless.
    message = "\x00".join((pool_id, username_key, purpose, code)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
