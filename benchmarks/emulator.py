"""What a test suite waits for (issue 13): a server's start to its first answered
request, and a reset of an account holding 10 pools and 10,000 users, for our server
and ``moto_server`` in the same run, plus the per-test reset the pytest plugin does
(a seeded account put back). Each figure: median of RUNS, with min and max.

``python -m benchmarks.emulator [--runs N] [--users N]``, or ``python -m benchmarks
--only emulator``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from benchmarks.common import (
    ACCOUNT,
    BIN_DIR,
    KEY_ID,
    REGION,
    SECRET,
    OurServer,
    Subprocess,
    free_port,
)
from benchmarks.report import Line
from cognito_import.cli.tools import signed_reset
from cognito_import.testing import CognitoServer

POOLS = 10
USERS = 10_000
RUNS = 5
SEED = """\
version: 1
pools:
  - Id: us-east-1_example01
    PoolName: example
    AutoVerifiedAttributes: [email]
    Users:
      - {Username: alice, UserAttributes: {email: alice@example.com, email_verified: "true"}}
      - {Username: bob, UserAttributes: {email: bob@example.com, email_verified: "true"}}
"""


@dataclass(frozen=True)
class Figure:
    name: str
    server: str  # "ours" or "moto"
    seconds: list[float]

    def summary(self) -> str:
        ms = sorted(s * 1000 for s in self.seconds)
        return f"{statistics.median(ms):,.1f} ms (min {ms[0]:,.1f}, max {ms[-1]:,.1f}, n={len(ms)})"


def _client(port: int) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=30),
    )


def _first_answer(start: Callable[[int], Subprocess]) -> float:
    """Seconds from spawning the server to its first answered ListUserPools."""
    port = free_port()
    client = _client(port)  # built before the clock starts: it is the caller's cost
    began = time.perf_counter()
    server = start(port)
    try:
        while True:
            try:
                client.list_user_pools(MaxResults=1)
                return time.perf_counter() - began
            except Exception as exc:  # connection refused until it listens
                if server.proc.poll() is not None:
                    raise RuntimeError(f"server exited: {server.log_path}") from exc
                time.sleep(0.005)
    finally:
        server.stop()


def _ours(port: int) -> Subprocess:
    argv = [str(BIN_DIR / "cognito-import"), "serve", "--ephemeral", "--port", str(port)]
    argv += ["--access-key", f"{KEY_ID}:{SECRET}:{ACCOUNT}", "--log-level", "warning"]
    return Subprocess(argv, "emulator-ours")


def _moto(port: int) -> Subprocess:
    return Subprocess(
        [str(BIN_DIR / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], "emulator-moto"
    )


def start_figures(runs: int) -> list[Figure]:
    ours = [_first_answer(_ours) for _ in range(runs)]
    moto = [_first_answer(_moto) for _ in range(runs)]
    return [
        Figure("start → first answered request", "ours", ours),
        Figure("start → first answered request", "moto", moto),
    ]


def _fill_ours(server: OurServer, users: int) -> None:
    """POOLS pools of users/POOLS users each, through real import jobs."""
    idp = server.client()
    header = ["cognito:username", "email", "email_verified", "cognito:mfa_enabled"]
    for p in range(POOLS):
        pool = idp.create_user_pool(PoolName=f"p{p}", AutoVerifiedAttributes=["email"])
        pool_id = pool["UserPool"]["Id"]
        rows = [f"p{p}u{n},p{p}u{n}@example.com,true,false" for n in range(users // POOLS)]
        job = idp.create_user_import_job(
            UserPoolId=pool_id,
            JobName="fill",
            CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/x",
        )["UserImportJob"]
        body = "\n".join([",".join(header), *rows]).encode()
        put = urllib.request.Request(
            job["PreSignedUrl"],
            data=body,
            method="PUT",
            headers={"x-amz-server-side-encryption": "aws:kms"},
        )
        urllib.request.urlopen(put).close()
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        while True:
            done = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
            if done["UserImportJob"]["Status"] not in ("Pending", "InProgress"):
                break
            time.sleep(0.02)
        if done["UserImportJob"].get("ImportedUsers") != len(rows):
            raise RuntimeError(f"fill import did not import every row: {done}")


def _fill_moto(port: int, users: int) -> None:
    """The same state in moto, which has no import jobs: AdminCreateUser per user."""
    idp = _client(port)
    for p in range(POOLS):
        pool = idp.create_user_pool(PoolName=f"p{p}")["UserPool"]["Id"]
        for n in range(users // POOLS):
            idp.admin_create_user(UserPoolId=pool, Username=f"p{p}u{n}")


def reset_figures(runs: int, users: int) -> list[Figure]:
    ours: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-reset-") as data:
        with OurServer(Path(data), None, "emulator-reset-ours") as server:
            for _ in range(runs):
                _fill_ours(server, users)
                began = time.perf_counter()
                result = signed_reset(server.url, KEY_ID, SECRET, REGION, reseed=False)
                ours.append(time.perf_counter() - began)
                assert result["deleted"]["users"] == users, result
    moto: list[float] = []
    port = free_port()
    with _moto(port) as server:
        _first_answer_wait(port, server)
        for _ in range(runs):
            _fill_moto(port, users)
            began = time.perf_counter()
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
            ).close()
            moto.append(time.perf_counter() - began)
            assert _client(port).list_user_pools(MaxResults=1)["UserPools"] == []
    name = f"reset: {POOLS} pools, {users:,} users"
    return [Figure(name, "ours", ours), Figure(name, "moto", moto)]


def _first_answer_wait(port: int, server: Subprocess) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _client(port).list_user_pools(MaxResults=1)
            return
        except Exception:
            if server.proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def fixture_reset_figure(runs: int) -> Figure:
    """What the ``cognito`` fixture costs per test: reset the account, seed put back."""
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "seed.yaml"
        seed.write_text(SEED, "utf-8")
        with CognitoServer(seed=seed) as server:
            account = server.account(0)
            idp = account.client()
            seconds = []
            for n in range(max(runs, 20)):
                idp.create_user_pool(PoolName=f"scratch{n}")
                began = time.perf_counter()
                account.reset()
                seconds.append(time.perf_counter() - began)
    return Figure("cognito fixture's reset (seed: 1 pool, 2 users)", "ours", seconds)


def report_lines(figures: list[Figure]) -> list[Line]:
    """Our figures beside moto's, for the table of ``python -m benchmarks``."""
    section = f"**In test suites (median of {RUNS}, min-max)**"
    moto = {f.name: f for f in figures if f.server == "moto"}
    lines = []
    for figure in figures:
        if figure.server != "ours":
            continue
        baseline = moto.get(figure.name)
        met: bool | None = None
        target = ""
        if baseline is None:  # the fixture's per-test reset: the bound
            target = "< 50 ms"
            met = statistics.median(figure.seconds) < 0.050
        lines.append(
            Line(
                section,
                f"ours: {figure.name}",
                figure.summary(),
                f"moto {baseline.summary()}" if baseline else "",
                target,
                met,
            )
        )
    return lines


def run(runs: int = RUNS, users: int = USERS) -> list[Figure]:
    return [*start_figures(runs), *reset_figures(runs, users), fixture_reset_figure(runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.emulator", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--users", type=int, default=USERS)
    args = parser.parse_args(argv)
    for figure in run(args.runs, args.users):
        print(f"{figure.name:<50} {figure.server:<5} {figure.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
