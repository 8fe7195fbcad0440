"""Sign-in speed (issue 10): SRP, and the first password sign-in of a bcrypt import.

``python -m benchmarks.signin`` (``--runs``, ``--srp N`` and ``--bcrypt N`` sign-ins per
client per run, ``--postgres`` to add a PostgreSQL server): a fresh server, a pool with an
app client allowing SRP and password sign-in, and users imported by a real import job
with ``PasswordHashingAlgorithm=BCRYPT`` at cost 10. Then, at 1 and 8 clients (separate
processes, one keep-alive connection each):

- ``SRP``: ``InitiateAuth`` ``USER_SRP_AUTH`` + ``RespondToAuthChallenge``
  ``PASSWORD_VERIFIER``, the client side computed by pycognito's ``AWSSRP`` (Cognito's
  client math, as apps run it) between the two calls; the latency is the two HTTP
  exchanges, without the client's own arithmetic (printed apart);
- ``USER_PASSWORD_AUTH, bcrypt-10 import``: each sign-in a user not signed in before, so
  the server checks the imported bcrypt hash and stores its own credential;
- ``USER_PASSWORD_AUTH, own credential``: the same users afterwards;
- the baseline, measured in the same run: ``DescribeUserPool``, signed, the cheapest
  call that reads the pool.

Each figure: p50 and p99 per sign-in and the server's CPU time per sign-in (user+system
of the API process from /proc, over the run), ``--runs`` runs (default 3),
median (min-max). Target: SRP p50 under 15 ms at 1 client. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
from pycognito.aws_srp import AWSSRP

from benchmarks.common import (
    KEY_ID,
    REGION,
    SECRET,
    OurServer,
    machine,
    percentile,
    pg_schema,
    pg_url,
    save_figures,
)
from benchmarks.driver import signed_json
from benchmarks.import_speed import ROLE, TARGET
from benchmarks.stats import REPEATS, Spread

CLIENTS = (1, 8)
PASSWORD = "Bench-passw0rd!"
SRP_TARGET_MS = 15.0
_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User+system CPU time of the API process (all its threads), in seconds. Its import
    worker is a child process that only polls while sign-ins run: left out."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fp:
        fields = fp.read().rsplit(")", 1)[1].split()
    # utime and stime: fields 14 and 15 of stat, 11 and 12 after the ")".
    return (int(fields[11]) + int(fields[12])) / _TICK


class Connection:
    """One keep-alive connection speaking AWS JSON 1.1 (unsigned, as sign-in clients do)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, operation: str, params: dict[str, Any]) -> tuple[float, Any]:
        """Seconds for the exchange, and the decoded answer (which must be a 200)."""
        body = json.dumps(params).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET + operation,
        }
        started = time.perf_counter()
        self.conn.request("POST", "/", body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        took = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data[:300]!r}")
        return took, json.loads(data)


@dataclass(frozen=True)
class Target:
    port: int
    pool_id: str
    client_id: str


def srp_sign_in(conn: Connection, target: Target, username: str) -> tuple[float, float]:
    """One SRP sign-in: (seconds in HTTP exchanges, seconds of client-side arithmetic)."""
    computing = time.perf_counter()
    # client= is only used by AWSSRP.authenticate_user, which the benchmark does itself.
    srp = AWSSRP(username, PASSWORD, target.pool_id, target.client_id, client=object())
    auth = srp.get_auth_params()
    client_side = time.perf_counter() - computing
    first, challenge = conn.call(
        "InitiateAuth",
        {"AuthFlow": "USER_SRP_AUTH", "ClientId": target.client_id, "AuthParameters": auth},
    )
    computing = time.perf_counter()
    answers = srp.process_challenge(challenge["ChallengeParameters"], auth)
    client_side += time.perf_counter() - computing
    second, done = conn.call(
        "RespondToAuthChallenge",
        {
            "ClientId": target.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": answers,
        },
    )
    if "AuthenticationResult" not in done:
        raise RuntimeError(f"SRP sign-in of {username} gave no tokens: {done}")
    return first + second, client_side


