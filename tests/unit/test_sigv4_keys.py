"""The SigV4 module's small helpers: X-Amz-Date formatting and the access keys read
from the command line (``parse_access_keys``), which never show their secret."""

from __future__ import annotations

import pytest

from cognito_import.protocol.keys import AccessKey, parse_access_keys
from cognito_import.protocol.sigv4 import format_amz_date
from tests.unit.sigv4_helpers import KEY, NOW


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
