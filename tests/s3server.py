"""An S3-protocol server for tests: moto's ``moto_server``, in a process group of its
own, since no real S3 is reachable from the test machines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx

from tests.engine.helpers import free_port

MOTO = str(Path(sys.executable).parent / "moto_server")
# moto accepts any credentials; boto3 (ours, and the server's) needs some to sign.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "moto-key",
    "AWS_SECRET_ACCESS_KEY": "moto-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_s3(log: Path) -> Iterator[str]:
    """The endpoint URL of a fresh moto server; ended with its whole process group."""
    assert Path(MOTO).exists(), "moto_server is missing: pip install -e '.[test]'"
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [MOTO, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text("utf-8", errors="replace")
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "moto_server did not come up"
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
    )


def object_keys(s3: Any, bucket: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def eventually_empty(s3: Any, bucket: str, timeout: float = 10) -> list[str]:
    """The bucket's keys once it is empty, or as they are after ``timeout``: a job's
    upload is deleted just after the job's end is committed (and so visible)."""
    deadline = time.monotonic() + timeout
    while (keys := object_keys(s3, bucket)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return keys
