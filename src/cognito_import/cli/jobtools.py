"""``run`` (create, upload, start and follow a job) and ``report`` (one row per data
line of a job), against this server or AWS. Shared pieces are in ``preflight.py``."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import click

from cognito_import.cli.preflight import (
    ALGORITHMS,
    FORMATS,
    SHOWN_FAILURES,
    output,
    readable,
    report_options,
    target_options,
    tool_errors,
)
from cognito_import.client.aws import Clients, ToolError

# The role this server needs is only a well-formed IAM role ARN of the pool's account.
LOCAL_ROLE = "arn:{partition}:iam::{account}:role/CognitoImportLogs"


def _job_name(path: Path) -> str:
    """The file's name and the time: JobName allows [\\w\\s+=,.@-], 1 to 128 of them."""
    stem = re.sub(r"[^\w\s+=,.@-]", "-", path.stem)[:100] or "users"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"


def _role(role_arn: str | None, clients: Clients, pool: dict[str, Any]) -> str:
    from cognito_import.domain.jobs import partition

    if role_arn:
        return role_arn
    account = str(pool.get("Arn", "")).split(":")[4:5] or ["000000000000"]
    return LOCAL_ROLE.format(partition=partition(clients.region), account=account[0])


def _check_header(path: Path, listed: list[str], algorithm: str | None) -> None:
    """The file's header against GetCSVHeader: a column it does not list would fail
    the whole job, so the job is not created; a column it lists but the file lacks is
    only AWS's guide being stricter than the import."""
    from cognito_import.domain.attributes import PASSWORD_HASH_COLUMN, VERIFIABLE
    from cognito_import.domain.csvfile import CsvFileError, read_header

    try:
        with open(path, "rb") as fp:
            columns = read_header(fp).columns
    except CsvFileError as exc:
        raise ToolError(f"{path}: {exc.message}") from None
    allowed = {*listed, *VERIFIABLE.values(), *([PASSWORD_HASH_COLUMN] if algorithm else [])}
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise ToolError(
            f"{path}: the header has columns GetCSVHeader does not list: {', '.join(unknown[:5])}"
        )
    missing = [c for c in listed if c not in columns]
    if missing:
        click.echo(
            f"warning: the header lacks {len(missing)} of GetCSVHeader's columns "
            f"({', '.join(missing[:8])}); AWS's guide asks for every column",
            err=True,
        )


def _first_failures(clients: Clients, pool: dict[str, Any], job: dict[str, Any]) -> list[str]:
    """The first lines that did not succeed, from the log (FilterLogEvents, so a clean
    500,000-row log is not read to find none)."""
    from cognito_import.client.aws import log_group, log_stream

    if not job["SkippedUsers"] and not job["FailedUsers"]:
        return []
    found: list[str] = []
    request: dict[str, Any] = {
        "logGroupName": log_group(pool),
        "logStreamNames": [log_stream(job)],
        "filterPattern": "?SKIPPED ?FAILED",
    }
    while len(found) < SHOWN_FAILURES:
        page = clients.logs.filter_log_events(**request)
        found.extend(e["message"] for e in page["events"])
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    return found[:SHOWN_FAILURES]


def _final(job: dict[str, Any], failures: list[str]) -> None:
    click.echo(
        f"{job['JobId']} {job['Status']}: {job.get('CompletionMessage', '')}"
        f" · imported {job['ImportedUsers']:,} · skipped {job['SkippedUsers']:,}"
        f" · failed {job['FailedUsers']:,}"
    )
    if "StartDate" in job and "CompletionDate" in job:
        seconds = job["CompletionDate"].timestamp() - job["StartDate"].timestamp()
        click.echo(f"  started {job['StartDate']:%Y-%m-%d %H:%M:%S}, took {seconds:.2f} s")
    for message in failures:
        click.echo(f"  {message}")


