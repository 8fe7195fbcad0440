"""Fixtures for the JavaScript client tests: drivers configured for the live server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clients.node import Driver
from tests.conftest import REGION
from tests.live import TEST_KEY, LiveServer


@pytest.fixture
def sdk(server: LiveServer) -> Iterator[Driver]:
    """AWS SDK for JavaScript v3, signing with the test account's access key."""
    config = {
        "endpoint": server.url,
        "region": REGION,
        "accessKeyId": TEST_KEY.key_id,
        "secretAccessKey": TEST_KEY.secret,
    }
    with Driver("sdk.mjs", config) as driver:
        yield driver
