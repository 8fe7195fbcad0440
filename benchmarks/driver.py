"""A load driver that is not the bottleneck: requests signed once, replayed raw.

Each request is signed ONCE with botocore's SigV4Auth (the server accepts a signature
for 15 minutes) and its bytes are replayed on persistent HTTP/1.1 connections, either
by ``wrk`` (C, with a generated Lua script) or by our own driver: processes that each
drive several non-blocking sockets with ``selectors``. ``calibrate`` measures both
against a trivial server and the faster one is used for every figure of a run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from benchmarks.common import percentile

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class RawRequest:
    port: int
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def wire(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def signed_json(
    port: int,
    target: str,
    params: dict[str, Any],
    key_id: str,
    secret: str,
    region: str,
    service: str = "cognito-idp",
) -> RawRequest:
    """An AWS JSON 1.1 call as botocore would send it, signed now."""
    body = json.dumps(params).encode()
    host = f"127.0.0.1:{port}"
    request = AWSRequest(
        method="POST",
        url=f"http://{host}/",
        data=body,
        headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": target},
    )
    SigV4Auth(Credentials(key_id, secret), service, region).add_auth(request)
    headers = [("Host", host)]
    headers += [(name, str(value)) for name, value in request.headers.items()]
    headers.append(("Content-Length", str(len(body))))
    return RawRequest(port, "POST", "/", tuple(headers), body)


def plain_get(port: int, path: str) -> RawRequest:
    return RawRequest(port, "GET", path, (("Host", f"127.0.0.1:{port}"),), b"")


@dataclass(frozen=True)
class LoadResult:
    driver: str
    connections: int
    requests: int
    errors: int  # non-2xx answers and socket errors
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Exchange:
    """One connection replaying one request; parses just enough HTTP/1.1.

    Kept alive unless the server says ``Connection: close`` (moto's werkzeug does, after
    every answer): then the next send opens a new connection, as wrk does.
    """

    def __init__(self, request: RawRequest) -> None:
        self.data = request.wire()
        self.port = request.port
        self.buffer = b""
        self.sent_at = 0.0
        self.closing = False
        self.reconnects = 0
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def send(self) -> bool:
        """Send the request; True when it needed a new connection (the caller re-registers)."""
        reconnected = False
        if self.closing:
            self.sock.close()
            self.sock = self._connect()
            self.closing = False
            self.reconnects += 1
            reconnected = True
        self.buffer = b""
        self.sent_at = time.perf_counter()
        self.sock.sendall(self.data)
        return reconnected

    def feed(self, chunk: bytes) -> int | None:
        """The status code once the whole response is in, else None."""
        if not chunk:
            raise ConnectionError("server closed the connection mid-answer")
        self.buffer += chunk
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1")
        match = re.search(r"(?im)^content-length:\s*(\d+)", head)
        length = int(match.group(1)) if match else 0
        if len(self.buffer) < end + 4 + length:
            return None
        self.closing = re.search(r"(?im)^connection:\s*close", head) is not None
        return int(head.split(" ", 2)[1])

    def roundtrip(self) -> tuple[int, bytes]:
        """Send once and wait for the answer (blocking): status and body."""
        self.send()
        while True:
            status = self.feed(self.sock.recv(65536))
            if status is not None:
                end = self.buffer.find(b"\r\n\r\n") + 4
                return status, self.buffer[end:]


def _drive(
    request: RawRequest, connections: int, duration: float
) -> tuple[list[float], int, float]:
    selector = selectors.DefaultSelector()
    exchanges = [Exchange(request) for _ in range(connections)]
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    stop_at = started + duration
    for ex in exchanges:
        ex.send()
        selector.register(ex.sock, selectors.EVENT_READ, ex)
    live = connections
    while live:
        events = selector.select(timeout=5.0)
        if not events:
            errors += live  # no answer in 5 s: count the stuck requests, give up
            break
        for key, _ in events:
            ex = key.data
            try:
                status = ex.feed(ex.sock.recv(65536))
                if status is None:
                    continue
                now = time.perf_counter()
                latencies.append(now - ex.sent_at)
                if status // 100 != 2:
                    errors += 1
                if now >= stop_at:
                    selector.unregister(ex.sock)
                    live -= 1
                    continue
                old = ex.sock
                if ex.send():
                    selector.unregister(old)
                    selector.register(ex.sock, selectors.EVENT_READ, ex)
            except OSError:
                errors += 1
                selector.unregister(key.fileobj)
                live -= 1
    elapsed = time.perf_counter() - started
    for ex in exchanges:
        ex.sock.close()
    return latencies, errors, elapsed


def _worker(request: RawRequest, connections: int, duration: float, queue: Any) -> None:
    # Always answer: a child that died silently would leave the parent waiting.
    try:
        queue.put(_drive(request, connections, duration))
    except Exception as exc:
        queue.put(([], connections, duration, repr(exc)))


def python_load(request: RawRequest, connections: int, duration: float) -> LoadResult:
    """``connections`` keep-alive sockets spread over up to one process per CPU."""
    processes = max(1, min(connections, os.cpu_count() or 1))
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    children = [
        ctx.Process(target=_worker, args=(request, share, duration, queue)) for share in shares
    ]
    for child in children:
        child.start()
    parts = [queue.get(timeout=duration + 60) for _ in children]
    for child in children:
        child.join()
    failures = [part[3] for part in parts if len(part) > 3]
    if failures:
        raise RuntimeError(f"load driver failed: {failures[0]}")
    latencies = sorted(lat for part in parts for lat in part[0])
    seconds = max(part[2] for part in parts)
    return LoadResult(
        driver="python",
        connections=connections,
        requests=len(latencies),
        errors=sum(part[1] for part in parts),
        seconds=seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(request: RawRequest, connections: int, duration: float) -> LoadResult:
    lines = [f"wrk.method = {_lua_string(request.method)}"]
    if request.body:
        lines.append(f"wrk.body = {_lua_string(request.body.decode('utf-8'))}")
    for name, value in request.headers:
        if name.lower() != "content-length":  # wrk sets it from the body
            lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text("\n".join(lines) + _WRK_DONE, "utf-8")
        threads = max(1, min(connections, os.cpu_count() or 1))
        argv = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "5s",
        ]
        argv += ["-s", str(script), f"http://127.0.0.1:{request.port}{request.path}"]
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    count, micros, p50, p99, status_errors, socket_errors = map(int, match.groups())
    return LoadResult(
        driver="wrk",
        connections=connections,
        requests=count,
        errors=status_errors + socket_errors,
        seconds=micros / 1e6,
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
    )


def load(driver: str, request: RawRequest, connections: int, duration: float) -> LoadResult:
    if driver == "wrk":
        return wrk_load(request, connections, duration)
    return python_load(request, connections, duration)
