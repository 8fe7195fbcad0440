"""The ASGI application: the JSON endpoint, the upload endpoint, health, the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cognito_import.api import import_jobs, logs, pools, users
from cognito_import.protocol.awsjson import JsonEndpoint, JsonService
from cognito_import.protocol.upload import UploadEndpoint
from cognito_import.runtime import Runtime
from cognito_import.worker import Worker

COGNITO_PREFIX = "AWSCognitoIdentityProviderService"
LOGS_PREFIX = "Logs_20140328"
UPLOAD_PREFIX = "/uploads"


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
    )
    cloudwatch = JsonService(
        target_prefix=LOGS_PREFIX,
        model_name="logs",
        signing_name="logs",
        handlers=logs.handlers(rt),
    )
    endpoint = JsonEndpoint([cognito, cloudwatch], rt.keys, rt.clock)
    upload = UploadEndpoint(rt)

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = None
        worker = Worker(rt)
        if rt.settings.run_worker:
            task = asyncio.create_task(asyncio.to_thread(worker.run_forever))
        try:
            yield
        finally:
            worker.stop()
            if task is not None:
                await task
            rt.store.close()

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/", endpoint.handle, methods=["POST"]),
            Route(UPLOAD_PREFIX + "/{path:path}", upload.handle, methods=["PUT"]),
        ],
        lifespan=lifespan,
    )
