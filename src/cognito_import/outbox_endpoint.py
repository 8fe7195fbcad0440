"""``GET /_cognito-import/outbox?UserPoolId=ID[&Username=NAME]``: the messages a pool
would have sent (reset codes, invitations with temporary passwords), the latest 1,000,
oldest first.

Signed like the API (SigV4, service ``cognito-idp``, any region), and isolated per
account: the signing key's account sees its own pools' messages only; another
account's pool is ``ResourceNotFoundException``, as in the API. ``Username`` takes
what the API takes (a username or an alias value) and narrows to that user. The
answer: ``{"Messages": [{"MessageId", "UserPoolId", "Username", "Kind",
"DeliveryMedium", "Destination", "Subject", "Body", "Code", "CreationDate",
"Smtp"}]}``; ``Code`` is the code or temporary password the message carries, ``Smtp``
is ``off``, ``pending``, ``sent`` or ``failed`` (``--smtp-url``).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cognito_import.admin_paths import ADMIN_PREFIX, SIGNING_NAME
from cognito_import.api.pools import pool_not_found
from cognito_import.api.users import find_user
from cognito_import.errors import InvalidParameterException, ServiceError, UserNotFoundException
from cognito_import.protocol.awsjson import error_response
from cognito_import.protocol.sigv4 import verify_request
from cognito_import.runtime import Runtime
from cognito_import.store.outbox import Sent

OUTBOX_PATH = ADMIN_PREFIX + "/outbox"
_PARAMETERS = frozenset({"UserPoolId", "Username"})


def message_wire(sent: Sent) -> dict[str, Any]:
    m = sent.message
    return {
        "MessageId": sent.message_id,
        "UserPoolId": sent.pool_id,
        "Username": sent.username,
        "Kind": m.kind,
        "DeliveryMedium": m.medium,
        "Destination": m.destination,
        "Subject": m.subject,
        "Body": m.body,
        "Code": m.code,
        "CreationDate": sent.created,
        "Smtp": sent.smtp,
    }


def read_outbox(rt: Runtime, account: str, pool_id: str, username: str | None) -> dict[str, Any]:
    pool = rt.store.pools.get_pool(account, pool_id)
    if pool is None:
        raise pool_not_found(pool_id)
    if username is not None:
        try:
            username = find_user(rt, pool, username).username
        except UserNotFoundException:
            pass  # a deleted user's messages stay readable under the name they were sent to
    sent = rt.store.outbox.messages(account, pool.id, username)
    return {"Messages": [message_wire(s) for s in sent]}


class OutboxEndpoint:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            caller = verify_request(
                request.method,
                str(request.url),
                request.headers,
                b"",
                self.rt.keys,
                self.rt.clock.now(),
                SIGNING_NAME,
            )
            params = request.query_params
            unknown = sorted(set(params) - _PARAMETERS)
            if unknown:
                raise InvalidParameterException(f"Unknown parameter: {unknown[0]}")
            pool_id = params.get("UserPoolId")
            if not pool_id:
                raise InvalidParameterException("UserPoolId is required.")
            result = await run_in_threadpool(
                read_outbox, self.rt, caller.key.account, pool_id, params.get("Username")
            )
        except ServiceError as exc:
            return error_response(exc, request_id)
        return JSONResponse(result, headers={"x-amzn-RequestId": request_id})
