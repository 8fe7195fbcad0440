"""Import-job tests (issue 3). Shared helpers: a pool that can import, a job with its
upload, the S3-style PUT, waiting for a status, and AWS-exact error checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from botocore.exceptions import ClientError

from cognito_import.imports.worker import Worker
from cognito_import.runtime import Runtime
from tests.jobs.csvs import EMAIL_POOL, users_csv
from tests.live import LiveServer

ROLE_ARN = "arn:aws:iam::111111111111:role/CognitoCloudWatchLogsRole"
SSE = {"x-amz-server-side-encryption": "aws:kms"}
TERMINAL = frozenset({"Stopped", "Succeeded", "Failed", "Expired"})
POLL = 0.05


def create_pool(client: Any, name: str = "pool") -> str:
    pool_id: str = client.create_user_pool(PoolName=name, **EMAIL_POOL)["UserPool"]["Id"]
    return pool_id


def create_job(client: Any, pool_id: str, name: str = "MyImportJob", **extra: Any) -> Any:
    return client.create_user_import_job(
        UserPoolId=pool_id, JobName=name, CloudWatchLogsRoleArn=ROLE_ARN, **extra
    )["UserImportJob"]


def header(client: Any, pool_id: str) -> list[str]:
    columns: list[str] = client.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    return columns


def put_csv(
    url: str, body: bytes | Iterable[bytes], headers: dict[str, str] | None = None
) -> httpx.Response:
    """The PUT a user makes to the pre-signed URL (``curl -T`` with the SSE header)."""
    return httpx.put(url, content=body, headers=SSE if headers is None else headers, timeout=60)


def uploaded_job(
    client: Any, pool_id: str, rows: int = 2, prefix: str = "user", name: str = "MyImportJob"
) -> Any:
    """A Created job whose CSV (``rows`` importable users) is uploaded."""
    job = create_job(client, pool_id, name)
    response = put_csv(job["PreSignedUrl"], users_csv(header(client, pool_id), rows, prefix))
    assert response.status_code == 200, response.text
    return job


def describe(client: Any, pool_id: str, job_id: str) -> Any:
    return client.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]


def list_jobs(client: Any, pool_id: str) -> list[Any]:
    jobs: list[Any] = client.list_user_import_jobs(UserPoolId=pool_id, MaxResults=60)[
        "UserImportJobs"
    ]
    return jobs


def listed(client: Any, pool_id: str, job_id: str) -> Any:
    """The job as ListUserImportJobs shows it."""
    matches = [job for job in list_jobs(client, pool_id) if job["JobId"] == job_id]
    assert len(matches) == 1, matches
    return matches[0]


def assert_status(client: Any, pool_id: str, job_id: str, status: str) -> Any:
    """Describe and List both show ``status``, and agree on everything."""
    job = describe(client, pool_id, job_id)
    assert job["Status"] == status
    assert listed(client, pool_id, job_id) == job
    return job


def wait_for_status(
    client: Any, pool_id: str, job_id: str, statuses: Iterable[str], timeout: float = 20.0
) -> Any:
    wanted = set(statuses)
    deadline = time.monotonic() + timeout
    while True:
        job = describe(client, pool_id, job_id)
        if job["Status"] in wanted:
            return job
        # A job that has ended will not change again: no point waiting for the deadline.
        if job["Status"] in TERMINAL or time.monotonic() > deadline:
            raise AssertionError(f"{job_id} is {job['Status']}, not {sorted(wanted)}: {job}")
        time.sleep(POLL)


def user_count(client: Any, pool_id: str) -> int:
    pool = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    count: int = pool["EstimatedNumberOfUsers"]
    return count


def stored_uploads(server: LiveServer, job_id: str) -> int:
    """How many upload files of the job are on disk."""
    return len(server.rt.blobs.uploads(job_id))


def uploads_after_end(server: LiveServer, job_id: str, timeout: float = 10.0) -> list[str]:
    """The uploads an ended job still has, once its end has had time to delete them.

    Whoever ends a job deletes its uploads just after the commit that ends it (a crash
    in between must not lose a CSV the job still needs), so a client that has seen the
    job end can look in between: wait for none, up to ``timeout``, and say what is left.
    """
    deadline = time.monotonic() + timeout
    while (left := server.rt.blobs.uploads(job_id)) and time.monotonic() < deadline:
        time.sleep(POLL)
    return left


def raises_error(code: str, message: str, call: Callable[..., Any], **params: Any) -> None:
    """The call fails with AWS's error type, HTTP 400 and exactly ``message``."""
    with pytest.raises(ClientError) as info:
        call(**params)
    response = info.value.response
    got = (response["Error"]["Code"], response["Error"]["Message"])
    assert got == (code, message)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    """(status, Code, Message) of an S3-style XML error."""
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error"
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def no_upload_message(job_id: str) -> str:
    return f"No csv file was uploaded for {job_id}"


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, one thread each; each one's result, or the
    ``ClientError`` it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except ClientError as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    return results


@contextmanager
def running_worker(rt: Runtime) -> Iterator[Worker]:
    """A real worker in a thread: ``cognito-import worker`` beside a server started with
    ``run_worker=False`` (or a second worker beside the server's own)."""
    worker = Worker(rt)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=30)
        assert not thread.is_alive()
