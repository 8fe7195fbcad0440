"""A user's one credential: our own SRP verifier, or the hash an import brought.

Stored in ``users.password_hash`` with its algorithm in ``users.hash_algorithm``:

    SRP            ``srp6a$<salt hex>$<verifier hex>``: the salt and v = g^x mod N of
                   ``domain/srp.py``. The one form serves SRP (the verifier is what the
                   protocol needs) and USER_PASSWORD_AUTH (recompute the verifier from
                   the password and compare), so a user never has two credentials.
    BCRYPT, ...    the imported hash, checked by ``domain/hashes.py``.

The verifier commits to USER_ID_FOR_SRP and the pool id, so it is made with the same
USER_ID_FOR_SRP that sign-in announces for the user.
"""

from __future__ import annotations

import hmac

from cognito_import.domain import hashes, srp

SRP = "SRP"
_PREFIX = "srp6a"


class MalformedCredential(ValueError):
    """A stored ``SRP`` credential that is not in the form ``own_credential`` writes."""


def own_credential(
    pool_id: str, user_id_for_srp: str, password: str, salt: bytes
) -> tuple[str, str]:
    """The (algorithm, encoded) pair to store for a password set through this server."""
    v = srp.verifier(pool_id, user_id_for_srp, password, salt)
    return SRP, f"{_PREFIX}${salt.hex()}${v:x}"


def srp_parts(encoded: str) -> tuple[bytes, int]:
    """The salt and verifier of an ``SRP`` credential."""
    parts = encoded.split("$")
    if len(parts) != 3 or parts[0] != _PREFIX or not parts[1] or not parts[2]:
        raise MalformedCredential("not an SRP credential")
    try:
        return bytes.fromhex(parts[1]), int(parts[2], 16)
    except ValueError as exc:
        raise MalformedCredential("not an SRP credential") from exc


def password_matches(
    pool_id: str, user_id_for_srp: str, password: str, algorithm: str | None, encoded: str | None
) -> bool:
    """Whether ``password`` is the user's; a user without a credential matches nothing."""
    if algorithm is None or encoded is None:
        return False
    if algorithm == SRP:
        try:
            salt, v = srp_parts(encoded)
        except MalformedCredential:
            return False
        computed = srp.verifier(pool_id, user_id_for_srp, password, salt)
        return hmac.compare_digest(srp.pad(computed), srp.pad(v))
    if algorithm in hashes.ALGORITHMS:
        return hashes.verify_password(algorithm, encoded, password)
    return False


ALGORITHMS = (SRP, *hashes.ALGORITHMS)


def credential_problem(algorithm: str, encoded: str) -> str | None:
    """Why ``encoded`` is not a stored credential of ``algorithm`` (seed files hold
    them as export wrote them), or None."""
    if algorithm != SRP:
        return hashes.hash_problem(algorithm, encoded)
    try:
        srp_parts(encoded)
    except MalformedCredential:
        return "The password hash is not a valid SRP credential."
    return None


def is_own(algorithm: str | None) -> bool:
    """Whether the credential is one SRP can use (imported hashes are not)."""
    return algorithm == SRP
