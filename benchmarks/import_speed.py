"""Import throughput through the real API, on a server subprocess started fresh.

Create a pool (AutoVerifiedAttributes email), create a job, stream the file to the
pre-signed URL, start, poll DescribeUserImportJob every 50 ms until the job ends. Two
times: create + upload + start -> Succeeded (end to end) and start -> Succeeded. While
the job runs, a side thread times DescribeUserImportJob with a pre-signed raw request;
optionally py-spy samples the server. The server's VmHWM is read before and after:
it covers the whole process life (the process is started fresh for each run).
"""

from __future__ import annotations

import csv
import http.client
import json
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.common import (
    ACCOUNT,
    BIN_DIR,
    KEY_ID,
    REGION,
    SECRET,
    OurServer,
    Subprocess,
    percentile,
    proc_status,
    tree_rss_kb,
)
from benchmarks.driver import Exchange, signed_json

TARGET = "AWSCognitoIdentityProviderService."
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CognitoImportRole"
POLL_SECONDS = 0.05
# The side thread's pace: a busy console or script, not a flood that slows the import.
PROBE_SECONDS = 0.02
TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired"}


@dataclass
class ImportResult:
    database: str
    rows: int
    status: str = ""
    message: str = ""
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    upload_seconds: float = 0.0
    end_to_end_seconds: float = 0.0
    import_seconds: float = 0.0
    rss_start_kb: int = 0
    tree_peak_kb: int = 0
    hwm_before_start_kb: int = 0
    hwm_end_kb: int = 0
    probe_p50_ms: float = 0.0
    probe_p99_ms: float = 0.0
    probe_max_ms: float = 0.0
    probe_count: int = 0
    probe_errors: int = 0
    # Seconds from start until half the rows were imported (seen by the probe): a
    # second half much slower than the first means a cost that grows with the table.
    half_seconds: float = 0.0
    checks: list[str] = field(default_factory=list)  # failed checks; empty when all pass

    @property
    def end_to_end_rate(self) -> float:
        return self.rows / self.end_to_end_seconds if self.end_to_end_seconds else 0.0

    @property
    def import_rate(self) -> float:
        return self.rows / self.import_seconds if self.import_seconds else 0.0

    @property
    def half_rates(self) -> tuple[float, float]:
        """Users/s over the first and the second half of the rows."""
        if not 0 < self.half_seconds < self.import_seconds:
            return 0.0, 0.0
        half = self.rows / 2
        return half / self.half_seconds, half / (self.import_seconds - self.half_seconds)


class _Probe(threading.Thread):
    """Times a pre-signed DescribeUserImportJob every PROBE_SECONDS on one keep-alive
    connection, until stopped."""

    def __init__(self, port: int, pool_id: str, job_id: str) -> None:
        super().__init__(name="describe-probe", daemon=True)
        params = {"UserPoolId": pool_id, "JobId": job_id}
        request = signed_json(
            port, TARGET + "DescribeUserImportJob", params, KEY_ID, SECRET, REGION
        )
        self.exchange = Exchange(request)
        self.latencies: list[float] = []
        # (seconds since the probe began, ImportedUsers): the import's progress curve.
        self.progress: list[tuple[float, int]] = []
        self.errors = 0
        self.done = threading.Event()

    def run(self) -> None:
        began = next_at = time.perf_counter()
        while not self.done.is_set():
            started = time.perf_counter()
            status, body = self.exchange.roundtrip()
            self.latencies.append(time.perf_counter() - started)
            if status != 200:
                self.errors += 1
            else:
                imported = json.loads(body)["UserImportJob"]["ImportedUsers"]
                self.progress.append((started - began, imported))
            next_at += PROBE_SECONDS
            self.done.wait(max(0.0, next_at - time.perf_counter()))
        self.exchange.sock.close()


def _upload(url: str, path: Path) -> None:
    parts = urlsplit(url)
    assert parts.hostname is not None
    conn = http.client.HTTPConnection(parts.hostname, parts.port, blocksize=1 << 20)
    with open(path, "rb") as body:
        headers = {
            "x-amz-server-side-encryption": "aws:kms",
            "Content-Length": str(path.stat().st_size),
            "Content-Type": "text/csv",
        }
        conn.request("PUT", f"{parts.path}?{parts.query}", body=body, headers=headers)
    response = conn.getresponse()
    text = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"upload refused: {response.status} {text!r}")


