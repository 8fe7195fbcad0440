"""SigV4 presigned upload URLs: ``presign_upload_url`` makes the URL a real S3 client
makes, and ``verify_presigned`` answers a tampered, expired or malformed one as S3 does."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from cognito_import.errors import S3Error
from cognito_import.protocol.keys import AccessKey
from cognito_import.protocol.presign import presign_upload_url, verify_presigned
from tests.unit.sigv4_helpers import KEY, KEYS, NOW, T0

S3_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
UPLOAD_PATH = "/uploads/123456789012/us-east-1_abcdefghi/import-AbCdEfGhIj"
SSE = {"x-amz-server-side-encryption": "aws:kms"}


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
