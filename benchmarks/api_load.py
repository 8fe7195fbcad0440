"""API throughput and latency: ours against moto's server, with the same driver.

Ours (a fresh SQLite server): DescribeUserImportJob, ListUserImportJobs (MaxResults 60,
on a pool with JOBS jobs) and DescribeUserPool; moto: DescribeUserPool, its closest call
to ours. Each at 1 and 8 concurrent keep-alive clients for a fixed duration. Every
request is checked once (status and body) before it is replayed, and answers that are
not 2xx are counted as errors, so a figure never comes from fast error responses.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from benchmarks.common import (
    BIN_DIR,
    KEY_ID,
    REGION,
    SECRET,
    OurServer,
    Subprocess,
    free_port,
    proc_status,
    wait_http,
)
from benchmarks.driver import (
    Exchange,
    LoadResult,
    RawRequest,
    load,
    plain_get,
    python_load,
    signed_json,
    wrk_available,
    wrk_load,
)
from benchmarks.import_speed import ROLE, TARGET
from benchmarks.stats import REPEATS, Spread

JOBS = 25
CONNECTIONS = (1, 8)


@dataclass(frozen=True)
class Calibration:
    python: LoadResult
    wrk: LoadResult | None

    @property
    def driver(self) -> str:
        if self.wrk is not None and self.wrk.per_second >= self.python.per_second:
            return "wrk"
        return "python"

    def summary(self) -> str:
        wrk = f"wrk {self.wrk.per_second:,.0f}" if self.wrk else "wrk absent"
        return f"{wrk} · python {self.python.per_second:,.0f} req/s → {self.driver}"


@dataclass(frozen=True)
class ApiResult:
    """``REPEATS`` runs of one operation at one number of connections."""

    server: str  # "ours" or "moto"
    operation: str
    loads: tuple[LoadResult, ...]

    @property
    def connections(self) -> int:
        return self.loads[0].connections

    @property
    def rate(self) -> Spread:
        return Spread.of([load.per_second for load in self.loads])

    @property
    def p50(self) -> Spread:
        return Spread.of([load.p50_ms for load in self.loads])

    @property
    def p99(self) -> Spread:
        return Spread.of([load.p99_ms for load in self.loads])

    @property
    def errors(self) -> int:
        return sum(load.errors for load in self.loads)


def calibrate(seconds: float) -> Calibration:
    """Both drivers at 8 connections against a server that does nothing."""
    port = free_port()
    argv = [sys.executable, "-m", "benchmarks.trivial", str(port)]
    with Subprocess(argv, "trivial") as trivial:
        wait_http(port, "/", 10, trivial.proc)
        request = plain_get(port, "/")
        python = python_load(request, 8, seconds)
        wrk = wrk_load(request, 8, seconds) if wrk_available() else None
    return Calibration(python, wrk)


def _check(request: RawRequest, expect: str) -> dict[str, Any]:
    """Send once; the JSON answer, after checking it is a 200 holding ``expect``."""
    exchange = Exchange(request)
    status, body = exchange.roundtrip()
    exchange.sock.close()
    if status != 200 or expect.encode() not in body:
        raise RuntimeError(f"unexpected answer {status}: {body[:300]!r}")
    answer: dict[str, Any] = json.loads(body)
    return answer


def _measure(
    server: str, operation: str, request: RawRequest, driver: str, seconds: float
) -> list[ApiResult]:
    return [
        ApiResult(
            server,
            operation,
            tuple(load(driver, request, connections, seconds) for _ in range(REPEATS)),
        )
        for connections in CONNECTIONS
    ]


def ours(driver: str, seconds: float) -> tuple[list[ApiResult], int]:
    """The figures, and the server's VmHWM (kB) after all of them."""
    results: list[ApiResult] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-api-") as tmp,
        OurServer(Path(tmp), None, "server-api") as server,
    ):
        cognito = server.client()
        pool_id = cognito.create_user_pool(PoolName="api", AutoVerifiedAttributes=["email"])[
            "UserPool"
        ]["Id"]
        job_ids = [
            cognito.create_user_import_job(
                JobName=f"job-{i}", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE
            )["UserImportJob"]["JobId"]
            for i in range(JOBS)
        ]

        def sign(operation: str, params: dict[str, Any]) -> RawRequest:
            return signed_json(server.port, TARGET + operation, params, KEY_ID, SECRET, REGION)

        describe = sign("DescribeUserImportJob", {"UserPoolId": pool_id, "JobId": job_ids[0]})
        _check(describe, job_ids[0])
        listing = sign("ListUserImportJobs", {"UserPoolId": pool_id, "MaxResults": 60})
        listed = _check(listing, job_ids[-1])["UserImportJobs"]
        if len(listed) != JOBS:
            raise RuntimeError(f"ListUserImportJobs returned {len(listed)} jobs, not {JOBS}")
        pool = sign("DescribeUserPool", {"UserPoolId": pool_id})
        _check(pool, pool_id)
        results += _measure("ours", "DescribeUserImportJob", describe, driver, seconds)
        results += _measure("ours", "ListUserImportJobs", listing, driver, seconds)
        results += _measure("ours", "DescribeUserPool", pool, driver, seconds)
        peak_kb = proc_status(server.pid)["VmHWM"]
    return results, peak_kb


def moto(driver: str, seconds: float) -> list[ApiResult]:
    port = free_port()
    argv = [str(BIN_DIR / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with Subprocess(argv, "moto") as server:
        wait_http(port, "/", 60, server.proc)
        cognito: Any = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )
        pool_id = cognito.create_user_pool(PoolName="api", AutoVerifiedAttributes=["email"])[
            "UserPool"
        ]["Id"]
        request = signed_json(
            port, TARGET + "DescribeUserPool", {"UserPoolId": pool_id}, KEY_ID, SECRET, REGION
        )
        _check(request, pool_id)
        return _measure("moto", "DescribeUserPool", request, driver, seconds)
