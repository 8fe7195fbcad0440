"""The store's own contract, run against SQLite and PostgreSQL through the public
``Store`` API (the ``database`` fixture gives a fresh file or schema per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cognito_import.domain import jobs as J
from cognito_import.domain.attributes import STANDARD_ATTRIBUTES
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.pools import Pool, PoolConfig
from cognito_import.store import Store, open_store

ALIAS_CONFIG = PoolConfig(
    schema=STANDARD_ATTRIBUTES,
    auto_verified=frozenset({"email"}),
    alias_attributes=frozenset({"email"}),
    case_sensitive=False,
)
WORKER = "store-test-worker"


@pytest.fixture
def store(database: str, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(database, tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def add_pool(store: Store, pool_id: str = "us-east-1_Store0001") -> Pool:
    pool = Pool(
        id=pool_id,
        name="store-pool",
        account="111111111111",
        region="us-east-1",
        created=1.0,
        modified=1.0,
        config=ALIAS_CONFIG,
    )
    store.pools.insert_pool(pool)
    return pool


def running_job(store: Store, pool: Pool, job_id: str = "import-Store00001") -> ImportJob:
    job = ImportJob(
        job_id=job_id,
        account=pool.account,
        region=pool.region,
        pool_id=pool.id,
        name="store-job",
        role_arn="arn:aws:iam::111111111111:role/r",
        status=J.CREATED,
        created=1.0,
        presign_key="AKIATESTKEY000000001",
    )
    assert store.jobs.insert_job(job, J.MAX_JOBS_PER_POOL)
    running = store.jobs.transition(
        job.job_id, [J.CREATED], status=J.IN_PROGRESS, started=2.0, worker=WORKER
    )
    assert running is not None
    return running
