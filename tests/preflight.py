"""Driving the user tools (``validate``, ``run``, ``report``) from tests: in process
through click's runner (fast enough to run beside every import of the row-rule table)
or as the installed command, always against a real server over HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cognito_import.cli import main
from cognito_import.domain.log_events import event_message
from tests.live import TEST_KEY, LiveServer

CLI = str(Path(sys.executable).parent / "cognito-import")
_SUMMARY = re.compile(r"would (import|skip|fail) +([0-9,]+)")


def tool_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The AWS variables a user sets for this server, and none of the caller's."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    where = str(home or Path(tempfile.gettempdir()) / "no-aws-home")
    return {
        **base,
        "AWS_ACCESS_KEY_ID": TEST_KEY.key_id,
        "AWS_SECRET_ACCESS_KEY": TEST_KEY.secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": where + "/config",
        "AWS_SHARED_CREDENTIALS_FILE": where + "/credentials",
        **extra,
    }


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


def invoke(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Ran:
    """``cognito-import ARGS`` in this process; the environment is the tool's only."""
    full: dict[str, str | None] = {k: None for k in os.environ if k.startswith("AWS_")}
    full.update(env if env is not None else tool_env())
    result = CliRunner().invoke(main, list(args), env=full, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def command(args: Sequence[str], env: Mapping[str, str] | None = None) -> Ran:
    """The installed ``cognito-import ARGS`` in a subprocess."""
    done = subprocess.run(
        [CLI, *args], env=dict(env or tool_env()), capture_output=True, text=True, timeout=120
    )
    return Ran(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Validated:
    ran: Ran
    counts: dict[str, int]  # import / skip / fail
    # Every row that would not import, as the import's log would say it.
    messages: list[str]
    rows: list[dict[str, Any]]


def validate(csv: bytes, *args: str) -> Validated:
    """``validate`` of ``csv`` with ``args``; its report read back as log lines."""
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp:
        path, out = Path(tmp) / "users.csv", Path(tmp) / "report.json"
        path.write_bytes(csv)
        ran = invoke(["validate", str(path), *args, "--report", str(out), "--format", "json"])
        text = out.read_text("utf-8") if out.exists() else ""
    rows = [json.loads(line) for line in text.splitlines()]
    counts = {kind: int(n.replace(",", "")) for kind, n in _SUMMARY.findall(ran.stdout)}
    messages = [event_message(r["line"], r["outcome"], r["reason"]) for r in rows]
    return Validated(ran, counts, messages, rows)


def validate_live(live: LiveServer, pool_id: str, csv: bytes, *args: str) -> Validated:
    return validate(csv, "--user-pool-id", pool_id, "--endpoint-url", live.url, *args)


def assert_validate_equals_log(checked: Validated, log: Sequence[str], status: str) -> None:
    """What ``validate`` said before the import is what the import then logged."""
    not_imported = [m for m in log if not m.startswith("[SUCCEEDED]")]
    assert checked.messages == not_imported, checked.ran
    imported = len(log) - len(not_imported)
    skipped = sum(m.startswith("[SKIPPED]") for m in log)
    assert checked.counts == {
        "import": imported,
        "skip": skipped,
        "fail": len(log) - imported - skipped,
    }
    assert f"the job would end {status}:" in checked.ran.stdout
    clean = status == "Succeeded" and not not_imported
    assert checked.ran.code == (0 if clean else 1), checked.ran


def in_terminal(
    args: Sequence[str], env: Mapping[str, str], react: Any = None, timeout: float = 120
) -> tuple[int, str]:
    """``cognito-import ARGS`` on a pseudo-terminal of 120x40, as a user's shell runs it
    (session leader, the terminal its controlling one, so Ctrl-C is a real SIGINT).
    ``react(output so far)`` may return bytes to type. The exit status and the output."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command, or dies without running pytest on
        try:
            os.execve(CLI, [CLI, *args], dict(env))
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
                if react is not None and (
                    typed := react(b"".join(chunks).decode(errors="replace"))
                ):
                    os.write(fd, typed)
        else:
            os.kill(pid, 9)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode(errors="replace")
