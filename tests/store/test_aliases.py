"""Unique values: one holder per (pool, attribute, value), short values stored plainly
and long ones as a digest, without either form matching the other."""

from __future__ import annotations

import pytest

from cognito_import.domain.users import RESET_REQUIRED, User
from cognito_import.store import Store
from cognito_import.store.users import DIGEST_MARK, MAX_PLAIN_ALIAS_BYTES, Conflict, alias_key
from tests.store.conftest import add_pool


def user(pool_id: str, name: str, email: str) -> User:
    return User(
        pool_id=pool_id,
        username=name,
        username_key=name,
        sub=f"sub-{name}",
        status=RESET_REQUIRED,
        enabled=True,
        created=1.0,
        modified=1.0,
        attributes={"email": email},
        unique_values={"email": email},
    )


def test_alias_key_forms() -> None:
    assert alias_key("jane@example.com") == "jane@example.com"
    long = "\U0001f600" * 2048
    assert alias_key(long).startswith(DIGEST_MARK) and len(alias_key(long)) == 71
    fits = "a" * MAX_PLAIN_ALIAS_BYTES
    assert alias_key(fits) == fits and alias_key(fits + "a") != fits + "a"
    # A plain value that looks like a digest is digested, so the forms never meet.
    lookalike = alias_key(long)
    assert alias_key(lookalike) != lookalike


def test_one_holder_per_value_per_pool(store: Store) -> None:
    first, second = add_pool(store, "us-east-1_Store0001"), add_pool(store, "us-east-1_Store0002")
    store.pools.insert_user(user(first.id, "a", "same@x.io"))
    with pytest.raises(Conflict) as caught:
        store.pools.insert_user(user(first.id, "b", "same@x.io"))
    assert caught.value.attribute == "email"
    assert store.pools.get_user(first.id, "b") is None
    store.pools.insert_user(user(second.id, "b", "same@x.io"))  # another pool: free
    assert store.pools.count_users(first.id) == store.pools.count_users(second.id) == 1


@pytest.mark.parametrize("email", ["\U0001f600" * 2048 + "@x.io", DIGEST_MARK + "0" * 64])
def test_long_and_lookalike_values(store: Store, email: str) -> None:
    pool = add_pool(store)
    store.pools.insert_user(user(pool.id, "a", email))
    found = store.pools.find_user_by_alias(pool.id, "email", email)
    assert found is not None and found.username == "a"
    assert store.pools.held(pool.id, [], [("email", email)]) == (set(), {"email": {email}})
    with pytest.raises(Conflict):
        store.pools.insert_user(user(pool.id, "b", email))


def test_deleting_a_user_frees_only_the_values_it_holds(store: Store) -> None:
    pool = add_pool(store)
    store.pools.insert_user(user(pool.id, "a", "same@x.io"))
    # ForceAliasCreation: b takes the value; a keeps the attribute, not the alias.
    store.pools.insert_user(user(pool.id, "b", "same@x.io"), take_over=frozenset({"email"}))
    assert store.pools.delete_user(pool.id, "a")
    holder = store.pools.find_user_by_alias(pool.id, "email", "same@x.io")
    assert holder is not None and holder.username == "b"
    assert store.pools.delete_user(pool.id, "b")
    assert store.pools.held(pool.id, ["a", "b"], [("email", "same@x.io")]) == (set(), {})
    assert not store.pools.delete_user(pool.id, "b")
    store.pools.insert_user(user(pool.id, "c", "same@x.io"))
