"""Benchmarks of issue 5: import throughput against a bare floor, API load against moto.

Run them all with ``python -m benchmarks`` (``--help`` for options). Not part of the
test suite: they start real server subprocesses and take a few minutes at full size.
"""

from __future__ import annotations
