"""AWS JSON 1.1 over HTTP: target dispatch, SigV4, model validation, the error envelope.

This is the only place where a ``ServiceError`` becomes an HTTP response.

A request is judged in an order that never lets a stranger make the server hold much:
its headers are authenticated first (no body read: an unsigned or unknown-key request is
refused at once and its connection closed), then the body is read up to
``MAX_BODY_BYTES``, hashed as it streams in, and only then is the signature checked over
that hash. Operations that botocore models without SigV4 (the sign-in operations a
browser calls: InitiateAuth, GetUser, ...) skip those checks; their handlers authorise
the request as AWS does (a client id, a token). The body is JSON only if it is UTF-8
text, nested less deeply than Python's parser allows (about 900 levels; AWS's parser
stops at 1,000) and free of the ``NaN``/``Infinity`` literals JSON does not have;
anything else is a ``SerializationException``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
import anyio.to_thread
import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from cognito_import.clock import Clock
from cognito_import.errors import (
    DatabaseUnavailable,
    InternalErrorException,
    RequestEntityTooLargeException,
    SerializationException,
    ServiceError,
    UnknownOperationException,
    unavailable,
)
from cognito_import.loop import OffLoop, on_loop
from cognito_import.protocol.keys import AccessKey, Caller
from cognito_import.protocol.shapes import service_model, shape_output, validate_input
from cognito_import.protocol.sigv4 import check_headers

if TYPE_CHECKING:
    from botocore.model import OperationModel

log = logging.getLogger("cognito_import")

CONTENT_TYPE = "application/x-amz-json-1.1"
# The largest request body accepted. The largest a real Cognito request needs is a
# CreateUserPool with every message template at its maximum (about 200 KB); AWS's front
# end refuses far smaller payloads than the 100 MB an HTTP server would otherwise take.
MAX_BODY_BYTES = 1024 * 1024
# Error messages echo client values. Messages are cut to this many characters, and the
# x-amzn-ErrorMessage header (which HTTP clients refuse past 64 KiB) carries that much.
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class Context:
    """Who is calling, from where, and when: what every handler may depend on."""

    # None for an operation AWS serves without SigV4 (InitiateAuth, GetUser, ...): its
    # handler authorises the request itself (a client id, a token).
    caller: Caller | None
    request_id: str
    now: float

    @property
    def signer(self) -> Caller:
        if self.caller is None:
            raise RuntimeError("an unsigned operation has no caller")
        return self.caller

    @property
    def account(self) -> str:
        return self.signer.key.account

    @property
    def region(self) -> str:
        return self.signer.region


@dataclass(frozen=True)
class Encoded:
    """A response body a handler has already shaped and encoded (with ``encode``), for a
    response that is mostly the same bytes on every call."""

    body: bytes


def encode(service_model_name: str, operation: str, result: dict[str, Any]) -> bytes:
    """The response body the endpoint sends for ``result``."""
    return dumps(shape_output(service_model(service_model_name).operation_model(operation), result))


def dumps(body: dict[str, Any]) -> bytes:
    """``body`` as compact UTF-8 JSON. orjson writes a page of 60 users in a fifth of the
    json module's time; what it refuses (an integer past 64 bits) the json module writes."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Result = dict[str, Any] | Encoded
Handler = Callable[[Context, dict[str, Any]], Result]
Access = Literal["read", "scan", "write"]
# A short read: bounded by one small page, run on the event loop where the service allows
# (``JsonService.loop_reads``).
READ: Access = "read"
# A read whose cost has no bound (every pool of an account, a job's whole log): in the
# threadpool, where SQLite and psycopg release the GIL while they work.
SCAN: Access = "scan"
# May write: in the threadpool, so a write waiting for the database lock stalls nothing.
WRITE: Access = "write"


def modelled_unsigned(model: OperationModel) -> bool:
    """Whether botocore models the operation without SigV4 (``authtype: none``, or the
    newer ``auth: ["smithy.api#noAuth"]``): AWS serves it unsigned, SDKs send it so."""
    return model.auth_type == "none" or "smithy.api#noAuth" in (model.auth or [])


@dataclass(frozen=True)
class Operation:
    handler: Handler
    access: Access
    signed: bool


def operation(model_name: str, name: str, handler: Handler, access: Access) -> Operation:
    """The table entry of ``name``: signed unless the service model says otherwise."""
    model = service_model(model_name).operation_model(name)
    return Operation(handler, access, signed=not modelled_unsigned(model))


@dataclass(frozen=True)
class JsonService:
    """One AWS JSON service: its target prefix, model and signing name, and operations.

    With ``loop_reads``, ``READ`` operations run on the event loop: they only do short
    reads (a WAL reader never waits for the writer), and the hop to a worker thread and
    back would cost more than the read itself. A read that finds it must write after all
    (a job past its expiry) is abandoned by the store before it writes and run again in
    the threadpool (``cognito_import.loop``).
    """

    target_prefix: str
    model_name: str
    signing_name: str
    operations: Mapping[str, Operation]
    loop_reads: bool = False
    # Bounds the ``READ`` operations that run in threads (``Settings.read_threads``);
    # None: they share the threadpool with the rest.
    read_limiter: anyio.CapacityLimiter | None = None

    @property
    def handlers(self) -> dict[str, Handler]:
        return {name: op.handler for name, op in self.operations.items()}

    def signed(self, name: str) -> bool:
        """Whether a request for ``name`` must carry SigV4. An operation of the model
        that the server does not serve is judged by the model too: an unsigned SignUp
        is an unknown operation, not a missing token."""
        op = self.operations.get(name)
        if op is not None:
            return op.signed
        model = service_model(self.model_name)
        return name not in model.operation_names or not modelled_unsigned(
            model.operation_model(name)
        )


