"""Uploaded CSV files: a folder in the data dir.

Every upload is written to a temporary file and then renamed to a name of its own
(``<job_id>.<random>.csv``); the job row records which name is current. Nothing is ever
renamed over a file a job may already be reading, so a PUT racing a Start cannot change
the CSV of a started job: the loser's file is simply deleted.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import BinaryIO


class BlobTooLarge(Exception):
    pass


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        # Partial uploads of a process that died mid-PUT; an hour is far longer than any
        # upload still running in another process on this folder can take.
        cutoff = time.time() - 3600
        for stale in root.glob(".upload-*.part"):
            with contextlib.suppress(OSError):
                if stale.stat().st_mtime < cutoff:
                    stale.unlink()

    def path(self, name: str) -> Path:
        """The file of the upload called ``name`` (``ImportJob.upload_name``)."""
        return self.root / Path(name).name

    def open_writer(self, job_id: str) -> BlobWriter:
        final = self.root / f"{job_id}.{secrets.token_hex(16)}.csv"
        return BlobWriter(self.root, final)

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def uploads(self, job_id: str) -> list[Path]:
        """Every upload file of a job: the current one and any not yet cleaned up."""
        return sorted(self.root.glob(f"{job_id}.*"))

    def delete_upload(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def delete(self, job_id: str) -> None:
        """Delete every upload of a job. Only for a job that has left ``Created``: no new
        upload can be recorded for it any more, so nothing in use is lost."""
        for path in self.uploads(job_id):
            path.unlink(missing_ok=True)


class BlobWriter:
    """Streams into a temporary file; ``commit`` fsyncs it and renames it to its own
    final name, so a reader sees a whole upload or none."""

    def __init__(self, root: Path, final: Path) -> None:
        fd, name = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".part")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)
        self._final = final
        self.name = final.name
        self.size = 0

    def write(self, chunk: bytes, limit: int) -> None:
        self.size += len(chunk)
        if self.size > limit:
            raise BlobTooLarge()
        self._file.write(chunk)

    def commit(self) -> str:
        """Move the upload into place; its name, to record in the job."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self._final)
        return self.name

    def discard(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)
