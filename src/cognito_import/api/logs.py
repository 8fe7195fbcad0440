"""The CloudWatch Logs subset that shows import results: DescribeLogGroups,
DescribeLogStreams, GetLogEvents and FilterLogEvents.

Group ``/aws/cognito/userpools/<poolId>/<poolName>``, stream ``<jobId>/<jobName>``, one
event per data line, numbered with the header as line 1. No user data, as in Cognito.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain.jobs import ImportJob
from cognito_import.domain.log_events import FilterPattern, LogEvent, iter_events
from cognito_import.domain.pools import Pool
from cognito_import.errors import InvalidParameterException, ResourceNotFoundException
from cognito_import.protocol.awsjson import Context
from cognito_import.runtime import Runtime

GROUP_PREFIX = "/aws/cognito/userpools/"
_MAX_LINE = 2**62


def group_name(pool: Pool) -> str:
    return f"{GROUP_PREFIX}{pool.id}/{pool.name}"


def stream_name(job: ImportJob) -> str:
    return f"{job.job_id}/{job.name}"


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


class _Logs:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def groups(self, ctx: Context) -> list[tuple[Pool, list[ImportJob]]]:
        """The caller's pools that have a log: those with at least one started job."""
        found = []
        for pool in self.rt.store.pools.list_pools(ctx.account, ctx.region, None, 1_000_000):
            started = [
                j
                for j in self.rt.store.jobs.list_jobs(pool.id, None, 1_000_000)
                if j.started is not None
            ]
            if started:
                found.append((pool, sorted(started, key=lambda j: (j.started or 0, j.job_id))))
        return found

    def group(self, ctx: Context, p: dict[str, Any]) -> tuple[Pool, list[ImportJob]]:
        name = p.get("logGroupName") or p.get("logGroupIdentifier")
        if not name:
            raise InvalidParameterException(
                "Either logGroupName or logGroupIdentifier is required."
            )
        name = str(name).rsplit(":log-group:", 1)[-1].removesuffix(":*")
        for pool, jobs in self.groups(ctx):
            if group_name(pool) == name:
                return pool, jobs
        raise ResourceNotFoundException("The specified log group does not exist.")

    def events(
        self, job: ImportJob, after: int, before: int, forward: bool, p: dict[str, Any]
    ) -> Iterator[LogEvent]:
        """Events with after < line < before, in the given direction, within the
        request's startTime/endTime."""
        jobs = self.rt.store.jobs
        start_ms, end_ms = p.get("startTime"), p.get("endTime")
        batches = jobs.batches(job.job_id)
        if not forward:
            batches = list(reversed(batches))
        for batch in batches:
            first, last, committed = batch
            stamp = int(committed * 1000)
            if (start_ms is not None and stamp < start_ms) or (
                end_ms is not None and stamp >= end_ms
            ):
                continue
            lo, hi = max(first, after + 1), min(last, before - 1)
            if lo > hi:
                continue
            outcomes = {o.line: (o.outcome, o.reason) for o in jobs.outcomes(job.job_id, lo, hi)}
            yield from iter_events([batch], outcomes, lo, hi, forward)