def password_sign_in(conn: Connection, target: Target, username: str) -> tuple[float, float]:
    took, done = conn.call(
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": target.client_id,
            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
        },
    )
    if "AuthenticationResult" not in done:
        raise RuntimeError(f"password sign-in of {username} gave no tokens: {done}")
    return took, 0.0


def baseline_call(conn: Connection, target: Target, username: str) -> tuple[float, float]:
    # Signed anew each time (the cost of signing is the client's, outside the timing).
    raw = signed_json(
        target.port,
        TARGET + "DescribeUserPool",
        {"UserPoolId": target.pool_id},
        KEY_ID,
        SECRET,
        REGION,
    )
    headers = {name: value for name, value in raw.headers if name.lower() != "host"}
    started = time.perf_counter()
    conn.conn.request("POST", "/", body=raw.body, headers=headers)
    response = conn.conn.getresponse()
    data = response.read()
    took = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"DescribeUserPool: {response.status} {data[:300]!r}")
    return took, 0.0


FLOWS: dict[str, Callable[[Connection, Target, str], tuple[float, float]]] = {
    "SRP": srp_sign_in,
    "USER_PASSWORD_AUTH": password_sign_in,
    "baseline": baseline_call,
}


def _client(flow: str, target: Target, usernames: Sequence[str], queue: Any) -> None:
    conn = Connection(target.port)
    run = FLOWS[flow]
    queue.put([run(conn, target, name) for name in usernames])


@dataclass(frozen=True)
class Run:
    latencies_ms: list[float]
    client_ms: list[float]
    server_cpu_ms: float  # per sign-in


