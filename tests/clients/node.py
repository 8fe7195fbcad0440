"""Runs a Node client driver (``tests/clients/*.mjs``) and talks to it: one JSON line per
request on its stdin, one JSON line per answer on its stdout.

A missing ``node`` or an ``npm ci`` not run fails the test: these tests never skip.
"""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
TIMEOUT = 30.0


class NodeError(Exception):
    """A client call that failed: ``error`` holds its name, code, message and status."""

    def __init__(self, op: str, error: dict[str, Any]) -> None:
        super().__init__(f"{op}: {error}")
        self.error = error

    @property
    def name(self) -> str | None:
        name: str | None = self.error.get("name")
        return name

    @property
    def message(self) -> str | None:
        message: str | None = self.error.get("message")
        return message


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the JavaScript client tests need Node 20+")
    if not (HERE / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"the JavaScript clients are not installed: run `npm ci` in {HERE}")
    return node


class Driver:
    """One driver process, started with its configuration; used as a context manager."""

    def __init__(self, script: str, config: dict[str, Any]) -> None:
        self.script = script
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [node_binary(), str(HERE / script), json.dumps(config)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def __enter__(self) -> Driver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        assert self.process.stdin is not None
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.selector.close()
        self.stderr.close()

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()

    def answer(self, op: str, **arguments: Any) -> dict[str, Any]:
        """The raw answer: ``{"ok": True, "result": ...}`` or ``{"ok": False, "error": ...}``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()
        if not self.selector.select(timeout=TIMEOUT):
            raise AssertionError(f"{self.script} {op}: no answer in {TIMEOUT} s\n{self.log()}")
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"{self.script} exited during {op}:\n{self.log()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def call(self, op: str, **arguments: Any) -> Any:
        """The result of a call that must succeed; NodeError when the client threw."""
        answer = self.answer(op, **arguments)
        if not answer["ok"]:
            raise NodeError(op, answer["error"])
        return answer["result"]

    def error(self, op: str, **arguments: Any) -> dict[str, Any]:
        """The error of a call that must fail."""
        answer = self.answer(op, **arguments)
        assert not answer["ok"], f"{op} succeeded: {answer['result']}"
        error: dict[str, Any] = answer["error"]
        return error
