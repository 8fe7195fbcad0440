"""What the commands share: access keys, the storage options, Settings."""

from __future__ import annotations

import json
import logging
import secrets
import string
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from cognito_import.protocol.keys import DEFAULT_ACCOUNT, AccessKey, parse_access_keys
from cognito_import.settings import ACCESS_KEYS_ENV, Settings

if TYPE_CHECKING:
    from cognito_import.store import Store

KEYS_FILE = "access-key.json"
# Where the generated key is kept (``server_state``).
GENERATED_KEY = "access_key"


def caller_key(region: str | None, whose: str) -> tuple[str, str, str]:
    """The access key, secret and region of botocore's usual chain (AWS_* variables, the
    profile) for a signed call to our own endpoints; ``whose`` says in the error which
    account's key is wanted."""
    import botocore.session

    session = botocore.session.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise click.ClickException(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            f" to the key of {whose}"
        )
    frozen = credentials.get_frozen_credentials()
    return (
        frozen.access_key,
        frozen.secret_key,
        region or session.get_config_variable("region") or "us-east-1",
    )


class _KeySpecs(click.types.StringParamType):
    # The variable holds comma-separated keys (click would split it on whitespace).
    envvar_list_splitter = ","
    name = "text"


def parse_key_options(specs: tuple[str, ...]) -> dict[str, AccessKey]:
    """The keys of ``--access-key`` (or the environment); a usage error if malformed."""
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
    return {k.key_id: k for k in keys}


def load_keys(
    specs: tuple[str, ...], store: Store, data_dir: Path, announce: bool
) -> dict[str, AccessKey]:
    """Keys from ``--access-key``, else the environment, else the key generated on
    first start. That one is kept in the database, so that every server and worker on
    it, whatever its data dir, accepts the same key (a key file that an older version
    left in the data dir is adopted, unless the database has a key already)."""
    keys = parse_key_options(specs)
    if keys:
        return keys
    legacy = data_dir / KEYS_FILE
    if legacy.exists():
        offered = legacy.read_text("utf-8")
    else:
        alphabet = string.ascii_uppercase + string.digits
        offered = json.dumps(
            {
                "key_id": "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16)),
                "secret": secrets.token_urlsafe(30),
                "account": DEFAULT_ACCOUNT,
            }
        )
    stored = json.loads(store.put_state_once(GENERATED_KEY, offered))
    key = AccessKey(stored["key_id"], stored["secret"], stored["account"])
    if announce:
        click.echo(
            "# No access keys configured; using the one stored in the database "
            f"({_where(store, data_dir)}):"
        )
        click.echo(f"export AWS_ACCESS_KEY_ID={key.key_id}")
        click.echo(f"export AWS_SECRET_ACCESS_KEY={key.secret}")
    return {key.key_id: key}


def _where(store: Store, data_dir: Path) -> str:
    """The database, named without its password."""
    url = getattr(store.db, "url", None)
    if store.db.dialect == "postgresql" and isinstance(url, str):
        parts = urlsplit(url)
        return f"postgresql://{parts.hostname or ''}:{parts.port or 5432}{parts.path}"
    path = getattr(store.db, "path", None)
    return str(path) if path is not None else str(data_dir)


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
        data_dir_option("Folder for the SQLite database and, with SQLite, the uploaded CSVs."),
        database_option("sqlite:///PATH or postgresql://... (default: SQLite in the data dir)."),
        click.option(
            "--blob-store",
            default=None,
            callback=_check_blob_store,
            envvar="COGNITO_IMPORT_BLOB_STORE",
            show_envvar=True,
            help="Where uploaded CSVs are kept: data-dir, database (PostgreSQL only) or "
            "s3://BUCKET[/PREFIX] (default: database on PostgreSQL, else data-dir).",
        ),
        click.option(
            "--s3-endpoint-url",
            default=None,
            envvar="COGNITO_IMPORT_S3_ENDPOINT_URL",
            show_envvar=True,
            help="Endpoint of an S3-compatible server for an s3:// --blob-store.",
        ),
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


def _check_blob_store(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from cognito_import.blobs import check_blob_store

    if value is None:
        return None
    try:
        return check_blob_store(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


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
    database = kw["database"] or ""
    if kw["blob_store"] == "database" and not database.startswith(("postgresql:", "postgres:")):
        raise click.BadParameter(
            "--blob-store database needs a PostgreSQL --database", param_hint="--blob-store"
        )
    return Settings(
        data_dir=kw["data_dir"],
        database=kw["database"],
        blob_store=kw["blob_store"],
        s3_endpoint_url=kw["s3_endpoint_url"],
        job_expiry=kw["job_expiry"],
        failure_threshold=kw["failure_threshold"],
        batch_size=kw["batch_size"],
        heartbeat_timeout=kw["heartbeat_timeout"],
        log_level=kw["log_level"],
        **extra,
    )
