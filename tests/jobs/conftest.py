"""Fixtures for the import-job tests: ``idle``, a server without its worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer


@pytest.fixture
def idle(database: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server without its worker, so that jobs stay where the test puts them; one-row
    batches (a stop lands after exactly one), and jobs that expire after a minute."""
    with LiveServer(
        database, tmp_path / "data", run_worker=False, batch_size=1, job_expiry=60
    ) as live:
        yield live
