"""The ``cognito-import`` command line: builds Settings, holds no logic of its own."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import string
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from cognito_import import __version__
from cognito_import.protocol.keys import DEFAULT_ACCOUNT, AccessKey, parse_access_keys
from cognito_import.settings import (
    ACCESS_KEYS_ENV,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
)

KEYS_FILE = "access-key.json"


def load_keys(specs: tuple[str, ...], data_dir: Path, announce: bool) -> dict[str, AccessKey]:
    """Keys from ``--access-key``, else the environment, else the data dir's own key,
    created on first start."""
    keys: list[AccessKey] = []
    try:
        for spec in specs:
            keys.extend(parse_access_keys(spec))
        if not keys and os.environ.get(ACCESS_KEYS_ENV):
            keys.extend(parse_access_keys(os.environ[ACCESS_KEYS_ENV]))
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


def _storage_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=Path(".cognito-import"),
            show_default=True,
            envvar="COGNITO_IMPORT_DATA_DIR",
            show_envvar=True,
            help="Folder for the SQLite database, uploaded CSVs and the generated key.",
        ),
        click.option(
            "--database",
            default=None,
            envvar="COGNITO_IMPORT_DATABASE",
            show_envvar=True,
            help="sqlite:///PATH or postgresql://... (default: SQLite in the data dir).",
        ),
        click.option(
            "--job-expiry",
            type=float,
            default=86_400.0,
            show_default=True,
            help="Seconds a Created job lives before it becomes Expired.",
        ),
        click.option(
            "--failure-threshold",
            type=click.FloatRange(0.0, 1.0),
            default=0.5,
            show_default=True,
            help="A job is Failed when more than this fraction of rows failed or were skipped.",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 100_000),
            default=10_000,
            show_default=True,
            help="Rows per committed batch: the unit of crash recovery and of Stop.",
        ),
        click.option(
            "--heartbeat-timeout",
            type=float,
            default=15.0,
            show_default=True,
            help="Seconds without a heartbeat before another worker resumes a running job.",
        ),
        click.option(
            "--access-key",
            "access_keys",
            multiple=True,
            metavar="ID:SECRET[:ACCOUNT]",
            help=f"An accepted access key (repeatable; also {ACCESS_KEYS_ENV}, comma-separated).",
        ),
        click.option("--log-level", default="info", show_default=True, help="Python log level."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group()
@click.version_option(__version__)
def main() -> None:
    """A self-hosted Amazon Cognito user-import-job service.

    Point boto3 or the aws CLI at it with --endpoint-url.
    """


@main.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port.")
@click.option(
    "--public-url",
    default=None,
    callback=lambda ctx, param, value: _check_public_url(value),
    help="Base URL that clients use to reach this server, for pre-signed upload URLs "
    "(default: http://HOST:PORT).",
)
@click.option("--no-worker", is_flag=True, help="Do not run the import worker in this process.")
@_storage_options
def serve(host: str, port: int, public_url: str | None, no_worker: bool, **kw: Any) -> None:
    """Start the API server (and, unless --no-worker, the import worker)."""
    import uvicorn

    from cognito_import.app import create_app
    from cognito_import.runtime import build_runtime

    # uvicorn stops gracefully on SIGTERM, then restores the previous handler and raises
    # the signal again; with the default handler the process would die "killed by
    # SIGTERM" after a clean shutdown. This one makes both that and a SIGTERM during
    # startup (before uvicorn listens) a clean exit 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    settings = _settings(
        kw,
        host=host,
        port=port,
        public_url=public_url,
        run_worker=not no_worker,
        worker_process=True,
    )
    keys = load_keys(kw["access_keys"], settings.data_dir, announce=True)
    rt = build_runtime(settings, keys)
    click.echo(f"# cognito-import listening on {settings.base_url()}", err=True)
    uvicorn.run(create_app(rt), host=host, port=port, log_level=kw["log_level"], access_log=False)


@main.command()
@_storage_options
def worker(**kw: Any) -> None:
    """Run only the import worker, against the same database as a server."""
    from cognito_import.runtime import build_runtime
    from cognito_import.worker import Worker

    settings = _settings(kw)
    rt = build_runtime(settings, load_keys(kw["access_keys"], settings.data_dir, announce=False))
    loop = Worker(rt)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: loop.stop())
    thread = threading.Thread(target=loop.run_forever, name="worker")
    thread.start()
    while thread.is_alive():
        thread.join(0.5)
    rt.store.close()


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _check_public_url(value: str | None) -> str | None:
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


def _settings(kw: dict[str, Any], **extra: Any) -> Settings:
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
