"""Uploaded CSV files: a folder in the data dir, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO


class BlobTooLarge(Exception):
    pass


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.csv"

    def open_writer(self, job_id: str) -> BlobWriter:
        return BlobWriter(self.root, self.path(job_id))

    def open(self, job_id: str) -> BinaryIO:
        return open(self.path(job_id), "rb")  # noqa: SIM115 - the caller closes it

    def exists(self, job_id: str) -> bool:
        return self.path(job_id).exists()

    def delete(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)


class BlobWriter:
    """Streams into a temporary file; ``commit`` renames it into place (after fsync), so
    a reader sees the old file or the whole new one, never a partial upload."""

    def __init__(self, root: Path, final: Path) -> None:
        fd, name = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".part")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)
        self._final = final
        self.size = 0

    def write(self, chunk: bytes, limit: int) -> None:
        self.size += len(chunk)
        if self.size > limit:
            raise BlobTooLarge()
        self._file.write(chunk)

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self._final)

    def discard(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)
