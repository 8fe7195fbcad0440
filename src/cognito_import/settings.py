"""Server settings: one frozen object built in one place (the CLI), passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9245
ACCESS_KEYS_ENV = "COGNITO_IMPORT_ACCESS_KEYS"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".cognito-import")
    database: str | None = None
    # Where uploads are kept (``blobs/``): data-dir, database or s3://BUCKET/PREFIX; by
    # default the database on PostgreSQL, the data dir's folder on SQLite.
    blob_store: str | None = None
    s3_endpoint_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    # Base of the pre-signed upload URLs; the listen address when not given.
    public_url: str | None = None
    # Seconds a Created job lives before it becomes Expired (AWS: 24 to 48 hours).
    job_expiry: float = 86_400.0
    # Fraction of skipped+failed rows above which a finished job is Failed.
    failure_threshold: float = 0.5
    # Rows per committed batch: the unit of crash recovery and of Stop.
    batch_size: int = 10_000
    # Seconds without a heartbeat after which another worker takes a running job over.
    heartbeat_timeout: float = 15.0
    # Seconds between polls for new work when nothing woke the worker.
    poll_interval: float = 1.0
    # The same on PostgreSQL, where workers are woken by LISTEN/NOTIFY and the poll is
    # only the fallback (for what no transaction announces, such as a stale heartbeat,
    # so never longer than a third of the heartbeat timeout).
    listen_poll_interval: float = 5.0
    # Seconds between the indexer's looks for pools whose ListUsers index is out of
    # date (it also looks as soon as an import ends).
    index_interval: float = 30.0
    # Jobs with at least this many rows left check rows in a second process, overlapped
    # with the inserts; smaller ones are not worth starting a process for.
    parallel_rows: int = 10_000
    # Parser processes for such jobs: they take turns batch by batch while this
    # process writes, so every core is busy.
    parsers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    # Threads that run short reads (``READ`` operations) at once, when they do not run
    # on the event loop (PostgreSQL). Their Python work holds the GIL, so more threads
    # than about two per core only queue on it, unfairly: at 40 clients on 2 cores with
    # PostgreSQL, 40 threads gave DescribeUserPool a p99 of 98-116 ms, 4 threads 51-60
    # ms at the same rate. Writes and scans keep the threadpool's 40.
    read_threads: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    max_upload_bytes: int = 100 * 1024 * 1024
    max_rows: int = 500_000
    run_worker: bool = True
    # Run the worker as a child process (serve) rather than a thread (tests, which
    # inject a clock the child could not share).
    worker_process: bool = False
    log_level: str = "info"
    # Origins whose browser pages may call the API (CORS); "*" is any origin.
    cors_origins: tuple[str, ...] = ("*",)
    # The tokens' issuer: "url" is <base_url>/<poolId>, which OIDC discovery can follow;
    # "aws" is https://cognito-idp.<region>.amazonaws.com/<poolId>.
    token_issuer: str = "url"
    # smtp://HOST:PORT: the outbox's email messages are also sent there (mail.py).
    smtp_url: str | None = None

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"
