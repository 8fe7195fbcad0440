"""boto3 clients for the user tools, the pages they read, and AWS errors as one line.

With ``--endpoint-url`` the clients talk to that server, else to AWS; credentials and
region come from boto3's usual chain (``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``,
``AWS_REGION``, ...), so the same command works against both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Against this server a region is only the signature's scope; the server's own default.
DEFAULT_LOCAL_REGION = "us-east-1"
NO_CREDENTIALS = (
    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the server "
    "prints them at its first start) or AWS_PROFILE"
)
NO_REGION = "no region: pass --region or set AWS_REGION"


class ToolError(Exception):
    """Bad input or a refused call, said in one line; the command exits 1."""


@dataclass(frozen=True)
class Clients:
    cognito: Any
    logs: Any
    endpoint_url: str | None
    region: str


def connect(endpoint_url: str | None, region: str | None) -> Clients:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    name = session.region_name or (DEFAULT_LOCAL_REGION if endpoint_url else None)
    if not name:
        raise ToolError(NO_REGION)
    if session.get_credentials() is None:
        raise ToolError(NO_CREDENTIALS)
    # A few retries ride out AWS's throttling; more would only delay "cannot reach".
    config = Config(
        retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=60
    )
    kw: dict[str, Any] = {"region_name": name, "endpoint_url": endpoint_url, "config": config}
    return Clients(
        session.client("cognito-idp", **kw), session.client("logs", **kw), endpoint_url, name
    )


@contextmanager
def one_line_errors(endpoint_url: str | None) -> Iterator[None]:
    """botocore's exceptions as ToolError: a user sees what went wrong, not a traceback."""
    from botocore import exceptions as bx

    where = endpoint_url or "AWS"
    try:
        yield
    except bx.ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        raise ToolError(f"{exc.operation_name}: {message} ({code})") from None
    except bx.NoCredentialsError:
        raise ToolError(NO_CREDENTIALS) from None
    except bx.NoRegionError:
        raise ToolError(NO_REGION) from None
    except (bx.EndpointConnectionError, bx.ConnectionClosedError) as exc:
        raise ToolError(f"cannot reach {where}: {exc}") from None
    except (bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
        raise ToolError(f"no answer from {where}: {exc}") from None
    except bx.ParamValidationError as exc:
        raise ToolError(str(exc).replace("\n", " ")) from None
    except bx.BotoCoreError as exc:
        raise ToolError(str(exc)) from None


def describe_pool(cognito: Any, pool_id: str) -> dict[str, Any]:
    pool: dict[str, Any] = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    return pool


def list_users(cognito: Any, pool_id: str, attributes: list[str]) -> Iterator[dict[str, Any]]:
    """Every user of the pool (ListUsers pages), with only ``attributes`` when given."""
    request: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 60}
    if attributes:
        request["AttributesToGet"] = attributes
    while True:
        page = cognito.list_users(**request)
        yield from page["Users"]
        token = page.get("PaginationToken")
        if not token:
            return
        request["PaginationToken"] = token


def log_group(pool: dict[str, Any]) -> str:
    return f"/aws/cognito/userpools/{pool['Id']}/{pool['Name']}"


def log_stream(job: dict[str, Any]) -> str:
    return f"{job['JobId']}/{job['JobName']}"


def log_messages(logs: Any, group: str, stream: str) -> Iterator[str]:
    """Every event of a stream, oldest first: GetLogEvents' forward pages until the
    token stops moving (how the API says there is no more)."""
    from botocore.exceptions import ClientError

    request: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": stream,
        "startFromHead": True,
    }
    while True:
        try:
            page = logs.get_log_events(**request)
        except ClientError as exc:
            # A job that logged nothing (failed before its first row) has no stream.
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return
            raise
        for event in page["events"]:
            yield event["message"]
        token = page.get("nextForwardToken")
        if not token or token == request.get("nextToken"):
            return
        request["nextToken"] = token
