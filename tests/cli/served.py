"""A ``cognito-import serve`` subprocess for tests, as a user runs it: on a free port, in
a folder of its own, stopped with SIGTERM and required to exit cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from cognito_import import __version__
from tests.conftest import AWS_BIN

BIN = str(Path(sys.executable).parent / "cognito-import")
EXPORT = re.compile(r"export AWS_ACCESS_KEY_ID=(\S+)\nexport AWS_SECRET_ACCESS_KEY=(\S+)\n")
DEFAULT_ACCOUNT = "000000000000"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that could configure the server or
    the aws CLI behind the test's back."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGNITO_IMPORT_"))}
    return {**env, **extra}


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``cognito-import`` command, run to its end."""
    return subprocess.run(
        [BIN, *args],
        env=env if env is not None else clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def aws_env(home: Path, key_id: str, secret: str) -> dict[str, str]:
    """AWS variables for one key and nothing else from the caller's AWS setup."""
    return clean_env(
        AWS_ACCESS_KEY_ID=key_id,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_MAX_ATTEMPTS="1",
        HOME=str(home),
    )


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[bytes]
    stdout: Path
    home: Path

    def output(self) -> str:
        return self.stdout.read_text("utf-8")

    def errors(self) -> str:
        return (self.stdout.parent / "stderr").read_text("utf-8")

    def client(
        self, key_id: str, secret: str, service: str = "cognito-idp", region: str = "us-east-1"
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    def cli(self, key_id: str, secret: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``cognito-import ARGS --endpoint-url URL`` with this key in the environment."""
        env = aws_env(self.home, key_id, secret)
        return cli(*args, "--endpoint-url", self.url, env=env)

    def aws(self, key_id: str, secret: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = aws_env(self.home, key_id, secret)
        return subprocess.run(
            [AWS_BIN, "cognito-idp", *args, "--endpoint-url", self.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def aws_json(self, key_id: str, secret: str, *args: str) -> Any:
        done = self.aws(key_id, secret, *args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@contextmanager
def serving(
    tmp_path: Path,
    name: str,
    args: Sequence[str],
    env: dict[str, str] | None = None,
    port_from_env: bool = False,
) -> Iterator[Served]:
    """Start ``cognito-import serve``; on leaving, SIGTERM it and require a clean exit.
    The port is given as ``--port``, or with ``port_from_env`` as COGNITO_IMPORT_PORT."""
    port = free_port()
    env = dict(env if env is not None else clean_env())
    if port_from_env:
        env["COGNITO_IMPORT_PORT"] = str(port)
    else:
        args = ["--port", str(port), *args]
    run_dir = tmp_path / name
    run_dir.mkdir()
    home = run_dir / "home"
    home.mkdir()
    stdout = run_dir / "stdout"
    with stdout.open("wb") as out, (run_dir / "stderr").open("wb") as err:
        proc = subprocess.Popen(
            [BIN, "serve", *args],
            stdout=out,
            stderr=err,
            env=env,
            cwd=run_dir,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (run_dir / "stderr").read_text("utf-8")
            try:
                health = httpx.get(url + "/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.05)
        # The documented /health answer, on every start of every test.
        assert health.status_code == 200
        answer = health.json()
        assert answer.pop("database") in ("sqlite", "postgresql")
        assert answer.pop("worker") in ("running", "none")
        assert answer == {"status": "ok", "version": __version__}
        yield Served(url, proc, stdout, home)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    assert code == 0, (run_dir / "stderr").read_text("utf-8")