def _sample_rows(path: Path, rows: int) -> dict[str, dict[str, str]]:
    """First, middle and last user of the file, as the csv module reads them."""
    wanted = {1, max(1, rows // 2), rows}
    found: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8") as fp:
        reader = csv.reader(fp, quoting=csv.QUOTE_NONE, escapechar="\\")
        header = next(reader)
        for number, values in enumerate(reader, start=1):
            if number in wanted:
                row = dict(zip(header, values, strict=True))
                found[row["cognito:username"]] = row
    return found


def _verify(cognito: Any, pool_id: str, path: Path, result: ImportResult) -> None:
    checks = result.checks
    if (result.status, result.imported, result.skipped, result.failed) != (
        "Succeeded",
        result.rows,
        0,
        0,
    ):
        checks.append(
            f"job ended {result.status} ({result.message}) with imported={result.imported} "
            f"skipped={result.skipped} failed={result.failed}"
        )
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    if pool.get("EstimatedNumberOfUsers") != result.rows:
        checks.append(f"EstimatedNumberOfUsers is {pool.get('EstimatedNumberOfUsers')}")
    page = cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"]
    if len(page) != min(60, result.rows):
        checks.append(f"ListUsers' first page has {len(page)} users")
    for username, row in _sample_rows(path, result.rows).items():
        hits = cognito.list_users(UserPoolId=pool_id, Filter=f'username = "{username}"')["Users"]
        if len(hits) != 1:
            checks.append(f"ListUsers finds {len(hits)} users named {username}")
            continue
        got = {a["Name"]: a["Value"] for a in hits[0]["Attributes"]}
        for name in ("name", "email", "email_verified", "phone_number", "address"):
            if got.get(name, "") != row[name]:
                checks.append(f"{username}: {name} is {got.get(name)!r}, not {row[name]!r}")


def run_import(
    path: Path,
    rows: int,
    label: str,
    database: str | None,
    profile: Path | None = None,
    split_worker: bool = False,
    pool: Mapping[str, Any] | None = None,
    expect_clean: bool = True,
    server_args: tuple[str, ...] = (),
) -> ImportResult:
    """With ``split_worker`` the server runs with ``--no-worker`` and a separate
    ``cognito-import worker`` process imports (``VmHWM`` is then the worker's).
    ``pool``: CreateUserPool members (default: email auto-verified, nothing unique).
    ``expect_clean``: check that every row was imported (not for files with collisions)."""
    result = ImportResult(database=label, rows=rows)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp, ExitStack() as stack:
        log_name = "server-import-" + label.lower().split()[0]
        extra = [*server_args, *(["--no-worker"] if split_worker else [])]
        server = stack.enter_context(OurServer(Path(tmp), database, log_name, extra))
        importer_pid = server.pid
        if split_worker:
            argv = [str(BIN_DIR / "cognito-import"), "worker", "--data-dir", tmp]
            argv += ["--access-key", f"{KEY_ID}:{SECRET}:{ACCOUNT}", "--log-level", "warning"]
            argv += ["--database", database] if database else []
            importer_pid = stack.enter_context(Subprocess(argv, log_name + "-worker")).pid
            time.sleep(2.0)  # no port to poll: give it time to start and reach its loop
        result.rss_start_kb = proc_status(importer_pid)["VmRSS"]
        cognito = server.client()
        settings = dict(pool or {"AutoVerifiedAttributes": ["email"]})
        pool_id = cognito.create_user_pool(PoolName="bench", **settings)["UserPool"]["Id"]

        # Attached before the clock starts: attaching takes a second.
        spy = _start_py_spy(importer_pid, profile) if profile else None
        started = time.perf_counter()
        job = cognito.create_user_import_job(
            JobName="bench", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE
        )["UserImportJob"]
        _upload(job["PreSignedUrl"], path)
        result.upload_seconds = time.perf_counter() - started
        result.hwm_before_start_kb = proc_status(importer_pid)["VmHWM"]
        probe = _Probe(server.port, pool_id, job["JobId"])
        probe.start()
        sampler = _TreeSampler(server.pid)
        sampler.start()
        start_at = time.perf_counter()
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        deadline = start_at + max(600.0, rows / 500)
        while True:
            described = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])[
                "UserImportJob"
            ]
            if described["Status"] in TERMINAL or time.perf_counter() > deadline:
                break
            time.sleep(POLL_SECONDS)
        ended = time.perf_counter()
        probe.done.set()
        probe.join()
        sampler.done.set()
        sampler.join()
        result.tree_peak_kb = sampler.peak_kb
        if spy is not None:
            _stop_py_spy(spy)
        result.end_to_end_seconds = ended - started
        result.import_seconds = ended - start_at
        result.hwm_end_kb = proc_status(importer_pid)["VmHWM"]
        result.status = described["Status"]
        result.message = described.get("CompletionMessage", "")
        result.imported = described["ImportedUsers"]
        result.skipped = described["SkippedUsers"]
        result.failed = described["FailedUsers"]
        latencies = sorted(probe.latencies)
        result.probe_count = len(latencies)
        result.probe_errors = probe.errors
        result.probe_p50_ms = percentile(latencies, 0.50) * 1000
        result.probe_p99_ms = percentile(latencies, 0.99) * 1000
        result.probe_max_ms = (latencies[-1] if latencies else 0.0) * 1000
        result.half_seconds = next(
            (t for t, imported in probe.progress if imported >= rows / 2), 0.0
        )
        if expect_clean:
            _verify(cognito, pool_id, path, result)
    return result


class _TreeSampler(threading.Thread):
    """Peak summed RSS of the server and its children (worker, parsers), every 50 ms:
    VmHWM of one process no longer covers the import."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))


def _start_py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    # --subprocesses: the worker and its parsers are children of the server.
    argv = [str(BIN_DIR / "py-spy"), "record", "--pid", str(pid), "--rate", "100", "--subprocesses"]
    argv += ["--format", "raw", "--output", str(out)]
    spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    if spy.poll() is not None:
        assert spy.stderr is not None
        raise RuntimeError(f"py-spy failed: {spy.stderr.read().decode(errors='replace')}")
    return spy


def _stop_py_spy(spy: subprocess.Popen[bytes]) -> None:
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=60)
