"""Where handlers run: short reads on the event loop, writes (and reads that must write
or scan) in the threadpool. Checked with real handlers that record their thread, through
``_run``; the operations table itself is checked against botocore's model."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import anyio
import botocore.session

from cognito_import.api.operations import COGNITO, LOGS
from cognito_import.loop import leave_loop
from cognito_import.protocol.awsjson import (
    READ,
    SCAN,
    WRITE,
    Access,
    Context,
    JsonService,
    Operation,
    _run,
    modelled_unsigned,
    operation,
)
from cognito_import.protocol.keys import AccessKey, Caller

CTX = Context(Caller(AccessKey("AKID", "secret", "111111111111"), "us-east-1", "x"), "rid", 0.0)


class Recorder:
    """Handlers that note the thread of every run; ``expiring`` writes on its first run."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.writes = 0

    def read(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        return {"n": p["n"]}

    def expiring(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        if self.writes == 0:
            # What the store does before every write.
            leave_loop()
            self.writes += 1
        return {"n": p["n"], "writes": self.writes}


def service(loop_reads: bool, read_threads: int | None = None) -> JsonService:
    limiter = None if read_threads is None else anyio.CapacityLimiter(read_threads)
    return JsonService("X.", "cognito-idp", "cognito-idp", {}, loop_reads, limiter)


def run(op: Operation, loop_reads: bool = True) -> tuple[dict[str, Any], str]:
    async def main() -> tuple[dict[str, Any], str]:
        result = await _run(op, service(loop_reads), CTX, {"n": 1})
        assert isinstance(result, dict)
        return result, threading.current_thread().name

    return asyncio.run(main())


def op(handler: Any, access: Access) -> Operation:
    return Operation(handler, access, signed=True)


def test_a_read_runs_on_the_event_loop() -> None:
    recorder = Recorder()
    result, loop_thread = run(op(recorder.read, READ))
    assert result == {"n": 1}
    assert recorder.threads == [loop_thread]


def test_writes_scans_and_reads_of_a_service_without_loop_reads_run_in_the_threadpool() -> None:
    for access, loop_reads in ((WRITE, True), (SCAN, True), (READ, False)):
        recorder = Recorder()
        result, loop_thread = run(op(recorder.read, access), loop_reads)
        assert result == {"n": 1}
        assert len(recorder.threads) == 1
        assert recorder.threads[0] != loop_thread


def test_a_read_about_to_write_runs_again_in_the_threadpool() -> None:
    recorder = Recorder()
    result, loop_thread = run(op(recorder.expiring, READ))
    # Abandoned on the loop before writing, then run whole in a worker thread, where
    # leave_loop() lets it go on.
    assert result == {"n": 1, "writes": 1}
    assert recorder.threads[0] == loop_thread
    assert len(recorder.threads) == 2
    assert recorder.threads[1] != loop_thread


class Overlap:
    """A handler whose runs wait for each other until ``target`` of them are in at once
    (or ``patience`` seconds pass), counting how many overlap at most: the count shows
    what the limiter lets in, not how fast threads happened to start."""

    def __init__(self, target: int, patience: float) -> None:
        self.target = target
        self.patience = patience
        self.changed = threading.Condition()
        self.now = self.most = 0

    def handle(self, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        with self.changed:
            self.now += 1
            self.most = max(self.most, self.now)
            self.changed.notify_all()
            self.changed.wait_for(lambda: self.most >= self.target, timeout=self.patience)
            self.now -= 1
        return {}


def most_at_once(
    access: Access, read_threads: int, target: int, calls: int = 8, patience: float = 5.0
) -> int:
    overlap = Overlap(target, patience)
    entry = op(overlap.handle, access)
    limited = service(loop_reads=False, read_threads=read_threads)

    async def main() -> None:
        await asyncio.gather(*(_run(entry, limited, CTX, {}) for _ in range(calls)))

    asyncio.run(main())
    return overlap.most


def test_reads_in_threads_are_bounded_by_the_read_limiter() -> None:
    # Short reads queue for read_threads; writes and scans keep the whole threadpool.
    assert most_at_once(READ, read_threads=2, target=2) == 2
    # Waiting for a third, reads still never exceed the limiter's 2.
    assert most_at_once(READ, read_threads=2, target=3, calls=3, patience=0.5) == 2
    assert most_at_once(WRITE, read_threads=2, target=8) == 8
    assert most_at_once(SCAN, read_threads=2, target=8) == 8


def test_leave_loop_outside_a_loop_read_is_a_no_op() -> None:
    leave_loop()


def test_signed_comes_from_the_service_model() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    # Both spellings botocore has used: the legacy authtype and the Smithy auth list.
    assert modelled_unsigned(model.operation_model("InitiateAuth"))
    assert not modelled_unsigned(model.operation_model("AdminInitiateAuth"))
    for name, (handler, access) in COGNITO.items():
        entry = operation("cognito-idp", name, handler, access)  # type: ignore[arg-type]
        assert entry.signed == (not modelled_unsigned(model.operation_model(name))), name
    for name, (handler, access) in LOGS.items():
        assert operation("logs", name, handler, access).signed  # type: ignore[arg-type]
