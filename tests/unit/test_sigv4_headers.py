"""SigV4 verification of Authorization-header requests (``verify_request``) against
requests signed by botocore itself, the signer real clients use."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

from cognito_import.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from cognito_import.protocol.keys import AccessKey, Caller
from cognito_import.protocol.sigv4 import verify_request
from tests.unit.sigv4_helpers import KEY, KEYS, NOW, OTHER, T0

SERVICE = "cognito-idp"
ENDPOINT = "http://localhost:9245/"
BODY = b'{"UserPoolId": "us-east-1_abcdefghi", "JobId": "import-AbCdEfGhIj"}'
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)

Signed = tuple[str, str, dict[str, str], bytes]


def sign(
    *,
    key: AccessKey = KEY,
    service: str = SERVICE,
    region: str = "us-east-1",
    body: bytes = BODY,
    extra: dict[str, str] | None = None,
    token: str | None = None,
    context: dict[str, Any] | None = None,
) -> Signed:
    """Sign like botocore does for cognito-idp; return what the server would receive."""
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserImportJob",
        **(extra or {}),
    }
    request = AWSRequest(method="POST", url=ENDPOINT, data=body, headers=headers)
    request.context.update(context or {})
    SigV4Auth(Credentials(key.key_id, key.secret, token), service, region).add_auth(request)
    received = dict(request.headers.items())
    received["Host"] = "localhost:9245"  # added by the HTTP client, after signing
    return "POST", ENDPOINT, received, body


def verify(signed: Signed, now: float = NOW, service: str = SERVICE) -> Caller:
    method, url, headers, body = signed
    return verify_request(method, url, headers, body, KEYS, now, service)


def invalid_signature(signed: Signed, now: float = NOW) -> str:
    with pytest.raises(InvalidSignatureException) as caught:
        verify(signed, now)
    assert caught.value.code == "InvalidSignatureException"
    return caught.value.message


def with_header(signed: Signed, name: str, value: str | None) -> Signed:
    method, url, headers, body = signed
    changed = {k: v for k, v in headers.items() if k.lower() != name.lower()}
    if value is not None:
        changed[name] = value
    return method, url, changed, body


def test_request_signed_now_verifies_with_the_real_clock() -> None:
    caller = verify(sign(), now=time.time())
    assert caller == Caller(key=KEY, region="us-east-1", service="cognito-idp")
    assert caller.key.account == "123456789012"


def test_region_comes_from_the_credential_scope(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    assert verify(sign(key=OTHER, region="eu-west-2")) == Caller(OTHER, "eu-west-2", SERVICE)


def test_tampered_body_fails(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    method, url, headers, _ = sign()
    assert invalid_signature((method, url, headers, BODY.replace(b"AbC", b"XyZ"))) == MISMATCH


def test_tampered_signed_header_fails(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    target = "AWSCognitoIdentityProviderService.StartUserImportJob"
    assert invalid_signature(with_header(sign(), "X-Amz-Target", target)) == MISMATCH


def test_unsigned_headers_may_change(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    signed = with_header(sign(extra={"User-Agent": "Boto3/1"}), "User-Agent", "curl/8")
    assert verify(signed).key == KEY


def test_exactly_the_clients_signed_headers_are_used(
    freeze: Callable[[dt.datetime], None],
) -> None:
    # botocore never signs user-agent; other SDKs may. The server must follow the client's list.
    class SignsUserAgent(SigV4Auth):  # type: ignore[misc]
        def headers_to_sign(self, request: Any) -> Any:
            selected = super().headers_to_sign(request)
            selected["user-agent"] = request.headers["User-Agent"]
            return selected

    freeze(T0)
    request = AWSRequest(method="POST", url=ENDPOINT, data=BODY, headers={"User-Agent": "sdk/1"})
    SignsUserAgent(Credentials(KEY.key_id, KEY.secret), SERVICE, "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    assert "SignedHeaders=host;user-agent;x-amz-date," in headers["Authorization"]
    assert verify(("POST", ENDPOINT, headers, BODY)).key == KEY
    tampered = with_header(("POST", ENDPOINT, headers, BODY), "User-Agent", "sdk/2")
    assert invalid_signature(tampered) == MISMATCH


def test_unknown_key_is_unrecognized(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    stranger = AccessKey("AKIDUNKNOWN00000", KEY.secret, KEY.account)
    with pytest.raises(UnrecognizedClientException) as caught:
        verify(sign(key=stranger))
    assert caught.value.message == "The security token included in the request is invalid."


def test_wrong_secret_fails(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    assert invalid_signature(sign(key=AccessKey(KEY.key_id, "not-the-secret", ""))) == MISMATCH


def test_missing_authorization() -> None:
    method, url, headers, body = with_header(sign(), "Authorization", None)
    with pytest.raises(MissingAuthenticationTokenException) as caught:
        verify_request(method, url, headers, body, KEYS, time.time(), SERVICE)
    assert caught.value.message == "Missing Authentication Token"


def test_query_string_authentication_is_refused(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    request = AWSRequest(method="POST", url=ENDPOINT, data=b"")
    SigV4QueryAuth(Credentials(KEY.key_id, KEY.secret), SERVICE, "us-east-1").add_auth(request)
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in request.url
    assert invalid_signature(("POST", request.url, {"Host": "localhost:9245"}, b"")) == (
        "Query-string authentication is not supported by this service; "
        "sign the request with an Authorization header."
    )


def test_credential_scoped_to_another_service(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    assert invalid_signature(sign(service="cognito-identity")) == (
        "Credential should be scoped to correct service: 'cognito-idp'. "
    )


def test_clock_skew_of_exactly_15_minutes_is_accepted(
    freeze: Callable[[dt.datetime], None],
) -> None:
    freeze(T0)
    signed = sign()
    assert verify(signed, now=NOW + 900).key == KEY
    assert verify(signed, now=NOW - 900).key == KEY


def test_signature_16_minutes_old_has_expired(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    assert invalid_signature(sign(), now=NOW + 16 * 60) == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z "
        "(20260101T001600Z - 15 min.)"
    )


def test_signature_16_minutes_ahead_is_not_yet_current(
    freeze: Callable[[dt.datetime], None],
) -> None:
    freeze(T0)
    assert invalid_signature(sign(), now=NOW - 16 * 60 + 0.75) == (
        "Signature not yet current: 20260101T000000Z is still later than 20251231T235900Z "
        "(20251231T234400Z + 15 min.)"
    )


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (
            "Bearer eyJhbGciOi",
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=Bearer eyJhbGciOi",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/us-east-1/cognito-idp/"
            "aws4_request, Signature=abc",
            "Authorization header requires 'SignedHeaders' parameter. Authorization="
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/us-east-1/cognito-idp/"
            "aws4_request, Signature=abc",
        ),
        (
            "AWS4-HMAC-SHA512 Credential=AKIDTESTKEY00001/20260101/us-east-1/cognito-idp/"
            "aws4_request, SignedHeaders=host, Signature=abc",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'; only 'AWS4-HMAC-SHA256' is accepted.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/us-east-1/aws4_request, "
            "SignedHeaders=host, Signature=abc",
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got "
            "'AKIDTESTKEY00001/20260101/us-east-1/aws4_request'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/us-east-1/cognito-idp/aws5, "
            "SignedHeaders=host, Signature=abc",
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5'. ",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/US_EAST/cognito-idp/"
            "aws4_request, SignedHeaders=host, Signature=abc",
            "Credential should be scoped to a valid region, not 'US_EAST'. ",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20251231/us-east-1/cognito-idp/"
            "aws4_request, SignedHeaders=host, Signature=abc",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            "from HTTP: '20251231' != '20260101', from '20260101T000000Z'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY00001/20260101/us-east-1/cognito-idp/"
            "aws4_request, SignedHeaders=content-type;x-amz-date, Signature=abc",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ),
    ],
)
def test_malformed_authorization(authorization: str, message: str) -> None:
    signed = ("POST", ENDPOINT, {"Authorization": authorization, "X-Amz-Date": "20260101T000000Z"})
    assert invalid_signature((*signed, BODY)) == message


def test_missing_date_is_reported_with_the_header(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    signed = with_header(sign(), "X-Amz-Date", None)
    authorization = signed[2]["Authorization"]
    assert invalid_signature(signed) == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={authorization}"
    )


def test_unparsable_date(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    assert invalid_signature(with_header(sign(), "X-Amz-Date", "2026-01-01T00:00:00Z")) == (
        "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def test_date_header_instead_of_x_amz_date(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    signed = sign(extra={"Date": "placeholder"})  # botocore then signs with Date
    assert "X-Amz-Date" not in signed[2]
    assert signed[2]["Date"] == "Thu, 01 Jan 2026 00:00:00 -0000"
    assert verify(signed).key == KEY
    assert invalid_signature(with_header(signed, "Date", "yesterday")) == (
        "Date header must be an RFC 1123 date, got 'yesterday'."
    )


def test_security_token_is_a_signed_header(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    signed = sign(token="FQoGZXIvYXdzEXAMPLETOKEN")
    assert signed[2]["X-Amz-Security-Token"] == "FQoGZXIvYXdzEXAMPLETOKEN"
    assert "x-amz-security-token" in signed[2]["Authorization"]
    assert verify(signed).key == KEY
    forged = with_header(signed, "X-Amz-Security-Token", "FQoGZXIvYXdzFORGED")
    assert invalid_signature(forged) == MISMATCH


def test_content_sha256_header_must_hash_the_real_body(
    freeze: Callable[[dt.datetime], None],
) -> None:
    freeze(T0)
    signed = sign(extra={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    assert verify(signed).key == KEY
    method, url, headers, _ = signed
    assert invalid_signature((method, url, headers, b"{}")) == (
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    )


def test_unsigned_payload_is_refused(freeze: Callable[[dt.datetime], None]) -> None:
    freeze(T0)
    signed = sign(context={"payload_signing_enabled": False})
    assert signed[2]["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert invalid_signature(signed) == (
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    )


def test_aws_sigv4_test_suite_get_vanilla() -> None:
    # From AWS's published SigV4 test suite; an independent check of the whole pipeline.
    key = AccessKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "000000000000")
    headers = {
        "Host": "example.amazonaws.com",
        "X-Amz-Date": "20150830T123600Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    }
    now = calendar.timegm((2015, 8, 30, 12, 36, 0))
    url = "https://example.amazonaws.com/"
    caller = verify_request("GET", url, headers, b"", {key.key_id: key}, now, "service")
    assert caller == Caller(key, "us-east-1", "service")


class _Raw:
    def stream(self) -> Iterator[bytes]:
        yield json.dumps({"UserImportJob": {"JobId": "import-AbCdEfGhIj"}}).encode()


def test_request_from_a_real_boto3_client_verifies() -> None:
    captured: list[Any] = []

    def capture(request: Any, **_: Any) -> AWSResponse:
        captured.append(request)
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r"}
        return AWSResponse(request.url, 200, headers, _Raw())

    client = boto3.client(
        "cognito-idp",
        endpoint_url="http://127.0.0.1:1",
        region_name="ap-southeast-2",
        aws_access_key_id=KEY.key_id,
        aws_secret_access_key=KEY.secret,
        aws_session_token="IQoJb3JpZ2luX2VjEXAMPLE",
        config=Config(retries={"max_attempts": 0}),
    )
    client.meta.events.register("before-send.cognito-idp.*", capture)
    answer = client.describe_user_import_job(UserPoolId="ap-southeast-2_abc", JobId="import-x")
    assert answer["UserImportJob"] == {"JobId": "import-AbCdEfGhIj"}

    [request] = captured
    # By now botocore has encoded most header values to bytes for the socket; a server sees text.
    headers = {
        name: value.decode() if isinstance(value, bytes) else value
        for name, value in request.headers.items()
    }
    assert headers["Authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={KEY.key_id}/{headers['X-Amz-Date'][:8]}/"
        "ap-southeast-2/cognito-idp/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
    )
    body = request.body
    caller = verify_request(request.method, request.url, headers, body, KEYS, time.time(), SERVICE)
    assert caller == Caller(KEY, "ap-southeast-2", "cognito-idp")
    # What the HTTP client adds on the wire (Host) must give the same answer.
    with_host = {**headers, "Host": "127.0.0.1:1"}
    assert verify_request("POST", request.url, with_host, body, KEYS, time.time(), SERVICE)
