"""A real server for tests: uvicorn on a thread, bound to a free port."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import psycopg
import uvicorn

from cognito_import.app import create_app, server_config
from cognito_import.clock import OffsetClock
from cognito_import.protocol.keys import AccessKey
from cognito_import.runtime import Runtime, build_runtime
from cognito_import.settings import Settings

TEST_KEY = AccessKey("AKIATESTKEY000000001", "test-secret-1", "111111111111")
OTHER_KEY = AccessKey("AKIATESTKEY000000002", "test-secret-2", "222222222222")
KEYS = {k.key_id: k for k in (TEST_KEY, OTHER_KEY)}


@contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A fresh schema for one test; the URL selects it through search_path."""
    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


class LiveServer:
    def __init__(self, database: str, data_dir: Path, **settings: Any) -> None:
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when
        # the listening socket says TCP; without it each keep-alive reply waits ~40 ms.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.clock = OffsetClock()
        base = Settings(
            data_dir=data_dir, database=database, poll_interval=0.05, listen_poll_interval=0.05
        )
        self.settings = replace(base, port=self.port, **settings)
        self.rt: Runtime = build_runtime(self.settings, dict(KEYS), clock=self.clock)
        self.server = uvicorn.Server(server_config(create_app(self.rt), "warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
