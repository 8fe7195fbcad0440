"""The pre-signed upload URL's target: an S3-style PUT verified like S3 verifies it."""

from __future__ import annotations

import contextlib
import logging
import uuid
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cognito_import.blobs import BlobDiscarded, BlobTooLarge
from cognito_import.domain import jobs as J
from cognito_import.errors import DatabaseUnavailable, S3Error
from cognito_import.protocol.presign import SSE_HEADER, SSE_VALUE, verify_presigned
from cognito_import.runtime import Runtime

log = logging.getLogger("cognito_import.upload")


def s3_error(error: S3Error, resource: str, request_id: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>{request_id}</RequestId></Error>"
    )
    return Response(
        body,
        status_code=error.status,
        media_type="application/xml",
        headers={"x-amz-request-id": request_id},
    )


class UploadEndpoint:
    """``PUT /uploads/<account>/<poolId>/<jobId>?X-Amz-...``: stores the job's CSV.

    Refused, with nothing stored, when the signature or expiry fails, when the job is
    not ``Created`` or the URL's account/pool do not match it, or past the size limit.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def handle(self, request: Request) -> Response:
        request_id = uuid.uuid4().hex[:16].upper()
        try:
            try:
                await self._put(request)
            except DatabaseUnavailable:
                # S3's answer when it cannot take a request now; every SDK retries it.
                raise S3Error(
                    "SlowDown", "Please reduce your request rate.", 503, "database connection lost"
                ) from None
        except S3Error as exc:
            # One line per refusal, so a user whose PUT failed can see why; the path
            # names the job, and nothing of the query (the signature) is written.
            why = _refusal(exc, request.headers.get(SSE_HEADER))
            log.warning(
                "refused upload %s: %s (%d %s)", request.url.path, why, exc.status, exc.code
            )
            return s3_error(exc, request.url.path, request_id)
        return Response(
            b"",
            headers={"x-amz-request-id": request_id, "ETag": '"' + request_id.lower() + '"'},
        )

    async def _put(self, request: Request) -> None:
        rt = self.rt
        key = verify_presigned(
            request.method, str(request.url), request.headers, rt.keys, rt.clock.now()
        )
        parts = request.path_params["path"].split("/")
        job = await run_in_threadpool(rt.store.jobs.get_job, parts[-1]) if parts else None
        if (
            len(parts) != 3
            or job is None
            or job.account != parts[0]
            or job.pool_id != parts[1]
            or job.presign_key != key.key_id
        ):
            raise S3Error("NoSuchKey", "The specified key does not exist.", 404)
        if job.status != J.CREATED:
            raise S3Error("AccessDenied", "Access Denied", 403, f"the job is {job.status}")
        declared = request.headers.get("content-length")
        limit = rt.settings.max_upload_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        writer = await run_in_threadpool(rt.blobs.open_writer, job.job_id)
        try:
            async for chunk in request.stream():
                if chunk:
                    # Off the event loop: a slow disk must not stall other requests.
                    await run_in_threadpool(writer.write, chunk, limit)
        except BlobTooLarge:
            writer.discard()
            raise _too_large(limit) from None
        except BaseException:
            writer.discard()
            raise
        # The file lands under a name of its own, recorded only while the job is still
        # Created: a Start racing this PUT keeps the file it saw, and the loser's file
        # (this one, or the one this upload replaces) is deleted.
        try:
            name = await run_in_threadpool(writer.commit)
        except BlobDiscarded:
            raise S3Error("AccessDenied", "Access Denied", 403, "the job ended meanwhile") from None
        except BaseException:
            writer.discard()
            raise
        try:
            recorded, replaced = await run_in_threadpool(
                rt.store.jobs.record_upload, job.job_id, name, writer.size
            )
        except BaseException:
            # Not recorded (the database went away): nobody will ever read it.
            with contextlib.suppress(Exception):
                await run_in_threadpool(rt.blobs.delete_upload, name)
            raise
        if not recorded:
            await run_in_threadpool(rt.blobs.delete_upload, name)
            raise S3Error("AccessDenied", "Access Denied", 403, "the job left Created meanwhile")
        if replaced is not None and replaced != name:
            await run_in_threadpool(rt.blobs.delete_upload, replaced)


def _refusal(error: S3Error, sse: str | None) -> str:
    if error.reason:
        return error.reason
    if error.code == "SignatureDoesNotMatch" and sse != SSE_VALUE:
        return f"{SSE_HEADER} header missing" if sse is None else f"{SSE_HEADER} is not {SSE_VALUE}"
    known = {
        "SignatureDoesNotMatch": "signature does not match",
        "InvalidAccessKeyId": "unknown access key",
        "EntityTooLarge": "too large",
        "NoSuchKey": "no such job",
    }
    return known.get(error.code) or error.message.lower().rstrip(".")


def _too_large(limit: int) -> S3Error:
    return S3Error(
        "EntityTooLarge",
        f"Your proposed upload exceeds the maximum allowed size of {limit} bytes.",
        400,
    )