@click.command()
@click.argument("users_csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--user-pool-id", required=True, help="The pool to import into.")
@target_options
@click.option("--job-name", help="Default: the file's name and the time.")
@click.option(
    "--role-arn",
    help="CloudWatchLogsRoleArn (required against AWS; this server needs none).",
)
@click.option("--password-hashing-algorithm", type=ALGORITHMS, help="The job's algorithm.")
@report_options("Write one row per data line here at the end, as `report` does.")
@click.option("--no-progress", is_flag=True, help="Plain lines, even on a terminal.")
def run(
    users_csv: Path,
    user_pool_id: str,
    endpoint_url: str | None,
    region: str | None,
    job_name: str | None,
    role_arn: str | None,
    password_hashing_algorithm: str | None,
    report_path: Path | None,
    fmt: str,
    no_progress: bool,
) -> None:
    """Import USERS_CSV: create the job, upload the file, start it and follow it to its
    end (Ctrl-C stops it). Exit 0 when it Succeeded with no row skipped or failed."""
    if role_arn is None and endpoint_url is None:
        raise click.UsageError(
            "--role-arn is required against AWS: the IAM role Cognito writes the job's "
            "CloudWatch log with"
        )
    with tool_errors(endpoint_url):
        job = _run(
            users_csv,
            user_pool_id,
            (endpoint_url, region),
            job_name,
            role_arn,
            password_hashing_algorithm,
            (report_path, fmt),
            not no_progress,
        )
    clean = job["Status"] == "Succeeded" and not job["SkippedUsers"] and not job["FailedUsers"]
    sys.exit(0 if clean else 1)


def _run(
    path: Path,
    pool_id: str,
    target: tuple[str | None, str | None],
    job_name: str | None,
    role_arn: str | None,
    algorithm: str | None,
    report: tuple[Path | None, str],
    bar: bool,
) -> dict[str, Any]:
    from cognito_import.cli.progress import display
    from cognito_import.client import aws
    from cognito_import.client.run import follow, upload

    readable(path)
    clients = aws.connect(*target)
    cognito = clients.cognito
    pool = aws.describe_pool(cognito, pool_id)
    _check_header(path, cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"], algorithm)
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "JobName": job_name or _job_name(path),
        "CloudWatchLogsRoleArn": _role(role_arn, clients, pool),
    }
    if algorithm:
        request["PasswordHashingAlgorithm"] = algorithm
    job = cognito.create_user_import_job(**request)["UserImportJob"]
    job_id = job["JobId"]
    click.echo(f"created {job_id} ({job['JobName']}) in {pool_id}; uploading {path}")
    try:
        lines = upload(job["PreSignedUrl"], path)
    except KeyboardInterrupt:
        raise ToolError(f"interrupted during the upload: {job_id} stays Created") from None
    except ToolError as exc:
        raise ToolError(f"{exc}; {job_id} was not started (it expires unused)") from None
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)
    with display(max(lines - 1, 0), bar) as show:
        job = follow(cognito, pool_id, job_id, show, show.note)
    _final(job, _first_failures(clients, pool, job))
    report_path, fmt = report
    if report_path is not None:
        _write_report(clients, pool, job, path, report_path, fmt)
    return job


def _write_report(
    clients: Clients,
    pool: dict[str, Any],
    job: dict[str, Any],
    csv_path: Path | None,
    out_path: Path | None,
    fmt: str,
) -> None:
    from cognito_import.client.report import job_report, write_rows

    rows = job_report(clients, pool, job, csv_path)
    with output(out_path) as out:
        write_rows(rows, fmt, out)
    if out_path is not None:
        click.echo(f"wrote {len(rows):,} rows to {out_path}", err=True)


@click.command()
@click.option("--user-pool-id", required=True)
@click.option("--job-id", required=True)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The job's CSV: fills username, email, phone_number and the imported users' sub.",
)
@target_options
@click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True)
@click.option(
    "-o",
    "--output",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Default: standard output.",
)
def report(
    user_pool_id: str,
    job_id: str,
    csv_path: Path | None,
    endpoint_url: str | None,
    region: str | None,
    fmt: str,
    out_path: Path | None,
) -> None:
    """One row per data line of a job: line, outcome, reason, username, email,
    phone_number, sub (CSV, or JSON Lines with --format json)."""
    from cognito_import.client import aws

    with tool_errors(endpoint_url):
        if csv_path is not None:
            readable(csv_path)
        clients = aws.connect(endpoint_url, region)
        pool = aws.describe_pool(clients.cognito, user_pool_id)
        job = clients.cognito.describe_user_import_job(UserPoolId=user_pool_id, JobId=job_id)[
            "UserImportJob"
        ]
        _write_report(clients, pool, job, csv_path, out_path, fmt)
