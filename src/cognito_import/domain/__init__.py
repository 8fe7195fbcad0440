"""The service's rules, free of HTTP and storage."""

from __future__ import annotations
