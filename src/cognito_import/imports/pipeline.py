"""Runs ``parse_batches`` beside the writer: in parser processes for large files, so that
checking rows overlaps with deciding and inserting them, or inline for small ones, where
starting a process would cost more than it saves.

Either way the writer sees the same batches in the same order; a batch is only ever
committed whole, so the resume point stays exact.

Each parser sends its batches down a pipe of its own, whose writing end only the parser
holds: when a parser dies (kill -9, out of memory), even halfway through a batch, the
reader gets end-of-file at once instead of waiting forever for the rest of the message.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from cognito_import.blobs import BlobRef
from cognito_import.domain.batches import ParsedBatch
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import plan_header
from cognito_import.errors import DatabaseUnavailable
from cognito_import.imports.lifeline import die_with_parent
from cognito_import.imports.parse import parse_batches

_DONE = "done"
# Batches a parser holds ready beyond the one being sent: a few batches of memory.
_AHEAD = 1


class ParserDied(Exception):
    """A parser process ended without finishing its batches. Nothing of the batch it
    held was committed, so the job can go on from its last committed batch."""


class ParserFailed(Exception):
    """A parser process raised: retrying would raise again."""


@dataclass(frozen=True)
class Source:
    """Where a job's remaining rows are and how to check them: all a parser needs, and
    plain enough to hand to a child process."""

    # The upload, opened by whichever process parses it (a file, or a database or S3
    # blob streamed piece by piece).
    blob: BlobRef
    columns: list[str]
    config: PoolConfig
    algorithm: str | None
    offset: int
    line: int
    batch_size: int
    # False for ``validate``: the same checks, without what only an insert needs.
    to_insert: bool = True

    def parse(self, stride: int = 1, phase: int = 0) -> Iterator[ParsedBatch]:
        plan = plan_header(self.columns, self.config, self.algorithm)
        with self.blob.open() as fp:
            yield from parse_batches(
                fp, plan, self.offset, self.line, self.batch_size, stride, phase, self.to_insert
            )


def _produce(out: Connection, source: Source, stride: int, phase: int, parent: int) -> None:
    """A parser process: parse its share of the batches, while a thread sends them, so
    that it parses ahead of the writer by up to ``_AHEAD`` batches instead of waiting for
    each to be taken."""
    die_with_parent(parent)
    ahead: queue.Queue[object] = queue.Queue(maxsize=_AHEAD)
    sender = threading.Thread(target=_send_all, args=(out, ahead), daemon=True)
    sender.start()
    try:
        for batch in source.parse(stride, phase):
            ahead.put(batch)
        ahead.put(_DONE)
    except DatabaseUnavailable as exc:
        # The infrastructure's fault, not the file's: the worker retries without
        # counting it against the job.
        ahead.put(DatabaseUnavailable(str(exc)))
        raise
    except BaseException as exc:
        ahead.put(ParserFailed(f"parser process failed: {exc!r}"))
        raise
    finally:
        sender.join()


def _send_all(out: Connection, ahead: queue.Queue[object]) -> None:
    while True:
        item = ahead.get()
        try:
            out.send(item)
        except OSError:
            # The reader closed its end: it stopped (a Stop, a shutdown) and needs no
            # more, and the parsing thread may be waiting to hand over the next batch.
            os._exit(0)
        if not isinstance(item, ParsedBatch):
            return


def batches(source: Source, processes: int) -> Generator[ParsedBatch, None, None]:
    """The source's batches, in order, checked inline (``processes`` 0) or by that many
    parser processes taking turns batch by batch. Closing the generator early (stop,
    shutdown) ends the processes. ``ParserDied`` if one of them dies."""
    if processes <= 0:
        yield from source.parse()
        return
    ctx = multiprocessing.get_context("spawn")
    pipes = [ctx.Pipe(duplex=False) for _ in range(processes)]
    children = [
        ctx.Process(
            target=_produce,
            args=(pipes[k][1], source, processes, k, os.getpid()),
            name=f"cognito-import-parser-{k}",
            daemon=True,
        )
        for k in range(processes)
    ]
    try:
        for child, (_, writer) in zip(children, pipes, strict=True):
            child.start()
            # Only the child may hold the writing end, or its death would go unseen.
            writer.close()
        # Parser k holds batches k, k+N, ...: taking from each in turn restores the order.
        for turn in itertools.count():
            k = turn % processes
            item = _receive(pipes[k][0], children[k])
            if isinstance(item, ParsedBatch):
                yield item
            elif isinstance(item, BaseException):
                raise item
            else:
                break
    finally:
        for child, (reader, _) in zip(children, pipes, strict=True):
            _end(child, reader)


def _receive(reader: Connection, child: BaseProcess) -> object:
    try:
        return reader.recv()
    except (EOFError, OSError):
        child.join(timeout=5)
        raise ParserDied(f"parser process died (exit code {child.exitcode})") from None


def _end(child: BaseProcess, reader: Connection) -> None:
    if child.pid is None:  # never started
        reader.close()
        return
    # SIGKILL, not SIGTERM: a parser holds nothing worth finishing, and under ``serve``
    # it inherits the worker's ignored SIGTERM (ignored so that a SIGTERM to the whole
    # process group lets the batch in flight commit).
    if child.is_alive():
        child.kill()
    child.join(timeout=5)
    reader.close()
