"""SigV4 verification against requests signed by botocore itself, the signer real clients use."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

from cognito_import.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    S3Error,
    UnrecognizedClientException,
)
from cognito_import.protocol.sigv4 import (
    AccessKey,
    Caller,
    format_amz_date,
    parse_access_keys,
    presign_upload_url,
    verify_presigned,
    verify_request,
)

KEY = AccessKey("AKIDTESTKEY00001", "s3cr3t/Key+With=Chars", "123456789012")
OTHER = AccessKey("AKIDTESTKEY00002", "other-secret", "210987654321")
KEYS = {KEY.key_id: KEY, OTHER.key_id: OTHER}
SERVICE = "cognito-idp"
ENDPOINT = "http://localhost:9245/"
T0 = dt.datetime(2026, 1, 1, 0, 0, 0)
NOW = calendar.timegm(T0.timetuple())
BODY = b'{"UserPoolId": "us-east-1_abcdefghi", "JobId": "import-AbCdEfGhIj"}'
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
S3_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
UPLOAD_PATH = "/uploads/123456789012/us-east-1_abcdefghi/import-AbCdEfGhIj"
SSE = {"x-amz-server-side-encryption": "aws:kms"}

Signed = tuple[str, str, dict[str, str], bytes]


@pytest.fixture
def freeze(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the clock botocore's signers read (add_auth calls auth.get_current_datetime)."""

    def set_clock(at: dt.datetime) -> None:
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_a, **_k: at)

    return set_clock


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


# --- verify_request -------------------------------------------------------------------------


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


# --- presigned upload URLs ------------------------------------------------------------------


def presign(base_url: str = "http://localhost:9245") -> str:
    return presign_upload_url(base_url, UPLOAD_PATH, KEY, "us-east-1", NOW + 0.6)


def upload_error(
    url: str, headers: dict[str, str], method: str = "PUT", now: float = NOW + 1
) -> tuple[str, str, int]:
    with pytest.raises(S3Error) as caught:
        verify_presigned(method, url, headers, KEYS, now)
    return caught.value.code, caught.value.message, caught.value.status


def host(url: str) -> dict[str, str]:
    return {"Host": urlsplit(url).netloc, **SSE}


def test_presigned_url_has_the_s3_shape() -> None:
    url = presign("http://localhost:9245/prefix/")
    base, _, signature = url.rpartition("&X-Amz-Signature=")
    assert base == (
        f"http://localhost:9245/prefix{UPLOAD_PATH}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIDTESTKEY00001%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=899"
        "&X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption"
    )
    assert len(signature) == 64 and set(signature) <= set("0123456789abcdef")
    assert len(url) <= 2048


def test_presigned_url_equals_the_one_a_real_s3_client_makes(
    freeze: Callable[[dt.datetime], None],
) -> None:
    freeze(T0)
    s3 = boto3.client(
        "s3",
        endpoint_url="http://localhost:9245",
        region_name="us-east-1",
        aws_access_key_id=KEY.key_id,
        aws_secret_access_key=KEY.secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    bucket, _, object_key = UPLOAD_PATH[1:].partition("/")
    params = {"Bucket": bucket, "Key": object_key, "ServerSideEncryption": "aws:kms"}
    assert presign() == s3.generate_presigned_url("put_object", Params=params, ExpiresIn=899)


def test_presigned_round_trip() -> None:
    url = presign()
    assert verify_presigned("PUT", url, host(url), KEYS, NOW + 1) == KEY


def test_presigned_url_lives_899_seconds() -> None:
    url = presign()
    assert verify_presigned("PUT", url, host(url), KEYS, NOW + 898) == KEY
    assert verify_presigned("PUT", url, host(url), KEYS, NOW + 899.9) == KEY
    assert upload_error(url, host(url), now=NOW + 900) == (
        "AccessDenied",
        "Request has expired",
        403,
    )


def test_presigned_url_dated_in_the_future_is_refused() -> None:
    url = presign()
    assert upload_error(url, host(url), now=NOW - 901) == (
        "AccessDenied",
        "Request is not yet valid",
        403,
    )


def test_default_port_is_not_part_of_the_signed_host() -> None:
    url = presign("https://uploads.example.com:443/base")
    assert url.startswith(f"https://uploads.example.com:443/base{UPLOAD_PATH}?")
    headers = {"Host": "uploads.example.com", **SSE}
    assert verify_presigned("PUT", url, headers, KEYS, NOW + 1) == KEY


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda u, h: ("PUT", u, {"Host": h["Host"]}), id="missing-sse-header"),
        pytest.param(
            lambda u, h: ("PUT", u, {**h, "x-amz-server-side-encryption": "AES256"}),
            id="wrong-sse-value",
        ),
        pytest.param(
            lambda u, h: ("PUT", u.replace("X-Amz-Expires=899", "X-Amz-Expires=900"), h),
            id="changed-expires",
        ),
        pytest.param(
            lambda u, h: ("PUT", u.replace("import-AbCdEfGhIj", "import-ZZZZZZZZZZ"), h),
            id="changed-path",
        ),
        pytest.param(lambda u, h: ("PUT", u, {**h, "Host": "evil:9245"}), id="wrong-host"),
        pytest.param(lambda u, h: ("GET", u, h), id="get-instead-of-put"),
        pytest.param(lambda u, h: ("PUT", u + "&extra=1", h), id="added-query-parameter"),
    ],
)
def test_presigned_signature_mismatch(
    tamper: Callable[[str, dict[str, str]], tuple[str, str, dict[str, str]]],
) -> None:
    url = presign()
    method, changed_url, headers = tamper(url, host(url))
    assert upload_error(changed_url, headers, method) == (
        "SignatureDoesNotMatch",
        S3_MISMATCH,
        403,
    )


