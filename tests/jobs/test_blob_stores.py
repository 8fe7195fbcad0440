"""The blob stores other than the data dir's folder: S3 (against moto's S3-protocol
server, started by the test: no real S3 is reachable here) and PostgreSQL, through the
same import flow a user runs, and a refused PUT storing nothing in either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cognito_import.imports.worker import Worker
from tests.engine.helpers import (
    client,
    counts,
    create_job,
    csv_header,
    upload,
    usernames,
    wait_job,
)
from tests.jobs import put_csv, uploads_after_end
from tests.jobs.csvs import users_csv
from tests.live import TEST_KEY, LiveServer
from tests.s3server import S3_ENV, eventually_empty, moto_s3, object_keys, s3_client

BUCKET = "uploads"
PREFIX = "cognito/csv/"


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    with moto_s3(tmp_path / "moto.log") as endpoint:
        bucket = s3_client(endpoint)
        bucket.create_bucket(Bucket=BUCKET)
        yield endpoint, bucket


def _import(server: LiveServer, rows: int) -> tuple[Any, str, Any, list[str]]:
    """Create, upload and start a job of ``rows`` users; the names stored meanwhile."""
    cognito = client(server.url)
    pool = cognito.create_user_pool(PoolName="p", AutoVerifiedAttributes=["email"])
    pool_id = pool["UserPool"]["Id"]
    job = create_job(cognito, pool_id)
    upload(job["PreSignedUrl"], users_csv(csv_header(cognito, pool_id), rows))
    stored = server.rt.blobs.uploads(job["JobId"])
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return cognito, pool_id, wait_job(cognito, pool_id, job["JobId"], timeout=60), stored


def _refused_puts(server: LiveServer) -> str:
    """Every kind of refused PUT, against one Created job; its id."""
    cognito = client(server.url)
    pool_id = cognito.create_user_pool(PoolName="r")["UserPool"]["Id"]
    job = create_job(cognito, pool_id)
    url = job["PreSignedUrl"]
    bad_signature = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert put_csv(bad_signature, b"a,b\n").status_code == 403
    assert put_csv(url, b"x", headers={}).status_code == 403
    # Over the limit while streaming (no Content-Length): refused half way.
    too_large = (b"x" * 600 for _ in range(3))
    assert put_csv(url, too_large).status_code == 400
    assert put_csv(url, b"x" * 1001).status_code == 400
    return str(job["JobId"])


def _s3_server(tmp_path: Path, endpoint: str, **settings: Any) -> LiveServer:
    """A server on SQLite whose uploads go to the test's S3 bucket."""
    return LiveServer(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        tmp_path / "data",
        blob_store=f"s3://{BUCKET}/{PREFIX}",
        s3_endpoint_url=endpoint,
        **settings,
    )


def test_s3_blob_store_imports_and_deletes_the_upload(tmp_path: Path, s3: tuple[str, Any]) -> None:
    endpoint, bucket = s3
    # Parser processes read the object by ranges, from a resume offset each.
    with _s3_server(tmp_path, endpoint, batch_size=50, parallel_rows=100, parsers=2) as server:
        cognito, pool_id, job, stored = _import(server, 430)
        assert job["Status"] == "Succeeded", job
        assert counts(job) == (430, 0, 0)
        assert len(usernames(cognito, pool_id)) == 430
        # Listed from the bucket while the job waited; deleted with the job's end.
        assert len(stored) == 1 and stored[0].startswith(job["JobId"] + ".")
        assert eventually_empty(bucket, BUCKET) == []
    assert not (tmp_path / "data" / "uploads").exists()


def test_s3_blob_store_keeps_nothing_of_a_refused_put(tmp_path: Path, s3: tuple[str, Any]) -> None:
    endpoint, bucket = s3
    with _s3_server(tmp_path, endpoint, max_upload_bytes=1000) as server:
        job_id = _refused_puts(server)
        assert object_keys(bucket, BUCKET) == []
        assert server.rt.blobs.uploads(job_id) == []
        job = server.rt.store.jobs.get_job(job_id)
        assert job is not None and job.upload_name is None


