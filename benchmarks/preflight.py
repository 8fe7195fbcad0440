"""``validate`` and ``run`` on the 500,000-row file, measured in the same run as the
real import of that file (``import_speed``), each ``REPEATS`` times, alternated.

- validate: the installed command against a saved pool description (as a user checks a
  file offline), wall time from exec to exit, beside the import end to end.
- run: the installed command driving a job on a fresh server (SQLite), wall time from
  exec to exit, beside the job's own life (CreationDate to CompletionDate, the server's
  clock): what ``run`` adds is the difference, its start-up, checks and final reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import gen, import_speed
from benchmarks.common import BIN_DIR, KEY_ID, REGION, SECRET, OurServer
from benchmarks.import_speed import ImportResult
from benchmarks.report import Line
from benchmarks.stats import REPEATS, Spread

VALIDATE_TARGET_SECONDS = 3.0
VALIDATE_TARGET_RATIO = 0.5
RUN_TARGET_ADDED = 0.5
POOL = {"AutoVerifiedAttributes": ["email"]}
CLI = str(BIN_DIR / "cognito-import")


@dataclass
class PreflightResult:
    rows: int
    imports: list[ImportResult] = field(default_factory=list)
    validate_seconds: list[float] = field(default_factory=list)
    run_seconds: list[float] = field(default_factory=list)
    job_seconds: list[float] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # failed checks; empty when all pass


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {
        **env,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": REGION,
    }


def _timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=_env(), capture_output=True, text=True, timeout=900)
    return time.perf_counter() - started, done


def _description(tmp: Path) -> Path:
    """The pool's ``describe-user-pool`` output, saved as a user would save it."""
    with OurServer(tmp / "describe", None, "server-preflight-describe") as server:
        cognito = server.client()
        pool_id = cognito.create_user_pool(PoolName="bench", **POOL)["UserPool"]["Id"]
        described = cognito.describe_user_pool(UserPoolId=pool_id)
    path = tmp / "pool.json"
    path.write_text(json.dumps(described, default=str), "utf-8")
    return path


def _validate(path: Path, description: Path, rows: int, result: PreflightResult) -> None:
    seconds, done = _timed([CLI, "validate", str(path), "--pool-description", str(description)])
    result.validate_seconds.append(seconds)
    if done.returncode != 0 or f"would import  {rows:,}" not in done.stdout:
        result.checks.append(f"validate exit {done.returncode}: {done.stdout[-200:]}")


def _run(path: Path, tmp: Path, rows: int, result: PreflightResult) -> None:
    with OurServer(tmp / f"run-{len(result.run_seconds)}", None, "server-preflight-run") as server:
        cognito = server.client()
        pool_id = cognito.create_user_pool(PoolName="bench", **POOL)["UserPool"]["Id"]
        argv = [CLI, "run", str(path), "--user-pool-id", pool_id, "--endpoint-url", server.url]
        seconds, done = _timed([*argv, "--no-progress"])
        found = re.search(r"import-\w{10}", done.stdout)
        if done.returncode != 0 or found is None:
            result.checks.append(f"run exit {done.returncode}: {done.stderr[-200:]}")
            return
        job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=found.group(0))
        job = job["UserImportJob"]
        if job["ImportedUsers"] != rows:
            result.checks.append(f"run imported {job['ImportedUsers']:,}")
    result.run_seconds.append(seconds)
    result.job_seconds.append(job["CompletionDate"].timestamp() - job["CreationDate"].timestamp())


def measure(rows: int, repeats: int = REPEATS) -> PreflightResult:
    path = gen.generate(rows)
    result = PreflightResult(rows)
    with tempfile.TemporaryDirectory(prefix="bench-preflight-") as name:
        tmp = Path(name)
        description = _description(tmp)
        for _ in range(repeats):
            # Alternated, so that a noisy minute weighs on every figure alike.
            result.imports.append(import_speed.run_import(path, rows, "SQLite", None, pool=POOL))
            _validate(path, description, rows, result)
            _run(path, tmp, rows, result)
    return result


def lines(result: PreflightResult) -> list[Line]:
    section = f"Pre-flight · {result.rows:,} rows · SQLite"
    imported = Spread.of([r.end_to_end_seconds for r in result.imports])
    checked = Spread.of(result.validate_seconds)
    ratio = checked.median / imported.median
    added = Spread.of([r - j for r, j in zip(result.run_seconds, result.job_seconds, strict=True)])
    ran, job = Spread.of(result.run_seconds), Spread.of(result.job_seconds)
    return [
        Line(
            section,
            "validate against a pool description (exec to exit)",
            checked.show(),
            f"the import end to end {imported.show()}",
            f"< {VALIDATE_TARGET_SECONDS:.0f} s",
            checked.median < VALIDATE_TARGET_SECONDS,
        ),
        Line(
            section,
            "ratio of validate to the import (medians)",
            f"{ratio:.2f}x",
            "1.00x",
            f"≤ {VALIDATE_TARGET_RATIO}x",
            ratio <= VALIDATE_TARGET_RATIO,
        ),
        Line(
            section,
            "run --no-progress (exec to exit) beside the job it drives (created → completed)",
            ran.show(),
            f"job {job.show()}",
        ),
        Line(
            section,
            "what run adds (its wall time minus the job's)",
            added.show(),
            "",
            f"< {RUN_TARGET_ADDED} s",
            added.median < RUN_TARGET_ADDED,
        ),
        Line(
            section,
            "result checks, every run",
            "all passed" if not result.checks else "; ".join(result.checks[:3]),
            "",
            f"{result.rows:,} would import / imported",
            not result.checks,
        ),
    ]


def raw(result: PreflightResult) -> dict[str, Any]:
    return {
        "import": [r.end_to_end_seconds for r in result.imports],
        "validate": result.validate_seconds,
        "run": result.run_seconds,
        "job": result.job_seconds,
    }
