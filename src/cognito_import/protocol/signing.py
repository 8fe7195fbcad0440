"""What header-signed API requests (``sigv4``) and query-signed uploads (``presign``) share:
the claim a request makes about its own signature, botocore's signer made to canonicalise
exactly the client's signed headers, and the date, header and query helpers.

Both verifiers import this module and neither imports the other. The signature arithmetic
is botocore's, never ours: the request is rebuilt as an ``AWSRequest`` and botocore's
signer computes what the signature must be, with two server-side adjustments: the signing
time is the one the client claims, and the canonical headers are exactly the client's
``SignedHeaders`` (botocore's own choice omits some, e.g. ``user-agent``, that other SDKs
sign). Sharing the signer with the SDKs means canonicalisation quirks cannot diverge.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from botocore.awsrequest import AWSRequest

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
DEFAULT_PORTS = {"http": 80, "https": 443}

_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


@dataclass(frozen=True)
class Claim:
    """What a request says about its own signature, before anything is trusted."""

    key_id: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date form; botocore's signer reads it from request.context


def format_amz_date(now: float) -> str:
    return time.strftime(_AMZ_DATE_FORMAT, time.gmtime(now))


@functools.lru_cache(maxsize=256)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key: the same for every request of a key, day, region and service,
    and four HMACs (about 80 µs) to derive, so derived once."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


class ClientSignedHeaders:
    """Mixed into a botocore signer: canonicalise exactly the headers the client listed
    as signed, with the derived key cached."""

    client_signed: tuple[str, ...] = ()
    default_host = ""
    client_pairs: Sequence[tuple[str, str]] = ()

    def signature(self, string_to_sign: str, request: Any) -> str:
        # botocore's signature(), with the derived key cached (see signing_key).
        key = signing_key(
            self.credentials.secret_key,  # type: ignore[attr-defined]  # botocore's signer
            request.context["timestamp"][0:8],
            self._region_name,  # type: ignore[attr-defined]
            self._service_name,  # type: ignore[attr-defined]
        )
        return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    def headers_to_sign(self, request: Any) -> HeaderList:
        # The client's headers are read from client_pairs, not request.headers: botocore's
        # HTTPHeaders (an email.message.Message) costs more than the rest of the check.
        arrived = HeaderList()
        for name, value in self.client_pairs:
            arrived.add(name, value)
        selected = HeaderList()
        for name in dict.fromkeys(self.client_signed):
            # HTTP/2 and some clients carry the authority only in the URL. Any other signed
            # header that did not arrive keeps its place, empty, as the client's list says.
            fallback = self.default_host if name == "host" else ""
            for value in arrived.get_all(name) or [fallback]:
                selected.add(name, value)
        return selected

    # botocore's canonical_request and string_to_sign, typed for expected_signature.
    def canonical_request(self, request: Any) -> str:
        return str(super().canonical_request(request))  # type: ignore[misc]

    def string_to_sign(self, request: Any, canonical_request: str) -> str:
        return str(super().string_to_sign(request, canonical_request))  # type: ignore[misc]


class HeaderList:
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


def expected_signature(
    signer: ClientSignedHeaders,
    claim: Claim,
    method: str,
    url: str,
    pairs: Iterable[tuple[str, str]],
    body: bytes,
    query: Sequence[tuple[str, str]],
) -> str:
    signer.client_signed = claim.signed_headers
    signer.default_host = authority(url)
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
    return signer.signature(string_to_sign, request)


@functools.lru_cache(maxsize=64)
def parse_amz_date(value: str) -> int | None:
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


def header_pairs(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    # items(), not key lookups: multi-value header types (Starlette's Headers, botocore's
    # HTTPHeaders) yield every occurrence of a repeated header there, and SigV4 signs them all.
    return [(name.lower(), value) for name, value in headers.items()]


def first(pairs: Iterable[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


def query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = (item.partition("=") for item in query.split("&") if item)
    return [(unquote(name), unquote(value)) for name, _, value in pairs]


def authority(url: str) -> str:
    # What a client puts in Host for this URL: no userinfo, no port if it is the default.
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2].lower()
    return netloc.removesuffix(f":{DEFAULT_PORTS.get(parts.scheme)}")


def same_signature(expected: str, claim: Claim) -> bool:
    # compare_digest refuses non-ASCII str, so both sides go in as bytes.
    return hmac.compare_digest(expected.encode(), claim.signature.encode())
