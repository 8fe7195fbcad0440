"""Several hosts' worth of processes on one PostgreSQL: ``python -m benchmarks.hosts``.

1. Four accounts each importing the same N-user file (default 125,000) at once, on one
   API server (``serve --no-worker``) and one ``worker`` process, then two; both in
   each run, in turn, on a fresh schema each: total time from the four Starts to the
   last Succeeded, users/s, and the ratio of the medians.
2. A 100 MB upload streamed into the PostgreSQL blob store and read back, against the
   same through the data dir's folder (the stores themselves, in this process, with
   the 64 KiB pieces a PUT arrives in).

Each figure is run ``--runs`` times (default 3): median and spread. The machine may be
shared: the load average at start is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from benchmarks import gen
from benchmarks.common import BIN_DIR, REGION, Subprocess, machine, pg_schema, pg_url, wait_http
from benchmarks.common import free_port as _free_port
from benchmarks.stats import REPEATS, Spread

ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"]
KEYS = [(f"AKIABENCHHOSTS00000{n}", f"bench-hosts-{n}", a) for n, a in enumerate(ACCOUNTS)]
ROLE = "arn:aws:iam::111111111111:role/CognitoImportRole"
SSE = {"x-amz-server-side-encryption": "aws:kms"}
BLOB_BYTES = 100 * 1024 * 1024
PIECE = 64 * 1024


def _client(url: str, key: tuple[str, str, str]) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


def _start(command: str, database: str, data_dir: Path, log: str, *extra: str) -> Subprocess:
    argv = [str(BIN_DIR / "cognito-import"), command, "--database", database]
    argv += ["--data-dir", str(data_dir), "--log-level", "warning", *extra]
    argv += [arg for k in KEYS for arg in ("--access-key", ":".join(k))]
    return Subprocess(argv, log)


def four_accounts(csv: Path, rows: int, workers: int) -> float:
    """Seconds from the four Starts to the last of the four jobs Succeeded."""
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-hosts-") as tmp:
        _, database = stack.enter_context(pg_schema(pg_url()))
        port = _free_port()
        api = stack.enter_context(
            _start(
                "serve", database, Path(tmp, "api"), "hosts-api", "--no-worker", "--port", str(port)
            )
        )
        wait_http(port, "/health", 60, api.proc)
        url = f"http://127.0.0.1:{port}"
        jobs = []
        for n, key in enumerate(KEYS):
            cognito = _client(url, key)
            pool = cognito.create_user_pool(PoolName=f"bench{n}", AutoVerifiedAttributes=["email"])
            pool_id = pool["UserPool"]["Id"]
            job = cognito.create_user_import_job(
                UserPoolId=pool_id, JobName="bench", CloudWatchLogsRoleArn=ROLE
            )["UserImportJob"]
            with csv.open("rb") as fp:
                put = httpx.put(job["PreSignedUrl"], content=fp, headers=SSE, timeout=600)
            put.raise_for_status()
            jobs.append((cognito, pool_id, job["JobId"]))
        for n in range(workers):
            stack.enter_context(_start("worker", database, Path(tmp, f"w{n}"), f"hosts-w{n}"))
        began = time.monotonic()
        for cognito, pool_id, job_id in jobs:
            cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)
        for cognito, pool_id, job_id in jobs:
            while True:
                job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)[
                    "UserImportJob"
                ]
                if job["Status"] not in ("Pending", "InProgress"):
                    break
                time.sleep(0.1)
            if (job["Status"], job["ImportedUsers"]) != ("Succeeded", rows):
                raise RuntimeError(f"benchmark job did not import every row: {job}")
        return time.monotonic() - began


def _pieces(csv: Path) -> Iterator[bytes]:
    """``BLOB_BYTES`` of CSV in 64 KiB pieces (the file repeated as needed)."""
    sent = 0
    while sent < BLOB_BYTES:
        with csv.open("rb") as fp:
            while sent < BLOB_BYTES and (piece := fp.read(min(PIECE, BLOB_BYTES - sent))):
                sent += len(piece)
                yield piece


def blob_round_trip(kind: str, csv: Path, database: str, folder: Path) -> tuple[float, float]:
    """(upload seconds, download seconds) of one 100 MB blob through store ``kind``."""
    from cognito_import.blobs import BlobStore
    from cognito_import.blobs.files import FileBlobStore
    from cognito_import.blobs.postgres import PgBlobStore
    from cognito_import.store import open_store

    store = open_store(database, folder)
    blobs: BlobStore = (
        PgBlobStore(database, store.db) if kind == "database" else FileBlobStore(folder / "up")
    )
    try:
        began = time.monotonic()
        writer = blobs.open_writer("import-bench")
        for piece in _pieces(csv):
            writer.write(piece, BLOB_BYTES)
        name = writer.commit()
        uploaded = time.monotonic() - began
        began = time.monotonic()
        total = 0
        with blobs.open(name) as fp:
            while data := fp.read(PIECE):
                total += len(data)
        downloaded = time.monotonic() - began
        assert total == BLOB_BYTES, total
        blobs.delete("import-bench")
        return uploaded, downloaded
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hosts", description=__doc__)
    parser.add_argument("--rows", type=int, default=125_000, help="users per account")
    parser.add_argument("--runs", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    print(machine(True).line())
    csv = gen.generate(args.rows)
    users = len(ACCOUNTS) * args.rows
    times: dict[int, list[float]] = {1: [], 2: []}
    for run in range(args.runs):
        # Alternating which goes first, so that a slow spell of the machine hits both.
        for workers in (1, 2) if run % 2 == 0 else (2, 1):
            seconds = four_accounts(csv, args.rows, workers)
            times[workers].append(seconds)
            print(f"  run {run + 1}, {workers} worker(s): {seconds:.1f} s", flush=True)
    print(f"Four accounts x {args.rows:,} users at once on PostgreSQL ({users:,} users):")
    for workers, values in times.items():
        spread = Spread.of(values)
        rates = Spread.of([users / v for v in values])
        print(f"  {workers} worker(s): {spread.show()}, {rates.show('users/s', 0)}")
    ratio = Spread.of(times[1]).median / Spread.of(times[2]).median
    print(f"  two workers take {1 / ratio:.2f}x the time of one (speed-up {ratio:.2f}x)")

    trips: dict[str, list[tuple[float, float]]] = {"data-dir": [], "database": []}
    with pg_schema(pg_url()) as (_, database):
        for run in range(args.runs):
            for kind in trips if run % 2 == 0 else reversed(list(trips)):
                folder = Path(tempfile.mkdtemp(prefix="bench-blobs-"))
                try:
                    db = database if kind == "database" else f"sqlite:///{folder / 'db.sqlite3'}"
                    trips[kind].append(blob_round_trip(kind, csv, db, folder))
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
    print(f"A {BLOB_BYTES // (1024 * 1024)} MiB CSV, uploaded in 64 KiB pieces and read back:")
    for kind, pairs in trips.items():
        up = Spread.of([pair[0] for pair in pairs])
        down = Spread.of([pair[1] for pair in pairs])
        rate = BLOB_BYTES / 1e6 / up.median, BLOB_BYTES / 1e6 / down.median
        print(
            f"  {kind:9} upload {up.show()} ({rate[0]:.0f} MB/s), "
            f"download {down.show()} ({rate[1]:.0f} MB/s)"
        )
    print(f"(load average now {os.getloadavg()[0]:.2f}; the machine is shared)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
