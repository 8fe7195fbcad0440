"""The emulator's own endpoints, beside the AWS API: ``GET /health`` and the
authenticated ``POST /_cognito-import/reset``.

Reset is signed like any API call (SigV4, service ``cognito-idp``, any region) and acts
on the signing key's account only: its pools, users, import jobs, job logs and uploaded
CSVs are deleted, then what ``serve --seed`` created for that account is created again
(unless the body says ``{"reseed": false}``), so every test can start from the seed.
The answer says what went: ``{"account", "deleted": {"pools", "users", "jobs"},
"seeded": {"pools", "users"}}``.

Later test helpers (the outbox of sent messages, with sign-in) belong under the same
``/_cognito-import/`` prefix, signed the same way.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cognito_import import __version__
from cognito_import.admin_paths import SIGNING_NAME
from cognito_import.errors import InvalidParameterException, ServiceError
from cognito_import.protocol.awsjson import error_response
from cognito_import.protocol.sigv4 import verify_request
from cognito_import.runtime import Runtime
from cognito_import.seed import apply_seed


def health(rt: Runtime) -> dict[str, Any]:
    """Cheap on purpose (no database round trip): a load balancer or CI step polls it.
    ``worker`` is ``running``, ``down`` (the worker child died and is being replaced:
    the answer is then a 503, so a supervisor can see it) or ``none`` (``--no-worker``)."""
    if rt.worker_alive is not None:
        worker = "running" if rt.worker_alive() else "down"
    else:
        worker = "running" if rt.settings.run_worker else "none"
    return {
        "status": "ok" if worker != "down" else "worker down",
        "version": __version__,
        "database": rt.store.db.dialect,
        "worker": worker,
    }


def reset_account(rt: Runtime, account: str, reseed: bool = True) -> dict[str, Any]:
    deleted = rt.store.accounts.reset(account)
    for job_id in deleted.job_ids:
        rt.blobs.delete(job_id)
    result: dict[str, Any] = {
        "account": account,
        "deleted": {"pools": deleted.pools, "users": deleted.users, "jobs": deleted.jobs},
        "seeded": {"pools": 0, "users": 0},
    }
    if reseed and rt.seed is not None:
        applied = apply_seed(rt, rt.seed, [account])
        result["seeded"] = {"pools": applied.pools_created, "users": applied.users_created}
    return result


class AdminEndpoint:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def health(self, request: Request) -> Response:
        answer = health(self.rt)
        return JSONResponse(answer, status_code=503 if answer["worker"] == "down" else 200)

    async def reset(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            body = await request.body()
            caller = verify_request(
                request.method,
                str(request.url),
                request.headers,
                body,
                self.rt.keys,
                self.rt.clock.now(),
                SIGNING_NAME,
            )
            reseed = _reseed(body)
            result = await run_in_threadpool(reset_account, self.rt, caller.key.account, reseed)
        except ServiceError as exc:
            return error_response(exc, request_id)
        return JSONResponse(result, headers={"x-amzn-RequestId": request_id})


def _reseed(body: bytes) -> bool:
    try:
        options = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException("The reset body must be a JSON object.") from None
    if not isinstance(options, dict) or set(options) - {"reseed"}:
        raise InvalidParameterException('The reset body may only hold {"reseed": true|false}.')
    reseed = options.get("reseed", True)
    if not isinstance(reseed, bool):
        raise InvalidParameterException("reseed must be true or false.")
    return reseed
