"""What the commands share: access keys, the storage options, Settings."""

from __future__ import annotations

import json
import logging
import secrets
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from cognito_import.protocol.keys import DEFAULT_ACCOUNT, AccessKey, parse_access_keys
from cognito_import.settings import ACCESS_KEYS_ENV, Settings

KEYS_FILE = "access-key.json"


class _KeySpecs(click.types.StringParamType):
    # The variable holds comma-separated keys (click would split it on whitespace).
    envvar_list_splitter = ","
    name = "text"


def load_keys(specs: tuple[str, ...], data_dir: Path, announce: bool) -> dict[str, AccessKey]:
    """Keys from ``--access-key``, else the environment, else the data dir's own key,
    created on first start."""
    keys: list[AccessKey] = []
    try:
        # click has read ACCESS_KEYS_ENV into ``specs`` already when no option was given.
        for spec in specs:
            keys.extend(parse_access_keys(spec))
        seen: set[str] = set()
        for key in keys:
            if key.key_id in seen:
                raise ValueError(f"access key {key.key_id!r} is given more than once")
            seen.add(key.key_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--access-key") from exc
    if not keys:
        path = data_dir / KEYS_FILE
        if path.exists():
            stored = json.loads(path.read_text("utf-8"))
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            alphabet = string.ascii_uppercase + string.digits
            stored = {
                "key_id": "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
                "secret": secrets.token_urlsafe(30),
                "account": DEFAULT_ACCOUNT,
            }
            path.write_text(json.dumps(stored), "utf-8")
            path.chmod(0o600)
        keys.append(AccessKey(stored["key_id"], stored["secret"], stored["account"]))
        if announce:
            click.echo(f"# No access keys configured; using the one stored in {path}:")
            click.echo(f"export AWS_ACCESS_KEY_ID={keys[0].key_id}")
            click.echo(f"export AWS_SECRET_ACCESS_KEY={keys[0].secret}")
    return {k.key_id: k for k in keys}


def data_dir_option(text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path(".cognito-import"),
        show_default=True,
        envvar="COGNITO_IMPORT_DATA_DIR",
        show_envvar=True,
        help=text,
    )


def database_option(text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--database", default=None, envvar="COGNITO_IMPORT_DATABASE", show_envvar=True, help=text
    )


def storage_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        data_dir_option("Folder for the SQLite database, uploaded CSVs and the generated key."),
        database_option("sqlite:///PATH or postgresql://... (default: SQLite in the data dir)."),
        click.option(
            "--job-expiry",
            type=float,
            default=86_400.0,
            show_default=True,
            envvar="COGNITO_IMPORT_JOB_EXPIRY",
            show_envvar=True,
            help="Seconds a Created job lives before it becomes Expired.",
        ),
        click.option(
            "--failure-threshold",
            type=click.FloatRange(0.0, 1.0),
            default=0.5,
            show_default=True,
            envvar="COGNITO_IMPORT_FAILURE_THRESHOLD",
            show_envvar=True,
            help="A job is Failed when more than this fraction of rows failed or were skipped.",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 100_000),
            default=10_000,
            show_default=True,
            envvar="COGNITO_IMPORT_BATCH_SIZE",
            show_envvar=True,
            help="Rows per committed batch: the unit of crash recovery and of Stop.",
        ),
        click.option(
            "--heartbeat-timeout",
            type=float,
            default=15.0,
            show_default=True,
            envvar="COGNITO_IMPORT_HEARTBEAT_TIMEOUT",
            show_envvar=True,
            help="Seconds without a heartbeat before another worker resumes a running job.",
        ),
        click.option(
            "--access-key",
            "access_keys",
            multiple=True,
            metavar="ID:SECRET[:ACCOUNT]",
            type=_KeySpecs(),
            envvar=ACCESS_KEYS_ENV,
            show_envvar=True,
            help="An accepted access key (repeatable; in the variable, comma-separated).",
        ),
        click.option(
            "--log-level",
            default="info",
            show_default=True,
            envvar="COGNITO_IMPORT_LOG_LEVEL",
            show_envvar=True,
            help="Python log level.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def check_smtp_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    from cognito_import.mail import parse_smtp_url

    try:
        parse_smtp_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--smtp-url") from None
    return value


def check_public_url(value: str | None) -> str | None:
    """Only scheme://host[:port]: upload URLs are signed over their path, so a proxy
    that strips a path prefix would make every signature fail."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter("must be http(s)://HOST[:PORT]", param_hint="--public-url")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise click.BadParameter(
            "must not have a path: serve the API at the root of HOST[:PORT]",
            param_hint="--public-url",
        )
    return f"{parts.scheme}://{parts.netloc}"


def make_settings(kw: dict[str, Any], **extra: Any) -> Settings:
    logging.basicConfig(level=kw["log_level"].upper(), format="%(asctime)s %(name)s %(message)s")
    return Settings(
        data_dir=kw["data_dir"],
        database=kw["database"],
        job_expiry=kw["job_expiry"],
        failure_threshold=kw["failure_threshold"],
        batch_size=kw["batch_size"],
        heartbeat_timeout=kw["heartbeat_timeout"],
        log_level=kw["log_level"],
        **extra,
    )
