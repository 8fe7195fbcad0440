"""``serve`` and ``worker``: the long-running commands."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from cognito_import.cli.options import (
    check_public_url,
    check_smtp_url,
    exit_cleanly,
    load_keys,
    make_settings,
    parse_key_options,
    storage_options,
)
from cognito_import.protocol.keys import DEFAULT_ACCOUNT, AnyKeys
from cognito_import.settings import DEFAULT_HOST, DEFAULT_PORT, Settings

if TYPE_CHECKING:
    from cognito_import.runtime import Runtime
    from cognito_import.seed import Seed

ANY_CREDENTIALS_WARNING = (
    "# WARNING: --any-credentials is on: every well-formed SigV4 request is accepted, "
    f"whatever its key id, its signature unchecked, as account {DEFAULT_ACCOUNT}. "
    "Never let anyone else reach this server."
)


def _env(name: str) -> dict[str, Any]:
    return {"envvar": f"COGNITO_IMPORT_{name}", "show_envvar": True}


@click.command()
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.", **_env("HOST")
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port; 0 picks a free one (the 'listening on' line names it).",
    **_env("PORT"),
)
@click.option(
    "--public-url",
    default=None,
    callback=lambda ctx, param, value: check_public_url(value),
    help="Base URL that clients use to reach this server, for pre-signed upload URLs "
    "(default: http://HOST:PORT).",
    **_env("PUBLIC_URL"),
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    default=("*",),
    show_default=True,
    metavar="ORIGIN",
    help="An origin (scheme://host[:port]) whose browser pages may call the API, such as "
    "an Amplify app's dev server (repeatable; * is any origin).",
    **_env("CORS_ORIGIN"),
)
@click.option(
    "--token-issuer",
    type=click.Choice(["url", "aws"]),
    default="url",
    show_default=True,
    help="The tokens' iss: url is PUBLIC_URL/POOL_ID (OIDC discovery works); aws is "
    "https://cognito-idp.REGION.amazonaws.com/POOL_ID, for verifiers that insist on it.",
    **_env("TOKEN_ISSUER"),
)
@click.option(
    "--smtp-url",
    default=None,
    callback=lambda ctx, param, value: check_smtp_url(value),
    metavar="smtp://HOST:PORT",
    help="Also send the outbox's email messages (reset codes, invitations) to this SMTP "
    "server, from a background thread: requests never wait for it.",
    **_env("SMTP_URL"),
)
@click.option(
    "--read-threads",
    type=click.IntRange(1, 256),
    default=None,
    help="Short reads served at once in threads (PostgreSQL; SQLite serves them on the "
    "event loop). Default: two per CPU. More helps only a database far away.",
    **_env("READ_THREADS"),
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not run the import worker in this process.",
    **_env("NO_WORKER"),
)
@click.option(
    "--seed",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Seed file (JSON or YAML) of pools and users, created at every start where missing.",
    **_env("SEED"),
)
@click.option(
    "--any-credentials",
    is_flag=True,
    help="Accept any well-formed SigV4 request, signature unchecked, as the default account "
    "(like LocalStack's test/test keys). Off by default; for throwaway test servers only.",
    **_env("ANY_CREDENTIALS"),
)
@click.option(
    "--ephemeral",
    is_flag=True,
    help="Keep everything in a temporary data dir, removed at exit (not with --data-dir "
    "or --database).",
    **_env("EPHEMERAL"),
)
@click.option(
    "--exit-with-parent",
    is_flag=True,
    help="Shut down (as on SIGTERM) when the process that started this one ends, so a "
    "killed test run leaves no server behind.",
    **_env("EXIT_WITH_PARENT"),
)
@storage_options
@click.pass_context
def serve(ctx: click.Context, /, host: str, port: int, public_url: str | None, **kw: Any) -> None:
    """Start the API server (and, unless --no-worker, the import worker)."""
    # uvicorn stops gracefully on SIGTERM, then restores the previous handler and raises
    # the signal again; with the default handler the process would die "killed by
    # SIGTERM" after a clean shutdown. This one makes both that and a SIGTERM during
    # startup (before uvicorn listens) a clean exit 0.
    signal.signal(signal.SIGTERM, exit_cleanly)
    if kw["ephemeral"]:
        _refuse_with_ephemeral(ctx)
    seed = _load_seed(kw["seed"])
    sock = _listen(host, port)
    if kw["exit_with_parent"]:
        _watch_parent(os.getppid())
    with sock, _data_dir(kw) as data_dir:
        kw["data_dir"] = data_dir
        settings = make_settings(
            kw,
            host=host,
            port=sock.getsockname()[1],
            public_url=public_url,
            run_worker=not kw["no_worker"],
            worker_process=True,
            cors_origins=tuple(kw["cors_origins"]),
            token_issuer=kw["token_issuer"],
            smtp_url=kw["smtp_url"],
            **({"read_threads": kw["read_threads"]} if kw["read_threads"] else {}),
        )
        _run(settings, sock, seed, kw)


def _run(settings: Settings, sock: socket.socket, seed: Seed | None, kw: dict[str, Any]) -> None:
    import uvicorn

    from cognito_import.app import create_app, server_config
    from cognito_import.runtime import build_runtime

    parse_key_options(kw["access_keys"])  # a usage error before anything is created
    rt = build_runtime(settings, {})
    keys = load_keys(kw["access_keys"], rt.store, settings.data_dir, announce=True)
    rt.keys = keys
    if kw["any_credentials"]:
        # Upload URLs of unchecked keys are signed with a secret of the server's own,
        # kept in the store, so they stay valid across restarts and cannot be forged.
        secret = hashlib.sha256(b"any-credentials:" + rt.token_secret).hexdigest()
        rt.keys = AnyKeys(keys, secret)
        click.echo(ANY_CREDENTIALS_WARNING, err=True)
    if seed is not None:
        _seed(rt, seed, kw["seed"])
    host, port = sock.getsockname()[:2]
    listening = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    public = f" (upload URLs on {settings.public_url})" if settings.public_url else ""
    click.echo(f"# cognito-import listening on {listening}{public}", err=True)
    config = server_config(create_app(rt), kw["log_level"])
    # What start-up built (botocore's service models, the operation tables) lives as
    # long as the process: kept out of the collector's full passes, which otherwise walk
    # it all while every request waits (46 ms at 40 clients on 2 cores; 1.3 ms frozen).
    gc.collect()
    gc.freeze()
    uvicorn.Server(config).run(sockets=[sock])


def _seed(rt: Runtime, seed: Seed, path: Path) -> None:
    from cognito_import.seed import SeedError, apply_seed

    try:
        applied = apply_seed(rt, seed)
    except SeedError as exc:
        rt.store.close()
        raise click.ClickException(f"bad seed file: {exc}") from None
    # Kept for resets, which put the account's part of it back.
    rt.seed = seed
    click.echo(applied.line(str(path)), err=True)


def _refuse_with_ephemeral(ctx: click.Context) -> None:
    for name in ("data_dir", "database"):
        if ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None):
            option = "--" + name.replace("_", "-")
            raise click.UsageError(f"--ephemeral keeps its own data dir; drop {option}")


def _load_seed(path: Path | None) -> Seed | None:
    if path is None:
        return None
    from cognito_import.seed import SeedError, load_seed

    try:
        return load_seed(path)
    except SeedError as exc:
        raise click.ClickException(f"bad seed file: {exc}") from None


def _listen(host: str, port: int) -> socket.socket:
    """Bind before anything else starts, so a taken port fails at once, and port 0
    becomes a real one that the settings (and upload URLs) can name."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )[0]
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when
        # the listening socket says TCP; without it each keep-alive reply waits ~40 ms.
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listening from here on: connections made once "listening on" is printed wait
        # in the backlog while the app starts, instead of being refused (uvicorn's own
        # listen() later only sets the backlog again).
        sock.listen(2048)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    return sock


@contextlib.contextmanager
def _data_dir(kw: dict[str, Any]) -> Iterator[Path]:
    if not kw["ephemeral"]:
        yield kw["data_dir"]
        return
    path = Path(tempfile.mkdtemp(prefix="cognito-import-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        # Reparented: the starter is gone. SIGTERM runs the usual graceful shutdown.
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@click.command()
@storage_options
def worker(**kw: Any) -> None:
    """Run only the import worker, against the same database as a server."""
    from cognito_import.imports.worker import Worker
    from cognito_import.runtime import build_runtime

    settings = make_settings(kw)
    # A worker signs and verifies nothing: the keys are only checked for mistakes.
    parse_key_options(kw["access_keys"])
    rt = build_runtime(settings, {})
    loop = Worker(rt)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: loop.stop())
    thread = threading.Thread(target=loop.run_forever, name="worker")
    thread.start()
    while thread.is_alive():
        thread.join(0.5)
    rt.store.close()