@pytest.mark.postgres
def test_postgres_blob_store_keeps_nothing_of_a_refused_put(pg_url: str, tmp_path: Path) -> None:
    with LiveServer(pg_url, tmp_path / "data", max_upload_bytes=1000) as server:
        assert server.rt.blobs.kind == "database"
        job_id = _refused_puts(server)
        with server.rt.store.db.read() as tx:
            assert tx.one("SELECT COUNT(*) FROM blobs")[0] == 0  # type: ignore[index]
            assert tx.one("SELECT COUNT(*) FROM blob_chunks")[0] == 0  # type: ignore[index]
        assert server.rt.blobs.uploads(job_id) == []


@pytest.mark.postgres
def test_postgres_blob_store_streams_a_large_import_through_parsers(
    pg_url: str, tmp_path: Path
) -> None:
    # 3 MiB and more: several chunks, read by parser processes from their offsets.
    with LiveServer(
        pg_url, tmp_path / "data", batch_size=2_000, parallel_rows=1_000, parsers=2
    ) as server:
        cognito, pool_id, job, stored = _import(server, 30_000)
        assert job["Status"] == "Succeeded", job
        assert server.rt.blobs.kind == "database"
        assert counts(job) == (30_000, 0, 0)
        assert len(stored) == 1
        assert uploads_after_end(server, job["JobId"]) == []
        with server.rt.store.db.read() as tx:
            chunks = tx.one("SELECT COUNT(*) FROM blob_chunks")
        assert chunks is not None and chunks[0] == 0
        described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        assert described["EstimatedNumberOfUsers"] == 30_000


def _ended_and_kept(server: LiveServer) -> tuple[str, str]:
    """Two uploaded jobs; the first ended as a killed process leaves it (the end
    committed, its upload not deleted). Their ids."""
    cognito = client(server.url)
    created = cognito.create_user_pool(PoolName="k", AutoVerifiedAttributes=["email"])
    pool_id = created["UserPool"]["Id"]
    jobs = [create_job(cognito, pool_id, name) for name in ("ended", "kept")]
    for job in jobs:
        upload(job["PreSignedUrl"], users_csv(csv_header(cognito, pool_id), 1))
    ended, kept = (str(job["JobId"]) for job in jobs)
    assert server.rt.store.jobs.expire(ended, server.clock.now()) is not None
    return ended, kept


def test_s3_sweep_deletes_only_uploads_no_job_needs(tmp_path: Path, s3: tuple[str, Any]) -> None:
    """The bucket may hold other objects, under the prefix or beside it: the sweep
    touches only the names the store writes, of jobs that have ended."""
    endpoint, bucket = s3
    foreign = [f"{PREFIX}readme.txt", "elsewhere/import-AAAAAAAAAA.0.csv"]
    for key in foreign:
        bucket.put_object(Bucket=BUCKET, Key=key, Body=b"not the server's")
    with _s3_server(tmp_path, endpoint, run_worker=False) as server:
        ended, kept = _ended_and_kept(server)
        kept_keys = [PREFIX + name for name in server.rt.blobs.uploads(kept)]
        assert len(kept_keys) == 1 and len(server.rt.blobs.uploads(ended)) == 1
        assert Worker(server.rt).sweep_uploads() == [ended]
        assert sorted(object_keys(bucket, BUCKET)) == sorted([*foreign, *kept_keys])
        assert Worker(server.rt).sweep_uploads() == []


@pytest.mark.postgres
def test_postgres_blob_store_drops_uploads_in_the_commit_that_ends_them(
    pg_url: str, tmp_path: Path
) -> None:
    """In the database, an ended job's upload and a deleted pool's go in the same commit:
    no kill can leave one behind for the sweep."""
    with LiveServer(pg_url, tmp_path / "data", run_worker=False) as server:
        assert server.rt.blobs.kind == "database"
        ended, kept = _ended_and_kept(server)
        assert server.rt.blobs.uploads(ended) == []
        assert server.rt.blobs.job_ids() == {kept}
        assert Worker(server.rt).sweep_uploads() == []
        job = server.rt.store.jobs.get_job(kept)
        assert job is not None
        assert server.rt.store.pools.delete_pool(TEST_KEY.account, job.pool_id)
        with server.rt.store.db.read() as tx:
            assert tx.one("SELECT COUNT(*) FROM blobs")[0] == 0  # type: ignore[index]
            assert tx.one("SELECT COUNT(*) FROM blob_chunks")[0] == 0  # type: ignore[index]
