"""domain/srp.py against real SRP clients: pycognito's AWSSRP (in process, no HTTP), and
amazon-cognito-identity-js's AuthenticationHelper under Node (``srp_identity_js.js``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycognito.aws_srp import AWSSRP

from cognito_import.domain import srp
from tests.unit.node_clients import identity_js_srp

POOL_ID = "us-east-1_AbCdEf123"


def _random(seed: bytes) -> Callable[[int], bytes]:
    # Deterministic bytes for tests that pin a salt or secret.
    def take(n: int) -> bytes:
        return (seed * (n // max(len(seed), 1) + 1))[:n]

    return take


def _pycognito_claim(
    user: str, password: str, salt: bytes, big_b: int, block: bytes, pool_id: str = POOL_ID
) -> tuple[int, dict[str, str]]:
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        aws_access_key_id="unused",
        aws_secret_access_key="unused",
    )
    peer = AWSSRP(user, password, pool_id, "client-id", client=client)
    challenge = {
        "USER_ID_FOR_SRP": user,
        "SALT": srp.salt_hex(salt),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": base64.b64encode(block).decode(),
    }
    return peer.large_a_value, peer.process_challenge(challenge, {"USERNAME": user})


def _check(
    user: str, password_stored: str, password_given: str, salt: bytes, block: bytes = b"blk"
) -> bool:
    v = srp.verifier(POOL_ID, user, password_stored, salt)
    b = srp.new_secret(os.urandom)
    a, answer = _pycognito_claim(user, password_given, salt, srp.server_challenge(v, b), block)
    return srp.check_claim(
        POOL_ID,
        user,
        salt,
        v,
        b,
        a,
        base64.b64decode(answer["PASSWORD_CLAIM_SECRET_BLOCK"]),
        answer["TIMESTAMP"],
        base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"]),
    )


def test_pycognito_claim_with_the_right_password_is_accepted() -> None:
    assert _check("jane", "Passw0rd!", "Passw0rd!", srp.new_salt(os.urandom))


def test_pycognito_claim_with_a_wrong_password_is_refused() -> None:
    assert not _check("jane", "Passw0rd!", "Passw0rd?", srp.new_salt(os.urandom))


@settings(max_examples=25, deadline=None)
@given(
    user=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s),
    password=st.text(min_size=1, max_size=30),
    first=st.sampled_from([0, 1, 0x0F, 0x10, 0x7F, 0x80, 0xFF]),
    rest=st.binary(min_size=15, max_size=15),
)
def test_pycognito_agrees_for_any_user_password_and_salt(
    user: str, password: str, first: int, rest: bytes
) -> None:
    # Salts whose hex starts high (sign byte) or low (odd length once parsed) included;
    # a zero first byte is what new_salt never makes, so it becomes 1 here too.
    salt = srp.new_salt(_random(bytes([first]) + rest))
    assert _check(user, password, password, salt)


def test_new_salt_never_starts_with_a_zero_byte() -> None:
    assert srp.new_salt(_random(b"\x00\x00\x05"))[0] == 1
    assert len(srp.new_salt(os.urandom)) == srp.SALT_BYTES


def test_tampered_timestamp_or_block_is_refused() -> None:
    salt = srp.new_salt(os.urandom)
    v = srp.verifier(POOL_ID, "jane", "pw", salt)
    b = srp.new_secret(os.urandom)
    a, answer = _pycognito_claim("jane", "pw", salt, srp.server_challenge(v, b), b"block")
    signature = base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"])
    ts = answer["TIMESTAMP"]
    assert srp.check_claim(POOL_ID, "jane", salt, v, b, a, b"block", ts, signature)
    assert not srp.check_claim(POOL_ID, "jane", salt, v, b, a, b"block", ts + " ", signature)
    assert not srp.check_claim(POOL_ID, "jane", salt, v, b, a, b"other", ts, signature)
    assert not srp.check_claim(POOL_ID, "john", salt, v, b, a, b"block", ts, signature)
    assert not srp.check_claim("us-east-1_Other", "jane", salt, v, b, a, b"block", ts, signature)


@pytest.mark.parametrize("bad_a", [0, srp.N, 2 * srp.N, -1])
def test_a_that_is_zero_mod_n_is_refused(bad_a: int) -> None:
    # With A = 0 mod N the shared secret is 0 whatever the password: the classic SRP
    # bypass the server must refuse.
    salt = srp.new_salt(os.urandom)
    v = srp.verifier(POOL_ID, "jane", "pw", salt)
    b = srp.new_secret(os.urandom)
    big_b = srp.server_challenge(v, b)
    u = int.from_bytes(srp._h(srp.pad(bad_a % srp.N) + srp.pad(big_b)), "big")
    forged_key = srp._key(0, u)
    message = b"AbCdEf123" + b"jane" + b"blk" + b"ts"
    forged = hmac.new(forged_key, message, hashlib.sha256).digest()
    assert not srp.check_claim(POOL_ID, "jane", salt, v, b, bad_a, b"blk", "ts", forged)


def test_constants_are_cognitos() -> None:
    assert srp.N.bit_length() == 3072
    # k as pycognito and identity-js compute it: H("00" + N hex + "02").
    expected = int(hashlib.sha256(bytes.fromhex("00" + srp.N_HEX + "02")).hexdigest(), 16)
    assert expected == srp.K


def test_identity_js_authentication_helper_agrees() -> None:
    salt = srp.new_salt(os.urandom)
    v = srp.verifier(POOL_ID, "jane.doe", "Sesame-0pen", salt)
    b = srp.new_secret(os.urandom)
    block = os.urandom(64)
    answer = identity_js_srp(
        {
            "poolName": srp.pool_name(POOL_ID),
            "userIdForSrp": "jane.doe",
            "password": "Sesame-0pen",
            "salt": srp.salt_hex(salt),
            "srpB": format(srp.server_challenge(v, b), "x"),
            "secretBlock": base64.b64encode(block).decode(),
        }
    )
    check = (POOL_ID, "jane.doe", salt, v, b, int(answer["srpA"], 16), block, answer["timestamp"])
    assert srp.check_claim(*check, base64.b64decode(answer["signature"]))
    assert not srp.check_claim(*check, base64.b64decode(answer["wrongSignature"]))
