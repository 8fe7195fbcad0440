"""AWS JSON 1.1 over HTTP: target dispatch, SigV4, model validation, the error envelope.

This is the only place where a ``ServiceError`` becomes an HTTP response.

A request is judged in an order that never lets a stranger make the server hold much:
its headers are authenticated first (no body read: an unsigned or unknown-key request is
refused at once and its connection closed), then the body is read up to
``MAX_BODY_BYTES``, hashed as it streams in, and only then is the signature checked over
that hash. The body is JSON only if it is UTF-8 text, nested less deeply than Python's
parser allows (about 900 levels; AWS's parser stops at 1,000) and free of the
``NaN``/``Infinity`` literals JSON does not have; anything else is a
``SerializationException``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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
from cognito_import.protocol.keys import AccessKey, Caller
from cognito_import.protocol.shapes import service_model, shape_output, validate_input
from cognito_import.protocol.sigv4 import check_headers

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

    caller: Caller
    request_id: str
    now: float

    @property
    def account(self) -> str:
        return self.caller.key.account

    @property
    def region(self) -> str:
        return self.caller.region


@dataclass(frozen=True)
class Encoded:
    """A response body a handler has already shaped and encoded (with ``encode``), for a
    response that is mostly the same bytes on every call."""

    body: bytes


def encode(service_model_name: str, operation: str, result: dict[str, Any]) -> str:
    """The response body the endpoint sends for ``result``."""
    model = service_model(service_model_name).operation_model(operation)
    return json.dumps(shape_output(model, result), ensure_ascii=False)


Handler = Callable[[Context, dict[str, Any]], dict[str, Any] | Encoded]


@dataclass(frozen=True)
class JsonService:
    """One AWS JSON service: its target prefix, model and signing name, and handlers.

    Handlers named in ``reads`` run on the event loop: they only do short reads (a WAL
    reader never waits for the writer), and the hop to a worker thread and back would
    cost more than the read itself. Every other handler runs in the threadpool, so a
    write waiting for the database lock never stalls the loop. A read that finds it must
    write after all (a job past its expiry) calls ``about_to_write()`` first.
    """

    target_prefix: str
    model_name: str
    signing_name: str
    handlers: Mapping[str, Handler]
    reads: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = self.reads - self.handlers.keys()
        if unknown:
            raise ValueError(f"reads name operations without handlers: {sorted(unknown)}")


_ON_LOOP: ContextVar[bool] = ContextVar("cognito_import_on_loop", default=False)


class _MustWrite(Exception):
    """A read handler on the event loop is about to write; nothing is written yet."""


def on_event_loop() -> bool:
    """Whether the handler runs on the event loop (a read of ``JsonService.reads``): a
    handler that must check whether its work is short before it starts can skip the
    check (a database round trip) everywhere else."""
    return _ON_LOOP.get()


def about_to_write() -> None:
    """Called by a handler just before it writes. On the event loop, this abandons the
    handler, which the endpoint then runs again from the start in the threadpool: waiting
    there for the database's write lock (the worker's batch) stalls no other request."""
    if _ON_LOOP.get():
        raise _MustWrite


async def _run(
    service: JsonService, operation: str, ctx: Context, p: dict[str, Any]
) -> dict[str, Any] | Encoded:
    handler = service.handlers[operation]
    if operation in service.reads:
        token = _ON_LOOP.set(True)
        try:
            return handler(ctx, p)
        except _MustWrite:
            pass
        finally:
            # Reset before the threadpool copies this context into its thread.
            _ON_LOOP.reset(token)
    return await run_in_threadpool(handler, ctx, p)


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
        prefix, _, operation = target.rpartition(".")
        service = self.services.get(prefix)
        now = self.clock.now()
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
        caller = pending.verify(body_sha256)
        if service is None or operation not in service.handlers:
            raise UnknownOperationException(f"Operation {target or '(none)'} is not supported.")
        data = parse_json(body)
        model = service_model(service.model_name).operation_model(operation)
        params = validate_input(model, data)
        context = Context(caller=caller, request_id=request_id, now=now)
        try:
            result = await _run(service, operation, context, params)
        except DatabaseUnavailable:
            log.warning("request %s met a lost database connection", request_id)
            raise unavailable(service.model_name) from None
        if isinstance(result, Encoded):
            payload = result.body
        else:
            payload = json.dumps(shape_output(model, result), ensure_ascii=False).encode("utf-8")
        return Response(
            payload,
            media_type=CONTENT_TYPE,
            headers={"x-amzn-RequestId": request_id},
        )
