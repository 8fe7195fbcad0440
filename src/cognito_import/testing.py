"""A real cognito-import server for test suites, without pytest or with it (the
``cognito`` fixture of ``cognito_import.pytest_plugin`` is built on this).

``CognitoServer`` runs ``cognito-import serve --ephemeral --port 0`` in a subprocess,
the same command a user runs, with a generated key per account; ``Cognito`` is one
account's view of it: its endpoint, its keys, boto3 clients, and reset::

    with CognitoServer(seed=Path("seed.yaml")) as server:
        cognito = server.account(0)
        idp = cognito.client("cognito-idp")
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

DEFAULT_REGION = "us-east-1"
# The first is the default account: a seed's pools without an Account are its.
ACCOUNTS = ("000000000000", "111111111111")
_LISTENING = re.compile(r"# cognito-import listening on (http://\S+)")


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    account: str
    region: str = DEFAULT_REGION

    def env(self) -> dict[str, str]:
        """The AWS variables for a subprocess (the aws CLI, your own tools)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
        }


def _new_credentials(account: str) -> Credentials:
    alphabet = string.ascii_uppercase + string.digits
    key_id = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
    return Credentials(key_id, secrets.token_urlsafe(30), account)


class ServerFailed(RuntimeError):
    pass


class CognitoServer:
    """``cognito-import serve`` on a free port, with a temporary data dir.

    It runs in its own session (a Ctrl-C or a signal to the test run's process group
    does not reach it half-way) and with ``--exit-with-parent``, so it stops with the
    process that started it even when that one is killed.
    """

    def __init__(
        self,
        seed: Path | None = None,
        args: Sequence[str] = (),
        accounts: Sequence[str] = ACCOUNTS,
        log_dir: Path | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.seed = seed
        self.args = list(args)
        self.credentials = [_new_credentials(a) for a in accounts]
        self.log_dir = log_dir
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.log_path: Path | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the server is not started"
        return self.proc.pid

    def start(self) -> None:
        log_dir = self.log_dir or Path(tempfile.mkdtemp(prefix="cognito-import-log-"))
        self.log_path = log_dir / "server.log"
        argv = [sys.executable, "-m", "cognito_import", "serve", "--ephemeral", "--port", "0"]
        argv += ["--host", "127.0.0.1", "--exit-with-parent", "--log-level", "warning"]
        if self.seed is not None:
            argv += ["--seed", str(self.seed)]
        # The caller's AWS and COGNITO_IMPORT variables stay out: the server must be the
        # same whatever shell the tests run from.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGNITO_IMPORT_"))}
        env["COGNITO_IMPORT_ACCESS_KEYS"] = ",".join(
            f"{c.access_key_id}:{c.secret_access_key}:{c.account}" for c in self.credentials
        )
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [*argv, *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        try:
            self.url = self._wait_listening()
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _log(self) -> str:
        assert self.log_path is not None
        return self.log_path.read_text("utf-8", errors="replace")

    def _wait_listening(self) -> str:
        assert self.proc is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            found = _LISTENING.search(self._log())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                raise ServerFailed(
                    f"cognito-import serve exited with {self.proc.returncode}:\n{self._log()}"
                )
            if time.monotonic() > deadline:
                raise ServerFailed(f"cognito-import serve did not start:\n{self._log()}")
            time.sleep(0.02)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as answer:
                    if json.loads(answer.read()).get("status") == "ok":
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ServerFailed(f"{self.url}/health never answered:\n{self._log()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM, then wait for the graceful shutdown (the ephemeral dir goes with it)."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def account(self, index: int = 0) -> Cognito:
        return Cognito(self.url, self.credentials[index])

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Cognito:
    """One account of a running server: what a test talks to."""

    def __init__(self, url: str, credentials: Credentials) -> None:
        self.url = url
        self.credentials = credentials

    @property
    def account(self) -> str:
        return self.credentials.account

    @property
    def region(self) -> str:
        return self.credentials.region

    def client(self, service: str = "cognito-idp", **kwargs: Any) -> Any:
        """A boto3 client for ``cognito-idp`` or ``logs`` with endpoint, region and keys
        set; other keyword arguments go to ``boto3.client``."""
        import boto3  # imported here: a session without clients never pays for it

        options: dict[str, Any] = {
            "endpoint_url": self.url,
            "region_name": self.credentials.region,
            "aws_access_key_id": self.credentials.access_key_id,
            "aws_secret_access_key": self.credentials.secret_access_key,
            **kwargs,
        }
        return boto3.client(service, **options)

    def reset(self, reseed: bool = True) -> dict[str, Any]:
        """Delete this account's pools, users, jobs, logs and uploads, then create the
        server's seed for it again (unless ``reseed=False``); the server's summary."""
        from cognito_import.cli.tools import signed_reset

        c = self.credentials
        return signed_reset(self.url, c.access_key_id, c.secret_access_key, c.region, reseed)

    def messages(self, user_pool_id: str, username: str | None = None) -> list[dict[str, Any]]:
        """The messages (invitations, reset codes) the pool would have sent, oldest
        first: ``GET /_cognito-import/outbox``, signed like ``reset``. Each is a dict
        with ``Kind``, ``Username``, ``DeliveryMedium``, ``Destination``, ``Subject``,
        ``Body`` and ``Code`` (the code or temporary password it carries)."""
        from cognito_import.cli.messages import fetch_messages

        c = self.credentials
        return fetch_messages(
            self.url, c.access_key_id, c.secret_access_key, c.region, user_pool_id, username
        )
