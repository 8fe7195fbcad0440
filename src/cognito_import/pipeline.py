"""Runs ``parse_batches`` beside the writer: in a child process for large files, so that
checking rows (one core) overlaps with inserting them (the other), or inline for small
ones, where starting a process would cost more than it saves.

Either way the writer sees the same batches in the same order; a batch is only ever
committed whole, so the resume point stays exact.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from cognito_import.domain.batches import ParsedBatch, parse_batches
from cognito_import.domain.pools import PoolConfig
from cognito_import.domain.rows import plan_header
from cognito_import.lifeline import die_with_parent

# Batches parsed ahead of the writer: bounds memory to a few batches.
_AHEAD = 2
_DONE = "done"


@dataclass(frozen=True)
class Source:
    """Where a job's remaining rows are and how to check them: all a parser needs, and
    plain enough to hand to a child process."""

    path: Path
    columns: list[str]
    config: PoolConfig
    algorithm: str | None
    offset: int
    line: int
    batch_size: int

    def parse(self, stride: int = 1, phase: int = 0) -> Iterator[ParsedBatch]:
        plan = plan_header(self.columns, self.config, self.algorithm)
        with open(self.path, "rb") as fp:
            yield from parse_batches(
                fp, plan, self.offset, self.line, self.batch_size, stride, phase
            )


def _produce(out: Any, source: Source, stride: int, phase: int, parent: int) -> None:
    die_with_parent(parent)
    try:
        for batch in source.parse(stride, phase):
            out.put(batch)
        out.put(_DONE)
    except BaseException as exc:
        out.put(RuntimeError(f"parser process failed: {exc!r}"))
        raise


def batches(source: Source, processes: int) -> Generator[ParsedBatch, None, None]:
    """The source's batches, in order, checked inline (``processes`` 0) or by that many
    parser processes taking turns batch by batch. Closing the generator early (stop,
    shutdown) ends the processes."""
    if processes <= 0:
        yield from source.parse()
        return
    ctx = multiprocessing.get_context("spawn")
    queues = [ctx.Queue(maxsize=_AHEAD) for _ in range(processes)]
    children = [
        ctx.Process(
            target=_produce,
            args=(queues[k], source, processes, k, os.getpid()),
            name=f"cognito-import-parser-{k}",
            daemon=True,
        )
        for k in range(processes)
    ]
    for child in children:
        child.start()
    try:
        # Parser k holds batches k, k+N, ...: taking from each in turn restores the order.
        for turn in itertools.count():
            k = turn % processes
            item = _get(queues[k], children[k])
            if isinstance(item, ParsedBatch):
                yield item
            elif isinstance(item, BaseException):
                raise item
            else:
                break
    finally:
        for child, out in zip(children, queues, strict=True):
            _end(child, out)


def _get(out: Any, child: BaseProcess) -> object:
    while True:
        try:
            return out.get(timeout=1.0)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(f"parser process died (exit code {child.exitcode})") from None


def _end(child: BaseProcess, out: Any) -> None:
    if child.is_alive():
        child.terminate()
    child.join(timeout=5)
    with contextlib.suppress(Exception):
        out.close()
        out.cancel_join_thread()
