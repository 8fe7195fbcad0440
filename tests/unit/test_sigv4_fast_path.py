"""The request path's shortcuts compute exactly what the straightforward code computed.

``verify_request`` feeds botocore's canonicalisation a light header list instead of an
``HTTPHeaders`` and caches the derived signing key; the X-Amz-Date parser slices instead of
calling strptime. Each is checked here against the plain botocore / strptime computation
on generated inputs: repeated headers, signed names in any case, signed headers that never
arrived, payload hashes given or not, odd query strings.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
from datetime import datetime
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from cognito_import.protocol import signing, sigv4
from cognito_import.protocol.keys import AccessKey

KEY = AccessKey("AKIDTESTKEY00001", "s3cr3t/Key+With=Chars", "123456789012")
URL = "http://localhost:9245/"
NAMES = (
    "host",
    "x-amz-date",
    "x-amz-target",
    "content-type",
    "x-amz-content-sha256",
    "user-agent",
    "x-custom",
)


class _Reference(SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    """botocore's signer choosing the client's headers from an HTTPHeaders, uncached."""

    client_signed: tuple[str, ...] = ()
    default_host = "localhost:9245"

    def headers_to_sign(self, request: Any) -> Any:
        selected = HTTPHeaders()
        for name in dict.fromkeys(self.client_signed):
            fallback = self.default_host if name == "host" else ""
            for value in request.headers.get_all(name) or [fallback]:
                selected[name] = value
        return selected


def reference_signature(
    claim: signing.Claim,
    pairs: list[tuple[str, str]],
    body: bytes,
    query: list[tuple[str, str]],
) -> str:
    signer = _Reference(Credentials(KEY.key_id, KEY.secret), claim.service, claim.region)
    signer.client_signed = claim.signed_headers
    request = AWSRequest(method="POST", url=URL)
    request.data = body
    request.params = list(query)
    for name, value in pairs:
        request.headers[name] = value
    request.context["timestamp"] = claim.timestamp
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


header_value = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=12,
)
header_pairs = st.lists(st.tuples(st.sampled_from(NAMES), header_value), max_size=8)
signed_names = st.lists(
    st.sampled_from(NAMES).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()])),
    min_size=1,
    max_size=6,
)
query_pairs = st.lists(
    st.tuples(st.text("ab=&%/ ~é", max_size=3), st.text("ab=&%/ ~é", max_size=3)), max_size=3
)


@settings(max_examples=300, deadline=None)
@given(
    pairs=header_pairs,
    signed=signed_names,
    body=st.binary(max_size=40),
    query=query_pairs,
    region=st.sampled_from(["us-east-1", "eu-west-3"]),
    day=st.integers(1, 28),
)
def test_expected_signature_matches_plain_botocore(
    pairs: list[tuple[str, str]],
    signed: list[str],
    body: bytes,
    query: list[tuple[str, str]],
    region: str,
    day: int,
) -> None:
    timestamp = f"202601{day:02d}T120000Z"
    claim = signing.Claim(KEY.key_id, region, "cognito-idp", tuple(signed), "", timestamp)
    signer = sigv4._ApiVerifier(Credentials(KEY.key_id, KEY.secret), "cognito-idp", region)
    # The body's hash is taken while it streams in; the signer is given only the hash.
    signer.payload_sha256 = hashlib.sha256(body).hexdigest()
    ours = signing.expected_signature(signer, claim, "POST", URL, pairs, b"", query)
    assert ours == reference_signature(claim, pairs, body, query)


_AMZ = re.compile(r"\d{8}T\d{6}Z")


def strptime_reference(value: str) -> int | None:
    if not _AMZ.fullmatch(value):
        return None
    try:
        return calendar.timegm(datetime.strptime(value, "%Y%m%dT%H%M%SZ").timetuple())
    except ValueError:
        return None


def _field(digits: str, size: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(digits), min_size=size, max_size=size)


# Mostly valid-looking ASCII dates with out-of-range fields, some non-ASCII digits.
ARABIC_INDIC = "\u0660\u0661\u0662\u0663"
FULLWIDTH_ZERO = "\uff10"
digit_sets = st.sampled_from(
    ["0123456789", "0123456789", "0123456789" + ARABIC_INDIC, "0129" + FULLWIDTH_ZERO]
)
amz_dates = digit_sets.flatmap(
    lambda d: st.builds(lambda a, b: f"{a}T{b}Z", _field(d, 8), _field(d, 6))
)


@settings(max_examples=2000, deadline=None)
@given(value=st.one_of(amz_dates, st.text(max_size=18)))
def test_amz_date_parser_matches_strptime(value: str) -> None:
    assert signing.parse_amz_date(value) == strptime_reference(value)


def test_amz_date_parser_edge_dates() -> None:
    for value in (
        "20240229T235959Z",
        "20230229T000000Z",
        "20241301T000000Z",
        "20240100T000000Z",
        "20240101T240000Z",
        "20240101T235960Z",
        "00000101T000000Z",
        "99991231T235959Z",
    ):
        assert signing.parse_amz_date(value) == strptime_reference(value), value


def test_cached_signing_key_is_the_derivation_botocore_does() -> None:
    def step(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    expected = step(
        step(step(step(f"AWS4{KEY.secret}".encode(), "20260101"), "eu-west-3"), "logs"),
        "aws4_request",
    )
    assert signing.signing_key(KEY.secret, "20260101", "eu-west-3", "logs") == expected
    assert signing.signing_key("other", "20260101", "eu-west-3", "logs") != expected
