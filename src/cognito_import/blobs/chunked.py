"""A seekable reader over a blob fetched piece by piece (PostgreSQL rows, S3 ranges):
only the piece being read is in memory, and a seek (a job resuming at a byte offset)
fetches from there."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from typing_extensions import Buffer

# Bytes buffered between the parser's readline calls and the pieces.
BUFFER = 256 * 1024


class PieceReader(io.RawIOBase):
    """``fetch(start, end)`` returns bytes ``start:end`` of a blob of ``size`` bytes,
    in pieces of ``piece`` bytes aligned on multiples of it."""

    def __init__(
        self,
        size: int,
        piece: int,
        fetch: Callable[[int, int], bytes],
        on_close: Callable[[], None] = lambda: None,
    ) -> None:
        self._size = size
        self._piece = piece
        self._fetch = fetch
        self._on_close = on_close
        self._pos = 0
        self._start = -1
        self._data = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Buffer) -> int:
        if self._pos >= self._size:
            return 0
        start = self._pos - self._pos % self._piece
        if start != self._start:
            self._data = self._fetch(start, min(start + self._piece, self._size))
            self._start = start
        view = memoryview(self._data)[self._pos - start :]
        out = memoryview(buffer).cast("B")
        if not len(out):
            return 0
        count = min(len(out), len(view))
        if count == 0:
            raise OSError(f"blob ended at byte {self._pos} of {self._size}")
        out[:count] = view[:count]
        self._pos += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._data = b""
            self._on_close()
        super().close()


def buffered(raw: PieceReader) -> BinaryIO:
    reader: BinaryIO = io.BufferedReader(raw, BUFFER)
    return reader
