from __future__ import annotations

import pytest

from cognito_import.domain.hashes import (
    ALGORITHMS,
    ARGON2ID,
    BCRYPT,
    HASH_EMPTY,
    PBKDF2_SHA256,
    SCRYPT,
    hash_password,
    hash_problem,
    is_valid_hash,
    verify_password,
)

# Hashes made by other implementations (published examples), with their passwords.
KNOWN = [
    (BCRYPT, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
    (
        ARGON2ID,
        "$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA"
        "$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg",
        "correct horse battery staple",
    ),
    (
        SCRYPT,
        "$scrypt$ln=8,r=8,p=1$WKs1xljLudd6z9kbY0wpJQ$yCR4iDZYDKv+iEJj6yHY0lv/epnfB6f/w1EbXrsJOuQ",
        "password",
    ),
    (
        PBKDF2_SHA256,
        "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk",
        "toomanysecrets",
    ),
    (
        PBKDF2_SHA256,
        "$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE",
        "password",
    ),
]


@pytest.mark.parametrize(("algorithm", "value", "password"), KNOWN)
def test_hashes_from_other_implementations_verify(
    algorithm: str, value: str, password: str
) -> None:
    assert is_valid_hash(algorithm, value)
    assert verify_password(algorithm, value, password)
    assert not verify_password(algorithm, value, password + "x")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("password", ["Passw0rd!", "pässwörd 日本", ""])
def test_round_trip(algorithm: str, password: str) -> None:
    value = hash_password(algorithm, password, fast=True)
    assert is_valid_hash(algorithm, value)
    assert verify_password(algorithm, value, password)
    assert not verify_password(algorithm, value, "wrong")


@pytest.mark.parametrize(
    ("algorithm", "prefix"),
    [
        (BCRYPT, "$2b$04$"),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1,p=1$"),
        (SCRYPT, "$scrypt$ln=4,r=8,p=1$"),
        (PBKDF2_SHA256, "$pbkdf2-sha256$1000$"),
    ],
)
def test_hash_forms(algorithm: str, prefix: str) -> None:
    value = hash_password(algorithm, "pw", fast=True)
    assert value.startswith(prefix)
    encoded = value[len(prefix) :]
    assert "=" not in encoded
    if algorithm == BCRYPT:
        assert len(value) == 60
    if algorithm == PBKDF2_SHA256:
        assert "+" not in encoded


def test_bcrypt_uses_the_first_72_bytes() -> None:
    value = hash_password(BCRYPT, "a" * 72 + "tail", fast=True)
    assert verify_password(BCRYPT, value, "a" * 72)
    assert verify_password(BCRYPT, value, "a" * 100)
    assert not verify_password(BCRYPT, value, "a" * 71)


def test_bcrypt_variants_are_accepted() -> None:
    value = hash_password(BCRYPT, "pw", fast=True)
    for ident in ("$2a$", "$2y$"):
        variant = ident + value[4:]
        assert is_valid_hash(BCRYPT, variant)
        assert verify_password(BCRYPT, variant, "pw")


_BCRYPT = "$2b$04$" + "a" * 53
_SALT, _KEY = "c2FsdHNhbHRzYWx0", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"  # 12 and 24 bytes


@pytest.mark.parametrize(
    ("algorithm", "value"),
    [
        (BCRYPT, ""),
        (BCRYPT, _BCRYPT[:-1]),
        (BCRYPT, _BCRYPT + "a"),
        (BCRYPT, "$2x$04$" + "a" * 53),
        (BCRYPT, "$2b$03$" + "a" * 53),
        (BCRYPT, "$2b$32$" + "a" * 53),
        (BCRYPT, "$2b$4a$" + "a" * 53),
        (BCRYPT, "$2b$04$" + "a" * 52 + "+"),
        (BCRYPT, "$2b$04$" + "a" * 52 + "é"),
        (BCRYPT, "$argon2id$v=19$m=8,t=1,p=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2i$v=19$m=8,t=1,p=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=16$m=8,t=1,p=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=19$m=7,t=1,p=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=19$m=8,t=0,p=1$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1,p=2$" + _SALT + "$" + _KEY),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1,p=1$" + _SALT + "$" + _KEY + "="),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1,p=1$" + _SALT + "$" + _KEY[:-1] + "!"),
        (ARGON2ID, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$" + _KEY),
        (SCRYPT, "$scrypt$ln=4,r=8,p=1$" + _SALT),
        (SCRYPT, "$scrypt$ln=0,r=8,p=1$" + _SALT + "$" + _KEY),
        (SCRYPT, "$scrypt$ln=04,r=8,p=1$" + _SALT + "$" + _KEY),
        (SCRYPT, "$scrypt$ln=4,r=8,p=1,x=1$" + _SALT + "$" + _KEY),
        (SCRYPT, "$scrypt$n=4,r=8,p=1$" + _SALT + "$" + _KEY),
        (SCRYPT, "$scrypt$ln=20,r=8,p=1$" + _SALT + "$" + _KEY),
        (SCRYPT, "$scrypt$ln=4,r=8,p=1$" + _SALT + "$" + _KEY[:8]),
        (PBKDF2_SHA256, "$pbkdf2-sha256$0$" + _SALT + "$" + _KEY),
        (PBKDF2_SHA256, "$pbkdf2-sha256$ 1000$" + _SALT + "$" + _KEY),
        (PBKDF2_SHA256, "$pbkdf2-sha256$1_000$" + _SALT + "$" + _KEY),
        (PBKDF2_SHA256, "$pbkdf2-sha256$10000001$" + _SALT + "$" + _KEY),
        (PBKDF2_SHA256, "$pbkdf2-sha256$1000$" + _SALT + "$a+" + _KEY[2:]),
        (PBKDF2_SHA256, "$pbkdf2-sha512$1000$" + _SALT + "$" + _KEY),
        (PBKDF2_SHA256, "pbkdf2_sha256$1000$" + _SALT + "$" + _KEY),
    ],
)
def test_malformed_hashes_are_rejected(algorithm: str, value: str) -> None:
    assert not is_valid_hash(algorithm, value)
    assert not verify_password(algorithm, value, "pw")


def test_the_shapes_used_above_are_otherwise_valid() -> None:
    assert is_valid_hash(BCRYPT, _BCRYPT)
    assert is_valid_hash(ARGON2ID, "$argon2id$v=19$m=8,t=1,p=1$" + _SALT + "$" + _KEY)
    assert is_valid_hash(SCRYPT, "$scrypt$ln=4,r=8,p=1$" + _SALT + "$" + _KEY)
    assert is_valid_hash(PBKDF2_SHA256, "$pbkdf2-sha256$1000$" + _SALT + "$" + _KEY)


def test_hash_problem_texts() -> None:
    value = hash_password(SCRYPT, "pw", fast=True)
    assert hash_problem(SCRYPT, value) is None
    assert hash_problem(SCRYPT, "") == HASH_EMPTY
    assert HASH_EMPTY == "The cognito:password_hash value is empty."
    assert hash_problem(BCRYPT, value) == (
        "The cognito:password_hash value is not a valid BCRYPT hash."
    )


def test_unknown_algorithm_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="MD5"):
        is_valid_hash("MD5", "x")
    with pytest.raises(ValueError, match="MD5"):
        hash_password("MD5", "x")
