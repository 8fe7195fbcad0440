"""The pool id and role ARN the shape test modules (``test_shapes_*.py``) put in
their requests and responses."""

from __future__ import annotations

POOL = "us-east-1_abc123"
ROLE = "arn:aws:iam::111111111111:role/CognitoImport"
