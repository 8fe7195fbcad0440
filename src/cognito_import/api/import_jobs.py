"""GetCSVHeader and the five import-job operations."""

from __future__ import annotations

import functools
from typing import Any

from cognito_import.api.pools import require_pool
from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain import jobs as J
from cognito_import.domain.attributes import PASSWORD_HASH_COLUMN
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.pools import Pool
from cognito_import.domain.rows import POOL_WITHOUT_AUTO_VERIFIED, can_import
from cognito_import.errors import (
    InvalidParameterException,
    LimitExceededException,
    PreconditionNotMetException,
    ResourceNotFoundException,
)
from cognito_import.protocol.awsjson import Context
from cognito_import.protocol.keys import AccessKey
from cognito_import.protocol.presign import presign_upload_url
from cognito_import.runtime import Runtime

UPLOAD_PATH = "/uploads/{account}/{pool}/{job}"


@functools.lru_cache(maxsize=4096)
def _upload_url(base_url: str, path: str, key: AccessKey, region: str, created: float) -> str:
    # Deterministic in its arguments, and signing costs ~80 µs: a page of 60 jobs would
    # spend most of its time here. The key is part of the cache key, so a changed secret
    # signs anew.
    return presign_upload_url(base_url, path, key, region, created)


def job_wire(rt: Runtime, job: ImportJob) -> dict[str, Any]:
    key = rt.keys.get(job.presign_key)
    url = ""
    if key is not None:
        # Signed from the creation time: the same URL on every read, and it stops working
        # 899 seconds after creation, as AWS's does.
        path = UPLOAD_PATH.format(account=job.account, pool=job.pool_id, job=job.job_id)
        url = _upload_url(rt.settings.base_url(), path, key, job.region, job.created)
    return {
        "JobName": job.name,
        "JobId": job.job_id,
        "UserPoolId": job.pool_id,
        "PreSignedUrl": url,
        "CreationDate": job.created,
        "StartDate": job.started,
        "CompletionDate": job.completed,
        "Status": job.status,
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
        "CompletionMessage": job.message,
        "PasswordHashingAlgorithm": job.hash_algorithm,
    }


def expire_if_due(rt: Runtime, job: ImportJob, now: float) -> ImportJob:
    """Expiry is checked on every read as well as by the worker, so no job is ever seen
    ``Created`` past its time, however idle the server."""
    if not job.is_expired(now, rt.settings.job_expiry):
        return job
    expired = rt.store.jobs.expire(job.job_id, now)
    if expired is None:
        # Someone else moved the job first (a Start that read it just before its expiry
        # time, or the worker's expiry): its upload is not ours to delete.
        return rt.store.jobs.get_job(job.job_id) or job
    rt.blobs.delete(job.job_id)
    return expired


def require_job(rt: Runtime, ctx: Context, pool: Pool, job_id: str) -> ImportJob:
    job = rt.store.jobs.get_job(job_id)
    if job is None or job.pool_id != pool.id or job.account != ctx.account:
        raise ResourceNotFoundException(f"Import job {job_id} does not exist.")
    return expire_if_due(rt, job, ctx.now)


def csv_header(pool: Pool, with_hash: bool = False) -> list[str]:
    header = pool.config.csv_header()
    return [*header, PASSWORD_HASH_COLUMN] if with_hash else header


def get_csv_header(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": csv_header(pool)}


def create_user_import_job(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    job = ImportJob(
        job_id=J.JOB_ID_PREFIX + rt.ids.alphanumeric(J.JOB_ID_RANDOM_LENGTH),
        account=ctx.account,
        region=ctx.region,
        pool_id=pool.id,
        name=p["JobName"],
        role_arn=p["CloudWatchLogsRoleArn"],
        status=J.CREATED,
        created=ctx.now,
        presign_key=ctx.signer.key.key_id,
        hash_algorithm=p.get("PasswordHashingAlgorithm"),
    )
    if not rt.store.jobs.insert_job(job, J.MAX_JOBS_PER_POOL):
        raise LimitExceededException(
            f"The user pool {pool.id} has reached its limit of "
            f"{J.MAX_JOBS_PER_POOL} user import jobs."
        )
    return {"UserImportJob": job_wire(rt, job)}


def describe_user_import_job(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    return {"UserImportJob": job_wire(rt, require_job(rt, ctx, pool, p["JobId"]))}


def list_user_import_jobs(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    scope = f"jobs/{pool.id}"
    before = None
    if "PaginationToken" in p:
        created, job_id = decode_token(
            rt.token_secret, scope, p["PaginationToken"], "Invalid pagination token."
        )
        before = (float(created), str(job_id))
    limit = p["MaxResults"]
    page = rt.store.jobs.list_jobs(pool.id, before, limit + 1)
    items = [job_wire(rt, expire_if_due(rt, job, ctx.now)) for job in page[:limit]]
    result: dict[str, Any] = {"UserImportJobs": items}
    if len(page) > limit:
        last = page[limit - 1]
        result["PaginationToken"] = encode_token(
            rt.token_secret, scope, [last.created, last.job_id]
        )
    return result


def start_user_import_job(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    job = require_job(rt, ctx, pool, p["JobId"])
    if job.status == J.CREATED and job.upload_size is None:
        raise PreconditionNotMetException(f"No csv file was uploaded for {job.job_id}")
    if job.status == J.CREATED and not can_import(pool.config):
        # The guide: without an auto-verified attribute the import job will not start.
        raise InvalidParameterException(POOL_WITHOUT_AUTO_VERIFIED)
    started = rt.store.jobs.transition(
        job.job_id, [J.CREATED], uploaded=True, status=J.PENDING, started=ctx.now
    )
    if started is None:
        current = rt.store.jobs.get_job(job.job_id) or job
        raise PreconditionNotMetException(
            f"Import job {job.job_id} cannot be started: its status is {current.status}."
        )
    rt.wake.set()
    return {"UserImportJob": job_wire(rt, started)}


def stop_user_import_job(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    job = require_job(rt, ctx, pool, p["JobId"])
    stopped = rt.store.jobs.transition(
        job.job_id,
        [J.PENDING],
        status=J.STOPPED,
        completed=ctx.now,
        message=J.MSG_STOPPED,
    )
    if stopped is not None:
        # No worker ever had it, and a stopped job never restarts: its CSV is done with.
        rt.blobs.delete(job.job_id)
    else:
        stopped = rt.store.jobs.transition(
            job.job_id, [J.IN_PROGRESS], status=J.STOPPING, stop_requested=1
        )
    if stopped is None:
        current = rt.store.jobs.get_job(job.job_id) or job
        raise PreconditionNotMetException(
            f"Import job {job.job_id} cannot be stopped: its status is {current.status}."
        )
    rt.wake.set()
    return {"UserImportJob": job_wire(rt, stopped)}
