"""Filtered ListUsers on a big pool, beside DescribeUserPool (issue 12).

``python -m benchmarks.list_users`` (``--rows N`` for a smaller pool, ``--skip-postgres``,
``--skip-sqlite``, ``--duration`` seconds per run, ``--runs``): for each database, a fresh
server imports the benchmark CSV (500,000 users by default) through the real API, then each
request below is signed once and replayed by keep-alive clients, at 1, 8 and 40
connections:

- ``email =``: an equality filter on an indexed attribute (one user matches);
- ``email ^= <local part>``: a prefix filter that one user matches;
- ``email ^= <3 letters>``: a prefix that thousands match (the page is their first 60);
- ``sub =``: equality on ``sub``;
- ``given_name =``: a first name thousands of users share (the page is their first 60);
- DescribeUserPool, the cheapest call that names the pool.

Each figure is run ``--runs`` times (default 3); the median and the min-max of p50, p99,
requests/s, the API process's CPU time per request and its peak resident memory during the
run are printed. No figure is asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import gen
from benchmarks.api_load import calibrate
from benchmarks.common import (
    KEY_ID,
    REGION,
    SECRET,
    OurServer,
    cpu_seconds,
    machine,
    pg_schema,
    pg_url,
    proc_status,
    save_figures,
)
from benchmarks.driver import RawRequest, load, signed_json
from benchmarks.import_speed import ROLE, TARGET, _upload
from cognito_import.store import open_store

CLIENTS = (1, 8, 40)


@dataclass(frozen=True)
class Figure:
    database: str
    call: str
    clients: int
    p50_ms: list[float]
    p99_ms: list[float]
    per_second: list[float]
    peak_rss_mb: list[float]
    errors: int
    # The API process's CPU time per request: what bounds the rate once it is busy.
    cpu_ms: list[float]

    def line(self) -> str:
        return (
            f"{self.database:<10} {self.call:<28} {self.clients:>2} clients · "
            f"p50 {_spread(self.p50_ms)} ms · p99 {_spread(self.p99_ms)} ms · "
            f"{_spread(self.per_second, '.0f')} req/s · "
            f"CPU {_spread(self.cpu_ms, '.2f')} ms/req · "
            f"peak RSS {_spread(self.peak_rss_mb, '.0f')} MB · {self.errors} errors"
        )


def _spread(values: Sequence[float], fmt: str = ".1f") -> str:
    """Median (min-max)."""
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


class _PeakRss:
    """The highest VmRSS of one process, sampled every 20 ms while running."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, proc_status(self.pid).get("VmRSS", 0))
            self._stop.wait(0.02)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _import(server: OurServer, path: Path) -> str:
    cognito = server.client()
    pool_id = str(
        cognito.create_user_pool(PoolName="bench", AutoVerifiedAttributes=["email"])["UserPool"][
            "Id"
        ]
    )
    job = cognito.create_user_import_job(
        JobName="bench", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE
    )["UserImportJob"]
    _upload(job["PreSignedUrl"], path)
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    while True:
        done = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        status = done["UserImportJob"]["Status"]
        if status not in ("Pending", "InProgress"):
            break
        time.sleep(0.2)
    if status != "Succeeded":
        raise RuntimeError(f"the import ended {status}: {done}")
    return pool_id


@dataclass
class CatchUp:
    """The indexer's pass after the import, and AdminCreateUser calls made during it."""

    seconds: float
    writes: list[float]

    def line(self, label: str) -> str:
        ms = sorted(self.writes)
        worst = f"{ms[-1]:.0f} ms" if ms else "-"
        p50 = f"{statistics.median(ms):.1f} ms" if ms else "-"
        return (
            f"{label}: index current {self.seconds:.1f} s after the import ended;"
            f" {len(ms)} AdminCreateUser meanwhile, p50 {p50}, slowest {worst}"
        )


def _catch_up(server: OurServer, database: str | None, data_dir: Path, pool_id: str) -> CatchUp:
    """Waits for the worker's indexer to bring the pool's ListUsers index up to date,
    creating users one by one meanwhile: what a write waits for while it runs."""
    store = open_store(database, data_dir)
    cognito = server.client()
    writes: list[float] = []
    start = time.perf_counter()
    try:
        while not store.pools.search.current(pool_id):
            if time.perf_counter() - start > 600:
                raise RuntimeError("the index did not catch up in 10 minutes")
            sent = time.perf_counter()
            cognito.admin_create_user(UserPoolId=pool_id, Username=f"during{len(writes)}")
            writes.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.05)
        return CatchUp(time.perf_counter() - start, writes)
    finally:
        store.close()


