"""Uploads as files in a folder of the data dir: the default with SQLite.

Every upload is written to a temporary file and then renamed to a name of its own;
nothing is ever renamed over a file a job may already be reading.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cognito_import.blobs import DATA_DIR, BlobDiscarded, BlobMissing, counted
from cognito_import.domain.jobs import JOB_ID_PREFIX


@dataclass(frozen=True)
class FileRef:
    path: Path

    def open(self) -> BinaryIO:
        try:
            return open(self.path, "rb")
        except FileNotFoundError:
            raise BlobMissing(self.path.name) from None


class FileBlobStore:
    kind = DATA_DIR

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

    def open_writer(self, job_id: str) -> FileWriter:
        final = self.root / f"{job_id}.{secrets.token_hex(16)}.csv"
        return FileWriter(self.root, job_id, final)

    def ref(self, name: str) -> FileRef:
        return FileRef(self.path(name))

    def open(self, name: str) -> BinaryIO:
        return self.ref(name).open()

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def uploads(self, job_id: str) -> list[str]:
        found = [*self.root.glob(f"{job_id}.*"), *self.root.glob(f".upload-{job_id}.*")]
        return sorted(p.name for p in found)

    def job_ids(self) -> set[str]:
        # Only names this store writes: <job_id>.<random>.csv and .upload-<job_id>.*.part.
        names = (p.name.removeprefix(".upload-") for p in self.root.iterdir())
        return {n.split(".", 1)[0] for n in names if n.startswith(JOB_ID_PREFIX)}

    def delete_upload(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def delete(self, job_id: str) -> None:
        for name in self.uploads(job_id):
            self.path(name).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class FileWriter:
    """Streams into a temporary file; ``commit`` fsyncs it and renames it to its own
    final name, so a reader sees a whole upload or none."""

    def __init__(self, root: Path, job_id: str, final: Path) -> None:
        fd, name = tempfile.mkstemp(dir=root, prefix=f".upload-{job_id}.", suffix=".part")
        self._file = os.fdopen(fd, "wb")
        self._tmp = Path(name)
        self._final = final
        self.name = final.name
        self.size = 0

    def write(self, chunk: bytes, limit: int) -> None:
        self.size = counted(self.size, chunk, limit)
        self._file.write(chunk)

    def commit(self) -> str:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        try:
            os.replace(self._tmp, self._final)
        except FileNotFoundError:
            # ``delete`` took the partial file with the job's other uploads: the job
            # ended (a one-row job can, while a racing PUT is still being sent).
            raise BlobDiscarded(self.name) from None
        return self.name

    def discard(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)
