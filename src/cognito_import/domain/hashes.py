"""Password hashes accepted by import jobs with a ``PasswordHashingAlgorithm``.

AWS has not published the encoding, so the ``cognito:password_hash`` column holds each
hash in the string form its ecosystem already uses (passlib's forms for the two that
have no single standard):

    BCRYPT         $2a$|$2b$|$2y$ + 2-digit cost 04..31 + $ + 53 chars of bcrypt base64
                   (60 chars in all)
    ARGON2ID       PHC: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>,
                   salt and hash in standard base64 without padding
    SCRYPT         passlib: $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>,
                   salt and hash in standard base64 (``+`` and ``/``) without padding
    PBKDF2_SHA256  passlib: $pbkdf2-sha256$<rounds>$<salt>$<hash>, salt and hash in
                   passlib's "adapted" base64 (``.`` instead of ``+``) without padding

In every form the salt is the raw bytes the base64 decodes to, and the derived key's
length is the decoded hash's length. Work factors are capped (see the limits below) so
that one row of a hostile file cannot make a sign-in take minutes or gigabytes.
bcrypt uses at most the first 72 bytes of a password, as every bcrypt implementation
does; the ``bcrypt`` package refuses longer input, so passwords are truncated here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

import argon2
import bcrypt

BCRYPT = "BCRYPT"
SCRYPT = "SCRYPT"
ARGON2ID = "ARGON2ID"
PBKDF2_SHA256 = "PBKDF2_SHA256"
ALGORITHMS = (BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256)

_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_BCRYPT_MAX_PASSWORD = 72

_SCRYPT_MAX_MEMORY = 256 * 1024 * 1024  # bytes: 128 * r * N
_ARGON2_MAX_MEMORY_KIB = 1024 * 1024
_ARGON2_MAX_PASSES = 64
_ARGON2_MAX_LANES = 64
_PBKDF2_MAX_ROUNDS = 10_000_000
_MIN_SALT = 8
_MIN_KEY, _MAX_KEY = 16, 64


def _b64decode(text: str, *, adapted: bool = False) -> bytes | None:
    """Unpadded base64 to bytes, or None when it is not canonical-alphabet base64."""
    if adapted:
        if "+" in text:
            return None
        text = text.replace(".", "+")
    if len(text) % 4 == 1 or not text.isascii():
        return None
    try:
        return binascii.a2b_base64(text + "=" * (-len(text) % 4), strict_mode=True)
    except binascii.Error:
        return None


def _b64encode(data: bytes, *, adapted: bool = False) -> str:
    text = base64.b64encode(data).decode("ascii").rstrip("=")
    return text.replace("+", ".") if adapted else text


def _small_int(text: str, low: int, high: int) -> int | None:
    # ASCII digits only, no sign, no leading zeros: int() alone would accept " 1", "1_0".
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        return None
    if len(text) > 12:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _key_ok(salt: bytes | None, key: bytes | None) -> bool:
    return (
        salt is not None
        and key is not None
        and len(salt) >= _MIN_SALT
        and _MIN_KEY <= len(key) <= _MAX_KEY
    )


def _parse_bcrypt(value: str) -> bool:
    cost = value[4:6]
    return (
        len(value) == 60
        and value.startswith(_BCRYPT_PREFIXES)
        and value[6] == "$"
        and cost.isascii()
        and cost.isdigit()
        and 4 <= int(cost) <= 31
        # strip() with the alphabet as its set leaves nothing only if every char is in it
        and not value[7:].strip(_BCRYPT_ALPHABET)
    )


def _parse_scrypt(value: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = value.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != "scrypt":
        return None
    params = parts[2].split(",")
    if len(params) != 3:
        return None
    ln_s, r_s, p_s = params
    if not (ln_s.startswith("ln=") and r_s.startswith("r=") and p_s.startswith("p=")):
        return None
    ln = _small_int(ln_s[3:], 1, 31)
    r = _small_int(r_s[2:], 1, 1024)
    p = _small_int(p_s[2:], 1, 64)
    salt, key = _b64decode(parts[3]), _b64decode(parts[4])
    if ln is None or r is None or p is None or not _key_ok(salt, key):
        return None
    if 128 * r * (1 << ln) > _SCRYPT_MAX_MEMORY:
        return None
    assert salt is not None and key is not None
    return ln, r, p, salt, key


def _parse_argon2id(value: str) -> bool:
    parts = value.split("$")
    if len(parts) != 6 or parts[0] or parts[1] != "argon2id" or parts[2] != "v=19":
        return False
    params = parts[3].split(",")
    if len(params) != 3:
        return False
    m_s, t_s, p_s = params
    if not (m_s.startswith("m=") and t_s.startswith("t=") and p_s.startswith("p=")):
        return False
    m = _small_int(m_s[2:], 8, _ARGON2_MAX_MEMORY_KIB)
    t = _small_int(t_s[2:], 1, _ARGON2_MAX_PASSES)
    p = _small_int(p_s[2:], 1, _ARGON2_MAX_LANES)
    if m is None or t is None or p is None or m < 8 * p:
        return False
    return _key_ok(_b64decode(parts[4]), _b64decode(parts[5]))


def _parse_pbkdf2(value: str) -> tuple[int, bytes, bytes] | None:
    parts = value.split("$")
    if len(parts) != 5 or parts[0] or parts[1] != "pbkdf2-sha256":
        return None
    rounds = _small_int(parts[2], 1, _PBKDF2_MAX_ROUNDS)
    salt, key = _b64decode(parts[3], adapted=True), _b64decode(parts[4], adapted=True)
    if rounds is None or not _key_ok(salt, key):
        return None
    assert salt is not None and key is not None
    return rounds, salt, key


def _require_known(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"Unknown password hashing algorithm: {algorithm}")


def is_valid_hash(algorithm: str, value: str) -> bool:
    """Whether ``value`` is structurally a hash of ``algorithm`` (no hashing is done)."""
    _require_known(algorithm)
    if algorithm == BCRYPT:
        return _parse_bcrypt(value)
    if algorithm == ARGON2ID:
        return _parse_argon2id(value)
    if algorithm == SCRYPT:
        return _parse_scrypt(value) is not None
    return _parse_pbkdf2(value) is not None


HASH_EMPTY = "The cognito:password_hash value is empty."


def invalid_hash_reason(algorithm: str) -> str:
    return f"The cognito:password_hash value is not a valid {algorithm} hash."


def hash_problem(algorithm: str, value: str) -> str | None:
    """The row failure reason for a ``cognito:password_hash`` value, or None."""
    if not value:
        return HASH_EMPTY
    if not is_valid_hash(algorithm, value):
        return invalid_hash_reason(algorithm)
    return None


def verify_password(algorithm: str, value: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash; a malformed hash matches nothing."""
    if not is_valid_hash(algorithm, value):
        return False
    secret = password.encode("utf-8")
    if algorithm == BCRYPT:
        try:
            return bcrypt.checkpw(secret[:_BCRYPT_MAX_PASSWORD], value.encode("ascii"))
        except ValueError:
            return False
    if algorithm == ARGON2ID:
        try:
            return argon2.PasswordHasher().verify(value, secret)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
    if algorithm == SCRYPT:
        parsed = _parse_scrypt(value)
        assert parsed is not None
        ln, r, p, salt, key = parsed
        derived = _scrypt(secret, salt, ln, r, p, len(key))
        return hmac.compare_digest(derived, key)
    pbkdf2 = _parse_pbkdf2(value)
    assert pbkdf2 is not None
    rounds, salt, key = pbkdf2
    derived = hashlib.pbkdf2_hmac("sha256", secret, salt, rounds, len(key))
    return hmac.compare_digest(derived, key)


