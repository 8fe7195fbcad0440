"""Issue 12: a request body a stranger sends costs the server no more than a few MB.

``cognito-import serve`` runs as a user runs it (a subprocess, so its memory is its own);
unsigned, unknown-key and badly signed requests with 256-512 MB bodies are sent, and
the server's peak resident memory (VmHWM) may grow by at most ``ALLOWED_GROWTH``.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from pathlib import Path

import pytest

from cognito_import.protocol.signing import format_amz_date
from tests.cli.served import serving

pytestmark = pytest.mark.slow

KEY = ("AKIAMEMORYTEST000001", "memory-secret")
ALLOWED_GROWTH = 8 * 1024 * 1024
MB = 1024 * 1024


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def flood(port: int, head: bytes, size: int, chunked: bool) -> int:
    """Send ``size`` bytes of body after ``head``, until the server hangs up; bytes sent."""
    sent = 0
    block = b"{" + b" " * (MB - 1)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        framing = (
            b"Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n".encode()
        )
        try:
            sock.sendall(head + framing + b"\r\n")
            while sent < size:
                sock.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                sent += len(block)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
            sock.recv(65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
    return sent


def heads(port: int) -> list[bytes]:
    """Request heads: unsigned, an unknown key, and a known key with a wrong signature."""
    base = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n"
    )
    date = format_amz_date(time.time())

    def authorization(key_id: str) -> str:
        scope = f"{key_id}/{date[:8]}/us-east-1/cognito-idp/aws4_request"
        return (
            f"Authorization: AWS4-HMAC-SHA256 Credential={scope}, "
            f"SignedHeaders=host;x-amz-date;x-amz-target, Signature={'0' * 64}\r\n"
            f"X-Amz-Date: {date}\r\n"
        )

    return [
        base.encode(),
        (base + authorization("AKIAUNKNOWN000000000")).encode(),
        (base + authorization(KEY[0])).encode(),
        (
            base
            + authorization(KEY[0])
            + f"X-Amz-Content-Sha256: {hashlib.sha256(b'').hexdigest()}\r\n"
        ).encode(),
    ]


def test_large_bodies_cost_the_server_a_few_mb(tmp_path: Path) -> None:
    args = ["--access-key", f"{KEY[0]}:{KEY[1]}", "--no-worker"]
    with serving(tmp_path, "memory", args) as served:
        port = int(served.url.rsplit(":", 1)[1])
        pid = served.proc.pid
        start = peak_kb(pid)
        for head in heads(port):
            for chunked in (False, True):
                flood(port, head, 512 * MB, chunked)
        # Four at once, as in the audit.
        threads = [
            threading.Thread(target=flood, args=(port, head, 256 * MB, True))
            for head in heads(port)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        grown = (peak_kb(pid) - start) * 1024
        print(f"server VmHWM {start} kB before, grew by {grown / MB:.1f} MB")
        assert grown <= ALLOWED_GROWTH, f"the server's peak memory grew by {grown / MB:.1f} MB"
