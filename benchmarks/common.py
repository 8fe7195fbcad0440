"""What every benchmark shares: server subprocesses, PostgreSQL schemas, the machine."""

from __future__ import annotations

import datetime
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import boto3
import psycopg

DATA_DIR = Path(__file__).resolve().parent / "data"
BIN_DIR = Path(sys.executable).parent
REGION = "us-east-1"
KEY_ID = "AKIABENCHMARK0000001"
SECRET = "benchmark-secret"
ACCOUNT = "111111111111"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    return os.environ.get("COGNITO_IMPORT_TEST_PG") or DEFAULT_PG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_http(port: int, path: str, deadline_seconds: float, proc: subprocess.Popen[bytes]) -> None:
    """Poll ``GET path`` until the server answers at all (any status)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was ready")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered on port {port}") from None
            time.sleep(0.05)


def proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...)."""
    figures: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as fp:
        for line in fp:
            name, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                figures[name] = int(parts[0])
    return figures


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fp:
        # Fields after the parenthesised name: utime and stime are the 12th and 13th.
        fields = fp.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants (the server forks a worker and parser
    processes), in kB; processes that end while being read are skipped."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fp:
                fields = fp.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += proc_status(current).get("VmRSS", 0)
        except OSError:
            continue
        todo.extend(children.get(current, []))
    return total


class Subprocess:
    """A child process we started and stop ourselves (by its own pid, never by name)."""

    def __init__(self, argv: Sequence[str], log_name: str) -> None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = DATA_DIR / f"{log_name}.log"
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class OurServer(Subprocess):
    """``cognito-import serve`` on a free port, started fresh for one benchmark."""

    def __init__(
        self, data_dir: Path, database: str | None, log_name: str, extra: Sequence[str] = ()
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [
            str(BIN_DIR / "cognito-import"),
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            "--access-key",
            f"{KEY_ID}:{SECRET}:{ACCOUNT}",
            "--log-level",
            "warning",
        ]
        if database:
            argv += ["--database", database]
        super().__init__([*argv, *extra], log_name)
        try:
            wait_http(self.port, "/health", 60, self.proc)
        except BaseException:
            self.stop()
            raise

    def client(self, service: str = "cognito-idp") -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )


@contextmanager
def pg_schema(base_url: str) -> Iterator[tuple[str, str]]:
    """A fresh schema: (its name, a URL that selects it through search_path)."""
    name = "bench_" + secrets.token_hex(6)
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in base_url else "?"
    try:
        # application_name tells our sessions apart in pg_stat_activity.
        options = quote(f"-csearch_path={name}")
        yield name, f"{base_url}{sep}options={options}&application_name=cognito-bench"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class Machine:
    date: str
    cpus: int
    cpu_model: str
    memory_gb: float
    python: str
    sqlite: str
    postgres: str
    # Other work on the machine skews every figure: the 1-minute load when the run began.
    load_average: float

    def line(self) -> str:
        return (
            f"{self.date} · {self.cpus} CPU ({self.cpu_model}) · {self.memory_gb:.1f} GB RAM · "
            f"Python {self.python} · SQLite {self.sqlite} · PostgreSQL {self.postgres} · "
            f"load {self.load_average:.2f} at start"
        )


def machine(postgres: bool) -> Machine:
    import sqlite3

    model = platform.processor() or "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fp:
        for line in fp:
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    memory_kb = 0
    with open("/proc/meminfo", encoding="ascii") as fp:
        for line in fp:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    pg_version = "-"
    if postgres:
        try:
            with psycopg.connect(pg_url(), autocommit=True, connect_timeout=3) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                pg_version = str(row[0]).split()[0] if row else "?"
        except psycopg.Error:
            pg_version = "unreachable"
    return Machine(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpus=os.cpu_count() or 1,
        cpu_model=model,
        memory_gb=memory_kb / 1024 / 1024,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=pg_version,
        load_average=os.getloadavg()[0],
    )


def save_figures(name: str, host: Machine, figures: Sequence[Any]) -> Path:
    """A benchmark's raw figures (dataclasses) beside the machine they were measured on,
    as ``benchmarks/data/<name>.json``."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    saved = DATA_DIR / f"{name}.json"
    saved.write_text(json.dumps({"host": asdict(host), "figures": [asdict(f) for f in figures]}))
    return saved