def test_presigned_unknown_key() -> None:
    stranger = AccessKey("AKIDUNKNOWN00000", KEY.secret, KEY.account)
    url = presign_upload_url("http://localhost:9245", UPLOAD_PATH, stranger, "us-east-1", NOW)
    assert upload_error(url, host(url)) == (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        403,
    )


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda u: u.partition("&X-Amz-Signature=")[0],
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
            "and X-Amz-Expires parameters.",
        ),
        (
            lambda u: u.partition("?")[0],
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
            "and X-Amz-Expires parameters.",
        ),
        (
            lambda u: u.replace("X-Amz-Expires=899", "X-Amz-Expires=604801"),
            "X-Amz-Expires must be less than a week (in seconds) that is; 604800",
        ),
        (
            lambda u: u.replace("X-Amz-Expires=899", "X-Amz-Expires=-1"),
            "X-Amz-Expires must be non-negative",
        ),
        (
            lambda u: u.replace("X-Amz-Expires=899", "X-Amz-Expires=soon"),
            "X-Amz-Expires should be a number",
        ),
        (
            lambda u: u.replace("host%3Bx-amz", "x-amz"),
            "X-Amz-SignedHeaders must include the 'host' header.",
        ),
        (
            lambda u: u.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
        ),
        (
            lambda u: u.replace("%2Fs3%2F", "%2Fcognito-idp%2F"),
            'Error parsing the X-Amz-Credential parameter; incorrect service "cognito-idp". '
            'This endpoint belongs to "s3".',
        ),
        (
            lambda u: u.replace("%2Fus-east-1", ""),
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        ),
        (
            lambda u: u.replace("%2F20260101%2F", "%2F20251231%2F"),
            "Invalid credential date. Date is not the same as X-Amz-Date.",
        ),
        (
            lambda u: u.replace("X-Amz-Date=20260101T000000Z", "X-Amz-Date=2026-01-01"),
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
        ),
    ],
)
def test_presigned_query_parameter_errors(tamper: Callable[[str], str], message: str) -> None:
    url = presign()
    assert upload_error(tamper(url), host(url)) == (
        "AuthorizationQueryParametersError",
        message,
        400,
    )


def test_aws_documented_presigned_url_verifies() -> None:
    # The example from the S3 "Authenticating Requests: Using Query Parameters" documentation.
    key = AccessKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "0" * 12)
    url = (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )
    headers = {"Host": "examplebucket.s3.amazonaws.com"}
    now = calendar.timegm((2013, 5, 24, 12, 0, 0))
    assert verify_presigned("GET", url, headers, {key.key_id: key}, now) == key


@pytest.mark.parametrize(
    ("base_url", "path", "expires", "message"),
    [
        ("localhost:9245", UPLOAD_PATH, 899, "base URL must be http(s)://host[:port][/prefix]"),
        ("http://h/?a=1", UPLOAD_PATH, 899, "base URL must be http(s)://host[:port][/prefix]"),
        ("http://h", "uploads/x", 899, "upload path must start with '/'"),
        ("http://h", UPLOAD_PATH, 604801, "expires must be between 1 and 604800 seconds"),
    ],
)
def test_presign_rejects_bad_arguments(
    base_url: str, path: str, expires: int, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        presign_upload_url(base_url, path, KEY, "us-east-1", NOW, expires)
    assert str(caught.value).startswith(message)


# --- helpers --------------------------------------------------------------------------------


def test_format_amz_date() -> None:
    assert format_amz_date(NOW + 59.999) == "20260101T000059Z"


def test_parse_access_keys() -> None:
    assert parse_access_keys(" AKID1:s3cr3t/x+y , AKID2:other:210987654321") == [
        AccessKey("AKID1", "s3cr3t/x+y", "000000000000"),
        AccessKey("AKID2", "other", "210987654321"),
    ]
    assert parse_access_keys("") == []


def test_access_key_repr_hides_the_secret() -> None:
    assert repr(KEY) == "AccessKey(key_id='AKIDTESTKEY00001', account='123456789012')"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "AKID1",
            "access key entry 1 must look like ID:SECRET[:ACCOUNT] (got 1 ':'-separated fields)",
        ),
        (
            "AKID1:a,AKID2:b:c:d",
            "access key entry 2 must look like ID:SECRET[:ACCOUNT] (got 4 ':'-separated fields)",
        ),
        (
            "AKID1:",
            "access key entry 1: SECRET must not be empty and ID must be non-empty letters, "
            "digits and _.+=-",
        ),
        (
            "AK/ID:x",
            "access key entry 1: SECRET must not be empty and ID must be non-empty letters, "
            "digits and _.+=-",
        ),
        ("AKID1:x:12345", "access key 'AKID1': ACCOUNT must be exactly 12 digits, got '12345'"),
        ("AKID1:x,AKID1:y", "access key 'AKID1' is given more than once"),
    ],
)
def test_parse_access_keys_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_access_keys(spec)
    assert str(caught.value) == message
