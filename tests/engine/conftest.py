"""Fixtures for the engine tests: ``live``, the shared server of the row-rule tables
(``test_row_rules_*.py``); the other modules here define their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.helpers import DATABASES, shared_server
from tests.live import LiveServer


@pytest.fixture(scope="module", params=DATABASES)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with shared_server(request.param, tmp_path_factory.mktemp("rules")) as server:
        yield server