def describe_log_groups(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    prefix = p.get("logGroupNamePrefix", "")
    items = []
    for pool, jobs in _Logs(rt).groups(ctx):
        name = group_name(pool)
        if not name.startswith(prefix):
            continue
        arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{name}"
        items.append(
            {
                "logGroupName": name,
                "creationTime": _ms(jobs[0].started),
                "metricFilterCount": 0,
                "arn": arn + ":*",
                "storedBytes": 0,
                "logGroupClass": "STANDARD",
                "logGroupArn": arn,
            }
        )
    items.sort(key=lambda g: str(g["logGroupName"]))
    return _page(rt, f"groups/{ctx.account}", items, p, 50)


def describe_log_streams(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, jobs = _Logs(rt).group(ctx, p)
    prefix = p.get("logStreamNamePrefix", "")
    items = []
    for job in jobs:
        name = stream_name(job)
        if not name.startswith(prefix):
            continue
        batches = rt.store.jobs.batches(job.job_id)
        first = _ms(batches[0][2]) if batches else None
        last = _ms(batches[-1][2]) if batches else None
        items.append(
            {
                "logStreamName": name,
                "creationTime": _ms(job.started),
                "firstEventTimestamp": first,
                "lastEventTimestamp": last,
                "lastIngestionTime": last,
                "arn": f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:"
                f"{group_name(pool)}:log-stream:{name}",
                "storedBytes": 0,
            }
        )
    if p.get("orderBy") == "LastEventTime":
        items.sort(key=lambda s: int(s["lastEventTimestamp"] or 0))
    else:
        items.sort(key=lambda s: str(s["logStreamName"]))
    if p.get("descending"):
        items.reverse()
    return _page(rt, f"streams/{group_name(pool)}", items, p, 50)


def get_log_events(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _, jobs = _Logs(rt).group(ctx, p)
    job = next((j for j in jobs if stream_name(j) == p["logStreamName"]), None)
    if job is None:
        raise ResourceNotFoundException("The specified log stream does not exist.")
    limit = p.get("limit", 10_000)
    token = p.get("nextToken")
    if token is None:
        forward = bool(p.get("startFromHead", False))
        mark = 0 if forward else _MAX_LINE
    else:
        kind, _, number = str(token).partition("/")
        # ASCII digits only ("²".isdigit() is true, int() refuses it), and few enough
        # for a database integer: lines never reach 10**18.
        digits = number.isascii() and number.isdigit() and len(number) <= 18
        if kind not in ("f", "b") or not digits:
            raise InvalidParameterException("The specified nextToken is invalid.")
        forward, mark = kind == "f", int(number)
    found: list[LogEvent] = []
    source = (
        _Logs(rt).events(job, mark, _MAX_LINE, True, p)
        if forward
        else _Logs(rt).events(job, 0, mark, False, p)
    )
    for event in source:
        found.append(event)
        if len(found) >= limit:
            break
    if not forward:
        found.reverse()
    if found:
        fwd, back = f"f/{found[-1].line}", f"b/{found[0].line}"
    else:
        # At either end AWS hands back the token it was given.
        fwd, back = (f"f/{mark}", f"b/{mark + 1}") if forward else (f"f/{mark - 1}", f"b/{mark}")
    return {
        "events": [
            {"timestamp": e.timestamp_ms, "message": e.message, "ingestionTime": e.timestamp_ms}
            for e in found
        ],
        "nextForwardToken": fwd,
        "nextBackwardToken": back,
    }


def filter_log_events(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool, jobs = _Logs(rt).group(ctx, p)
    names = p.get("logStreamNames")
    prefix = p.get("logStreamNamePrefix", "")
    selected = [
        j
        for j in jobs
        if (names is None or stream_name(j) in names) and stream_name(j).startswith(prefix)
    ]
    pattern = FilterPattern.parse(p.get("filterPattern", ""))
    limit = p.get("limit", 10_000)
    scope = f"filter/{group_name(pool)}"
    start_job, start_line = "", 0
    if "nextToken" in p:
        start_job, start_line = decode_token(
            rt.token_secret, scope, p["nextToken"], "The specified nextToken is invalid."
        )
    events: list[dict[str, Any]] = []
    next_token = None
    skipping = bool(start_job)
    # The token names the last event returned, which may be in an earlier stream
    # than the event that did not fit: the next page resumes right after it.
    last: list[object] = []
    for job in selected:
        if skipping and job.job_id != start_job:
            continue
        after = start_line if skipping else 0
        skipping = False
        for event in _Logs(rt).events(job, after, _MAX_LINE, True, p):
            if not pattern.matches(event.message):
                continue
            if len(events) >= limit:
                next_token = encode_token(rt.token_secret, scope, last)
                break
            last = [job.job_id, event.line]
            events.append(
                {
                    "logStreamName": stream_name(job),
                    "timestamp": event.timestamp_ms,
                    "message": event.message,
                    "ingestionTime": event.timestamp_ms,
                    "eventId": f"{job.job_id}-{event.line:012d}",
                }
            )
        if next_token:
            break
    result: dict[str, Any] = {
        "events": events,
        "searchedLogStreams": [
            {"logStreamName": stream_name(j), "searchedCompletely": next_token is None}
            for j in selected
        ],
    }
    if next_token:
        result["nextToken"] = next_token
    return result


def _page(
    rt: Runtime, scope: str, items: list[dict[str, Any]], p: dict[str, Any], default: int
) -> dict[str, Any]:
    start = 0
    if "nextToken" in p:
        start = int(
            decode_token(
                rt.token_secret, scope, p["nextToken"], "The specified nextToken is invalid."
            )[0]
        )
    limit = p.get("limit", default)
    key = "logGroups" if scope.startswith("groups/") else "logStreams"
    result: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        result["nextToken"] = encode_token(rt.token_secret, scope, [start + limit])
    return result
