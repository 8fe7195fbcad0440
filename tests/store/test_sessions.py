"""A sign-in's session is recorded only while its very user exists: one committed after
AdminDeleteUser would give tokens to the next user created under the same name."""

from __future__ import annotations

from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, User
from cognito_import.store import Store
from cognito_import.store.sessions import Session
from tests.store.conftest import add_pool


def _session(pool_id: str, jti: str) -> Session:
    return Session(
        origin_jti=jti,
        token_hash=f"hash-{jti}",
        pool_id=pool_id,
        client_id="client",
        username_key="jane",
        auth_time=1.0,
        expires=100.0,
        revoked=False,
    )


def _count(store: Store) -> int:
    with store.db.read() as tx:
        row = tx.one("SELECT COUNT(*) FROM refresh_tokens")
    assert row is not None
    return int(row[0])


def test_a_session_needs_its_very_user(store: Store) -> None:
    pool = add_pool(store)
    user = User(
        pool_id=pool.id,
        username="jane",
        username_key="jane",
        sub="sub-1",
        status=FORCE_CHANGE_PASSWORD,
        enabled=True,
        created=1.0,
        modified=1.0,
        attributes={},
        unique_values={},
    )
    store.pools.insert_user(user)
    assert store.sessions.insert(_session(pool.id, "a"), "sub-1")
    # A user of the same name created again has another sub.
    assert not store.sessions.insert(_session(pool.id, "b"), "sub-2")
    assert store.pools.delete_user(pool.id, "jane")
    assert _count(store) == 0  # deleted with its user
    assert not store.sessions.insert(_session(pool.id, "c"), "sub-1")
    assert _count(store) == 0
