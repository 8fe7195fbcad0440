"""Calls to this server's own endpoints under ``/_cognito-import/`` (reset, outbox),
SigV4-signed with the account's key as the API is, answered in JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from cognito_import.admin_paths import SIGNING_NAME


class SignedCallFailed(Exception):
    """The server refused (``Code: message``) or could not be reached."""


def signed_call(
    method: str,
    url: str,
    key_id: str,
    secret: str,
    region: str,
    body: bytes | None = None,
    timeout: float = 30,
) -> dict[str, Any]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = AWSRequest(method, url, data=body or b"", headers=headers)
    SigV4Auth(Credentials(key_id, secret), SIGNING_NAME, region).add_auth(request)
    prepared = urllib.request.Request(url, data=body, method=method, headers=dict(request.headers))
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as answer:
            result: dict[str, Any] = json.loads(answer.read())
            return result
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())
            code, message = error["__type"], error.get("message", "")
        except (ValueError, KeyError, TypeError):
            code, message = f"HTTP {exc.code}", exc.reason
        raise SignedCallFailed(f"{code}: {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        where = url.split("/_cognito-import", 1)[0]
        raise SignedCallFailed(f"cannot reach {where}: {reason}") from None
