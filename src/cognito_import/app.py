"""The ASGI application: the JSON endpoint, the upload endpoint, health and reset, the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from cognito_import.admin import RESET_PATH, AdminEndpoint
from cognito_import.api import import_jobs, logs, pools, users
from cognito_import.api.upload import UploadEndpoint
from cognito_import.imports.supervisor import WorkerChild
from cognito_import.imports.worker import Worker
from cognito_import.protocol.awsjson import JsonEndpoint, JsonService
from cognito_import.runtime import Runtime

COGNITO_PREFIX = "AWSCognitoIdentityProviderService"
LOGS_PREFIX = "Logs_20140328"
UPLOAD_PREFIX = "/uploads"

# Reads whose cost is bounded by one small page: on SQLite these run on the event loop
# (see JsonService). ListUsers is one of them when its filter matches a few users by an
# index (PoolStore.quick); other filters move it to the threadpool. Reads that can
# scan without bound stay in the threadpool with the writes, where SQLite and psycopg
# release the GIL while they work, instead of stalling every request in flight:
# GetLogEvents and FilterLogEvents (a job's outcomes), DescribeLogGroups and
# DescribeLogStreams (every pool and job of the account).
COGNITO_READS = frozenset(
    {
        "ListUserPools",
        "DescribeUserPool",
        "GetCSVHeader",
        "DescribeUserImportJob",
        "ListUserImportJobs",
        "AdminGetUser",
        "ListUsers",
    }
)


def create_app(rt: Runtime) -> Starlette:
    cognito = JsonService(
        target_prefix=COGNITO_PREFIX,
        model_name="cognito-idp",
        signing_name="cognito-idp",
        handlers={
            **pools.handlers(rt),
            **users.handlers(rt),
            **import_jobs.handlers(rt),
        },
        # A PostgreSQL read is network round trips, which the threadpool overlaps and the
        # loop would serve one at a time (six per Describe, a few ms if the server is remote).
        reads=COGNITO_READS if rt.store.db.dialect == "sqlite" else frozenset(),
    )
    cloudwatch = JsonService(
        target_prefix=LOGS_PREFIX,
        model_name="logs",
        signing_name="logs",
        handlers=logs.handlers(rt),
    )
    endpoint = JsonEndpoint([cognito, cloudwatch], rt.keys, rt.clock)
    upload = UploadEndpoint(rt)
    admin = AdminEndpoint(rt)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings = rt.settings
        if not settings.run_worker:
            yield
            rt.store.close()
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
                rt.store.close()
            return
        worker = Worker(rt)
        task = asyncio.create_task(asyncio.to_thread(worker.run_forever))
        try:
            yield
        finally:
            worker.stop()
            await task
            rt.store.close()

    return Starlette(
        routes=[
            Route("/health", admin.health, methods=["GET"]),
            Route(RESET_PATH, admin.reset, methods=["POST"]),
            Route("/", endpoint.handle, methods=["POST"]),
            Route(UPLOAD_PREFIX + "/{path:path}", upload.handle, methods=["PUT"]),
        ],
        lifespan=lifespan,
    )
