"""Uploaded CSV files, wherever every process can read them.

Three stores, one interface: the data dir's folder (the SQLite default), PostgreSQL
itself (the default with ``--database postgresql://``), and S3 (``--blob-store
s3://BUCKET/PREFIX``). An upload is written under a name of its own
(``<job_id>.<random>.csv``) and becomes visible only when committed whole; the job row
records which name is current, so a PUT racing a Start cannot change the CSV of a
started job, and a refused or broken PUT leaves nothing behind.

Readers get a seekable binary stream (a job resumes at a byte offset); ``BlobRef`` is
the picklable handle that a parser process opens on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from cognito_import.settings import Settings
    from cognito_import.store.db import Database

DATA_DIR = "data-dir"
DATABASE = "database"


class BlobTooLarge(Exception):
    pass


def counted(size: int, chunk: bytes, limit: int) -> int:
    """An upload's size once ``chunk`` is added; ``BlobTooLarge`` past ``limit`` bytes."""
    size += len(chunk)
    if size > limit:
        raise BlobTooLarge()
    return size


class BlobMissing(Exception):
    """No committed upload of that name."""


class BlobDiscarded(Exception):
    """An upload in progress was deleted with its job's other uploads (the job ended
    while it was being sent): nothing was kept."""


class BlobWriter(Protocol):
    name: str
    size: int

    def write(self, chunk: bytes, limit: int) -> None:
        """Append ``chunk``; ``BlobTooLarge`` (nothing kept) past ``limit`` bytes."""
        ...

    def commit(self) -> str:
        """Make the whole upload visible at once; its name, to record in the job."""
        ...

    def discard(self) -> None:
        """Drop what was written; nothing of it stays stored."""
        ...


class BlobRef(Protocol):
    """One upload, as a plain value a child process can open by itself."""

    def open(self) -> BinaryIO:
        """A seekable binary stream; ``BlobMissing`` if the upload is gone."""
        ...


class BlobStore(Protocol):
    kind: str

    def open_writer(self, job_id: str) -> BlobWriter: ...

    def ref(self, name: str) -> BlobRef: ...

    def open(self, name: str) -> BinaryIO: ...

    def exists(self, name: str) -> bool: ...

    def uploads(self, job_id: str) -> list[str]:
        """Everything stored for a job, committed or not: for cleanup and for tests
        that check a refused upload stored nothing."""
        ...

    def job_ids(self) -> set[str]:
        """Every job with anything stored, committed or not: for the sweep of uploads
        that a process killed between ending a job and deleting them left behind."""
        ...

    def delete_upload(self, name: str) -> None: ...

    def delete(self, job_id: str) -> None:
        """Delete every upload of a job. Only for a job that has left ``Created``: no new
        upload can be recorded for it any more, so nothing in use is lost."""
        ...

    def close(self) -> None: ...


def local_path(ref: BlobRef) -> Path | None:
    """The file behind ``ref`` when it is one on this machine."""
    from cognito_import.blobs.files import FileRef

    return ref.path if isinstance(ref, FileRef) else None


def check_blob_store(spec: str) -> str:
    """``--blob-store``'s value, or ValueError saying what is accepted."""
    from cognito_import.blobs.s3 import parse_s3_url

    if spec in (DATA_DIR, DATABASE):
        return spec
    if spec.startswith("s3://"):
        parse_s3_url(spec)
        return spec
    raise ValueError(f"must be {DATA_DIR}, {DATABASE} or s3://BUCKET[/PREFIX], got {spec!r}")


def open_blob_store(settings: Settings, db: Database) -> BlobStore:
    spec = settings.blob_store or (DATABASE if db.dialect == "postgresql" else DATA_DIR)
    if spec == DATA_DIR:
        from cognito_import.blobs.files import FileBlobStore

        return FileBlobStore(settings.data_dir / "uploads")
    if spec == DATABASE:
        if db.dialect != "postgresql":
            raise ValueError("--blob-store database needs a PostgreSQL --database")
        from cognito_import.blobs.postgres import PgBlobStore

        assert settings.database is not None
        return PgBlobStore(settings.database, db)
    from cognito_import.blobs.s3 import S3BlobStore

    return S3BlobStore(spec, settings.s3_endpoint_url)


__all__ = [
    "BlobMissing",
    "BlobRef",
    "BlobStore",
    "BlobTooLarge",
    "BlobWriter",
    "check_blob_store",
    "local_path",
    "open_blob_store",
]