def _sample_values(path: Path, rows: int) -> dict[str, str]:
    """An email and a given name from the middle of the file."""
    with path.open(encoding="utf-8") as fp:
        header = fp.readline().rstrip("\n").split(",")
        for number, line in enumerate(fp):
            if number == rows // 2:
                values = line.rstrip("\n").replace("\\,", "\u0000").split(",")
                row = dict(zip(header, values, strict=False))
                return {"email": row["email"], "given_name": row["given_name"]}
    raise RuntimeError("the file is shorter than it says")


def _requests(
    server: OurServer, pool_id: str, sample: dict[str, str]
) -> dict[str, Callable[[], RawRequest]]:
    """Each call, as a function that signs it anew: a signature is good for 15 minutes,
    less than a whole run takes."""
    cognito = server.client()
    first = cognito.list_users(UserPoolId=pool_id, Limit=1)["Users"][0]
    sub = next(a["Value"] for a in first["Attributes"] if a["Name"] == "sub")
    email = sample["email"]
    filters = {
        "ListUsers email =": f'email = "{email}"',
        "ListUsers email ^= local part": f'email ^= "{email.split("@")[0]}@"',
        "ListUsers email ^= 3 letters": f'email ^= "{email[:3]}"',
        "ListUsers sub =": f'sub = "{sub}"',
        "ListUsers given_name =": f'given_name = "{sample["given_name"]}"',
    }

    def sign(operation: str, params: dict[str, Any]) -> RawRequest:
        return signed_json(server.port, TARGET + operation, params, KEY_ID, SECRET, REGION)

    signers: dict[str, Callable[[], RawRequest]] = {
        name: partial(sign, "ListUsers", {"UserPoolId": pool_id, "Filter": text, "Limit": 60})
        for name, text in filters.items()
    }
    for name, text in filters.items():
        if not cognito.list_users(UserPoolId=pool_id, Filter=text, Limit=60)["Users"]:
            raise RuntimeError(f"{name} finds no user: the figure would measure nothing")
    signers["DescribeUserPool"] = partial(sign, "DescribeUserPool", {"UserPoolId": pool_id})
    return signers


def measure(
    label: str,
    database: str | None,
    path: Path,
    rows: int,
    duration: float,
    runs: int,
    driver: str,
) -> list[Figure]:
    figures: list[Figure] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-list-users-") as tmp,
        OurServer(Path(tmp), database, f"server-list-users-{label.lower()}") as server,
    ):
        pool_id = _import(server, path)
        caught = _catch_up(server, database, Path(tmp), pool_id)
        print(caught.line(label), flush=True)
        requests = _requests(server, pool_id, _sample_values(path, rows))
        for call, signer in requests.items():
            for clients in CLIENTS:
                p50, p99, rate, peak, cpu, errors = [], [], [], [], [], 0
                request = signer()
                for _ in range(runs):
                    used = cpu_seconds(server.pid)
                    with _PeakRss(server.pid) as rss:
                        result = load(driver, request, clients, duration)
                    used = cpu_seconds(server.pid) - used
                    cpu.append(1000 * used / result.requests if result.requests else 0.0)
                    p50.append(result.p50_ms)
                    p99.append(result.p99_ms)
                    rate.append(result.per_second)
                    peak.append(rss.peak_kb / 1024)
                    errors += result.errors
                figure = Figure(label, call, clients, p50, p99, rate, peak, errors, cpu)
                print(figure.line(), flush=True)
                figures.append(figure)
    return figures


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_users", description=__doc__)
    parser.add_argument("--rows", type=int, default=gen.FULL_ROWS)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure")
    args = parser.parse_args(argv)
    host = machine(not args.skip_postgres)
    out(host.line())
    path = gen.generate(args.rows)
    # The faster driver against a server that does nothing: at 40 clients on 2 cores, a
    # driver in Python takes CPU from the server it measures and adds its own queueing.
    calibration = calibrate(2.0)
    driver = calibration.driver
    out(f"driver ceiling (trivial server, 8 connections): {calibration.summary()}")
    out(f"pool: {args.rows:,} users from {path}; {driver} driver; median (min-max) of {args.runs}")
    figures = []
    if not args.skip_sqlite:
        figures += measure("SQLite", None, path, args.rows, args.duration, args.runs, driver)
    if not args.skip_postgres:
        with pg_schema(pg_url()) as (_, url):
            figures += measure("PostgreSQL", url, path, args.rows, args.duration, args.runs, driver)
    out(f"saved {save_figures('list_users', host, figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
