"""``python -m benchmarks.srp_math``: the server's SRP-6a arithmetic for one sign-in
(B for InitiateAuth, then the claim check for RespondToAuthChallenge), with GMP's
modular power as ``domain/srp.py`` uses it, beside the builtin ``pow`` as the baseline,
measured in the same run. CPU only: no HTTP, no database (``benchmarks/signin.py``
measures the whole sign-in)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from unittest import mock

from benchmarks.stats import REPEATS, Spread
from cognito_import.domain import srp

POOL = "us-east-1_Bench0001"
SIGN_INS = 200


Inputs = tuple[bytes, int, int, int, bytes]


def _inputs() -> list[Inputs]:
    """A user's salt and verifier, the server's b and a client's A for each sign-in:
    made before the clock starts (A is the client's work, the verifier a password set's)."""
    made = []
    for _ in range(SIGN_INS):
        salt = srp.new_salt(os.urandom)
        v = srp.verifier(POOL, "jane", "Passw0rd!", salt)
        a = pow(srp.G, int.from_bytes(os.urandom(128), "big"), srp.N)
        made.append((salt, v, srp.new_secret(os.urandom), a, os.urandom(64)))
    return made


def _per_sign_in_ms(powmod: Callable[[int, int, int], int], inputs: list[Inputs]) -> float:
    with mock.patch.object(srp, "_powmod", powmod):
        start = time.process_time()
        for salt, v, b, a, block in inputs:
            srp.server_challenge(v, b)
            srp.check_claim(POOL, "jane", salt, v, b, a, block, "ts", bytes(32))
        return (time.process_time() - start) * 1000 / len(inputs)


def main() -> None:
    inputs = _inputs()
    gmp = srp._powmod
    runs: dict[str, list[float]] = {"gmpy2.powmod": [], "builtin pow": []}
    for _ in range(REPEATS):
        runs["gmpy2.powmod"].append(_per_sign_in_ms(gmp, inputs))
        runs["builtin pow"].append(_per_sign_in_ms(pow, inputs))
    for name, values in runs.items():
        print(f"{name:14} {Spread.of(values).show('ms CPU per sign-in')}")


if __name__ == "__main__":
    main()
