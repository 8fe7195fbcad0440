from __future__ import annotations

import os

import pytest

from cognito_import.domain import credentials, hashes, srp

POOL = "eu-west-1_Pool123"


def test_own_credential_serves_password_checks_and_srp() -> None:
    salt = srp.new_salt(os.urandom)
    algorithm, encoded = credentials.own_credential(POOL, "jane", "Sesame-0pen", salt)
    assert algorithm == credentials.SRP
    assert credentials.password_matches(POOL, "jane", "Sesame-0pen", algorithm, encoded)
    assert not credentials.password_matches(POOL, "jane", "sesame-0pen", algorithm, encoded)
    # The verifier commits to the user id and the pool.
    assert not credentials.password_matches(POOL, "john", "Sesame-0pen", algorithm, encoded)
    assert not credentials.password_matches(
        "eu-west-1_Other", "jane", "Sesame-0pen", algorithm, encoded
    )
    got_salt, v = credentials.srp_parts(encoded)
    assert got_salt == salt
    assert v == srp.verifier(POOL, "jane", "Sesame-0pen", salt)


@pytest.mark.parametrize("algorithm", hashes.ALGORITHMS)
def test_imported_hashes_are_checked(algorithm: str) -> None:
    encoded = hashes.hash_password(algorithm, "her-old-password", fast=True)
    assert credentials.password_matches(POOL, "jane", "her-old-password", algorithm, encoded)
    assert not credentials.password_matches(POOL, "jane", "her-new-password", algorithm, encoded)
    assert not credentials.is_own(algorithm)


@pytest.mark.parametrize(
    ("algorithm", "encoded"),
    [
        (None, None),
        ("SRP", None),
        ("SRP", "srp6a$zz$10"),
        ("SRP", "srp6a$0102"),
        ("SRP", "bcrypt$01$02"),
        ("MD5", "5f4dcc3b5aa765d61d8327deb882cf99"),
    ],
)
def test_no_or_malformed_credential_matches_nothing(
    algorithm: str | None, encoded: str | None
) -> None:
    assert not credentials.password_matches(POOL, "jane", "password", algorithm, encoded)


def test_srp_parts_refuses_other_forms() -> None:
    with pytest.raises(credentials.MalformedCredential):
        credentials.srp_parts("$2b$04$abc")
