"""Fixtures for the unit tests: ``freeze``, the clock of botocore's signers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import botocore.auth
import pytest


@pytest.fixture
def freeze(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the clock botocore's signers read (add_auth calls auth.get_current_datetime)."""

    def set_clock(at: dt.datetime) -> None:
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_a, **_k: at)

    return set_clock
