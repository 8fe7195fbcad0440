"""Opaque, signed pagination tokens: a client can hand them back but not forge them, and
a token issued for one pool (or one listing) is refused for another."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cognito_import.errors import InvalidParameterException

_SIG_BYTES = 12


def encode_token(secret: bytes, scope: str, payload: list[Any]) -> str:
    body = json.dumps([scope, *payload], separators=(",", ":")).encode()
    sig = hmac.new(secret, body, hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(body + sig).decode().rstrip("=")


def decode_token(secret: bytes, scope: str, token: str, message: str) -> list[Any]:
    """The payload of a token issued for ``scope``; ``InvalidParameterException`` with
    ``message`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body, sig = raw[:-_SIG_BYTES], raw[-_SIG_BYTES:]
        expected = hmac.new(secret, body, hashlib.sha256).digest()[:_SIG_BYTES]
        if len(raw) <= _SIG_BYTES or not hmac.compare_digest(sig, expected):
            raise ValueError("bad signature")
        decoded = json.loads(body)
        if not isinstance(decoded, list) or not decoded or decoded[0] != scope:
            raise ValueError("other scope")
    except ValueError as exc:
        raise InvalidParameterException(message) from exc
    return decoded[1:]
