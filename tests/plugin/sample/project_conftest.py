"""The sample project's conftest: records which server each test ran against."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cognito_import.testing import CognitoServer


@pytest.fixture(autouse=True)
def record_server(cognito_server: CognitoServer) -> None:
    out = os.environ.get("SAMPLE_RECORD")
    if out:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with Path(out).open("a", encoding="utf-8") as fp:
            fp.write(f"{worker} {cognito_server.pid} {cognito_server.url}\n")
