"""CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool."""

from __future__ import annotations

from typing import Any

from cognito_import.api.tokens import decode_token, encode_token
from cognito_import.domain.pool_rules import (
    config_from_request,
    describe_pool,
    new_pool_id,
    pool_summary,
)
from cognito_import.domain.pools import Pool
from cognito_import.errors import InvalidParameterException, ResourceNotFoundException
from cognito_import.protocol.awsjson import Context, Encoded, encode
from cognito_import.runtime import Runtime


def pool_not_found(pool_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"User pool {pool_id} does not exist.")


def require_pool(rt: Runtime, ctx: Context, pool_id: str) -> Pool:
    """The caller's pool, or AWS's not-found error (another account's pool included).

    A pool lives in one region: signed for another region, a request cannot see it, as
    at AWS where each region is its own endpoint (and as ListUserPools already shows).
    """
    return visible(rt.store.pools.get_pool(ctx.account, pool_id), ctx, pool_id)


def visible(pool: Pool | None, ctx: Context, pool_id: str) -> Pool:
    """``pool`` as read for the caller's account, if the caller's region can see it."""
    if pool is None or pool.region != ctx.region:
        raise pool_not_found(pool_id)
    return pool


# A pool never changes once created but for its user count: DescribeUserPool's body is
# shaped and encoded once, around that count (two thirds of the call's time otherwise).
_COUNT_KEY = b'"EstimatedNumberOfUsers":'
_SENTINEL = 987_654_321_987_654_321
_templates: dict[tuple[str, float, float], tuple[bytes, bytes]] = {}


def _described(pool: Pool) -> tuple[bytes, bytes]:
    """DescribeUserPool's body for ``pool``, cut where the user count goes."""
    key = (pool.id, pool.created, pool.modified)
    found = _templates.get(key)
    if found is None:
        body = encode(
            "cognito-idp", "DescribeUserPool", {"UserPool": describe_pool(pool, _SENTINEL)}
        )
        # The key, unescaped, can only be the member itself: in a string it would be \".
        head, tail = body.split(_COUNT_KEY + str(_SENTINEL).encode())
        found = (head + _COUNT_KEY, tail)
        if len(_templates) >= 4096:
            _templates.clear()
        _templates[key] = found
    return found


def create_user_pool(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    config, settings = config_from_request(p)
    pool = Pool(
        id=new_pool_id(ctx.region, rt.ids.alphanumeric),
        name=p["PoolName"],
        account=ctx.account,
        region=ctx.region,
        created=ctx.now,
        modified=ctx.now,
        config=config,
        settings=settings,
    )
    rt.store.pools.insert_pool(pool)
    return {"UserPool": describe_pool(pool, 0)}


def describe_user_pool(rt: Runtime, ctx: Context, p: dict[str, Any]) -> Encoded:
    pool_id = p["UserPoolId"]
    pool, count = rt.store.pools.get_pool_counted(ctx.account, pool_id) or (None, 0)
    head, tail = _described(visible(pool, ctx, pool_id))
    return Encoded(head + str(count).encode() + tail)


def list_user_pools(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    scope = f"pools/{ctx.account}/{ctx.region}"
    after = None
    if "NextToken" in p:
        after = decode_token(rt.token_secret, scope, p["NextToken"], "Invalid NextToken.")[0]
    limit = p["MaxResults"]
    pools = rt.store.pools.list_pools(ctx.account, ctx.region, after, limit + 1)
    result: dict[str, Any] = {"UserPools": [pool_summary(x) for x in pools[:limit]]}
    if len(pools) > limit:
        result["NextToken"] = encode_token(rt.token_secret, scope, [pools[limit - 1].id])
    return result


def delete_user_pool(rt: Runtime, ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pool = require_pool(rt, ctx, p["UserPoolId"])
    if pool.settings.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    for job in rt.store.jobs.list_jobs(pool.id, None, 1_000_000):
        rt.blobs.delete(job.job_id)
    rt.store.pools.delete_pool(ctx.account, pool.id)
    return {}