def _scrypt(secret: bytes, salt: bytes, ln: int, r: int, p: int, length: int) -> bytes:
    n = 1 << ln
    # hashlib's default maxmem (32 MiB) is below passlib's default parameters' need.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length)


def hash_password(algorithm: str, password: str, *, fast: bool = False) -> str:
    """Hash ``password`` in the form ``is_valid_hash`` accepts.

    ``fast`` uses the smallest work factors each algorithm allows: for tests and
    example files only, never for real passwords.
    """
    _require_known(algorithm)
    secret = password.encode("utf-8")
    if algorithm == BCRYPT:
        salt = bcrypt.gensalt(rounds=4 if fast else 12)
        return bcrypt.hashpw(secret[:_BCRYPT_MAX_PASSWORD], salt).decode("ascii")
    if algorithm == ARGON2ID:
        if fast:
            hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        else:
            hasher = argon2.PasswordHasher()
        return hasher.hash(secret)
    salt = os.urandom(16)
    if algorithm == SCRYPT:
        ln, r, p = (4, 8, 1) if fast else (16, 8, 1)
        key = _scrypt(secret, salt, ln, r, p, 32)
        return f"$scrypt$ln={ln},r={r},p={p}${_b64encode(salt)}${_b64encode(key)}"
    rounds = 1_000 if fast else 600_000
    key = hashlib.pbkdf2_hmac("sha256", secret, salt, rounds, 32)
    return (
        f"$pbkdf2-sha256${rounds}${_b64encode(salt, adapted=True)}${_b64encode(key, adapted=True)}"
    )
