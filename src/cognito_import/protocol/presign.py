"""S3-style pre-signed upload URLs: signing them for the client, and verifying the
query-string signature of the request that uses one, failing as S3 does."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cognito_import.errors import S3Error
from cognito_import.protocol.keys import AccessKey
from cognito_import.protocol.signing import (
    ALGORITHM,
    DEFAULT_PORTS,
    MAX_SKEW_SECONDS,
    Claim,
    ClientSignedHeaders,
    expected_signature,
    format_amz_date,
    header_pairs,
    parse_amz_date,
    query_pairs,
    same_signature,
)

MAX_PRESIGN_EXPIRES = 604800
UPLOAD_EXPIRES = 899
SSE_HEADER = "x-amz-server-side-encryption"
SSE_VALUE = "aws:kms"

_QUERY_AUTH_PARAMS = [
    f"X-Amz-{name}" for name in "Algorithm Credential Signature Date SignedHeaders Expires".split()
]
_MISSING_QUERY_PARAMS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_S3_UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."
_S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def presign_upload_url(
    base_url: str,
    path: str,
    key: AccessKey,
    region: str,
    now: float,
    expires: int = UPLOAD_EXPIRES,
) -> str:
    """An S3-style pre-signed PUT URL that requires ``x-amz-server-side-encryption: aws:kms``."""
    parts = urlsplit(base_url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"base URL must be http(s)://host[:port][/prefix], got {base_url!r}")
    if not path.startswith("/"):
        raise ValueError(f"upload path must start with '/', got {path!r}")
    if not 1 <= expires <= MAX_PRESIGN_EXPIRES:
        raise ValueError(f"expires must be between 1 and {MAX_PRESIGN_EXPIRES} seconds")
    url = base_url.rstrip("/") + quote(path)
    request = AWSRequest(method="PUT", url=url, headers={SSE_HEADER: SSE_VALUE})
    signer = _UploadPresigner(Credentials(key.key_id, key.secret), "s3", region, expires=expires)
    signer.timestamp = format_amz_date(now)
    # No Host header on purpose: botocore then signs the URL's host[:port] with a default port
    # dropped, which is what curl and HTTP libraries send.
    signer.add_auth(request)
    return str(request.url)


def verify_presigned(
    method: str,
    url: str,
    headers: Mapping[str, str],
    keys: Mapping[str, AccessKey],
    now: float,
) -> AccessKey:
    """Authenticate a request against its S3 query-string signature, failing as S3 does.

    ``url`` must carry the path and query exactly as received on the wire (percent-encoded).
    """
    query = query_pairs(urlsplit(url).query)
    params: dict[str, str] = {}
    for name, value in query:
        if name in params and name.startswith("X-Amz-"):
            # Two signatures (or dates, credentials...) leave open which one was checked;
            # S3 clients never send a signing parameter twice.
            raise _query_error(f"Query-string authentication parameter {name} is repeated.")
        params.setdefault(name, value)
    if any(name not in params for name in _QUERY_AUTH_PARAMS):
        raise _query_error(_MISSING_QUERY_PARAMS)
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _query_error(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
    credential = params["X-Amz-Credential"].split("/")
    if len(credential) != 5 or not all(credential) or credential[4] != "aws4_request":
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    key_id, scope_date, region, service, _ = credential
    if service != "s3":
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; incorrect service "
            f'"{service}". This endpoint belongs to "s3".'
        )
    timestamp = params["X-Amz-Date"]
    signed_at = parse_amz_date(timestamp)
    if signed_at is None:
        raise _query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    if scope_date != timestamp[:8]:
        raise _query_error("Invalid credential date. Date is not the same as X-Amz-Date.")
    expires = _parse_expires(params["X-Amz-Expires"])
    signed_headers = tuple(params["X-Amz-SignedHeaders"].split(";"))
    if "host" not in signed_headers:
        raise _query_error("X-Amz-SignedHeaders must include the 'host' header.")
    key = keys.get(key_id)
    if key is None:
        raise S3Error("InvalidAccessKeyId", _S3_UNKNOWN_KEY, 403)
    clock = math.floor(now)
    if clock > signed_at + expires:
        raise S3Error("AccessDenied", "Request has expired", 403)
    if signed_at > clock + MAX_SKEW_SECONDS:
        # Only a signer with a clock far ahead of ours dates a URL like this; honouring it
        # would stretch its life beyond what X-Amz-Expires promises.
        raise S3Error("AccessDenied", "Request is not yet valid", 403)
    claim = Claim(key_id, region, service, signed_headers, params["X-Amz-Signature"], timestamp)
    # Only signed headers go into the rebuilt request: botocore would let an unsigned
    # x-amz-content-sha256 replace UNSIGNED-PAYLOAD in the canonical request.
    pairs = [(name, value) for name, value in header_pairs(headers) if name in signed_headers]
    unsigned_query = [(name, value) for name, value in query if name != "X-Amz-Signature"]
    signer = _UploadVerifier(Credentials(key.key_id, key.secret), "s3", region)
    expected = expected_signature(signer, claim, method, url, pairs, b"", unsigned_query)
    if not same_signature(expected, claim):
        raise S3Error("SignatureDoesNotMatch", _S3_SIGNATURE_MISMATCH, 403)
    return key


class _UploadVerifier(ClientSignedHeaders, S3SigV4QueryAuth):  # type: ignore[misc]
    pass


class _UploadPresigner(S3SigV4QueryAuth):  # type: ignore[misc]
    """Dates the URL by the server's injected clock instead of botocore's wall clock."""

    timestamp = ""

    def _modify_request_before_signing(self, request: Any) -> None:
        # add_auth stamps the wall clock before calling this; everything derived from the
        # timestamp (X-Amz-Date, the credential scope, the signing key) is computed afterwards.
        request.context["timestamp"] = self.timestamp
        super()._modify_request_before_signing(request)


def _parse_expires(value: str) -> int:
    if re.fullmatch(r"-\d+", value):
        raise _query_error("X-Amz-Expires must be non-negative")
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is true
        raise _query_error("X-Amz-Expires should be a number")
    if int(value) > MAX_PRESIGN_EXPIRES:
        raise _query_error("X-Amz-Expires must be less than a week (in seconds) that is; 604800")
    return int(value)


def _query_error(message: str) -> S3Error:
    return S3Error("AuthorizationQueryParametersError", message, 400)
