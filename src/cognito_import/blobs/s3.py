"""Uploads in S3 (``--blob-store s3://BUCKET/PREFIX``, with ``--s3-endpoint-url`` for an
S3-compatible server), through boto3 and its usual credential chain.

A PUT is spooled to a local temporary file (memory up to a few MiB, disk beyond) and
sent to S3 only when it is accepted whole, so a refused upload stores nothing there.
Readers fetch ranges of the object, one piece at a time.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cognito_import.blobs import BlobMissing, counted
from cognito_import.blobs.chunked import PieceReader, buffered
from cognito_import.domain.jobs import JOB_ID_PREFIX

PIECE = 4 * 1024 * 1024
_SPOOL_IN_MEMORY = 4 * 1024 * 1024


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of ``s3://BUCKET[/PREFIX]``; the prefix ends in ``/`` or is
    empty."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"must be s3://BUCKET[/PREFIX], got {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, prefix + "/" if prefix else ""


def _client(endpoint_url: str | None) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url)


def _missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class S3Ref:
    bucket: str
    key: str
    endpoint_url: str | None

    def open(self) -> BinaryIO:
        from botocore.exceptions import ClientError

        s3 = _client(self.endpoint_url)
        try:
            size = int(s3.head_object(Bucket=self.bucket, Key=self.key)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                raise BlobMissing(self.key) from None
            raise

        def fetch(start: int, end: int) -> bytes:
            answer = s3.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end - 1}"
            )
            data: bytes = answer["Body"].read()
            return data

        return buffered(PieceReader(size, PIECE, fetch))


class S3BlobStore:
    kind = "s3"

    def __init__(self, url: str, endpoint_url: str | None) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.endpoint_url = endpoint_url
        self.s3 = _client(endpoint_url)

    def _key(self, name: str) -> str:
        return self.prefix + name.rsplit("/", 1)[-1]

    def open_writer(self, job_id: str) -> S3Writer:
        name = f"{job_id}.{secrets.token_hex(16)}.csv"
        return S3Writer(self.s3, self.bucket, self._key(name), name)

    def ref(self, name: str) -> S3Ref:
        return S3Ref(self.bucket, self._key(name), self.endpoint_url)

    def open(self, name: str) -> BinaryIO:
        return self.ref(name).open()

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.s3.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def uploads(self, job_id: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{job_id}."
        )
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        return sorted(k[len(self.prefix) :] for k in keys)

    def job_ids(self) -> set[str]:
        # The prefix may be shared with other objects: only the names this store writes.
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{JOB_ID_PREFIX}"
        )
        names = (o["Key"][len(self.prefix) :] for page in pages for o in page.get("Contents", []))
        return {n.split(".", 1)[0] for n in names if n.endswith(".csv")}

    def delete_upload(self, name: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self._key(name))

    def delete(self, job_id: str) -> None:
        for name in self.uploads(job_id):
            self.delete_upload(name)

    def close(self) -> None:
        pass


class S3Writer:
    def __init__(self, s3: Any, bucket: str, key: str, name: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        self.name = name
        self.size = 0

    def write(self, chunk: bytes, limit: int) -> None:
        self.size = counted(self.size, chunk, limit)
        self._file.write(chunk)

    def commit(self) -> str:
        try:
            self._file.seek(0)
            # Multipart for a large file, streamed from the spool.
            self._s3.upload_fileobj(self._file, self._bucket, self._key)
        finally:
            self._file.close()
        return self.name

    def discard(self) -> None:
        self._file.close()
