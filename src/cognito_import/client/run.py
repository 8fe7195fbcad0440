"""``run``'s steps on the wire: the streamed upload to the pre-signed URL, and following
a job to its end with a display (a rich progress bar, or plain lines), stopping it on
Ctrl-C."""

from __future__ import annotations

import codecs
import http.client
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cognito_import.client.aws import ToolError
from cognito_import.domain.csvfile import not_utf8_message
from cognito_import.domain.jobs import ENDED

SSE_HEADERS = {"x-amz-server-side-encryption": "aws:kms"}
# Describe is cheap (a few ms here, a quota of its own on AWS); polled this often, the
# end of a job is seen within a tenth of a second.
POLL_SECONDS = 0.1
BLOCK = 1 << 20


class _Body:
    """The file as the upload reads it, counting lines and checking UTF-8 on the way,
    so ``run`` needs no pass of its own over a 100 MB file."""

    def __init__(self, fp: BinaryIO, name: str) -> None:
        self.fp = fp
        self.name = name
        self.newlines = 0
        self.last = b"\n"
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def read(self, size: int = -1) -> bytes:
        chunk = self.fp.read(size)
        if chunk:
            if self.decoder.getstate()[0] or not chunk.isascii():
                try:
                    self.decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    before = chunk[: max(0, exc.start)].count(b"\n")
                    message = not_utf8_message(self.newlines + before + 1)
                    raise ToolError(f"{self.name}: {message}") from None
            self.newlines += chunk.count(b"\n")
            self.last = chunk[-1:]
        return chunk

    @property
    def lines(self) -> int:
        """Physical lines, counting one without a newline at the end."""
        return self.newlines + (self.last != b"\n")


def upload(url: str, path: Path) -> int:
    """PUT the file to the pre-signed URL, streamed; the file's line count."""
    parts = urlsplit(url)
    if parts.hostname is None:
        raise ToolError(f"the job's PreSignedUrl is not a URL: {url[:80]}")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname, parts.port, context=ssl.create_default_context(), blocksize=BLOCK
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, blocksize=BLOCK)
    try:
        with open(path, "rb") as fp:
            body = _Body(fp, str(path))
            headers = {**SSE_HEADERS, "Content-Length": str(path.stat().st_size)}
            conn.request("PUT", f"{parts.path}?{parts.query}", body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
    except OSError as exc:
        raise ToolError(f"upload to {parts.hostname} failed: {exc}") from None
    finally:
        conn.close()
    if response.status != 200:
        raise ToolError(f"upload refused: HTTP {response.status} {_s3_code(text)}")
    return body.lines


def _s3_code(body: str) -> str:
    """The Code and Message of an S3 XML error, else the start of the body."""
    import re

    found = dict(re.findall(r"<(Code|Message)>([^<]*)</\1>", body))
    if found:
        return f"{found.get('Code', '')}: {found.get('Message', '')}"
    return body[:200]


Display = Callable[[dict[str, Any]], None]


def follow(
    cognito: Any, pool_id: str, job_id: str, show: Display, note: Callable[[str], None]
) -> dict[str, Any]:
    """Describe the job until it ends, showing each answer; on Ctrl-C ask it to stop
    and follow it on to Stopped (a second Ctrl-C gives up at once)."""
    try:
        return _poll(cognito, pool_id, job_id, show)
    except KeyboardInterrupt:
        pass
    note(f"Ctrl-C: stopping {job_id} (StopUserImportJob); Ctrl-C again to leave it")
    _stop(cognito, pool_id, job_id)
    try:
        return _poll(cognito, pool_id, job_id, show)
    except KeyboardInterrupt:
        message = f"interrupted: {job_id} was asked to stop and may still be stopping"
        raise ToolError(message) from None


def _poll(cognito: Any, pool_id: str, job_id: str, show: Display) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)[
            "UserImportJob"
        ]
        show(job)
        if job["Status"] in ENDED:
            return job
        time.sleep(POLL_SECONDS)


def _stop(cognito: Any, pool_id: str, job_id: str) -> None:
    from botocore.exceptions import ClientError

    try:
        cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job_id)
    except ClientError as exc:
        # It ended between the last Describe and the stop: following it shows how.
        if exc.response.get("Error", {}).get("Code") != "PreconditionNotMetException":
            raise
