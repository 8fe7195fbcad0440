"""Issue 12's security cases over the wire: what the signature must cover, the bound on
the body (read only after the headers authenticate), and a client that hangs up.

Each refusal is shown to change nothing: the pool the request aimed at is still there,
or the account holds what it held before.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cognito_import.protocol.awsjson import MAX_BODY_BYTES
from tests.api import (
    COGNITO_TARGET,
    JSON_CONTENT_TYPE,
    account_state,
    call,
    envelope,
    refused,
    sign,
)
from tests.engine.helpers import create_job
from tests.live import TEST_KEY, LiveServer


def signed_over(server: LiveServer, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """Headers of a request signed over ``headers`` only (plus host and x-amz-date)."""
    request = AWSRequest(method="POST", url=server.url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(TEST_KEY.key_id, TEST_KEY.secret), "cognito-idp", "us-east-1").add_auth(
        request
    )
    return dict(request.prepare().headers.items())


def test_a_target_outside_the_signature_is_refused(server: LiveServer, cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    body = json.dumps({"UserPoolId": pool}).encode()
    # A captured DescribeUserPool signed over host;x-amz-date only, replayed as a delete.
    headers = signed_over(server, body, {})
    assert "x-amz-target" not in headers["Authorization"]
    headers |= {"X-Amz-Target": COGNITO_TARGET + "DeleteUserPool"}
    response = httpx.post(server.url + "/", content=body, headers=headers)
    assert envelope(response) == (
        400,
        {
            "__type": "InvalidSignatureException",
            "message": "There were headers present in the request which were not signed: "
            "x-amz-target",
        },
    )
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"X-Amz-Security-Token": "t"}, "x-amz-security-token"),
        ({"x-amz-anything": "1", "X-Amz-User-Agent": "u"}, "x-amz-anything, x-amz-user-agent"),
    ],
)
def test_amz_headers_must_be_signed(
    server: LiveServer, cognito: Any, extra: dict[str, str], named: str
) -> None:
    before = account_state(cognito)
    body = json.dumps({"PoolName": "never"}).encode()
    headers = signed_over(server, body, {"X-Amz-Target": COGNITO_TARGET + "CreateUserPool"})
    response = httpx.post(server.url + "/", content=body, headers=headers | extra)
    status, error = envelope(response)
    assert (status, error["__type"]) == (400, "InvalidSignatureException")
    assert (
        error["message"]
        == f"There were headers present in the request which were not signed: {named}"
    )
    assert account_state(cognito) == before


def test_a_body_over_the_limit_is_refused_unread(server: LiveServer, cognito: Any) -> None:
    before = account_state(cognito)
    body = json.dumps({"PoolName": "big", "Padding": "x" * MAX_BODY_BYTES}).encode()
    response = httpx.post(
        server.url + "/", content=body, headers=signed_over(server, body, _target("CreateUserPool"))
    )
    assert envelope(response) == (
        413,
        {
            "__type": "RequestEntityTooLargeException",
            "message": "The request body is larger than the 1,048,576 bytes this service accepts.",
        },
    )
    assert response.headers["connection"] == "close"
    assert account_state(cognito) == before


def test_a_chunked_body_is_bounded_as_it_streams(server: LiveServer, cognito: Any) -> None:
    before = account_state(cognito)
    chunk = b" " * 65536

    def chunks() -> Any:
        yield b'{"PoolName": "big"'
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk
        yield b"}"

    # Signed over an empty body: the bound is hit before the signature is checked.
    headers = signed_over(server, b"", _target("CreateUserPool"))
    headers.pop("Content-Length", None)
    response = httpx.post(server.url + "/", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"
    assert account_state(cognito) == before


def test_a_body_at_the_limit_is_read(server: LiveServer, cognito: Any) -> None:
    prefix = b'{"PoolName": "fits", "Padding": "'
    body = prefix + b"x" * (MAX_BODY_BYTES - len(prefix) - 2) + b'"}'
    assert len(body) == MAX_BODY_BYTES
    response = httpx.post(
        server.url + "/", content=body, headers=signed_over(server, body, _target("CreateUserPool"))
    )
    assert response.status_code == 200, response.text


def test_an_unsigned_request_is_refused_before_its_body(server: LiveServer) -> None:
    # The body never finishes: the refusal must come from the headers alone.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 536870912\r\n"
            b"X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n\r\n{"
        )
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        assert answer.status == 400
        assert answer.getheader("x-amzn-ErrorType") == "MissingAuthenticationTokenException:"
        assert answer.getheader("connection") == "close"


def test_a_client_hanging_up_mid_body_is_one_log_line(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"MaxResults": 10}).encode()
    headers = sign(server, COGNITO_TARGET + "ListUserPools", body).prepare().headers
    caplog.set_level(logging.INFO, logger="cognito_import")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST / HTTP/1.1\r\n{head}\r\n".encode() + body[:5])
    # The next request on another connection is answered once the first is dealt with.
    assert call(server, "ListUserPools", {"MaxResults": 10}).status_code == 200
    for _ in range(100):
        if any("disconnected" in r.getMessage() for r in caplog.records):
            break
        time.sleep(0.02)
    ours = [r for r in caplog.records if r.name.startswith("cognito_import")]
    assert [r.levelname for r in ours if "disconnected" in r.getMessage()] == ["INFO"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_an_unsigned_content_type_is_accepted(server: LiveServer, cognito: Any) -> None:
    # As the AWS SDK for JavaScript v2 sends every request: Content-Type is outside
    # its signature (and changes nothing here), X-Amz-Target inside.
    body = json.dumps({"PoolName": "js-v2"}).encode()
    headers = signed_over(server, body, {"X-Amz-Target": COGNITO_TARGET + "CreateUserPool"})
    assert "content-type" not in headers["Authorization"]
    response = httpx.post(
        server.url + "/", content=body, headers=headers | {"Content-Type": JSON_CONTENT_TYPE}
    )
    assert response.status_code == 200, response.text
    assert [p["Name"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]] == ["js-v2"]


def _target(operation: str) -> dict[str, str]:
    return {"X-Amz-Target": COGNITO_TARGET + operation, "Content-Type": JSON_CONTENT_TYPE}


@pytest.mark.parametrize("repeated", ["X-Amz-Signature", "X-Amz-Date", "X-Amz-Credential"])
def test_a_repeated_presign_parameter_is_refused(cognito: Any, repeated: str) -> None:
    pool = cognito.create_user_pool(PoolName="uploads", AutoVerifiedAttributes=["email"])
    pool_id = pool["UserPool"]["Id"]
    job = create_job(cognito, pool_id)
    url = job["PreSignedUrl"]
    own = parse_qs(urlsplit(url).query)[repeated][0]
    # The URL's own value, then a second one: which would be checked is not for us to guess.
    response = httpx.put(
        f"{url}&{repeated}={quote(own, safe='')}",
        content=b"cognito:username\nx\n",
        headers={"x-amz-server-side-encryption": "aws:kms"},
    )
    assert response.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in response.text
    assert f"parameter {repeated} is repeated" in response.text
    assert refused(
        lambda: cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    ) == (
        "PreconditionNotMetException",
        400,
        f"No csv file was uploaded for {job['JobId']}",
    )