async def _run(op: Operation, service: JsonService, ctx: Context, p: dict[str, Any]) -> Result:
    if op.access == READ:
        if service.loop_reads:
            try:
                with on_loop():
                    return op.handler(ctx, p)
            except OffLoop:
                pass
        if service.read_limiter is not None:
            return await anyio.to_thread.run_sync(op.handler, ctx, p, limiter=service.read_limiter)
    return await run_in_threadpool(op.handler, ctx, p)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _ascii(text: str) -> str:
    # A header value must be printable ASCII with no surrounding whitespace, or the HTTP
    # layer drops the connection instead of answering; messages echo client values and
    # some of Cognito's span lines. The body keeps the exact text.
    printable = text.encode("ascii", "replace").decode("ascii")
    return _CONTROL.sub(" ", printable).strip()


def bounded(message: str) -> str:
    """``message``, cut to ``MAX_MESSAGE_CHARS`` with ``...`` when longer."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 3] + "..."


def error_response(error: ServiceError, request_id: str, *, close: bool = False) -> Response:
    """The AWS error envelope; ``close`` ends the connection after it, for a request
    whose body was not read (reading on would mean taking it in after all)."""
    message = bounded(error.message)
    headers = {
        "x-amzn-RequestId": request_id,
        # Real Cognito sends the code with a trailing colon (cognito-facts 2.5).
        "x-amzn-ErrorType": f"{error.code}:",
        "x-amzn-ErrorMessage": _ascii(message),
    }
    if close:
        headers["Connection"] = "close"
    body = json.dumps({"__type": error.code, "message": message})
    return Response(body, status_code=error.status, media_type=CONTENT_TYPE, headers=headers)


class _Unread(Exception):
    """A refusal decided before the body was read."""

    def __init__(self, error: ServiceError) -> None:
        self.error = error


async def read_body(request: Request, limit: int) -> tuple[bytes, str]:
    """The body and its SHA-256 (hex), refused past ``limit`` bytes without holding more."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _Unread(_too_large(limit))
    digest = hashlib.sha256()
    body = bytearray()
    async for chunk in request.stream():
        if len(body) + len(chunk) > limit:
            raise _Unread(_too_large(limit))
        body += chunk
        digest.update(chunk)
    return bytes(body), digest.hexdigest()


def _too_large(limit: int) -> RequestEntityTooLargeException:
    return RequestEntityTooLargeException(
        f"The request body is larger than the {limit:,} bytes this service accepts."
    )


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes) -> Any:
    """The request body as JSON; an empty body is ``{}``, as at AWS."""
    try:
        text = body.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant) if text.strip() else {}
    except RecursionError:
        raise SerializationException("The request body is nested too deeply.") from None
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise SerializationException("The request body is not valid JSON.") from exc


class JsonEndpoint:
    def __init__(
        self, services: list[JsonService], keys: Mapping[str, AccessKey], clock: Clock
    ) -> None:
        self.services = {s.target_prefix: s for s in services}
        self.default = services[0]
        self.keys = keys
        self.clock = clock

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            return await self._handle(request, request_id)
        except _Unread as exc:
            return error_response(exc.error, request_id, close=True)
        except ServiceError as exc:
            return error_response(exc, request_id)
        except ClientDisconnect:
            # The client's problem, not ours: one line, no traceback.
            log.info("client disconnected before sending its whole request %s", request_id)
            return Response(status_code=400)
        except Exception:
            log.exception("internal error in request %s", request_id)
            return error_response(InternalErrorException(), request_id)

    async def _handle(self, request: Request, request_id: str) -> Response:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        service = self.services.get(prefix)
        op = service.operations.get(name) if service is not None else None
        now = self.clock.now()
        caller: Caller | None = None
        signed = service is None or service.signed(name)
        if signed:
            try:
                pending = check_headers(
                    request.method,
                    str(request.url),
                    request.headers,
                    self.keys,
                    now,
                    (service or self.default).signing_name,
                )
            except ServiceError as exc:
                raise _Unread(exc) from None
        body, body_sha256 = await read_body(request, MAX_BODY_BYTES)
        if signed:
            caller = pending.verify(body_sha256)
        if service is None or op is None:
            raise UnknownOperationException(f"Operation {target or '(none)'} is not supported.")
        data = parse_json(body)
        model = service_model(service.model_name).operation_model(name)
        params = validate_input(model, data)
        context = Context(caller=caller, request_id=request_id, now=now)
        try:
            result = await _run(op, service, context, params)
        except DatabaseUnavailable:
            log.warning("request %s met a lost database connection", request_id)
            raise unavailable(service.model_name) from None
        if isinstance(result, Encoded):
            payload = result.body
        else:
            payload = dumps(shape_output(model, result))
        return Response(
            payload,
            media_type=CONTENT_TYPE,
            headers={"x-amzn-RequestId": request_id},
        )
