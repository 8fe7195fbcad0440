"""Issue 2 over the wire: pools, users, protocol and auth against a live server.

The helpers here are the few every module of this package needs: reading a boto3 error
exactly, snapshotting what a pool or account holds (to prove an error changed nothing),
and signing raw requests with botocore's signer for the cases boto3 cannot produce.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from cognito_import.protocol.keys import AccessKey
from tests.live import TEST_KEY, LiveServer

COGNITO_TARGET = "AWSCognitoIdentityProviderService."
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def error_of(exc: ClientError) -> tuple[str, int, str]:
    """``(code, HTTP status, message)`` of a botocore error, for one exact comparison."""
    return (
        exc.response["Error"]["Code"],
        exc.response["ResponseMetadata"]["HTTPStatusCode"],
        exc.response["Error"]["Message"],
    )


def refused(call: Callable[[], object]) -> tuple[str, int, str]:
    """``error_of`` the ClientError that ``call`` must raise."""
    try:
        call()
    except ClientError as exc:
        return error_of(exc)
    raise AssertionError("the call succeeded")


def all_pools(client: Any) -> list[dict[str, Any]]:
    """Every pool the client's account sees in its region, following NextToken."""
    pools: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"MaxResults": 60}
    while True:
        page = client.list_user_pools(**kwargs)
        pools.extend(page["UserPools"])
        if "NextToken" not in page:
            return pools
        kwargs["NextToken"] = page["NextToken"]


def all_users(client: Any, pool_id: str) -> list[dict[str, Any]]:
    """Every user of a pool, following PaginationToken."""
    users: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id}
    while True:
        page = client.list_users(**kwargs)
        users.extend(page["Users"])
        if "PaginationToken" not in page:
            return users
        kwargs["PaginationToken"] = page["PaginationToken"]


def account_state(client: Any) -> dict[str, Any]:
    """Everything the account holds in the client's region: pools as described, and
    their users. Equal before and after a refused request means nothing was written."""
    state: dict[str, Any] = {}
    for pool in all_pools(client):
        described = client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        state[pool["Id"]] = {"pool": described, "users": all_users(client, pool["Id"])}
    return state


def sign(
    server: LiveServer,
    target: str,
    body: bytes,
    *,
    key: AccessKey = TEST_KEY,
    region: str = "us-east-1",
    service: str = "cognito-idp",
    headers: Mapping[str, str] | None = None,
) -> AWSRequest:
    """A request to the JSON endpoint, signed by botocore exactly as boto3 signs it."""
    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": target, **(headers or {})},
    )
    SigV4Auth(Credentials(key.key_id, key.secret), service, region).add_auth(request)
    return request


def send(server: LiveServer, request: AWSRequest, body: bytes | None = None) -> httpx.Response:
    """Send a prepared request as is, or with ``body`` swapped in after signing."""
    prepared = request.prepare()
    headers = dict(prepared.headers.items())
    if body is not None:
        # Content-Length is not signed; httpx sets the one the new body needs.
        headers.pop("Content-Length", None)
    return httpx.post(
        server.url + "/",
        content=prepared.body if body is None else body,
        headers=headers,
        timeout=10,
    )


def call(
    server: LiveServer, operation: str, params: Any, *, key: AccessKey = TEST_KEY
) -> httpx.Response:
    """A signed cognito-idp call with a JSON body built from ``params`` (any JSON value)."""
    body = json.dumps(params).encode()
    return send(server, sign(server, COGNITO_TARGET + operation, body, key=key))


def envelope(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of an error response."""
    body: dict[str, Any] = response.json()
    return response.status_code, body
