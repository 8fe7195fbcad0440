"""``GET /<poolId>/.well-known/jwks.json`` and ``/.well-known/openid-configuration``:
what a verifier fetches to check the pool's tokens. Unsigned, as at AWS."""

from __future__ import annotations

import json
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cognito_import.api import sessions
from cognito_import.api.pools import pool_not_found
from cognito_import.domain import tokens as T
from cognito_import.errors import ServiceError
from cognito_import.protocol.awsjson import error_response
from cognito_import.runtime import Runtime

JWKS_PATH = "/{pool_id}/.well-known/jwks.json"
DISCOVERY_PATH = "/{pool_id}/.well-known/openid-configuration"


class WellKnownEndpoint:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def _jwks(self, pool_id: str) -> str:
        pool = self.rt.store.pools.get_pool_by_id(pool_id)
        if pool is None:
            raise pool_not_found(pool_id)
        # Made here if no one has signed in yet, so a verifier can be set up first.
        return T.jwks(sessions.pool_key(self.rt, pool.id))

    def _discovery(self, pool_id: str) -> str:
        pool = self.rt.store.pools.get_pool_by_id(pool_id)
        if pool is None:
            raise pool_not_found(pool_id)
        jwks_uri = self.rt.settings.base_url() + JWKS_PATH.format(pool_id=pool.id)
        return json.dumps(T.discovery(sessions.issuer(self.rt, pool), jwks_uri))

    async def _answer(self, request: Request, build: str) -> Response:
        pool_id = request.path_params["pool_id"]
        try:
            body = await run_in_threadpool(getattr(self, build), pool_id)
        except ServiceError as exc:
            response = error_response(exc, str(uuid.uuid4()))
            response.status_code = 404
            return response
        return Response(body, media_type="application/json")

    async def jwks(self, request: Request) -> Response:
        return await self._answer(request, "_jwks")

    async def discovery(self, request: Request) -> Response:
        return await self._answer(request, "_discovery")
