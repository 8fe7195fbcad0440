"""Runs ``parse_batches`` beside the writer: in a child process for large files, so that
checking rows (one core) overlaps with inserting them (the other), or inline for small
ones, where starting a process would cost more than it saves.

Either way the writer sees the same batches in the same order; a batch is only ever
committed whole, so the resume point stays exact.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from collections.abc import Generator
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


def _produce(
    out: Any,
    path: str,
    columns: list[str],
    config: PoolConfig,
    algorithm: str | None,
    offset: int,
    line: int,
    batch_size: int,
    parent: int,
) -> None:
    die_with_parent(parent)
    try:
        plan = plan_header(columns, config, algorithm)
        with open(path, "rb") as fp:
            for batch in parse_batches(fp, plan, offset, line, batch_size):
                out.put(batch)
        out.put(_DONE)
    except BaseException as exc:
        out.put(RuntimeError(f"parser process failed: {exc!r}"))
        raise


def batches(
    path: Path,
    columns: list[str],
    config: PoolConfig,
    algorithm: str | None,
    offset: int,
    line: int,
    batch_size: int,
    parallel: bool,
) -> Generator[ParsedBatch, None, None]:
    """The file's batches from ``offset``. Closing the iterator early (stop, shutdown)
    ends the child process."""
    if not parallel:
        plan = plan_header(columns, config, algorithm)
        with open(path, "rb") as fp:
            yield from parse_batches(fp, plan, offset, line, batch_size)
        return
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue(maxsize=_AHEAD)
    args = (out, str(path), columns, config, algorithm, offset, line, batch_size, os.getpid())
    child = ctx.Process(target=_produce, args=args, name="cognito-import-parser", daemon=True)
    child.start()
    try:
        while True:
            item = _get(out, child)
            if isinstance(item, ParsedBatch):
                yield item
            elif isinstance(item, BaseException):
                raise item
            else:
                break
    finally:
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
