"""SigV4 authentication of header-signed API requests, in two steps so that a request's
body is read only once its headers prove who sent it: ``check_headers`` (the claim, the
clock, the key, and which headers the signature must cover), then
``PendingCaller.verify`` with the hash of the body (computed while the body streams in).

What header and query signing share (botocore's signer, the claim, the date and header
helpers) is in ``signing``; the signature arithmetic is botocore's, never ours.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.credentials import Credentials

from cognito_import.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from cognito_import.protocol.keys import AccessKey, Caller
from cognito_import.protocol.signing import (
    ALGORITHM,
    MAX_SKEW_SECONDS,
    Claim,
    ClientSignedHeaders,
    expected_signature,
    first,
    format_amz_date,
    header_pairs,
    parse_amz_date,
    query_pairs,
    same_signature,
)

__all__ = ["PendingCaller", "check_headers", "format_amz_date", "verify_request"]

_REGION = re.compile(r"[a-z0-9-]+")
# Headers that change what a request does must be covered by its signature, or a captured
# request could be replayed as another operation (DescribeUserPool as DeleteUserPool) for
# the 15 minutes its date is good: X-Amz-Target, and every x-amz-* header (as S3
# requires), which every AWS SDK signs. Not Content-Type: the AWS SDK for JavaScript v2
# never signs it (its unsignableHeaders), AWS accepts that, and the content type changes
# nothing here (the body is read as JSON whatever it says).
_MUST_SIGN = ("x-amz-target",)


@dataclass(frozen=True)
class PendingCaller:
    """A request whose headers check out; its body is not verified yet."""

    caller: Caller
    claim: Claim
    method: str
    url: str
    pairs: Sequence[tuple[str, str]]
    query: Sequence[tuple[str, str]]

    def verify(self, body_sha256: str) -> Caller:
        """The caller, once the signature is proven over a body with this SHA-256 (hex)."""
        content_sha256 = first(self.pairs, "x-amz-content-sha256")
        # botocore takes this header as the payload hash unchecked; unless it is the hash
        # of the real body, the body would not be covered by the signature at all.
        if content_sha256 is not None and content_sha256.lower() != body_sha256:
            raise InvalidSignatureException(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        key, claim = self.caller.key, self.claim
        if key.unchecked:  # --any-credentials: the secret is unknown, so is the signature
            return self.caller
        signer = _ApiVerifier(Credentials(key.key_id, key.secret), claim.service, claim.region)
        signer.payload_sha256 = body_sha256
        expected = expected_signature(
            signer, self.claim, self.method, self.url, self.pairs, b"", self.query
        )
        if not same_signature(expected, self.claim):
            raise InvalidSignatureException()
        return self.caller


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, AccessKey],
    now: float,
    service: str,
) -> Caller:
    """Both steps at once, for a body already in hand."""
    pending = check_headers(method, url, headers, keys, now, service)
    return pending.verify(hashlib.sha256(body).hexdigest())


def check_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    keys: Mapping[str, AccessKey],
    now: float,
    service: str,
) -> PendingCaller:
    """Everything about a SigV4 ``Authorization`` header that can be checked without the
    body. ``url`` must carry the path and query exactly as received (percent-encoded)."""
    pairs = header_pairs(headers)
    query = query_pairs(urlsplit(url).query)
    authorization = first(pairs, "authorization")
    if authorization is None:
        if any(name == "X-Amz-Algorithm" for name, _ in query):
            # botocore's query signer moves a JSON body into the query string, which a JSON 1.1
            # service never reads, so no SDK makes a usable pre-signed call here; say so
            # instead of calling the request unsigned.
            raise InvalidSignatureException(
                "Query-string authentication is not supported by this service; "
                "sign the request with an Authorization header."
            )
        raise MissingAuthenticationTokenException()
    claim = _header_claim(authorization, pairs)
    if claim.service != service:
        raise InvalidSignatureException(
            f"Credential should be scoped to correct service: '{service}'. "
        )
    _check_clock(claim.timestamp, math.floor(now))
    key = keys.get(claim.key_id)
    if key is None:
        raise UnrecognizedClientException()
    _check_coverage(claim, pairs)
    caller = Caller(key=key, region=claim.region, service=claim.service)
    return PendingCaller(caller, claim, method, url, pairs, query)


def _check_coverage(claim: Claim, pairs: Sequence[tuple[str, str]]) -> None:
    signed = {name.lower() for name in claim.signed_headers}
    unsigned = sorted(
        {
            name
            for name, _ in pairs
            if (name in _MUST_SIGN or name.startswith("x-amz-")) and name not in signed
        }
    )
    if unsigned:
        # S3's wording for the same refusal (its HeadersNotSigned error).
        raise InvalidSignatureException(
            "There were headers present in the request which were not signed: "
            + ", ".join(unsigned)
        )


class _ApiVerifier(ClientSignedHeaders, SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    payload_sha256 = ""

    def payload(self, request: Any) -> str:
        # botocore's payload() for a plain body: its SHA-256, here computed while the body
        # was read, so the body itself need not be held for the check.
        return self.payload_sha256


def _header_claim(authorization: str, pairs: Sequence[tuple[str, str]]) -> Claim:
    algorithm, _, rest = authorization.strip().partition(" ")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep and value:
            fields.setdefault(name, value)
    amz_date, http_date = first(pairs, "x-amz-date"), first(pairs, "date")
    # AWS reports every missing part at once, then echoes the header.
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if name not in fields
    ]
    if amz_date is None and http_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise InvalidSignatureException(" ".join([*problems, f"Authorization={authorization}"]))
    if algorithm != ALGORITHM:
        raise InvalidSignatureException(
            f"Unsupported AWS 'algorithm': '{algorithm}'; only '{ALGORITHM}' is accepted."
        )
    timestamp = amz_date if amz_date is not None else _http_date_to_amz(http_date or "")
    credential = fields["Credential"]
    scope = credential.split("/")
    if len(scope) != 5:
        raise InvalidSignatureException(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    key_id, scope_date, region, service, terminator = scope
    if terminator != "aws4_request":
        raise InvalidSignatureException(
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'. "
        )
    if not _REGION.fullmatch(region):
        raise InvalidSignatureException(
            f"Credential should be scoped to a valid region, not '{region}'. "
        )
    if parse_amz_date(timestamp) is None:
        raise InvalidSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{timestamp}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    if scope_date != timestamp[:8]:
        raise InvalidSignatureException(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{timestamp[:8]}', from '{timestamp}'."
        )
    signed_headers = tuple(fields["SignedHeaders"].split(";"))
    if "host" not in signed_headers:
        raise InvalidSignatureException(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    return Claim(key_id, region, service, signed_headers, fields["Signature"], timestamp)


def _check_clock(timestamp: str, now: int) -> None:
    signed_at = parse_amz_date(timestamp)
    assert signed_at is not None  # _header_claim() has rejected unparsable dates
    if signed_at > now + MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature not yet current: {timestamp} is still later than "
            f"{format_amz_date(now + MAX_SKEW_SECONDS)} ({format_amz_date(now)} + 15 min.)"
        )
    if signed_at < now - MAX_SKEW_SECONDS:
        raise InvalidSignatureException(
            f"Signature expired: {timestamp} is now earlier than "
            f"{format_amz_date(now - MAX_SKEW_SECONDS)} ({format_amz_date(now)} - 15 min.)"
        )


def _http_date_to_amz(value: str) -> str:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise InvalidSignatureException(
            f"Date header must be an RFC 1123 date, got '{value}'."
        ) from None
    if parsed.tzinfo is None:  # "-0000", which botocore's formatdate writes, means UTC
        parsed = parsed.replace(tzinfo=UTC)
    return format_amz_date(parsed.timestamp())
