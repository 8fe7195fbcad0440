"""The indexer fills ListUsers' index in chunks while users come and go: it marks the
index current only when it covers every user, whatever happened between its chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from cognito_import.domain.filters import parse_filter
from cognito_import.domain.users import FORCE_CHANGE_PASSWORD, User
from cognito_import.store import Store, users
from cognito_import.store.credentials import Credential
from cognito_import.store.search import CHUNK_SECONDS, MAX_CHUNK, MIN_CHUNK, next_chunk
from tests.store.conftest import add_pool, running_job


def user(pool_id: str, number: int, status: str = FORCE_CHANGE_PASSWORD) -> User:
    name = f"user{number:03d}"
    return User(
        pool_id=pool_id,
        username=name,
        username_key=name,
        sub=f"sub-{number:03d}",
        status=status,
        enabled=True,
        created=1.0,
        modified=1.0,
        attributes={"email": f"{name}@example.com", "given_name": f"g{number % 4}"},
        unique_values={"email": f"{name}@example.com"},
    )


def imported(store: Store, new: list[User]) -> None:
    """Users inserted as an import inserts them: counted, not indexed."""
    with store.db.write() as tx:
        users.insert(
            store.db,
            tx,
            new[0].pool_id,
            [users.user_columns(u) for u in new],
            [a for u in new for a in users.user_aliases(u)],
        )


def found(store: Store, pool_id: str, text: str) -> list[str]:
    flt = parse_filter(text)
    assert flt is not None
    return [u.username for u in store.pools.list_users(pool_id, flt, None, 60)]


FILTERS = ['given_name = "g1"', 'email ^= "user01"', 'sub = "sub-007"']


def answers(store: Store, pool_id: str) -> list[list[str]]:
    return [found(store, pool_id, text) for text in FILTERS]


def test_fill_in_chunks_gives_the_scans_answers(store: Store) -> None:
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(20)])
    search = store.pools.search
    assert not search.current(pool.id)
    assert search.stale_pools() == [pool.id]
    scanned = answers(store, pool.id)
    assert search.fill(pool.id, chunk=3)
    assert search.current(pool.id) and search.stale_pools() == []
    assert answers(store, pool.id) == scanned
    # Filled twice changes nothing.
    assert search.fill(pool.id, chunk=7) and answers(store, pool.id) == scanned


def test_changes_between_chunks(store: Store) -> None:
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(0, 20, 2)])
    search = store.pools.search
    # One event before each chunk of two users: created and deleted behind the fill
    # and ahead of it.
    events: Iterator[Callable[[], object]] = iter(
        [
            lambda: store.pools.insert_user(user(pool.id, 1)),
            lambda: store.pools.insert_user(user(pool.id, 3)),
            lambda: store.pools.delete_user(pool.id, "user000"),
            lambda: store.pools.delete_user(pool.id, "user018"),
            lambda: store.pools.insert_user(user(pool.id, 19)),
        ]
    )

    def going() -> bool:
        next(events, lambda: None)()
        return True

    assert search.fill(pool.id, chunk=2, going=going)
    from_index = answers(store, pool.id)
    # What a scan of the same users gives, with the index out of the way.
    with store.db.write() as tx:
        tx.run("UPDATE pools SET search_count = -1 WHERE pool_id = ?", (pool.id,))
    assert answers(store, pool.id) == from_index
    assert "user001" in found(store, pool.id, 'email ^= "user0"')


def test_an_import_between_chunks_leaves_it_out_of_date(store: Store) -> None:
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(10, 20)])
    search = store.pools.search
    calls = 0

    def going() -> bool:
        nonlocal calls
        calls += 1
        if calls == 3:  # two chunks done: users 000..009 land behind the fill
            imported(store, [user(pool.id, n) for n in range(10)])
        return True

    assert not search.fill(pool.id, chunk=2, going=going)
    assert not search.current(pool.id)
    scanned = answers(store, pool.id)
    assert "user001" in found(store, pool.id, 'email ^= "user0"')
    assert search.fill(pool.id, chunk=4)
    assert answers(store, pool.id) == scanned


def test_a_pool_being_imported_into_is_not_filled(store: Store) -> None:
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(3)])
    running_job(store, pool)
    assert store.pools.search.stale_pools() == []


def test_a_status_change_moves_its_row(store: Store) -> None:
    pool = add_pool(store)
    store.pools.insert_user(user(pool.id, 5))
    assert store.pools.search.current(pool.id)
    assert store.credentials.set_credential(
        pool.id, "user005", Credential(algorithm=None, encoded=None, status="CONFIRMED"), 2.0
    )
    assert found(store, pool.id, 'cognito:user_status = "CONFIRMED"') == ["user005"]
    assert found(store, pool.id, 'cognito:user_status = "FORCE_CHANGE_PASSWORD"') == []
    # The same answers as a scan.
    with store.db.write() as tx:
        tx.run("UPDATE pools SET search_count = -1 WHERE pool_id = ?", (pool.id,))
    assert found(store, pool.id, 'cognito:user_status = "CONFIRMED"') == ["user005"]


def test_paced_fill_covers_the_pool(store: Store) -> None:
    """Without a chunk size the fill sizes its chunks by their time; whatever sizes it
    picks, the index ends current with the scan's answers."""
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(250)])
    scanned = answers(store, pool.id)
    assert store.pools.search.fill(pool.id)
    assert answers(store, pool.id) == scanned


def test_chunks_are_sized_by_time() -> None:
    # Twice as long as the budget: half the size; never more than double, nor outside
    # the bounds.
    assert next_chunk(1_000, 2 * CHUNK_SECONDS) == 500
    assert next_chunk(1_000, CHUNK_SECONDS / 100) == 2_000
    assert next_chunk(1_000, 0.0) == 2_000
    assert next_chunk(200, 100.0) == MIN_CHUNK
    assert next_chunk(MAX_CHUNK, 1e-9) == MAX_CHUNK


def test_the_indexer_pass_gives_back_the_journal(store: Store) -> None:
    """After the large writes of an import and its index pass, SQLite's WAL, which a
    400 MB checkpoint threshold lets grow, is cut back to nothing; on PostgreSQL there
    is nothing to do, and the call does nothing."""
    pool = add_pool(store)
    imported(store, [user(pool.id, n) for n in range(200)])
    assert store.pools.search.fill(pool.id)
    wal = Path(f"{getattr(store.db, 'path', '')}-wal")
    if store.db.dialect == "sqlite":
        assert wal.stat().st_size > 0
    store.db.shrink_journal()
    if store.db.dialect == "sqlite":
        assert wal.exists() and wal.stat().st_size == 0
    # Nothing was lost on the way.
    assert found(store, pool.id, 'sub = "sub-007"') == ["user007"]
    assert store.pools.count_users(pool.id) == 200
