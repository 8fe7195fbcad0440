"""cognito-import: a self-hosted, wire-compatible Amazon Cognito user-import-job service."""

from __future__ import annotations

__version__ = "0.1.0"
