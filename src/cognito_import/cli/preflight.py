"""``validate``, ``run`` and ``report``: before, during and after an import, against this
server (``--endpoint-url``) or AWS, through the public cognito-idp and Logs APIs only.

Exit codes: 0 when every row imports (or did), 1 otherwise and for bad input (one
``Error:`` line, never a traceback), 2 for usage errors (click's own).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from cognito_import.client.aws import ToolError
from cognito_import.domain import hashes

if TYPE_CHECKING:
    from cognito_import.client.preflight import Preflight
    from cognito_import.domain.pools import PoolConfig

FORMATS = click.Choice(["csv", "json"])
ALGORITHMS = click.Choice(hashes.ALGORITHMS)
SHOWN_FAILURES = 10


def target_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--region", default=None, help="Region (default: AWS_REGION or the profile's)."
    )(f)
    return click.option(
        "--endpoint-url",
        default=None,
        help="This server, e.g. http://127.0.0.1:9245; without it, AWS.",
    )(f)


def report_options(text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--report OUT`` and ``--format``, as validate and run both take them."""

    def add(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True)(f)
        path = click.Path(path_type=Path, dir_okay=False)
        return click.option("--report", "report_path", type=path, help=text)(f)

    return add


@contextmanager
def tool_errors(endpoint_url: str | None) -> Iterator[None]:
    """Bad input and refused calls end the command with one line and exit status 1."""
    from cognito_import.client.aws import one_line_errors

    try:
        with one_line_errors(endpoint_url):
            yield
    except ToolError as exc:
        raise click.ClickException(str(exc)) from None


def readable(path: Path) -> Path:
    try:
        with open(path, "rb"):
            return path
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None


@contextmanager
def output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            yield out
    except OSError as exc:
        raise ToolError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- validate ---------------------------------------------------------------------------


def _pool_from_file(path: Path) -> dict[str, Any]:
    readable(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ToolError(f"{path}: not JSON: {exc}") from None
    pool = data.get("UserPool", data) if isinstance(data, dict) else None
    if not isinstance(pool, dict) or not isinstance(pool.get("SchemaAttributes"), list):
        raise ToolError(
            f"{path}: not a pool description (no UserPool.SchemaAttributes); save the "
            "output of `aws cognito-idp describe-user-pool --user-pool-id ID`"
        )
    return pool


def _config(pool: dict[str, Any], source: str) -> PoolConfig:
    from cognito_import.domain.pool_rules import config_from_description
    from cognito_import.errors import ServiceError

    try:
        return config_from_description(pool)
    except (ServiceError, TypeError, ValueError, AttributeError) as exc:
        raise ToolError(f"{source}: not a usable pool description: {exc}") from None


def _summary(path: Path, where: str, result: Preflight) -> None:
    if result.file_error is not None:
        click.echo(f"{path}: the job would end Failed: {result.file_error}")
        return
    click.echo(f"{path}: {result.data_rows:,} data rows against {where}")
    click.echo(f"  would import  {result.imported:,}")
    click.echo(f"  would skip    {result.skipped:,}")
    click.echo(f"  would fail    {result.failed:,}")
    click.echo(f"  the job would end {result.status}: {result.message}")
    top = result.top_reasons()
    if top:
        click.echo("top reasons:")
    for outcome, reason, count, lines in top:
        first = ", ".join(map(str, lines)) + (", ..." if count > len(lines) else "")
        click.echo(f"  {count:>7,}  {outcome:<7}  {reason} (lines {first})")


@click.command()
@click.argument("users_csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--user-pool-id", help="The pool to check against (read only).")
@click.option(
    "--pool-description",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Saved `aws cognito-idp describe-user-pool` JSON, to check offline.",
)
@target_options
@click.option("--password-hashing-algorithm", type=ALGORITHMS, help="The job's algorithm.")
@click.option(
    "--check-existing/--no-check-existing",
    default=None,
    help="Read the pool's users (ListUsers) to find skipped rows and taken values "
    "(default: on with --user-pool-id).",
)
@click.option(
    "--failure-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="The server's --failure-threshold, for the job's final status.",
)
@report_options("Write every row that would not import here.")
def validate(
    users_csv: Path,
    user_pool_id: str | None,
    pool_description: Path | None,
    endpoint_url: str | None,
    region: str | None,
    password_hashing_algorithm: str | None,
    check_existing: bool | None,
    failure_threshold: float,
    report_path: Path | None,
    fmt: str,
) -> None:
    """Which rows of USERS_CSV an import would skip or fail, and why, decided by the
    import's own code; nothing is written. Exit 0 when every row would import."""
    if (user_pool_id is None) == (pool_description is None):
        raise click.UsageError("give one of --user-pool-id and --pool-description")
    if check_existing and user_pool_id is None:
        raise click.UsageError("--check-existing needs --user-pool-id")
    with tool_errors(endpoint_url):
        clean = _validate(
            users_csv,
            user_pool_id,
            pool_description,
            (endpoint_url, region),
            password_hashing_algorithm,
            check_existing is not False and user_pool_id is not None,
            failure_threshold,
            (report_path, fmt),
        )
    sys.exit(0 if clean else 1)


def _validate(
    path: Path,
    pool_id: str | None,
    description: Path | None,
    target: tuple[str | None, str | None],
    algorithm: str | None,
    check_existing: bool,
    threshold: float,
    report: tuple[Path | None, str],
) -> bool:
    from cognito_import.client import aws, preflight
    from cognito_import.client.report import outcome_rows, read_identities, write_rows
    from cognito_import.imports.decide import Taken

    readable(path)
    taken = Taken()
    if pool_id is not None:
        clients = aws.connect(*target)
        pool = aws.describe_pool(clients.cognito, pool_id)
        config = _config(pool, f"DescribeUserPool {pool_id}")
        header = clients.cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
        where = f"{pool_id} ({clients.endpoint_url or 'AWS'})"
        if check_existing:
            attributes = sorted(config.unique_attributes) or ["sub"]
            users = aws.list_users(clients.cognito, pool_id, attributes)
            taken = preflight.existing_users(users, config)
            where += f", {len(taken.usernames):,} users in the pool"
    else:
        assert description is not None
        pool = _pool_from_file(description)
        config = _config(pool, str(description))
        header = config.csv_header()
        where = f"{pool.get('Id', 'the pool')} (described in {description})"
    result = preflight.validate(path, config, algorithm, taken, threshold, header)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    _summary(path, where, result)
    report_path, fmt = report
    if report_path is not None and result.file_error is None:
        identities = read_identities(path) if result.outcomes else {}
        with output(report_path) as out:
            write_rows(outcome_rows(result.outcomes, identities), fmt, out)
        click.echo(f"wrote {len(result.outcomes):,} rows to {report_path}", err=True)
    return result.clean