def run_once(server: OurServer, target: Target, flow: str, users: list[list[str]]) -> Run:
    """Each client (a process) signs in its own list of users; all start together."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(flow, target, names, queue)) for names in users]
    cpu_before = process_cpu_seconds(server.pid)
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    cpu = process_cpu_seconds(server.pid) - cpu_before
    pairs = [pair for result in results for pair in result]
    return Run(
        latencies_ms=sorted(http_s * 1000 for http_s, _ in pairs),
        client_ms=[client_s * 1000 for _, client_s in pairs],
        server_cpu_ms=cpu * 1000 / len(pairs),
    )


@dataclass(frozen=True)
class Figure:
    database: str
    flow: str
    clients: int
    p50_ms: list[float]
    p99_ms: list[float]
    server_cpu_ms: list[float]
    client_ms: list[float]

    def line(self) -> str:
        text = (
            f"{self.database:<10} {self.flow:<40} {self.clients} clients · "
            f"p50 {Spread.of(self.p50_ms).show('ms', 1)} · "
            f"p99 {Spread.of(self.p99_ms).show('ms', 1)} · "
            f"server CPU {Spread.of(self.server_cpu_ms).show('ms', 2)} per sign-in"
        )
        if any(self.client_ms):
            text += f" · client arithmetic {Spread.of(self.client_ms).show('ms', 1)}"
        return text


def figure(database: str, flow: str, clients: int, runs: list[Run]) -> Figure:
    return Figure(
        database,
        flow,
        clients,
        [percentile(run.latencies_ms, 0.50) for run in runs],
        [percentile(run.latencies_ms, 0.99) for run in runs],
        [run.server_cpu_ms for run in runs],
        [sorted(run.client_ms)[len(run.client_ms) // 2] for run in runs],
    )


def _setup(server: OurServer, count: int) -> tuple[Target, list[str]]:
    """A pool, its app client, and ``count`` users imported with one bcrypt-10 hash."""
    cognito = server.client()
    pool_id = cognito.create_user_pool(PoolName="signin", AutoVerifiedAttributes=["email"])[
        "UserPool"
    ]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    # One hash for all: every check costs the same, and hashing 100s at cost 10 is slow.
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=10)).decode()
    header = [*cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"], "cognito:password_hash"]
    names = [f"user{n:05d}" for n in range(count)]
    lines = [",".join(header)]
    for name in names:
        row = {
            "cognito:username": name,
            "email": f"{name}@example.com",
            "email_verified": "true",
            "cognito:mfa_enabled": "false",
            "cognito:password_hash": hashed,
        }
        lines.append(",".join(row.get(column, "") for column in header))
    job = cognito.create_user_import_job(
        JobName="signin",
        UserPoolId=pool_id,
        CloudWatchLogsRoleArn=ROLE,
        PasswordHashingAlgorithm="BCRYPT",
    )["UserImportJob"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    url = job["PreSignedUrl"].split(str(server.port), 1)[1]
    body = ("\n".join(lines) + "\n").encode()
    conn.request("PUT", url, body=body, headers={"x-amz-server-side-encryption": "aws:kms"})
    if conn.getresponse().status != 200:
        raise RuntimeError("the upload was refused")
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    while True:
        done = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        if done["UserImportJob"]["Status"] not in ("Pending", "InProgress"):
            break
        time.sleep(0.1)
    if (done["UserImportJob"]["Status"], done["UserImportJob"]["ImportedUsers"]) != (
        "Succeeded",
        count,
    ):
        raise RuntimeError(f"the import did not import every user: {done}")
    return Target(server.port, pool_id, client_id), names


def measure(label: str, database: str | None, args: argparse.Namespace) -> list[Figure]:
    runs = args.runs
    fresh_needed = runs * sum(CLIENTS) * args.bcrypt
    figures: list[Figure] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-signin-") as tmp,
        OurServer(Path(tmp), database, f"server-signin-{label.lower()}") as server,
    ):
        target, names = _setup(server, fresh_needed)
        fresh = iter(names)
        for clients in CLIENTS:
            collected: list[Run] = []
            for _ in range(runs):
                users = [[next(fresh) for _ in range(args.bcrypt)] for _ in range(clients)]
                collected.append(run_once(server, target, "USER_PASSWORD_AUTH", users))
            figures.append(
                figure(label, "USER_PASSWORD_AUTH, bcrypt-10 import", clients, collected)
            )
            print(figures[-1].line(), flush=True)
        # Every user has signed in once: each now has the server's own credential.
        signed = names[: max(CLIENTS)]
        for flow, name, count in (
            ("baseline", "baseline: DescribeUserPool (signed)", args.srp),
            ("USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH, own credential", args.srp),
            ("SRP", "SRP (InitiateAuth + RespondToAuthChallenge)", args.srp),
        ):
            for clients in CLIENTS:
                users = [[signed[c]] * count for c in range(clients)]
                collected = [run_once(server, target, flow, users) for _ in range(runs)]
                figures.append(figure(label, name, clients, collected))
                print(figures[-1].line(), flush=True)
    return figures


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.signin", description=__doc__)
    parser.add_argument("--runs", type=int, default=REPEATS, help="runs per figure")
    parser.add_argument("--srp", type=int, default=200, help="sign-ins per client per run")
    parser.add_argument("--bcrypt", type=int, default=20, help="first sign-ins per client per run")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    args = parser.parse_args(argv)
    host = machine(args.postgres)
    out(host.line())
    out(f"median (min-max) of {args.runs} runs; latency is the HTTP exchanges only")
    figures = measure("SQLite", None, args)
    if args.postgres:
        with pg_schema(pg_url()) as (_, url):
            figures += measure("PostgreSQL", url, args)
    for fig in figures:
        if fig.flow.startswith("SRP") and fig.clients == 1:
            p50 = Spread.of(fig.p50_ms).median
            met = "met" if p50 < SRP_TARGET_MS else "NOT met"
            out(f"target SRP p50 < {SRP_TARGET_MS:.0f} ms at 1 client ({fig.database}): {met}")
    out(f"saved {save_figures('signin', host, figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
