"""Where handlers run: reads on the event loop, writes (and reads that must write) in the
threadpool. Checked with real handlers that record their thread, through ``_run``."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from cognito_import.protocol.awsjson import (
    Context,
    JsonService,
    _run,
    about_to_write,
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
            about_to_write()
            self.writes += 1
        return {"n": p["n"], "writes": self.writes}


def service(recorder: Recorder) -> JsonService:
    return JsonService(
        target_prefix="T",
        model_name="cognito-idp",
        signing_name="cognito-idp",
        handlers={
            "Read": recorder.read,
            "Write": recorder.read,
            "Expiring": recorder.expiring,
        },
        reads=frozenset({"Read", "Expiring"}),
    )


def run(svc: JsonService, operation: str) -> tuple[dict[str, Any], str]:
    async def main() -> tuple[dict[str, Any], str]:
        result = await _run(svc, operation, CTX, {"n": 1})
        assert isinstance(result, dict)
        return result, threading.current_thread().name

    return asyncio.run(main())


def test_a_read_runs_on_the_event_loop() -> None:
    recorder = Recorder()
    result, loop_thread = run(service(recorder), "Read")
    assert result == {"n": 1}
    assert recorder.threads == [loop_thread]


def test_a_write_runs_in_the_threadpool() -> None:
    recorder = Recorder()
    result, loop_thread = run(service(recorder), "Write")
    assert result == {"n": 1}
    assert len(recorder.threads) == 1
    assert recorder.threads[0] != loop_thread


def test_a_read_about_to_write_runs_again_in_the_threadpool() -> None:
    recorder = Recorder()
    result, loop_thread = run(service(recorder), "Expiring")
    # Abandoned on the loop before writing, then run whole in a worker thread, where
    # about_to_write() lets it go on.
    assert result == {"n": 1, "writes": 1}
    assert recorder.threads[0] == loop_thread
    assert len(recorder.threads) == 2
    assert recorder.threads[1] != loop_thread


def test_about_to_write_outside_a_loop_read_is_a_no_op() -> None:
    about_to_write()


def test_reads_must_name_handlers() -> None:
    with pytest.raises(ValueError, match=r"reads name operations without handlers: \['Nope'\]"):
        JsonService(
            "T", "cognito-idp", "cognito-idp", {"Read": Recorder().read}, frozenset({"Nope"})
        )
