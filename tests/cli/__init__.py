"""The cognito-import command line, run as a user runs it."""

from __future__ import annotations
