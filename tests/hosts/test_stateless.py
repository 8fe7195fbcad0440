"""Two API servers, each with a data dir of its own, and a worker process with a third,
on one PostgreSQL: they share nothing else, and act as one server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.cli.served import EXPORT
from tests.engine.helpers import (
    SSE,
    Process,
    build_csv,
    client,
    counts,
    create_job,
    create_pool,
    csv_header,
    processes,
    user_row,
    wait_job,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# What a load balancer in front of both servers would be called.
PUBLIC = "http://lb.test:8080"


def _key(server: Process) -> tuple[str, str]:
    found = EXPORT.search(server.output())
    assert found is not None, server.output()
    return found.group(1), found.group(2)


def _put_through(server: Process, presigned: str, body: bytes) -> httpx.Response:
    """The PUT as a load balancer forwards it: to ``server``, with the public Host."""
    parts = urlsplit(presigned)
    target = f"{server.url}{parts.path}?{parts.query}"
    return httpx.put(target, content=body, headers={**SSE, "Host": parts.netloc}, timeout=60)


def test_two_servers_and_a_worker_share_only_the_database(pg_url: str, tmp_path: Path) -> None:
    api = ["--no-worker", "--public-url", PUBLIC]
    with processes() as started:
        first = Process("serve", pg_url, tmp_path / "a", *api, keyed=False)
        started.append(first)
        first.wait_ready()
        second = Process("serve", pg_url, tmp_path / "b", *api, keyed=False)
        started.append(second)
        second.wait_ready()
        # The generated key is the database's: both servers accept the same one.
        key = _key(first)
        assert _key(second) == key
        one, two = client(first.url, key=key), client(second.url, key=key)
        pool = create_pool(one, "hosts")
        header = csv_header(two, pool)
        rows = [user_row(f"user{n:03d}") for n in range(150)]
        job = create_job(one, pool)
        assert job["PreSignedUrl"].startswith(PUBLIC + "/uploads/")
        # Signed by the first, received by the second, kept where the worker reads it.
        put = _put_through(second, job["PreSignedUrl"], build_csv(header, rows))
        assert put.status_code == 200, put.text
        assert (
            two.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"][
                "Status"
            ]
            == "Created"
        )
        one.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
        # No worker yet: the job waits, Pending, for one.
        assert wait_job(two, pool, job["JobId"], lambda j: j["Status"] == "Pending")
        worker = Process("worker", pg_url, tmp_path / "w", keyed=False)
        started.append(worker)
        done = wait_job(two, pool, job["JobId"], timeout=60)
        assert (done["Status"], counts(done)) == ("Succeeded", (150, 0, 0))
        assert (
            one.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
            == done
        )
        # A page from one server, the next from the other with the first one's token.
        page = one.list_users(UserPoolId=pool, Limit=60)
        names = [u["Username"] for u in page["Users"]]
        while "PaginationToken" in page:
            server = two if len(names) % 120 == 60 else one
            page = server.list_users(
                UserPoolId=pool, Limit=60, PaginationToken=page["PaginationToken"]
            )
            names += [u["Username"] for u in page["Users"]]
        assert sorted(names) == [f"user{n:03d}" for n in range(150)]
        jobs_one = one.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"]
        jobs_two = two.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"]
        assert jobs_one == jobs_two == [done]
    # Nothing of it was kept in any data dir but a (never used) uploads folder.
    for name in ("a", "b", "w"):
        kept = [p for p in (tmp_path / name).rglob("*") if p.is_file()]
        assert kept == [], kept
