"""The keys and the clock the SigV4 test modules (``test_sigv4_*.py``) share.

Their ``freeze`` fixture, which sets the clock botocore's signers read, is in this
folder's ``conftest.py``."""

from __future__ import annotations

import calendar
import datetime as dt

from cognito_import.protocol.keys import AccessKey

KEY = AccessKey("AKIDTESTKEY00001", "s3cr3t/Key+With=Chars", "123456789012")
OTHER = AccessKey("AKIDTESTKEY00002", "other-secret", "210987654321")
KEYS = {KEY.key_id: KEY, OTHER.key_id: OTHER}
T0 = dt.datetime(2026, 1, 1, 0, 0, 0)
NOW = calendar.timegm(T0.timetuple())
