"""Shared steps of the engine tests: pools, CSVs in Cognito's dialect, running a job to
its end, and reading back users and log lines, all over HTTP."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.conftest import PG_URL
from tests.csvs import build_csv as build_csv
from tests.csvs import csv_line as csv_line
from tests.live import TEST_KEY, LiveServer, pg_schema

ROLE_ARN = "arn:aws:iam::111111111111:role/CognitoImportRole"
SSE = {"x-amz-server-side-encryption": "aws:kms"}
TERMINAL = ("Succeeded", "Failed", "Stopped", "Expired")
POLL = 0.05
# One client for every upload: building one costs ~20 ms (its TLS context).
_HTTP = httpx.Client(timeout=60)


def create_pool(cognito: Any, name: str = "engine-pool", **settings: Any) -> str:
    """A pool; by default with email auto-verified, as most real pools are."""
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    return str(cognito.create_user_pool(PoolName=name, **settings)["UserPool"]["Id"])


def csv_header(cognito: Any, pool_id: str) -> list[str]:
    return list(cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"])


def user_row(username: str, **values: str) -> dict[str, str]:
    """A row that imports into the default pool: verified email, MFA off."""
    row = {
        "cognito:username": username,
        "email": f"{username.lower()}@example.com",
        "email_verified": "true",
        "cognito:mfa_enabled": "false",
    }
    row.update({k.replace("__", ":"): v for k, v in values.items()})
    return row


def create_job(cognito: Any, pool_id: str, name: str = "engine-job", **extra: Any) -> Any:
    return cognito.create_user_import_job(
        JobName=name, UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE_ARN, **extra
    )["UserImportJob"]


def upload(url: str, data: bytes | IO[bytes] | Iterable[bytes]) -> None:
    response = _HTTP.put(url, content=data, headers=SSE)
    assert response.status_code == 200, response.text


def describe(cognito: Any, pool_id: str, job_id: str) -> Any:
    return cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]


def wait_job(
    cognito: Any,
    pool_id: str,
    job_id: str,
    done: Callable[[Any], bool] = lambda job: job["Status"] in TERMINAL,
    timeout: float = 30,
) -> Any:
    """Poll Describe until ``done(job)``; the job as last described."""
    deadline = time.monotonic() + timeout
    while True:
        job = describe(cognito, pool_id, job_id)
        if done(job):
            return job
        assert time.monotonic() < deadline, f"job did not get there in {timeout}s: {job}"
        time.sleep(POLL)


def start_job(
    cognito: Any, pool_id: str, data: bytes | IO[bytes], name: str = "engine-job", **extra: Any
) -> Any:
    job = create_job(cognito, pool_id, name, **extra)
    upload(job["PreSignedUrl"], data)
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return job


def run_import(
    cognito: Any,
    pool_id: str,
    data: bytes | IO[bytes],
    name: str = "engine-job",
    timeout: float = 30,
    **extra: Any,
) -> Any:
    """Create, upload, start and wait: the finished job as Describe shows it."""
    job = start_job(cognito, pool_id, data, name, **extra)
    return wait_job(cognito, pool_id, job["JobId"], timeout=timeout)


def counts(job: Mapping[str, Any]) -> tuple[int, int, int]:
    return (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"])


def group_name(cognito: Any, pool_id: str) -> str:
    name = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"]
    return f"/aws/cognito/userpools/{pool_id}/{name}"


def log_messages(logs: Any, group: str, stream: str) -> list[str]:
    """Every event of a job's stream, oldest first, through GetLogEvents' forward paging."""
    messages: list[str] = []
    request: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": stream,
        "startFromHead": True,
    }
    while True:
        page = logs.get_log_events(**request)
        messages.extend(e["message"] for e in page["events"])
        if page["nextForwardToken"] == request.get("nextToken"):
            return messages
        request["nextToken"] = page["nextForwardToken"]


def job_log(cognito: Any, logs: Any, pool_id: str, job: Mapping[str, Any]) -> list[str]:
    return log_messages(logs, group_name(cognito, pool_id), f"{job['JobId']}/{job['JobName']}")


def list_users(cognito: Any, pool_id: str, user_filter: str = "") -> list[Any]:
    users: list[Any] = []
    request: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 60, "Filter": user_filter}
    while True:
        page = cognito.list_users(**request)
        users.extend(page["Users"])
        if "PaginationToken" not in page:
            return users
        request["PaginationToken"] = page["PaginationToken"]


def usernames(cognito: Any, pool_id: str) -> list[str]:
    return sorted(u["Username"] for u in list_users(cognito, pool_id))


def attributes(user: Mapping[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def succeeded(line: int) -> str:
    return f"[SUCCEEDED] Line Number {line} - The import succeeded."


def skipped(line: int) -> str:
    return f"[SKIPPED] Line Number {line} - The user already exists."


def failed(line: int, reason: str) -> str:
    return f"[FAILED] Line Number {line} - {reason}"


def no_delay(live: LiveServer) -> LiveServer:
    """Turn Nagle off on the server's listening socket (accepted sockets inherit it).

    tests/live.py creates it without IPPROTO_TCP, so asyncio does not set TCP_NODELAY
    itself, and every response (headers and body written apart) waits ~40 ms for the
    client's delayed ACK.
    """
    live.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return live


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def shared_server(kind: str, tmp: Path, **settings: Any) -> Iterator[LiveServer]:
    """A server for a whole module (``kind`` from DATABASES): each test makes its own
    pool, so tests stay independent while paying for one server start."""
    if kind == "sqlite":
        server = LiveServer(f"sqlite:///{tmp / 'db.sqlite3'}", tmp / "data", **settings)
        with no_delay(server) as live:
            yield live
        return
    if not PG_URL:
        pytest.skip("COGNITO_IMPORT_TEST_PG is not set")
    with pg_schema(PG_URL) as url, no_delay(LiveServer(url, tmp / "data", **settings)) as live:
        yield live


# -- server processes (kill -9 tests) ---------------------------------------------------

CLI = str(Path(sys.executable).parent / "cognito-import")
_BOTO = boto3.Session(region_name="us-east-1")
_NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(url: str, service: str = "cognito-idp", key: tuple[str, str] | None = None) -> Any:
    """A client that makes one attempt a call, signed with ``key`` (ID, secret) or the
    test key."""
    key_id, secret = key or (TEST_KEY.key_id, TEST_KEY.secret)
    return _BOTO.client(
        service,
        endpoint_url=url,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=_NO_RETRY,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """``cognito-import serve|worker`` in a subprocess of its own; output goes to a file
    (a full pipe would block it), read back with ``output()``."""

    def __init__(
        self,
        command: str,
        database: str,
        data_dir: Path,
        *extra: str,
        new_session: bool = False,
        keyed: bool = True,
    ) -> None:
        self.port = free_port() if command == "serve" else 0
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"{command}-{time.monotonic_ns()}.log"
        args = [CLI, command, "--data-dir", str(data_dir), "--database", database]
        if keyed:  # else the key generated on first start, kept in the database
            args += ["--access-key", f"{TEST_KEY.key_id}:{TEST_KEY.secret}:{TEST_KEY.account}"]
        args += ["--heartbeat-timeout", "1", *extra]
        if command == "serve":
            args += ["--port", str(self.port)]
        with self.log.open("wb") as out:
            # new_session: a process group of its own, which a test may signal whole.
            self.popen = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, start_new_session=new_session
            )

    def wait_ready(self, timeout: float = 20) -> Process:
        deadline = time.monotonic() + timeout
        while True:
            assert self.popen.poll() is None, self.output()
            try:
                if _HTTP.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.output()
            time.sleep(POLL)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a host dies."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@contextmanager
def processes() -> Iterator[list[Process]]:
    """Collects started processes and kills whichever still run at the end."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            process.kill()


def spawned_children(parent: int) -> list[int]:
    """``parent``'s children that are multiprocessing spawns (a worker, or parsers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found
