"""SigV4 authentication of header-signed API requests, and the signing machinery that
S3-style pre-signed uploads (``presign``) share with it.

The signature arithmetic is botocore's, never ours. To verify, the request is rebuilt as an
``AWSRequest`` and botocore's signer computes what the signature must be, with two server-side
adjustments: the signing time is the one the client claims, and the canonical headers are exactly
the client's ``SignedHeaders`` (botocore's own choice omits some, e.g. ``user-agent``, that other
SDKs sign). Sharing the signer with the SDKs means canonicalisation quirks cannot diverge.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cognito_import.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from cognito_import.protocol.keys import AccessKey, Caller

if TYPE_CHECKING:
    from cognito_import.protocol.presign import _UploadVerifier

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60

_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_REGION = re.compile(r"[a-z0-9-]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class _Claim:
    """What a request says about its own signature, before anything is trusted."""

    key_id: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date form; botocore's signer reads it from request.context


def format_amz_date(now: float) -> str:
    return time.strftime(_AMZ_DATE_FORMAT, time.gmtime(now))


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, AccessKey],
    now: float,
    service: str,
) -> Caller:
    """Authenticate an API request signed with SigV4 in its ``Authorization`` header.

    ``url`` must carry the path and query exactly as received on the wire (percent-encoded).
    """
    pairs = _header_pairs(headers)
    query = _query_pairs(urlsplit(url).query)
    authorization = _first(pairs, "authorization")
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
    content_sha256 = _first(pairs, "x-amz-content-sha256")
    # botocore takes this header as the payload hash unchecked; unless it is the hash of the
    # real body, the body would not be covered by the signature at all.
    if content_sha256 is not None and content_sha256.lower() != hashlib.sha256(body).hexdigest():
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    if key.unchecked:  # --any-credentials: the secret is unknown, so is the signature
        return Caller(key=key, region=claim.region, service=claim.service)
    signer = _ApiVerifier(Credentials(key.key_id, key.secret), service, claim.region)
    if not _same(_expected_signature(signer, claim, method, url, pairs, body, query), claim):
        raise InvalidSignatureException()
    return Caller(key=key, region=claim.region, service=claim.service)


@functools.lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key: the same for every request of a key, day, region and service,
    and four HMACs (about 80 µs) to derive, so derived once."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


class _ClientSignedHeaders:
    """Make botocore canonicalise exactly the headers the client listed as signed."""

    client_signed: tuple[str, ...] = ()
    default_host = ""

    def signature(self, string_to_sign: str, request: Any) -> str:
        # botocore's signature(), with the derived key cached (see _signing_key).
        key = _signing_key(
            self.credentials.secret_key,  # type: ignore[attr-defined]  # botocore's signer
            request.context["timestamp"][0:8],
            self._region_name,  # type: ignore[attr-defined]
            self._service_name,  # type: ignore[attr-defined]
        )
        return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    client_pairs: Sequence[tuple[str, str]] = ()

    def headers_to_sign(self, request: Any) -> _HeaderList:
        # The client's headers are read from client_pairs, not request.headers: botocore's
        # HTTPHeaders (an email.message.Message) costs more than the rest of the check.
        arrived = _HeaderList()
        for name, value in self.client_pairs:
            arrived.add(name, value)
        selected = _HeaderList()
        for name in dict.fromkeys(self.client_signed):
            # HTTP/2 and some clients carry the authority only in the URL. Any other signed
            # header that did not arrive keeps its place, empty, as the client's list says.
            fallback = self.default_host if name == "host" else ""
            for value in arrived.get_all(name) or [fallback]:
                selected.add(name, value)
        return selected


class _HeaderList:
    """The part of HTTPHeaders' interface botocore's canonicalisation uses: iteration over
    the names (repeats included) and case-insensitive ``get_all``, values in arrival order."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self._values: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self._names.append(name)
        self._values.setdefault(name.lower(), []).append(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def get_all(self, name: str) -> list[str]:
        return list(self._values.get(name.lower(), ()))


class _ApiVerifier(_ClientSignedHeaders, SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    def payload(self, request: Any) -> str:
        # botocore's payload() for a plain bytes body over any scheme (no streaming checksum
        # in a server-side request): sha256 of the body, without preparing the whole request.
        return hashlib.sha256(request.data or b"").hexdigest()


def _expected_signature(
    signer: _ApiVerifier | _UploadVerifier,
    claim: _Claim,
    method: str,
    url: str,
    pairs: Iterable[tuple[str, str]],
    body: bytes,
    query: Sequence[tuple[str, str]],
) -> str:
    signer.client_signed = claim.signed_headers
    signer.default_host = _authority(url)
    signer.client_pairs = pairs = list(pairs)
    # The query goes in decoded, as params, so botocore re-encodes it canonically however the
    # client escaped it on the wire; the path stays exactly as received.
    request = AWSRequest(method=method.upper(), url=urlunsplit(urlsplit(url)._replace(query="")))
    request.data = body
    request.params = list(query)
    # botocore reads one header from request.headers itself: a given payload hash replaces
    # its own in the canonical request. The others come from signer.client_pairs.
    for name, value in pairs:
        if name.lower() == "x-amz-content-sha256":
            request.headers[name] = value
    request.context["timestamp"] = claim.timestamp
    canonical_request = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical_request)
    return str(signer.signature(string_to_sign, request))


def _header_claim(authorization: str, pairs: Sequence[tuple[str, str]]) -> _Claim:
    algorithm, _, rest = authorization.strip().partition(" ")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep and value:
            fields.setdefault(name, value)
    amz_date, http_date = _first(pairs, "x-amz-date"), _first(pairs, "date")
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
    if _parse_amz_date(timestamp) is None:
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
    return _Claim(key_id, region, service, signed_headers, fields["Signature"], timestamp)


def _check_clock(timestamp: str, now: int) -> None:
    signed_at = _parse_amz_date(timestamp)
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


@functools.lru_cache(maxsize=64)
def _parse_amz_date(value: str) -> int | None:
    # Cached: every request signed in the same second carries the same X-Amz-Date.
    if not _AMZ_DATE.fullmatch(value):
        return None
    try:
        if not value.isascii():
            # strptime takes some non-ASCII digits in some fields only (a query string can
            # carry them); it stays the judge of those.
            parsed = datetime.strptime(value, _AMZ_DATE_FORMAT)
        else:
            # Fixed slices instead of strptime (ten times slower); datetime() rejects the
            # same impossible dates (month 13, 30 February, hour 24, second 60).
            parsed = datetime(
                int(value[0:4]),
                int(value[4:6]),
                int(value[6:8]),
                int(value[9:11]),
                int(value[11:13]),
                int(value[13:15]),
            )
    except ValueError:
        return None
    return calendar.timegm(parsed.timetuple())


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


def _header_pairs(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    # items(), not key lookups: multi-value header types (Starlette's Headers, botocore's
    # HTTPHeaders) yield every occurrence of a repeated header there, and SigV4 signs them all.
    return [(name.lower(), value) for name, value in headers.items()]


def _first(pairs: Iterable[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = (item.partition("=") for item in query.split("&") if item)
    return [(unquote(name), unquote(value)) for name, _, value in pairs]


def _authority(url: str) -> str:
    # What a client puts in Host for this URL: no userinfo, no port if it is the default.
    parts = urlsplit(url)
    authority = parts.netloc.rpartition("@")[2].lower()
    return authority.removesuffix(f":{_DEFAULT_PORTS.get(parts.scheme)}")


def _same(expected: str, claim: _Claim) -> bool:
    return hmac.compare_digest(expected.encode(), claim.signature.encode())
