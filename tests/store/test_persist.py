"""JobStore.persist: a decided batch is written whole or not at all."""

from __future__ import annotations

import pytest

from cognito_import.domain.batches import FAILED, SKIPPED, CheckedRow, DecidedBatch, Outcome
from cognito_import.domain.users import CONFIRMED, RESET_REQUIRED
from cognito_import.store import Store
from cognito_import.store.users import Conflict, PoolDeleted
from tests.store.conftest import WORKER, add_pool, running_job


def row(line: int, name: str, email: str, password_hash: str | None = None) -> CheckedRow:
    return CheckedRow(
        line=line,
        username_key=name,
        username=name,
        sub=f"00000000-0000-4000-8000-{line:012d}",
        attributes_json=f'{{"email":"{email}","email_verified":"true"}}',
        mfa_enabled=False,
        password_hash=password_hash,
        unique_values=(("email", email),),
    )


def batch(first: int, accepted: list[CheckedRow], outcomes: list[Outcome]) -> DecidedBatch:
    last = max([first - 1, *(r.line for r in accepted), *(o.line for o in outcomes)])
    return DecidedBatch(first, last, 100 * last, accepted, outcomes)


def snapshot(store: Store, pool_id: str) -> tuple[object, ...]:
    job = store.jobs.get_job("import-Store00001")
    users = store.pools.list_users(pool_id, None, None, 100)
    return (
        [(u.username, u.status) for u in users],
        store.pools.count_users(pool_id),
        store.pools.held(pool_id, [u.username_key for u in users], [("email", "a@x.io")]),
        job and (job.imported, job.skipped, job.failed, job.resume_offset, job.resume_line),
        store.jobs.batches("import-Store00001"),
    )


def test_a_batch_commits_users_outcomes_and_counters_together(store: Store) -> None:
    pool = add_pool(store)
    job = running_job(store, pool)
    decided = batch(
        2,
        [row(2, "a", "a@x.io"), row(4, "c", "c@x.io", "$2b$10$" + "a" * 53)],
        [Outcome(3, SKIPPED, "The user already exists."), Outcome(5, FAILED, "bad")],
    )
    after = store.jobs.persist(job, WORKER, decided, 10.0)
    assert after is not None
    assert (after.imported, after.skipped, after.failed) == (2, 1, 1)
    assert (after.resume_offset, after.resume_line) == (500, 6)
    users = {u.username: u for u in store.pools.list_users(pool.id, None, None, 10)}
    assert {n: u.status for n, u in users.items()} == {"a": RESET_REQUIRED, "c": CONFIRMED}
    assert users["c"].hash_algorithm is None  # the job has no algorithm
    assert store.pools.count_users(pool.id) == 2
    found = store.pools.find_user_by_alias(pool.id, "email", "c@x.io")
    assert found is not None and found.username == "c"
    assert store.jobs.batches(job.job_id) == [(2, 5, 10.0)]
    assert [(o.line, o.outcome) for o in store.jobs.outcomes(job.job_id, 1, 9)] == [
        (3, SKIPPED),
        (5, FAILED),
    ]


@pytest.mark.parametrize("clash", ["username", "email"])
def test_a_conflicting_batch_writes_nothing(store: Store, clash: str) -> None:
    pool = add_pool(store)
    job = running_job(store, pool)
    assert store.jobs.persist(job, WORKER, batch(2, [row(2, "a", "a@x.io")], []), 10.0)
    before = snapshot(store, pool.id)
    taken = row(4, "a", "new@x.io") if clash == "username" else row(4, "d", "a@x.io")
    with pytest.raises(Conflict):
        store.jobs.persist(job, WORKER, batch(3, [row(3, "b", "b@x.io"), taken], []), 11.0)
    assert snapshot(store, pool.id) == before


def test_a_batch_for_a_deleted_pool_writes_nothing(store: Store) -> None:
    pool = add_pool(store)
    job = running_job(store, pool)
    assert store.pools.delete_pool(pool.account, pool.id)  # its jobs go with it
    assert store.jobs.persist(job, WORKER, batch(2, [row(2, "a", "a@x.io")], []), 10.0) is None
    assert store.pools.list_users(pool.id, None, None, 10) == []
    assert store.pools.held(pool.id, ["a"], [("email", "a@x.io")]) == (set(), {})
    assert store.jobs.get_job(job.job_id) is None


def test_a_pool_deleted_after_the_job_was_read_is_seen_by_the_insert(store: Store) -> None:
    # What PostgreSQL's read committed allows: the delete commits between persist's
    # read of the job and its inserts. Its first write, on the pool row, finds none.
    pool = add_pool(store)
    job = running_job(store, pool)
    with store.db.write() as tx:
        tx.run("DELETE FROM pools WHERE pool_id = ?", (pool.id,))
    with pytest.raises(PoolDeleted):
        store.jobs.persist(job, WORKER, batch(2, [row(2, "a", "a@x.io")], []), 10.0)
    assert store.pools.list_users(pool.id, None, None, 10) == []
    assert store.pools.held(pool.id, ["a"], [("email", "a@x.io")]) == (set(), {})


def test_a_worker_that_lost_the_job_writes_nothing(store: Store) -> None:
    pool = add_pool(store)
    job = running_job(store, pool)
    before = snapshot(store, pool.id)
    assert (
        store.jobs.persist(job, "another-worker", batch(2, [row(2, "a", "a@x.io")], []), 1) is None
    )
    assert snapshot(store, pool.id) == before
