"""serve's worker child: replaced when it dies, its jobs handed back at once; /health
says so while it is down; and a dead child never blocks a request."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.engine.helpers import (
    Process,
    build_csv,
    client,
    create_job,
    create_pool,
    csv_header,
    describe,
    processes,
    spawned_children,
    start_job,
    upload,
    user_row,
    wait_job,
)


def the_worker(server: Process, other_than: int = 0) -> int:
    deadline = time.monotonic() + 20
    while True:
        found = [pid for pid in spawned_children(server.popen.pid) if pid != other_than]
        if found:
            return found[0]
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.02)


@pytest.mark.slow
def test_a_dead_idle_worker_blocks_no_request_and_is_replaced(
    database: str, tmp_path: Path
) -> None:
    with processes() as started:
        server = Process("serve", database, tmp_path / "data")
        started.append(server.wait_ready())
        cognito = client(server.url)
        pool_id = create_pool(cognito, "many")
        header = csv_header(cognito, pool_id)
        jobs = []
        for n in range(40):
            job = create_job(cognito, pool_id, f"job-{n}")
            upload(job["PreSignedUrl"], build_csv(header, [user_row(f"u{n:02d}")]))
            jobs.append(job["JobId"])
        first = the_worker(server)
        os.kill(first, signal.SIGKILL)
        # At once, while the child is dead: every Start wakes the worker, and must not
        # wait for it; meanwhile /health says the worker is down until a new one runs.
        with ThreadPoolExecutor(8) as pool:
            began = time.monotonic()

            def start(job_id: str) -> Any:
                return client(server.url).start_user_import_job(UserPoolId=pool_id, JobId=job_id)

            answers = pool.map(start, jobs)
            seen = []
            while True:
                answer = httpx.get(server.url + "/health", timeout=5)
                seen.append((answer.status_code, answer.json()["worker"]))
                if seen[-1] == (200, "running") and len(seen) > 1:
                    break
                time.sleep(0.01)
            statuses = [a["UserImportJob"]["Status"] for a in answers]
            took = time.monotonic() - began
        assert set(statuses) <= {"Pending", "InProgress"} and len(statuses) == 40
        assert took < 10, f"40 starts took {took:.1f}s"
        assert (503, "down") in seen, seen
        assert the_worker(server, other_than=first) != first
        for job_id in jobs:
            assert wait_job(cognito, pool_id, job_id, timeout=60)["Status"] == "Succeeded"
        assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 40
        assert "died" in server.output()


@pytest.mark.slow
def test_a_worker_killed_mid_import_is_replaced_and_its_job_goes_on(
    database: str, tmp_path: Path
) -> None:
    """With a heartbeat timeout of a minute, only the hand-back lets the job go on."""
    with processes() as started:
        server = Process(
            "serve", database, tmp_path / "data", "--batch-size", "200", "--heartbeat-timeout", "60"
        )
        started.append(server.wait_ready())
        cognito = client(server.url)
        pool_id = create_pool(cognito, "killed")
        rows = [user_row(f"u{i:05d}") for i in range(20_000)]
        job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
        wait_job(cognito, pool_id, job["JobId"], lambda j: j["ImportedUsers"] > 0)
        os.kill(the_worker(server), signal.SIGKILL)
        at_kill = describe(cognito, pool_id, job["JobId"])
        assert at_kill["Status"] == "InProgress" and at_kill["ImportedUsers"] < 20_000
        done = wait_job(cognito, pool_id, job["JobId"], timeout=30)
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 20_000)


@pytest.mark.slow
@pytest.mark.parametrize("importing", [False, True])
def test_sigterm_to_the_process_group_stops_serve(
    database: str, tmp_path: Path, importing: bool
) -> None:
    """As systemd (KillMode=control-group), a container runtime or `kill -- -PGID` stop
    it: every process gets SIGTERM at once. All end within 5 s, and an import that was
    running resumes on the next start and ends as an undisturbed one."""
    data = tmp_path / "data"
    with processes() as started:
        server = Process("serve", database, data, "--batch-size", "200", new_session=True)
        started.append(server.wait_ready())
        cognito = client(server.url)
        pool_id = create_pool(cognito, "group")
        job = None
        if importing:
            rows = [user_row(f"u{i:05d}") for i in range(20_000)]
            job = start_job(cognito, pool_id, build_csv(csv_header(cognito, pool_id), rows))
            wait_job(cognito, pool_id, job["JobId"], lambda j: j["ImportedUsers"] > 0)
        group = os.getpgid(server.popen.pid)
        began = time.monotonic()
        os.killpg(group, signal.SIGTERM)
        server.popen.wait(timeout=10)
        assert time.monotonic() - began < 5, server.output()
        deadline = time.monotonic() + 5
        while True:  # every process of the group is gone, the worker child included
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "a process of the group outlived serve"
            time.sleep(0.05)
        if job is None:
            return
        again = Process("serve", database, data, "--batch-size", "200")
        started.append(again.wait_ready())
        done = wait_job(client(again.url), pool_id, job["JobId"], timeout=60)
        assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 20_000)
