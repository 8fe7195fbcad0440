"""Runs a Node script of this folder against the JavaScript clients that ``npm ci`` put
under ``tests/clients/node_modules`` (or ``COGNITO_IMPORT_NODE_MODULES``). A missing
``node`` or package fails the test: a client test never skips."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).parent
_DEFAULT_MODULES = _HERE.parent / "clients" / "node_modules"


def node_modules() -> Path:
    folder = Path(os.environ.get("COGNITO_IMPORT_NODE_MODULES") or _DEFAULT_MODULES)
    if not (folder / "amazon-cognito-identity-js").is_dir():
        pytest.fail(f"amazon-cognito-identity-js is not installed in {folder} (run npm ci)")
    return folder


def identity_js_srp(challenge: dict[str, str]) -> dict[str, Any]:
    """A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE as amazon-cognito-identity-js makes them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed")
    done = subprocess.run(
        [node, str(_HERE / "srp_identity_js.cjs"), str(node_modules())],
        input=json.dumps(challenge).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"node failed: {done.stderr.decode(errors='replace')}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
