"""Fixtures for the JavaScript client tests: drivers configured for the live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.clients.accounts import SignInPool, sign_in_pool
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


@pytest.fixture
def app(cognito: Any) -> SignInPool:
    """A pool and app client the browser clients sign in to."""
    return sign_in_pool(cognito)


@pytest.fixture
def amplify(server: LiveServer, app: SignInPool) -> Iterator[Driver]:
    with Driver("amplify.mjs", app.config(server)) as driver:
        yield driver


@pytest.fixture
def identity_js(server: LiveServer, app: SignInPool) -> Iterator[Driver]:
    with Driver("identity_js.mjs", app.config(server)) as driver:
        yield driver
