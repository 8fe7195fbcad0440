"""The ASGI application: the JSON endpoint, the upload endpoint, health and reset, the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from cognito_import.admin import AdminEndpoint
from cognito_import.admin_paths import RESET_PATH
from cognito_import.api.operations import COGNITO, COGNITO_PREFIX, LOGS, LOGS_PREFIX, bind
from cognito_import.api.upload import UploadEndpoint
from cognito_import.api.wellknown import DISCOVERY_PATH, JWKS_PATH, WellKnownEndpoint
from cognito_import.imports.supervisor import WorkerChild
from cognito_import.imports.worker import Worker
from cognito_import.outbox_endpoint import OUTBOX_PATH, OutboxEndpoint
from cognito_import.protocol.awsjson import JsonEndpoint, JsonService
from cognito_import.runtime import Runtime

UPLOAD_PREFIX = "/uploads"


# What a browser page may read of a response: the request id and the error's type and
# message that the SDKs look at besides the body.
EXPOSED_HEADERS = ["x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", "Date"]


def cors(origins: tuple[str, ...]) -> Middleware:
    """Browser clients (Amplify, identity-js) call the JSON endpoint from a page of
    another origin: preflights are answered, and every response to a request with an
    Origin carries the CORS headers, errors included. No cookies are involved, so
    credentials are not allowed and "*" can stand for any origin."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )


def server_config(app: Starlette, log_level: str) -> uvicorn.Config:
    """How uvicorn serves the app, for ``serve`` and the tests' servers alike.

    The asyncio loop, not uvloop: under uvloop a burst of new connections was served one
    more per pass of the loop over the established ones (tcpdump: the 40th of 40
    connections opened at once got its first answer after 330 ms, while the first had
    had 40 answers), a p99 of 160-190 ms at 40 clients where asyncio gives 15 ms for the
    same p50 and throughput. httptools is named so that its absence fails at start
    instead of falling back to h11, a third of the speed.
    """
    return uvicorn.Config(
        app,
        loop="asyncio",
        http="httptools",
        log_level=log_level,
        access_log=False,
        lifespan="on",
    )


def create_app(rt: Runtime) -> Starlette:
    cognito = JsonService(
        target_prefix=COGNITO_PREFIX,
        model_name="cognito-idp",
        signing_name="cognito-idp",
        operations=bind(rt, "cognito-idp", COGNITO),
        # A PostgreSQL read is network round trips, which the threadpool overlaps and the
        # loop would serve one at a time (six per Describe, a few ms if the server is remote).
        loop_reads=rt.store.db.dialect == "sqlite",
        read_limiter=anyio.CapacityLimiter(rt.settings.read_threads),
    )
    cloudwatch = JsonService(
        target_prefix=LOGS_PREFIX,
        model_name="logs",
        signing_name="logs",
        operations=bind(rt, "logs", LOGS),
    )
    endpoint = JsonEndpoint([cognito, cloudwatch], rt.keys, rt.clock)
    upload = UploadEndpoint(rt)
    admin = AdminEndpoint(rt)
    wellknown = WellKnownEndpoint(rt)
    outbox = OutboxEndpoint(rt)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings = rt.settings
        if not settings.run_worker:
            yield
            rt.close()
            return
        if settings.worker_process:
            supervised = WorkerChild(rt)
            supervised.start()
            rt.worker_alive = lambda: supervised.alive
            watcher = asyncio.create_task(supervised.watch())
            try:
                yield
            finally:
                await supervised.stop()
                watcher.cancel()
                rt.close()
            return
        worker = Worker(rt)
        task = asyncio.create_task(asyncio.to_thread(worker.run_forever))
        try:
            yield
        finally:
            worker.stop()
            await task
            rt.close()

    return Starlette(
        middleware=[cors(rt.settings.cors_origins)],
        routes=[
            Route("/health", admin.health, methods=["GET"]),
            Route(RESET_PATH, admin.reset, methods=["POST"]),
            Route(OUTBOX_PATH, outbox.handle, methods=["GET"]),
            Route("/", endpoint.handle, methods=["POST"]),
            Route(UPLOAD_PREFIX + "/{path:path}", upload.handle, methods=["PUT"]),
            Route(JWKS_PATH, wellknown.jwks, methods=["GET"]),
            Route(DISCOVERY_PATH, wellknown.discovery, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
